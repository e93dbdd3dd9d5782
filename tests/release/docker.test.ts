/**
 * The Dockerfile, without a Docker engine (there is none here): it lints clean (dockerfile-utils,
 * the validator behind VS Code's Docker support — and a broken copy does not), it keeps the house
 * rules (pinned bases, non-root user, health check through `haulbox healthcheck`, the two ports),
 * every path it copies exists and is not left out by .dockerignore, and its stages are played out
 * on this machine: the build stage's RUN line on a context holding only what it copies (with this
 * checkout's node_modules standing in for `bun install`, which needs the registry), then the run
 * stage's ENTRYPOINT with its ENV in an empty working folder — the embedded default config, no
 * volume — until its HEALTHCHECK command exits 0 and SIGTERM ends it with 0. compose.example.yaml
 * is checked to build this Dockerfile and mount the image's volumes.
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { DockerfileParser, type Instruction } from "dockerfile-ast";
import { validate } from "dockerfile-utils";
import { parse as parseYaml } from "yaml";
import { gitCommit } from "../../scripts/build";
import { freePort, makeTempDir } from "../helpers/server";

const ROOT = resolve(import.meta.dir, "../..");
const DOCKERFILE = readFileSync(join(ROOT, "Dockerfile"), "utf8");
const dockerfile = DockerfileParser.parse(DOCKERFILE);
const instructions = dockerfile.getInstructions();
const stages = dockerfile.getFROMs();
/** Instructions of the last stage (the image that runs). */
const runStage = instructions.filter((instruction) => instruction.getRange().start.line > stages.at(-1)!.getRange().start.line);
const keyword = (list: Instruction[], name: string) => list.filter((instruction) => instruction.getKeyword() === name);
/** The JSON-form argument list (`["a", "b"]`) of an instruction (of HEALTHCHECK: its CMD's). */
const jsonArgs = (instruction: Instruction) => {
  const content = instruction.getArgumentsContent()!;
  return JSON.parse(content.slice(content.indexOf("["))) as string[];
};
/** COPY instructions from the build context (not `--from` another stage). */
const contextCopies = () => keyword(instructions, "COPY").filter((copy) => (copy as unknown as { getFromFlag(): unknown }).getFromFlag() === null);

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

