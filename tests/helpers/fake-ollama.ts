/**
 * A local stand-in for an Ollama server's /api/chat, on 127.0.0.1: streamed NDJSON (as Ollama
 * streams) or a whole answer, or a failure, a missing model, or a stream that stalls.
 */
export type FakeOllamaBehaviour = "stream" | "whole" | "error" | "missing-model" | "stall";

export interface FakeOllama {
  url: string;
  /** Every request body received. */
  requests: any[];
  behaviour: FakeOllamaBehaviour;
  answer: string;
  /** Pause between streamed pieces, ms (long enough for a page to show them one by one). */
  pieceDelayMs: number;
  stop(): void;
}

export function startFakeOllama(answer: string): FakeOllama {
  const fake: FakeOllama = { url: "", requests: [], behaviour: "stream", answer, pieceDelayMs: 1, stop: () => server.stop(true) };
  const server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(request) {
      if (new URL(request.url).pathname !== "/api/chat" || request.method !== "POST") return new Response("not found", { status: 404 });
      const body = await request.json();
      fake.requests.push(body);
      const behaviour = fake.behaviour;
      if (behaviour === "error") return Response.json({ error: "llama runner process has terminated" }, { status: 500 });
      if (behaviour === "missing-model") return Response.json({ error: `model '${body.model}' not found` }, { status: 404 });
      if (behaviour === "whole" || body.stream === false) return Response.json({ model: body.model, message: { role: "assistant", content: fake.answer }, done: true });
      const pieces = fake.answer.match(/.{1,12}/gs) ?? [];
      const stream = new ReadableStream({
        async start(controller) {
          const encoder = new TextEncoder();
          for (const [i, piece] of pieces.entries()) {
            if (behaviour === "stall" && i === 3) return; // never closes
            controller.enqueue(encoder.encode(JSON.stringify({ model: body.model, message: { role: "assistant", content: piece }, done: false }) + "\n"));
            await Bun.sleep(fake.pieceDelayMs);
          }
          controller.enqueue(encoder.encode(JSON.stringify({ model: body.model, message: { role: "assistant", content: "" }, done: true, done_reason: "stop" }) + "\n"));
          controller.close();
        },
      });
      return new Response(stream, { headers: { "content-type": "application/x-ndjson" } });
    },
  });
  fake.url = `http://127.0.0.1:${server.port}`;
  return fake;
}
