/** `haulbox serve`: run the appliance until SIGTERM. */
import { parseArgs } from "node:util";
import type { Command } from "./index";
import { handleSignals, startServer, StartupError } from "../server";

export const serveCommand: Command = {
  summary: "Run the appliance (the default)",
  usage: "haulbox serve [--config FILE] [--listen HOST:PORT] [--data-dir DIR] [--mqtt-listen HOST:PORT] [--no-demo]",
  async run(args) {
    const { values } = parseArgs({ args, options: { config: { type: "string" }, listen: { type: "string" }, "data-dir": { type: "string" }, "mqtt-listen": { type: "string" }, "no-demo": { type: "boolean" } }, strict: true });
    try {
      const running = await startServer({ configPath: values.config, listen: values.listen, dataDir: values["data-dir"], mqttListen: values["mqtt-listen"], noDemo: values["no-demo"] });
      handleSignals(running);
      await new Promise(() => {}); // run until a signal ends the process
      return 0;
    } catch (error) {
      if (error instanceof StartupError) {
        console.error(`haulbox: ${error.message}`);
        return 1;
      }
      throw error;
    }
  },
};
