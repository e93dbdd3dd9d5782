/** A stand-in gazetteer for load-store tests: a few places by "city|ST"; anything else is unknown (the real gazetteer is tested in tests/geo). */
import type { Database } from "bun:sqlite";
import type { Geocoder } from "../../src/loads/store";
import type { Config } from "../../src/config/schema";
import { openDatabase } from "../../src/db/open";
import { migrate } from "../../src/db/migrate";
import { validateConfigText } from "../../src/config/load";
import { tempDir } from "./app";

export function placesGeocoder(places: Record<string, { lat: number; lon: number; zip: string }>): Geocoder {
  return (place) => {
    const hit = places[`${place.city?.toLowerCase()}|${place.state}`];
    return hit ? { ok: true, ...hit, city: place.city, state: place.state } : { ok: false, reason: `no US city ${JSON.stringify(place.city)} in ${place.state}` };
  };
}

/** A migrated database in a fresh temp folder and a config from YAML, for tests of the loads services (remove `dir` after). */
export async function loadsTestDb(prefix: string, yaml = "timezone: America/Chicago\n"): Promise<{ dir: string; db: Database; config: Config }> {
  const dir = tempDir(prefix);
  const db = openDatabase(dir);
  migrate(db);
  const loaded = await validateConfigText(yaml, { label: "test.yaml", baseDir: dir, cwd: dir, env: {} });
  if (!loaded.ok) throw new Error(`the test config does not validate: ${loaded.errors.map((error) => error.message).join("; ")}`);
  return { dir, db, config: loaded.config };
}
