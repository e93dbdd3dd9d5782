/**
 * Backup and restore end to end, with real processes: the appliance runs on a filled database and
 * a device keeps posting fixes over HTTP ingest while `haulbox backup` copies the database from a
 * process of its own. The copy must be a consistent snapshot (the device's fixes in it are exactly
 * the first k it sent, with nothing missing in between), the appliance must keep acknowledging
 * while the copy is made, `haulbox restore` must refuse to swap the database under the running
 * appliance, and a restore into a fresh data folder must hold every row of every table of the
 * backup — and serve.
 */
import { afterAll, beforeAll, describe, expect, test, setDefaultTimeout } from "bun:test";
import { Database } from "bun:sqlite";
import { mkdirSync, readdirSync, rmSync } from "node:fs";
import { join } from "node:path";
import { migrate } from "../../src/db/migrate";
import { databasePath } from "../../src/db/open";
import { Fleet } from "../../src/telemetry/fleet";
import { makeTempDir, sourceCommand, startProcess, stopAll, type AppProcess } from "../helpers/server";
import { runHaulbox } from "../cli/run-haulbox";
import { databaseContents, fillPositions } from "./database-contents";

setDefaultTimeout(60_000);

/** The device's fixes are one second apart from here on (whole seconds: the OsmAnd protocol's resolution). */
const T0 = Date.UTC(2026, 0, 5, 8, 0, 0);

const cwd = makeTempDir("haulbox-backup-restore-");
const dataDir = join(cwd, "data");
const backupFile = join(cwd, "backups", "during-ingest.db");
let app: AppProcess;
let token = "";
let vehicleId = 0;

beforeAll(async () => {
  mkdirSync(dataDir);
  // History before the appliance starts: the copy takes long enough to overlap many fixes.
  const db = new Database(databasePath(dataDir), { create: true });
  migrate(db);
  const fleet = new Fleet(db);
  vehicleId = fleet.createVehicle({ unit: "BK-1" }).id;
  token = fleet.createDevice({ id: "bk-phone", vehicle_id: vehicleId }).secret;
  const others = [2, 3, 4].map((n) => fleet.createVehicle({ unit: `BK-${n}` }).id);
  fillPositions(db, { vehicles: others, perVehicle: 100_000, endMs: T0 });
  db.close();
  app = await startProcess({ cmd: sourceCommand(), cwd, dataDir, args: ["--no-demo"] });
});
afterAll(async () => {
  await stopAll();
  rmSync(cwd, { recursive: true, force: true });
});

/** Sends fix `i` (at T0 + i s) and resolves when the appliance has stored it (HTTP 200 comes after the commit). */
async function sendFix(i: number): Promise<void> {
  const seconds = T0 / 1000 + i;
  const response = await fetch(`${app.url}/ingest/osmand?id=bk-phone&lat=${(35 + i / 10_000).toFixed(5)}&lon=-101.5&timestamp=${seconds}&speed=50&token=${token}`);
  if (response.status !== 200) throw new Error(`fix ${i}: HTTP ${response.status} ${await response.text()}`);
}

describe("backup under concurrent telemetry, then restore", () => {
  test("haulbox backup, run beside the appliance while a device posts fixes, is a consistent snapshot and ingest never stops", async () => {
    // The source starts in the background: wait until the path takes fixes.
    let sent = 0;
    for (let tries = 0; ; tries++) {
      try {
        await sendFix(sent);
        sent++;
        break;
      } catch (error) {
        if (tries > 100) throw error;
        await Bun.sleep(50);
      }
    }
    const ackedAt: number[] = [performance.now()];
    let writing = true;
    const writer = (async () => {
      while (writing) {
        await sendFix(sent);
        ackedAt[sent] = performance.now();
        sent++;
      }
    })();
    await Bun.sleep(200);

    const backupStarted = performance.now();
    const ackedBeforeBackup = sent;
    const run = await runHaulbox(["backup", "--data-dir", dataDir, "--to", backupFile], { cwd });
    const backupEnded = performance.now();
    await Bun.sleep(200);
    writing = false;
    await writer;

    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    expect(run.stdout).toStartWith(`backup written: ${backupFile} (`);
    // The appliance kept storing fixes the whole time the backup process ran.
    const ackedDuring = ackedAt.filter((at) => at > backupStarted && at < backupEnded).length;
    expect(ackedDuring).toBeGreaterThan(10);

    // A snapshot: every fix acknowledged before the backup began, then an unbroken run, then none.
    const copy = new Database(backupFile, { readonly: true });
    const times = (copy.query("SELECT ts FROM positions WHERE vehicle_id = ? ORDER BY ts").values(vehicleId) as number[][]).map(([ts]) => ts!);
    copy.close();
    // The cut falls inside the stream: after fixes stored while the backup process started, before the last ones.
    expect(times.length).toBeGreaterThan(ackedBeforeBackup);
    expect(times.length).toBeLessThan(sent);
    expect(times).toEqual(Array.from({ length: times.length }, (_, i) => T0 + i * 1000));
    // And the appliance itself has every fix it acknowledged.
    const response = await fetch(`${app.url}/healthz`);
    expect(response.status).toBe(200);
    const live = new Database(databasePath(dataDir), { readonly: true });
    expect(live.query("SELECT count(*) AS n FROM positions WHERE vehicle_id = ?").get(vehicleId)).toEqual({ n: sent });
    live.close();
  });

  test("haulbox restore refuses while the appliance runs on that data folder, and changes nothing", async () => {
    const before = readdirSync(dataDir).sort();
    const run = await runHaulbox(["restore", backupFile, "--data-dir", dataDir], { cwd });
    expect(run.code).toBe(1);
    expect(run.stderr).toBe(`haulbox restore: ${databasePath(dataDir)} is in use: Haulbox is running on this data folder (or another haulbox command has the database open). Stop the service first (systemctl stop haulbox, or docker stop), then run restore again; nothing was changed\n`);
    expect(readdirSync(dataDir).sort()).toEqual(before);
    await sendFix(100_000); // still taking telemetry
    expect((await fetch(`${app.url}/healthz`)).status).toBe(200);
  });

  test("restored into a fresh data folder, every table holds exactly the backup's rows, and the appliance serves it", async () => {
    expect(await app.stop()).toBe(0);
    const fresh = join(cwd, "fresh");
    const run = await runHaulbox(["restore", backupFile, "--data-dir", fresh], { cwd });
    expect(run.stderr).toBe("");
    expect(run.code).toBe(0);
    const restored = databaseContents(databasePath(fresh));
    const backup = databaseContents(backupFile);
    expect(Object.keys(restored.tables).length).toBeGreaterThan(20);
    expect(restored.tables.positions!.rows).toBeGreaterThan(300_000);
    expect(restored).toEqual(backup);

    const again = await startProcess({ cmd: sourceCommand(), cwd, dataDir: fresh, args: ["--no-demo"] });
    const health = (await (await fetch(`${again.url}/healthz`)).json()) as { ok: boolean };
    expect(health.ok).toBe(true);
    expect(await again.stop()).toBe(0);
  });
});
