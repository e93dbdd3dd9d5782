/**
 * `loadboard-demo`: the embedded default's load board. Each poll lists the synthetic loads of
 * generate.ts that are still open, as a complete listing, so loads that pass their pickup window
 * or are "taken down" expire like on a real board. Every load and broker is marked demo.
 */
import { Type } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import { demoLoads } from "./generate";

const configSchema = Type.Object(
  {
    seed: Type.Integer({ default: 1, description: "Seed of the market: the same seed posts the same loads." }),
    loads_per_hour: Type.Integer({ minimum: 1, maximum: 500, default: 12, description: "Loads posted each hour." }),
    hours_listed: Type.Integer({ minimum: 1, maximum: 72, default: 24, description: "How many hours a post stays listed (while its pickup window is open)." }),
  },
  { additionalProperties: false },
);

export default definePlugin({
  kind: "loadboard",
  name: "loadboard-demo",
  version: "1.0.0",
  description: "Demo load board: synthetic loads between US freight hubs with plausible lane rates, marked demo everywhere.",
  configSchema,
  create({ options }) {
    return {
      poll: () => ({
        loads: demoLoads(Date.now(), { seed: options.seed, perHour: options.loads_per_hour, hoursListed: options.hours_listed }) as unknown as Record<string, unknown>[],
        complete: true,
      }),
    };
  },
});
