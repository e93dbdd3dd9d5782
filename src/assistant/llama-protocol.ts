/**
 * Messages between the appliance and the model's own process (src/assistant/llama-worker.ts), sent
 * over Bun's IPC channel as JSON. One model per process, one answer at a time.
 */

/** What the process loads, sent once right after it starts. */
export interface LoadRequest {
  type: "load";
  modelPath: string;
  contextSize: number;
  /** 0: one per CPU core this process may use. */
  threads: number;
  gpuLayers: "auto" | number;
  /** The JSON schema the answers are held to (as a grammar). */
  schema: object;
}

export type WorkerRequest =
  | LoadRequest
  | { type: "generate"; id: number; system: string; user: string; maxTokens: number }
  | { type: "abort"; id: number };

export type WorkerReply =
  | { type: "loaded"; ms: number; gpu: string | false; threads: number }
  | { type: "load_failed"; message: string }
  | { type: "text"; id: number; text: string }
  | { type: "done"; id: number; text: string }
  | { type: "failed"; id: number; message: string; aborted: boolean };
