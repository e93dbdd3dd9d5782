/**
 * A fleet owner whose server already runs Mosquitto on 1883 types `npm start`: the appliance must
 * come up anyway (web UI, HTTP trackers), say in the log what to change, and show the demo fleet
 * as failing with the reason — not exit.
 */
import { afterAll, expect, test } from "bun:test";
import { createServer } from "node:net";
import { freePort, loginOverHttp, completeSetup, sourceCommand, startProcess, stopAll } from "../helpers/server";

afterAll(stopAll);

test("the embedded broker's port is taken: Haulbox still starts and says what to do", async () => {
  const port = await freePort();
  const squatter = createServer().listen(port, "127.0.0.1");
  try {
    const app = await startProcess({ cmd: sourceCommand(), args: ["--mqtt-listen", `127.0.0.1:${port}`] });
    const error = await app.waitForLog((line) => String(line.msg).includes("embedded MQTT broker could not start"));
    expect(String(error.msg)).toContain("set mqtt.url");
    expect(String(error.error)).toContain("EADDRINUSE");
    await completeSetup(app);
    const http = await loginOverHttp(app);
    // The demo fleet is the one source that needs MQTT: it fails, with the reason, and nothing else does.
    let demo: { state: string; last_error: string | null } | undefined;
    for (let i = 0; i < 50 && demo?.state !== "failing"; i++) {
      const body = JSON.parse(await http.getText("/api/v1/sources")) as { data: { id: string; state: string; last_error: string | null }[] };
      demo = body.data.find((source) => source.id === "demo-fleet");
      await Bun.sleep(100);
    }
    expect(demo?.state).toBe("failing");
    expect(demo?.last_error).toContain("MQTT");
    expect(await app.stop()).toBe(0);
  } finally {
    squatter.close();
  }
});
