/**
 * `haulbox restore PATH`: puts a backup in place of the database, with Haulbox stopped. Refuses,
 * changing nothing, a file that is not a sound Haulbox database this build can run, and refuses
 * while the appliance (or another haulbox command) has the database open. The replaced database is
 * kept beside it; an older backup is brought up to date by the migrations at the next start.
 */
import type { Command } from "./index";
import { formatBytes } from "../backup/backup-folder";
import { restoreDatabase, RestoreRefused } from "../backup/restore-database";
import { LATEST_VERSION } from "../db/migrate";
import { CommandFailed, loadConfiguredConfig, parseCommonArgs } from "./args";

export const restoreCommand: Command = {
  summary: "Put a backup in place of the database (with Haulbox stopped); the current one is kept aside",
  usage:
    "haulbox restore PATH [--config FILE] [--data-dir DIR]\n\n" +
    "Checks PATH (a SQLite file that passes its integrity check, a Haulbox database, not newer than this\n" +
    "version), keeps the current database as haulbox.db.before-restore-YYYYMMDD-HHMMSS, and puts the\n" +
    "backup in its place. Stop Haulbox first (systemctl stop haulbox); start it again afterwards.",
  async run(args) {
    const { values, positionals } = parseCommonArgs(args);
    if (positionals.length !== 1) throw new CommandFailed(`haulbox restore: ${positionals.length ? "give exactly one backup file" : "which backup? give its path"}: haulbox restore PATH`, 2);
    const { config } = await loadConfiguredConfig(values);
    let result;
    try {
      result = restoreDatabase({ backup: positionals[0]!, dataDir: config.data_dir, at: Date.now() });
    } catch (error) {
      if (error instanceof RestoreRefused) throw new CommandFailed(`haulbox restore: ${error.message}`, 1);
      throw error;
    }
    console.log(`restored ${positionals[0]} (schema version ${result.schemaVersion}, ${formatBytes(result.bytes)}, ${result.tables} tables, integrity ok) to ${result.database}`);
    if (result.keptAside.length) console.log(`the database it replaced is kept as ${result.keptAside.join(", ")}`);
    const migrateNote = result.schemaVersion < LATEST_VERSION ? `; it will migrate the database from schema version ${result.schemaVersion} to ${LATEST_VERSION} as it starts` : "";
    console.log(`start Haulbox again (systemctl start haulbox)${migrateNote}`);
    return 0;
  },
};
