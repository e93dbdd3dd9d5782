/** `haulbox migrate`: apply pending database migrations and say what was done. */
import type { Command } from "./index";
import { databasePath } from "../db/open";
import { schemaVersion } from "../db/migrate";
import { openConfiguredDatabase, parseCommonArgs } from "./args";

export const migrateCommand: Command = {
  summary: "Apply pending database migrations (serve also does this at start)",
  usage: "haulbox migrate [--config FILE] [--data-dir DIR]",
  async run(args) {
    const { values } = parseCommonArgs(args);
    const opened = await openConfiguredDatabase(values);
    try {
      const version = schemaVersion(opened.db);
      const where = databasePath(opened.config.data_dir);
      if (!opened.applied.length) {
        console.log(`database is up to date at version ${version} (${where})`);
        return 0;
      }
      for (const migration of opened.applied) console.log(`applied ${String(migration.version).padStart(4, "0")}_${migration.name}`);
      console.log(`database is now at version ${version} (${where})`);
      return 0;
    } finally {
      opened.db.close();
    }
  },
};
