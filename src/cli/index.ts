/** Command dispatch: parses the subcommand and hands its arguments to the module that runs it. */
import { COMMIT, VERSION } from "../version";
import { serveCommand } from "./serve";
import { CommandFailed } from "./args";
import { checkConfigCommand } from "./check-config";
import { migrateCommand } from "./migrate";
import { backupCommand } from "./backup";
import { restoreCommand } from "./restore";
import { healthcheckCommand } from "./healthcheck";
import { tokenCommand, userCommand } from "./accounts";
import { deviceCommand, vehicleCommand } from "./fleet";
import { setupLinkCommand } from "./setup-link";

/** One CLI command: what it does (for help) and how to run it. Returns the exit code. */
export interface Command {
  summary: string;
  usage: string;
  run(args: string[]): Promise<number>;
}

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  "check-config": checkConfigCommand,
  migrate: migrateCommand,
  backup: backupCommand,
  restore: restoreCommand,
  healthcheck: healthcheckCommand,
  user: userCommand,
  token: tokenCommand,
  vehicle: vehicleCommand,
  device: deviceCommand,
  "setup-link": setupLinkCommand,
  version: {
    summary: "Print the version and commit",
    usage: "haulbox version",
    run: async () => {
      console.log(`haulbox ${VERSION} (${COMMIT})`);
      return 0;
    },
  },
};

/** Adds a command (each src/cli module registers itself in this table via the list below). */
export function registerCommand(name: string, command: Command): void {
  COMMANDS[name] = command;
}

function help(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((n) => n.length));
  const lines = Object.entries(COMMANDS).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return [`haulbox ${VERSION} — self-hosted fleet appliance`, "", "Usage: haulbox [command] [options]", "", "Commands:", ...lines, "", "Run `haulbox <command> --help` for a command's options. With no command, `serve` runs."].join("\n");
}

/** Runs the CLI with these arguments; returns the process exit code. */
export async function runCli(argv: string[]): Promise<number> {
  const [first, ...rest] = argv;
  if (first === "--help" || first === "-h" || first === "help") {
    console.log(help());
    return 0;
  }
  if (first === "--version" || first === "-v") return COMMANDS.version!.run([]);
  const name = !first || first.startsWith("-") ? "serve" : first;
  const args = !first || first.startsWith("-") ? argv : rest;
  const command = COMMANDS[name];
  if (!command) {
    console.error(`haulbox: unknown command "${name}"\n\n${help()}`);
    return 2;
  }
  if (args.includes("--help") || args.includes("-h")) {
    console.log(`${command.summary}\n\nUsage: ${command.usage}`);
    return 0;
  }
  try {
    return await command.run(args);
  } catch (error) {
    if (error instanceof CommandFailed) {
      console.error(error.message);
      return error.exitCode;
    }
    console.error(`haulbox ${name}: ${(error as Error).message}`);
    return 1;
  }
}
