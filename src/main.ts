#!/usr/bin/env bun
/**
 * The haulbox command line. `haulbox` alone (or `haulbox serve`) runs the appliance; the other
 * commands manage config, database and accounts. Each command lives in src/cli/.
 */
import { runCli } from "./cli";

process.exitCode = await runCli(process.argv.slice(2));
