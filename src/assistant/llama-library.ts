/**
 * Where the model's process comes from. Run from the sources it is `bun src/assistant/llama-worker.ts`
 * with node-llama-cpp an ordinary dependency. The compiled binary cannot carry node-llama-cpp (a
 * native addon with per-platform prebuilt libraries), and in a compiled Bun binary a bare import
 * never searches the disk — not even from a file on disk it imported. So a release ships a sidecar
 * folder, `llama/`, beside the executable: node-llama-cpp's node_modules and `worker.js`, which the
 * binary runs as plain Bun (`BUN_BE_BUN=1`), where packages resolve as usual. node-llama-cpp's own
 * check of its prebuilt library forks `process.execPath` — the binary again — and inherits that
 * variable, so it too runs as Bun. Without the folder the provider says so and the template words
 * the plans.
 */
import { existsSync } from "node:fs";
import { dirname, join } from "node:path";

/** The sidecar folder's name beside the binary (the release bundle and `npm run build` use it). */
export const SIDECAR_FOLDER = "llama";

/** The worker program inside a sidecar folder. */
export const SIDECAR_WORKER = "worker.js";

/** True in a `bun build --compile` executable: its own modules live in Bun's embedded file system. */
export function runningCompiled(path = import.meta.path): boolean {
  return path.startsWith("/$bunfs/") || /^[A-Z]:[\\/]~BUN[\\/]/.test(path);
}

/**
 * The sidecar folder a compiled binary reads: `HAULBOX_LLAMA_DIR` when set (a package manager's
 * layout, e.g. /usr/lib/haulbox/llama), otherwise `llama/` in the executable's directory.
 */
export function sidecarDir(env: Record<string, string | undefined> = process.env, execPath = process.execPath): string {
  return env.HAULBOX_LLAMA_DIR || join(dirname(execPath), SIDECAR_FOLDER);
}

export interface WorkerCommand {
  cmd: string[];
  env: Record<string, string>;
}

/** How to start the model's process here, or why it cannot be started. */
export function llamaWorkerCommand(): WorkerCommand {
  if (!runningCompiled()) return { cmd: [process.execPath, join(import.meta.dir, "llama-worker.ts")], env: {} };
  const dir = sidecarDir();
  const worker = join(dir, SIDECAR_WORKER);
  if (!existsSync(worker) || !existsSync(join(dir, "node_modules", "node-llama-cpp", "package.json"))) {
    throw new Error(`the embedded assistant's library is not installed: no ${SIDECAR_FOLDER}/ folder with node-llama-cpp at ${dir} (unpack the release's ${SIDECAR_FOLDER}/ folder beside the binary, or set assistant.provider to ollama or none)`);
  }
  return { cmd: [process.execPath, worker], env: { BUN_BE_BUN: "1" } };
}
