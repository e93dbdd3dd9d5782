/**
 * Test helpers for backups: filling a database with telemetry history fast, and reading every
 * table of a database (all rows) in a form two databases can be compared by.
 */
import { Database } from "bun:sqlite";
import { createHash } from "node:crypto";

/** Inserts `perVehicle` positions (one every 5 s before `endMs`) for vehicles 1..vehicles, which must exist. */
export function fillPositions(db: Database, options: { vehicles: number[]; perVehicle: number; endMs: number }): number {
  const insert = db.prepare("INSERT INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading, altitude_m, accuracy_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  db.transaction(() => {
    for (const vehicle of options.vehicles) {
      for (let i = 0; i < options.perVehicle; i++) {
        insert.run(vehicle, options.endMs - (options.perVehicle - i) * 5000, 35_000_000 + ((i * 37) % 900_000), -101_000_000 + ((i * 53) % 900_000), (i * 7) % 1200, i % 360, 900 + (i % 40), 5);
      }
    }
  })();
  return options.vehicles.length * options.perVehicle;
}

/** One table's contents: how many rows and a hash of all of them in a fixed order. */
export interface TableContents {
  rows: number;
  sha256: string;
}

/**
 * Every table's schema and rows (sorted by all columns, so storage order does not matter), keyed
 * by table name, plus the indexes' definitions. Two databases with equal results hold the same data.
 */
export function databaseContents(path: string): { schema: Record<string, string>; tables: Record<string, TableContents> } {
  const db = new Database(path, { readonly: true });
  try {
    const objects = db.query("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY type, name").all() as { type: string; name: string; sql: string | null }[];
    const schema = Object.fromEntries(objects.map((object) => [`${object.type} ${object.name}`, object.sql ?? ""]));
    const tables: Record<string, TableContents> = {};
    for (const { name } of objects.filter((object) => object.type === "table")) {
      const info = db.query(`PRAGMA table_info("${name}")`).all() as { name: string; pk: number }[];
      const columns = info.map((column) => `"${column.name}"`);
      // The primary key orders rows uniquely and by its index; rowids are no key (VACUUM may renumber them).
      const key = info.filter((column) => column.pk > 0).sort((a, b) => a.pk - b.pk).map((column) => `"${column.name}"`);
      const order = (key.length ? key : columns).join(", ");
      // SQLite renders every row (quote() is exact for reals, text and blobs) in one pass: reading
      // 600 000 rows into JavaScript objects to hash them took seconds.
      const row = `quote(${columns.join("), quote(")})`.replace(/\), quote\(/g, ") || ',' || quote(");
      const dump = db.query(`SELECT count(*) AS rows, group_concat(${row}, char(10) ORDER BY ${order}) AS text FROM "${name}"`).get() as { rows: number; text: string | null };
      tables[name] = { rows: dump.rows, sha256: createHash("sha256").update(dump.text ?? "").digest("hex") };
    }
    return { schema, tables };
  } finally {
    db.close();
  }
}
