/**
 * The compiled binary's embedded assistant, as a release ships it: the binary, and beside it the
 * llama sidecar folder `npm run build` writes (node-llama-cpp and the model's worker). With a tiny
 * GGUF in models/ the demo's Negotiate is worded by the model — which proves the binary started its
 * model process as plain Bun, node-llama-cpp resolved from the sidecar and its check of the
 * prebuilt library (a fork of the binary itself) passed. Without the folder the same request is
 * worded by the template, and the plan and the assistant status say the library is missing.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { buildBinary } from "../../scripts/build";
import { buildLlamaSidecar } from "../../scripts/llama-sidecar";
import { completeSetup, demoLoadForATruck, jsonApiOverHttp, makeTempDir, startProcess, stopAll } from "../helpers/server";
import { writeTinyGguf } from "../helpers/tiny-gguf";

let buildDir: string;
let binary: string;
let sidecar: string;

beforeAll(async () => {
  buildDir = makeTempDir("haulbox-sidecar-build-");
  binary = (await buildBinary({ outfile: join(buildDir, "haulbox"), quiet: true })).outfile;
  sidecar = (await buildLlamaSidecar({ out: join(buildDir, "llama") })).dir;
}, 180_000);

afterAll(async () => {
  await stopAll();
  rmSync(buildDir, { recursive: true, force: true });
});

/** A directory laid out as an unpacked release: the binary, optionally the sidecar, a config and models/assistant.gguf. */
function releaseDir(withSidecar: boolean): string {
  const dir = makeTempDir("haulbox-release-");
  copyFileSync(binary, join(dir, "haulbox"));
  if (withSidecar) Bun.spawnSync(["cp", "-a", sidecar, join(dir, "llama")]);
  mkdirSync(join(dir, "models"));
  writeTinyGguf(join(dir, "models", "assistant.gguf"), { seed: 3, contextLength: 4096 });
  // The default config (its demo fleet and load board) with the assistant's threads at 1: two threads
  // write far slower on this two-core machine (bench/README.md).
  const defaults = readFileSync(resolve(import.meta.dir, "../../src/config/default.yaml"), "utf8").replace(/^data_dir:.*$/m, "");
  writeFileSync(join(dir, "haulbox.yaml"), `${defaults}\nassistant:\n  embedded:\n    threads: 1\n`);
  return dir;
}

async function negotiate(withSidecar: boolean) {
  const dir = releaseDir(withSidecar);
  const app = await startProcess({ cmd: [join(dir, "haulbox")], args: ["--config", join(dir, "haulbox.yaml")], cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  try {
    await completeSetup(app);
    const api = await jsonApiOverHttp(app);
    const { load, truck } = await demoLoadForATruck(api);
    const plan = await api("POST", `/api/v1/loads/${load}/negotiation`, { truck_id: truck });
    const status = (await api("GET", "/api/v1/assistant")).body.data;
    return { plan, status };
  } finally {
    expect(await app.stop()).toBe(0);
    rmSync(dir, { recursive: true, force: true });
  }
}

describe("compiled binary and the llama sidecar", () => {
  test(
    "with llama/ beside the binary and a GGUF in models/: the model words the plan, the engine's figures untouched",
    async () => {
      const { plan, status } = await negotiate(true);
      expect(plan.status).toBe(200);
      expect(plan.body.data).toMatchObject({ provider: "embedded", model: "assistant.gguf", fallback: null });
      expect(plan.body.data.walk_away_cents).toBeGreaterThan(0);
      expect(plan.body.data.target_cents).toBeGreaterThanOrEqual(plan.body.data.walk_away_cents);
      expect(status).toMatchObject({ name: "embedded", model: "assistant.gguf", state: "ready (1 CPU thread)", ready: true });
      // The model's process stopped with the appliance (its pid is gone; nothing runs worker.js).
      expect(Bun.spawnSync(["pgrep", "-f", "llama/worker.js"]).stdout.toString().trim()).toBe("");
    },
    150_000,
  );

  test(
    "without the folder: the template words the plan, and the plan and the status say the library is missing",
    async () => {
      const { plan, status } = await negotiate(false);
      expect(plan.status).toBe(200);
      expect(plan.body.data.provider).toBe("embedded");
      expect(plan.body.data.fallback).toContain("the embedded assistant's library is not installed");
      expect(plan.body.data.talking_points.length).toBeGreaterThan(0);
      expect(status).toMatchObject({ name: "embedded", ready: false });
      expect(status.state).toContain("no llama/ folder with node-llama-cpp");
    },
    150_000,
  );
});