describe("Dockerfile", () => {
  test("lints clean, and the linter does find problems in a broken copy", () => {
    expect(validate(DOCKERFILE).map((problem) => `${problem.range.start.line + 1}: ${problem.message}`)).toEqual([]);
    const broken = DOCKERFILE.replace("EXPOSE 8080 1883", "EXPOSE 80a80").replace("STOPSIGNAL SIGTERM", "STOPSIGNAL");
    expect(validate(broken).length).toBeGreaterThanOrEqual(2);
  });

  test("pinned base images, a non-root user, the health check, ports, volumes and the apt hygiene", () => {
    expect(stages.map((from) => from.getImage())).toEqual(["oven/bun:1.4.5", "debian:bookworm-slim"]);
    // The build image's Bun is the one package.json pins: the binary embeds the Bun that compiles it.
    const pinned = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> }).dependencies.bun;
    expect(stages[0]!.getImageTag()).toBe(pinned);
    const user = keyword(runStage, "USER");
    expect(user.map((instruction) => instruction.getArgumentsContent())).toEqual(["haulbox"]);
    const healthcheck = keyword(runStage, "HEALTHCHECK")[0]!;
    expect(jsonArgs(healthcheck).slice(0, 2)).toEqual(["/opt/haulbox/haulbox", "healthcheck"]);
    expect(keyword(runStage, "EXPOSE")[0]!.getArgumentsContent()).toBe("8080 1883");
    expect(jsonArgs(keyword(runStage, "VOLUME")[0]!)).toEqual(["/var/lib/haulbox", "/etc/haulbox", "/etc/haulbox/models"]);
    for (const run of keyword(instructions, "RUN").map((instruction) => instruction.getArgumentsContent()!)) {
      if (!run.includes("apt-get install")) continue;
      expect(run).toContain("--no-install-recommends");
      expect(run).toContain("rm -rf /var/lib/apt/lists/*");
    }
  });

  test("every path it copies from the context exists and is not left out by .dockerignore", () => {
    const ignored = readFileSync(join(ROOT, ".dockerignore"), "utf8")
      .split("\n")
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith("#"))
      .map((pattern) => new Bun.Glob(pattern));
    const sources = contextCopies()
      .flatMap((copy) => copy.getArguments().slice(0, -1).map((argument) => argument.getValue()))

    expect(sources.length).toBeGreaterThan(5);
    for (const path of sources) {
      expect({ path, exists: existsSync(join(ROOT, path)) }).toEqual({ path, exists: true });
      expect({ path, ignoredBy: ignored.filter((glob) => glob.match(path)).length }).toEqual({ path, ignoredBy: 0 });
    }
  });

  test(
    "its stages played out here: the build stage's RUN makes the binary and llama/, the run stage's image serves with no volume and passes its HEALTHCHECK",
    async () => {
      // The build stage: a context of exactly what it copies, at its WORKDIR.
      const work = makeTempDir("haulbox-docker-");
      dirs.push(work);
      const context = join(work, "src");
      const out = join(work, "out");
      for (const copy of contextCopies()) {
        const args = copy.getArguments().map((argument) => argument.getValue());
        const target = args.at(-1)!;
        for (const source of args.slice(0, -1)) {
          const destination = target.endsWith("/") && target !== "./" ? join(context, target, source) : target === "./" ? join(context, source) : join(context, target);
          mkdirSync(dirname(destination), { recursive: true });
          cpSync(join(ROOT, source), destination, { recursive: true });
        }
      }
      symlinkSync(join(ROOT, "node_modules"), join(context, "node_modules"));
      const buildRun = keyword(instructions, "RUN").find((instruction) => instruction.getArgumentsContent()!.includes("scripts/build.ts"))!;
      const command = buildRun.getArgumentsContent()!.replaceAll("/out", out);
      const built = Bun.spawnSync(["sh", "-c", command], {
        cwd: context,
        env: { PATH: `${join(ROOT, "node_modules", ".bin")}:/usr/bin:/bin`, HAULBOX_COMMIT: gitCommit(), HOME: work },
        stdout: "pipe",
        stderr: "pipe",
      });
      expect({ exit: built.exitCode, stderr: built.stderr.toString().slice(-2000) }).toEqual({ exit: 0, stderr: expect.any(String) });
      for (const file of ["haulbox", "llama/worker.js", "llama/node_modules/node-llama-cpp/package.json", "LICENSE", "config.example.yaml", "models/README.md"]) {
        expect({ file, exists: existsSync(join(out, file)) }).toEqual({ file, exists: true });
      }

      // The run stage: /opt/haulbox is `out`; its ENV, with free ports (same hosts) and a temp data dir.
      const env: Record<string, string> = { PATH: "/usr/bin:/bin" };
      for (const pair of keyword(runStage, "ENV").flatMap((instruction) => instruction.getArguments().map((argument) => argument.getValue()))) {
        const [name, value] = pair.split("=") as [string, string];
        env[name] = value;
      }
      expect(env.HAULBOX_LISTEN).toBe("0.0.0.0:8080");
      const [webPort, mqttPort] = [await freePort(), await freePort()];
      env.HAULBOX_LISTEN = env.HAULBOX_LISTEN!.replace(":8080", `:${webPort}`);
      env.HAULBOX_MQTT_LISTEN = env.HAULBOX_MQTT_LISTEN!.replace(":1883", `:${mqttPort}`);
      env.HAULBOX_DATA_DIR = join(work, "var-lib-haulbox");
      const workdir = join(work, "etc-haulbox");
      mkdirSync(workdir);
      const image = (args: string[]) => args.map((arg) => arg.replace("/opt/haulbox", out));
      const entrypoint = image([...jsonArgs(keyword(runStage, "ENTRYPOINT")[0]!), ...jsonArgs(keyword(runStage, "CMD")[0]!)]);
      const healthcheck = image(jsonArgs(keyword(runStage, "HEALTHCHECK")[0]!));
      const app = Bun.spawn(entrypoint, { cwd: workdir, env, stdout: "pipe", stderr: "pipe" });
      try {
        let healthy = -1;
        for (let tries = 0; tries < 60 && healthy !== 0; tries++) {
          await Bun.sleep(250);
          healthy = Bun.spawnSync(healthcheck, { cwd: workdir, env, stdout: "pipe", stderr: "pipe" }).exitCode;
        }
        expect(healthy).toBe(0);
        const health = (await (await fetch(`http://127.0.0.1:${webPort}/healthz`)).json()) as { commit: string };
        expect(health.commit).toBe(gitCommit());
        expect(existsSync(join(env.HAULBOX_DATA_DIR, "haulbox.db"))).toBe(true);
      } finally {
        app.kill("SIGTERM");
      }
      expect(await app.exited).toBe(0);
      // Stopped: the same health check now fails.
      expect(Bun.spawnSync(healthcheck, { cwd: workdir, env, stdout: "pipe", stderr: "pipe" }).exitCode).toBe(1);
    },
    120_000,
  );
});

describe("compose.example.yaml", () => {
  test("builds this Dockerfile, publishes its ports and mounts its volumes; the extras are opt-in profiles", () => {
    const compose = parseYaml(readFileSync(join(ROOT, "compose.example.yaml"), "utf8")) as {
      services: Record<string, { build?: string; ports?: string[]; volumes?: string[]; profiles?: string[] }>;
    };
    const haulbox = compose.services.haulbox!;
    expect(haulbox.build).toBe(".");
    expect(haulbox.ports).toEqual(["8080:8080", "1883:1883"]);
    const mounted = haulbox.volumes!.map((volume) => volume.split(":")[1]);
    expect(mounted).toEqual(jsonArgs(keyword(runStage, "VOLUME")[0]!));
    expect(compose.services.mosquitto?.profiles).toEqual(["mosquitto"]);
    expect(compose.services.ollama?.profiles).toEqual(["ollama"]);
  });
});
