/** Runs the `haulbox` CLI from source in a child process, the way an operator's shell would. */
import { sourceCommand } from "../helpers/server";

/** Exit code and output of one CLI run. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `haulbox ARGS` in `cwd` with only `env` on top of PATH/HOME (no HAULBOX_* from the parent,
 * so a developer's own settings never leak into a test).
 */
export async function runHaulbox(args: string[], options: { cwd: string; env?: Record<string, string> }): Promise<CliRun> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) if (value !== undefined && !key.startsWith("HAULBOX_")) env[key] = value;
  Object.assign(env, { NO_COLOR: "1" }, options.env);
  const child = Bun.spawn([...sourceCommand(), ...args], { cwd: options.cwd, env, stdin: "ignore", stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(child.stdout).text(), new Response(child.stderr).text(), child.exited]);
  return { code, stdout, stderr };
}
