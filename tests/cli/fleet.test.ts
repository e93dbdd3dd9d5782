/** `haulbox vehicle` and `haulbox device` as an operator runs them: real process, database on disk, credentials printed once. */
import { afterAll, describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { join } from "node:path";
import { Database } from "bun:sqlite";
import { tempDir } from "../helpers/app";
import { runHaulbox } from "./run-haulbox";
import { Fleet } from "../../src/telemetry/fleet";

const dir = tempDir("haulbox-cli-fleet-");
const dataDir = join(dir, "data");
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const haulbox = (...args: string[]) => runHaulbox([...args, "--data-dir", dataDir], { cwd: dir });

describe("haulbox vehicle and device", () => {
  test("vehicle add, refusals and list", async () => {
    const added = await haulbox("vehicle", "add", "101", "--name", "Big Blue", "--vin", "1FUJGLDR12LM12345", "--mpg", "6.5", "--tank-gal", "150", "--equipment", "V,R");
    expect(added.stderr).toBe("");
    expect(added).toMatchObject({ code: 0 });
    expect(added.stdout).toContain("truck 101 added");
    const duplicate = await haulbox("vehicle", "add", "101");
    expect(duplicate.code).toBe(1);
    expect(duplicate.stderr).toContain("exists already");
    const badMpg = await haulbox("vehicle", "add", "102", "--mpg", "lots");
    expect(badMpg.code).toBe(1);
    expect(badMpg.stderr).toContain("mpg");
    expect((await haulbox("vehicle", "add")).code).toBe(2);
    const list = await haulbox("vehicle", "list");
    expect(list.stdout).toMatch(/UNIT\s+NAME/);
    expect(list.stdout).toContain("Big Blue");
  });

  test("device add prints MQTT and HTTP credentials once; list never shows the secret", async () => {
    const added = await haulbox("device", "add", "gw-101", "--vehicle", "101");
    expect(added.code).toBe(0);
    const secret = added.stdout.match(/MQTT password\s+(\S+)/)?.[1];
    expect(secret).toBeString();
    expect(added.stdout).toContain("MQTT username  gw-101");
    expect(added.stdout).toContain(`HTTP token     ${secret}`);
    const db = new Database(join(dataDir, "haulbox.db"));
    expect(new Fleet(db).check("gw-101", secret!).ok).toBe(true);
    db.close();
    const list = await haulbox("device", "list");
    expect(list.stdout).toContain("gw-101");
    expect(list.stdout).not.toContain(secret!);
    const unknownTruck = await haulbox("device", "add", "gw-9", "--vehicle", "999");
    expect(unknownTruck.code).toBe(1);
    expect(unknownTruck.stderr).toContain("no truck with unit 999");
    expect((await haulbox("device", "add", "gw-101", "--vehicle", "101")).stderr).toContain("exists already");
  });
});
