/**
 * loadboard-csv: the files in testcases/ read through the same path as a dropped file (bytes →
 * text → rows → loads), each load compared with values worked out by hand — times in Chicago
 * (UTC-6 until 9 March 2025, UTC-5 after) — and checked with loadProblem; the rows and files that
 * must be refused and their reasons; decoding, delimiter sniffing, derived ids, progress; then the
 * folder watch in a temporary directory, polled as the host polls it.
 */
import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { loadConfig } from "../../src/config/load";
import { formatConfigError } from "../../src/config/errors";
import { createLogger } from "../../src/log";
import { MappingError } from "../../src/loads/mapping";
import { loadProblem } from "../../src/loads/records";
import { definitionProblems } from "../../src/plugins/define";
import { checkLoadboardOutput } from "../../src/plugins/output";
import { PluginCatalog } from "../../src/plugins/registry";
import type { LoadboardInstance, LoadboardOutput } from "../../src/plugins/types";
import plugin from "./index";
import { decodeCsvBytes, parseLoadsCsv, sniffDelimiter, type LoadsCsvOptions } from "./parse";

const cases = join(import.meta.dir, "testcases");
const scratch = mkdtempSync(join(tmpdir(), "haulbox-csv-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** A testcase read as a dropped file would be. */
function readCase(name: string, options: LoadsCsvOptions = {}) {
  const decoded = decodeCsvBytes(readFileSync(join(cases, name)));
  if (!decoded.ok) throw new Error(decoded.reason);
  return parseLoadsCsv(decoded.text, { ...options, fileName: name });
}

const DAT_OPTIONS: LoadsCsvOptions = { preset: "dat-bulk-upload", fields: { "broker.name": { value: "Prairie Shippers" } } };

async function create(options: Record<string, unknown>, sourceId = "csv-test"): Promise<LoadboardInstance> {
  return (await plugin.create({
    sourceId,
    options: Value.Default(plugin.configSchema, structuredClone(options)) as never,
    log: createLogger({ write: () => {} }),
    signal: new AbortController().signal,
    services: { provisionDemoDevice: async () => null },
  })) as LoadboardInstance;
}

async function poll(instance: LoadboardInstance, lastSuccessAt: number | null): Promise<LoadboardOutput> {
  const output = await instance.poll({ sourceId: "csv-test", log: createLogger({ write: () => {} }), signal: new AbortController().signal, lastSuccessAt, trigger: "schedule" });
  // What the host checks before the core sees it.
  expect(checkLoadboardOutput(output).ok).toBe(true);
  return output;
}

describe("definition", () => {
  test("is a valid loadboard plugin; folder is the only option without a default", () => {
    expect(definitionProblems(plugin)).toEqual([]);
    expect(Value.Default(plugin.configSchema, { folder: "/in" })).toEqual({
      folder: "/in",
      pattern: "*.{csv,tsv,txt}",
      delimiter: "auto",
      encoding: "auto",
      preset: "haulbox",
      time_zone: "America/Chicago",
      after_import: "move",
      settle_seconds: 5,
    });
    expect(Value.Check(plugin.configSchema, Value.Default(plugin.configSchema, {}))).toBe(false);
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, { folder: "/in" }) as object, preset: "dat" })).toBe(false);
    expect(Value.Check(plugin.configSchema, { ...Value.Default(plugin.configSchema, { folder: "/in" }) as object, fields: { "orign.city": "x" } })).toBe(false);
  });

  test("every option says what it is in a sentence", () => {
    for (const [key, option] of Object.entries(plugin.configSchema.properties)) expect((option as { description?: string }).description, key).toMatch(/^[A-Z].*\.$/);
  });

  test("the sample YAML in sample.yaml is the one in the README", () => {
    const sample = readFileSync(join(import.meta.dir, "sample.yaml"), "utf8").trim();
    expect(readFileSync(join(import.meta.dir, "README.md"), "utf8")).toContain(sample);
  });

  test("the sample's sources are valid options and start", async () => {
    const sample = parse(readFileSync(join(import.meta.dir, "sample.yaml"), "utf8")) as { sources: Record<string, unknown>[] };
    expect(sample.sources).toHaveLength(3);
    for (const { id, plugin: name, schedule, ...options } of sample.sources) {
      expect(name).toBe("loadboard-csv");
      expect(typeof schedule).toBe("string");
      expect([...Value.Errors(plugin.configSchema, Value.Default(plugin.configSchema, structuredClone(options)))], String(id)).toEqual([]);
      expect(await create(options, String(id))).toHaveProperty("poll");
    }
  });

  test("the config loader accepts the sample and words mistakes in fields by line and key", async () => {
    const errorsOf = async (yaml: string) => {
      writeFileSync(join(scratch, "haulbox.yaml"), yaml);
      const result = await loadConfig({ path: "haulbox.yaml", cwd: scratch, env: {}, overrides: {}, plugins: new PluginCatalog([plugin]).resolver });
      return result.ok ? [] : result.errors.map(formatConfigError);
    };
    expect(await errorsOf(readFileSync(join(import.meta.dir, "sample.yaml"), "utf8"))).toEqual([]);
    const yaml = 'sources:\n  - id: a\n    plugin: loadboard-csv\n    schedule: "*/5 * * * *"\n    folder: /x\n    fields:\n      orign.city: City\n      rate_cents: 5\n';
    expect(await errorsOf(yaml)).toEqual([
      'haulbox.yaml:7:7 sources[0].fields.orign.city: unknown key (did you mean "origin.city"?)',
      "haulbox.yaml:8:19 sources[0].fields.rate_cents: 5 is neither a path nor a field spec like { path, transform, from, format, map, default, optional } (check the keys and their types)",
    ]);
  });

  test("a mapping that cannot work stops the source when it starts, naming the field", async () => {
    await expect(create({ folder: scratch, fields: { pickup_earliest: { path: "Pickup", transform: "dat" } } })).rejects.toThrow('fields.pickup_earliest: unknown transform "dat"');
    await expect(create({ folder: scratch, preset: "dat-bulk-upload" })).rejects.toThrow('fields: broker.name is not mapped and the dat-bulk-upload preset has no column for it: add it under fields (like broker.name: { value: "Acme Logistics" })');
    await expect(create({ folder: scratch, time_zone: "America/Chicgo" })).rejects.toThrow(MappingError);
  });
});

describe("testcases", () => {
  test("haulbox layout: quoted commas, a line break inside a value, ISO times with and without an offset", () => {
    expect(readCase("haulbox-basic.csv")).toEqual({
      loads: [
        {
          external_id: "HB-1001",
          origin: { city: "Joliet", state: "IL", zip: "60431" },
          destination: { city: "Memphis", state: "TN" },
          pickup_earliest: Date.UTC(2025, 2, 10, 13, 0), // 08:00 CDT
          pickup_latest: Date.UTC(2025, 2, 10, 19, 0),
          equipment: "V",
          weight_lb: 42000,
          length_ft: 53,
          full: true,
          rate_cents: 185000,
          loaded_miles: 530,
          commodity: "Paper rolls",
          comments: "Load by appointment, call 2h ahead",
          broker: { name: "Acme Logistics", mc: "123456", phone: "(815) 555-0100" },
        },
        {
          external_id: "HB-1002",
          origin: { zip: "75201" },
          destination: { city: "Atlanta", state: "GA" },
          pickup_earliest: Date.UTC(2025, 2, 11, 11, 0), // 06:00-05:00 as written
          equipment: "R",
          weight_lb: 38000,
          length_ft: 53,
          full: true,
          rate_cents: 210050,
          loaded_miles: 781,
          commodity: "Frozen food",
          comments: "Temp -10F\nContinuous run",
          broker: { name: "Blue Ridge Freight", mc: "654321" },
        },
      ],
      rejected: [],
      fileError: null,
      rows: 2,
    });
  });

  test("dispatch sheet with a UTF-8 BOM and CRLF: US dates, 12-hour times, dollars, 'Call' as no rate", () => {
    const result = readCase("dispatch-sheet-bom.csv", { preset: "dispatch-sheet" });
    expect(result.rejected).toEqual([]);
    expect(result.loads).toEqual([
      {
        external_id: "T-501",
        pickup_earliest: Date.UTC(2025, 2, 12, 12, 30), // 7:30 CDT
        delivery_latest: Date.UTC(2025, 2, 14, 4, 59, 59, 999), // the end of 13 March, CDT
        origin: { city: "Dallas", state: "TX", zip: "75201" },
        destination: { city: "Oklahoma City", state: "OK" },
        equipment: "F",
        full: true,
        weight_lb: 45000,
        length_ft: 48,
        loaded_miles: 206,
        rate_cents: 125000,
        commodity: "Steel coils",
        comments: "Tarps, chains required",
        broker: { name: "Lone Star Brokerage", mc: "778899", phone: "214-555-0199", email: "dispatch@lonestar.example" },
      },
      {
        external_id: "T-502",
        pickup_earliest: Date.UTC(2025, 2, 12, 18, 0), // 1:00 PM CDT
        origin: { city: "Fort Worth", state: "TX" },
        destination: { city: "Tulsa", state: "OK" },
        equipment: "SD",
        full: false,
        weight_lb: 18000,
        length_ft: 24,
        loaded_miles: 260,
        commodity: "Machinery",
        broker: { name: "Lone Star Brokerage" },
      },
    ]);
    // The BOM must not stick to the first header when the text comes in with it.
    const withBom = parseLoadsCsv(`\uFEFF${readFileSync(join(cases, "dispatch-sheet-bom.csv"), "utf8").replace(/^\uFEFF/, "")}`, { preset: "dispatch-sheet" });
    expect(withBom.loads.map((load) => load.external_id)).toEqual(["T-501", "T-502"]);
  });

  test("DAT bulk-upload template: starred headers, both date spellings, end of the latest day, ids derived when Reference ID is empty", () => {
    const result = readCase("dat-bulk-upload.csv", DAT_OPTIONS);
    expect(result.rejected).toEqual([]);
    expect(result.loads).toEqual([
      {
        external_id: expect.stringMatching(/^csv-[0-9a-f]{20}$/),
        pickup_earliest: Date.UTC(2025, 7, 1, 5, 0), // 08/01/2025, local midnight CDT
        pickup_latest: Date.UTC(2025, 7, 3, 4, 59, 59, 999), // 8/2/25, the end of that day
        length_ft: 53,
        weight_lb: 35000,
        full: true,
        equipment: "V",
        rate_cents: 150000,
        comments: "Dock hours 7-3",
        commodity: "Grain products",
        origin: { city: "Des Moines", state: "IA", zip: "50309" },
        destination: { city: "Kansas City", state: "MO" },
        broker: { name: "Prairie Shippers" },
      },
      {
        external_id: "DM-2",
        pickup_earliest: Date.UTC(2025, 8, 15, 5, 0), // 9/15/25
        pickup_latest: Date.UTC(2025, 8, 17, 4, 59, 59, 999), // 09/16/2025, end of day
        length_ft: 48,
        weight_lb: 20000,
        full: false,
        equipment: "F",
        commodity: "Lumber",
        origin: { city: "Omaha", state: "NE" },
        destination: { city: "Denver", state: "CO", zip: "80202" },
        broker: { name: "Prairie Shippers" },
      },
    ]);
  });

  test("tab-separated, sniffed; a weight with its unit; an ISO time in a US-dates column", () => {
    expect(readCase("dispatch-sheet.tsv", { preset: "dispatch-sheet" }).loads).toEqual([
      {
        external_id: "TSV-1",
        pickup_earliest: Date.UTC(2025, 2, 14, 14, 0),
        origin: { city: "Laredo", state: "TX" },
        destination: { city: "Chicago", state: "IL", zip: "60608" },
        equipment: "R",
        weight_lb: 40000,
        rate_cents: 320000,
        broker: { name: "Border Freight Co" },
      },
    ]);
  });

  test("semicolon-separated, sniffed: a quoted semicolon, doubled quotes, epoch seconds", () => {
    expect(readCase("semicolon.csv").loads).toEqual([
      {
        external_id: "SC-1",
        origin: { city: "Green Bay", state: "WI" },
        destination: { zip: "53202" },
        pickup_earliest: 1_741_795_200_000,
        equipment: "V",
        broker: { name: "Packer Logistics; LLC" },
        comments: 'Said "no touch" freight',
      },
    ]);
  });

  test("Excel's Unicode text (UTF-16 LE, tabs) and Windows-1252 arrive intact", () => {
    const unicode = readCase("excel-unicode-text.txt", { preset: "dispatch-sheet" }).loads[0]!;
    expect(unicode).toMatchObject({ external_id: "UT-1", origin: { city: "San José", state: "CA" }, equipment: "V", comments: "“No touch” freight", pickup_earliest: Date.UTC(2025, 2, 12, 12, 30) });
    const ansi = readCase("windows-1252.csv", { preset: "dispatch-sheet" }).loads[0]!;
    expect(ansi).toMatchObject({ external_id: "W-1", broker: { name: "Café Freight" }, comments: "Mon–Fri 7–3" });
  });

  test("ragged rows are refused row by row; trailing empty cells and blank rows are not", () => {
    const result = readCase("ragged.csv");
    expect(result.loads.map((load) => load.external_id)).toEqual(["R-1", "R-4"]);
    expect(result.loads[1]).toMatchObject({ origin: { city: "Gary", state: "IN" }, pickup_earliest: Date.UTC(2025, 2, 10, 14, 0), equipment: "R" });
    expect(result.rejected).toEqual([
      { ref: "ragged.csv row 3", reason: 'the row has 9 cells but the header has 8 columns (a "," inside a value that is not in quotes?)', raw: "R-2,Joliet,IL,Memphis,TN,2025-03-10T08:00,V,Acme, Logistics" },
      { ref: "ragged.csv row 4", reason: "the row has 7 cells but the header has 8 columns", raw: "R-3,Joliet,IL,Memphis,TN,2025-03-10T08:00,V" },
    ]);
    expect(result.rows).toBe(4);
  });

  test("bad values are refused naming the row, field, column and value", () => {
    const result = readCase("bad-dates.csv", { preset: "dispatch-sheet" });
    expect(result.loads.map((load) => [load.external_id, load.pickup_earliest])).toEqual([["BD-5", Date.UTC(2025, 2, 12, 13, 0)]]);
    expect(result.rejected.map(({ ref, reason }) => [ref, reason])).toEqual([
      ["bad-dates.csv row 2", 'pickup_earliest: "13/45/2025" at "Pickup" is not a date in format M/D/YYYY H:mm, format M/D/YYYY h:mm A, format M/D/YYYY or ISO 8601 (there is no month 13)'],
      ["bad-dates.csv row 3", 'pickup_earliest: "2/30/2025 8:00" at "Pickup" is not a date in format M/D/YYYY H:mm, format M/D/YYYY h:mm A, format M/D/YYYY or ISO 8601 (February 2025 has no day 30)'],
      ["bad-dates.csv row 4", 'equipment: "Hopper" at "Equipment" is not an equipment type Haulbox knows (a code like V, R, F, SD, or a name like "Dry van"); other names need the field\'s map'],
      ["bad-dates.csv row 5", 'origin: "Dallas" at "Origin" is not a place like "Chicago, IL" or "Chicago IL 60601"'],
    ]);
    expect(result.rejected[0]!.raw).toBe('BD-1,13/45/2025,"Dallas, TX","Tulsa, OK",Van,Lone Star Brokerage');
  });

  test("a quote never closed refuses its row and the rest, keeping the rows before", () => {
    const result = readCase("unclosed-quote.csv");
    expect(result.loads.map((load) => load.external_id)).toEqual(["U-1"]);
    expect(result.rejected).toHaveLength(1);
    expect(result.rejected[0]).toMatchObject({ ref: "unclosed-quote.csv row 3", reason: expect.stringContaining("a quoted value starting in this row is never closed") });
    expect(result.rejected[0]!.raw).toContain("U-3");
  });

  test("a missing required column refuses the file, listing what the header has", () => {
    const reason = 'there is no column for pickup_earliest ("Pickup"), equipment ("Equipment"); the first row, which must hold the column names, has "Load #", "Origin", "Destination", "Broker"';
    expect(readCase("missing-column.csv", { preset: "dispatch-sheet" })).toEqual({ loads: [], rejected: [{ ref: "missing-column.csv", reason }], fileError: reason, rows: 0 });
  });

  test("a file without a header row is refused the same way", () => {
    const result = readCase("no-header.csv", { preset: "dispatch-sheet" });
    expect(result.fileError).toStartWith('there is no column for pickup_earliest ("Pickup"), equipment ("Equipment"), broker.name ("Broker"), origin ("Origin"), destination ("Destination"); the first row, which must hold the column names, has "T-9", "3/12/2025 7:30"');
  });

  test("every load of every testcase passes loadProblem", () => {
    const options: Record<string, LoadsCsvOptions> = { "dat-bulk-upload.csv": DAT_OPTIONS };
    let count = 0;
    for (const name of readdirSync(cases)) {
      const preset = /^(haulbox|semicolon|ragged|unclosed)/.test(name) ? "haulbox" : "dispatch-sheet";
      for (const load of readCase(name, options[name] ?? { preset }).loads) {
        expect(loadProblem(load), `${name} ${load.external_id}`).toBeNull();
        count++;
      }
    }
    expect(count).toBe(14);
  });
});

describe("reading", () => {
  test("an empty file, a header with nothing under it, NUL bytes, a doubled column", () => {
    expect(parseLoadsCsv(" \n ", { fileName: "x.csv" }).fileError).toBe("the file is empty");
    expect(parseLoadsCsv("external_id,pickup_earliest,equipment,broker.name,origin.zip,destination.zip\n")).toEqual({ loads: [], rejected: [], fileError: null, rows: 0 });
    expect(parseLoadsCsv("a,b\u0000,c\n").fileError).toStartWith("is not a text file");
    expect(parseLoadsCsv("Load #,Pickup,Pickup*,Origin,Destination,Equipment,Broker\n", { preset: "dispatch-sheet" }).fileError).toBe('the column "Pickup" is in the header 2 times (columns 2 and 3), so it is not clear which to read');
  });

  test("fields over a preset: a renamed column, a constant, an own id column is required", () => {
    const text = "Ref,Pickup,Origin,Destination,Type\nA-1,3/12/2025 8:00,\"Dallas, TX\",\"Tulsa, OK\",V\n,3/12/2025 9:00,\"Dallas, TX\",\"Tulsa, OK\",V\n";
    const result = parseLoadsCsv(text, { preset: "dispatch-sheet", fields: { external_id: "Ref", equipment: "Type", "broker.name": { value: "Direct Shipper" } } });
    expect(result.loads).toEqual([{ external_id: "A-1", pickup_earliest: Date.UTC(2025, 2, 12, 13, 0), origin: { city: "Dallas", state: "TX" }, destination: { city: "Tulsa", state: "OK" }, equipment: "V", broker: { name: "Direct Shipper" } }]);
    expect(result.rejected.map(({ ref, reason }) => [ref, reason])).toEqual([["upload.csv row 3", 'external_id: no value at "Ref", and the field is required']]);
    expect(parseLoadsCsv(text.replace("Ref,", "Reference,"), { preset: "dispatch-sheet", fields: { external_id: "Ref", equipment: "Type", "broker.name": { value: "Direct Shipper" } } }).fileError).toStartWith('there is no column for external_id ("Ref")');
  });

  test("a load Haulbox cannot use is refused with loadProblem's reason", () => {
    const text = "external_id,origin.city,destination.zip,pickup_earliest,pickup_latest,equipment,broker.name\nX-1,Joliet,38103,2025-03-10T08:00,,V,Acme\nX-2,,38103,2025-03-10T08:00,2025-03-10T07:00,V,Acme\nX-3,,38103,2025-03-10T08:00,,V,Acme\n";
    expect(parseLoadsCsv(text).rejected.map(({ ref, reason }) => [ref, reason])).toEqual([
      ["upload.csv row 2", "origin: needs a ZIP, a city and state, or lat/lon"],
      ["upload.csv row 3", 'origin: no value at "origin", "origin.city", "origin.state", "origin.zip", "origin.lat" or "origin.lon", and a place is required'],
      ["upload.csv row 4", 'origin: no value at "origin", "origin.city", "origin.state", "origin.zip", "origin.lat" or "origin.lon", and a place is required'],
    ]);
  });

  test("derived ids are stable, change with the content, and a repeated row gets -2", () => {
    const text = readFileSync(join(cases, "dat-bulk-upload.csv"), "utf8");
    const first = parseLoadsCsv(text, DAT_OPTIONS).loads[0]!.external_id;
    expect(parseLoadsCsv(text, DAT_OPTIONS).loads[0]!.external_id).toBe(first);
    expect(parseLoadsCsv(text.replace(",1500,", ",1550,"), DAT_OPTIONS).loads[0]!.external_id).not.toBe(first);
    const firstRow = text.split("\r\n")[1]!;
    const doubled = parseLoadsCsv(text.replace(firstRow, `${firstRow}\r\n${firstRow}`), DAT_OPTIONS).loads.map((load) => load.external_id);
    expect(doubled).toEqual([first, `${first}-2`, "DM-2"]);
  });

  test("progress is reported every 500 rows and at the end", () => {
    const header = "external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name";
    const rows = Array.from({ length: 1200 }, (_, index) => `P-${index},60601,30301,2025-03-10T08:00,V,Acme`);
    const calls: [number, number][] = [];
    const result = parseLoadsCsv([header, ...rows].join("\n"), { onProgress: (done, total) => calls.push([done, total]) });
    expect(result.loads).toHaveLength(1200);
    expect(calls).toEqual([
      [500, 1200],
      [1000, 1200],
      [1200, 1200],
    ]);
  });

  test.each([
    ["a,b,c", ","],
    ["a;b;c", ";"],
    ["a\tb\tc", "\t"],
    ["a|b|c", "|"],
    ['"x,y";"z";w', ";"], // commas inside quotes do not count
    ["a,b;c;d\n1,2,3,4,5,6", ";"], // only the header line counts
    ["a,b;c", ","], // a tie goes to the comma
    ["single", ","],
  ])("sniffDelimiter(%p) → %p", (text, delimiter) => expect(sniffDelimiter(text)).toBe(delimiter));
});

describe("decodeCsvBytes", () => {
  const bytes = (...values: number[]) => new Uint8Array(values);
  test.each([
    ["UTF-8 with BOM", bytes(0xef, 0xbb, 0xbf, 0x41, 0x2c, 0xc3, 0xa9), "auto", "A,é"],
    ["UTF-8", bytes(0x41, 0x2c, 0xc3, 0xa9), "utf-8", "A,é"],
    ["UTF-16 LE with BOM", bytes(0xff, 0xfe, 0x41, 0x00, 0x09, 0x00, 0xe9, 0x00), "auto", "A\té"],
    ["UTF-16 BE with BOM", bytes(0xfe, 0xff, 0x00, 0x41, 0x00, 0x09, 0x00, 0xe9), "auto", "A\té"],
    ["Windows-1252 when not UTF-8", bytes(0x43, 0x61, 0x66, 0xe9, 0x96), "auto", "Café–"],
    ["Windows-1252 when asked", bytes(0x93, 0x41, 0x94), "windows-1252", "“A”"],
  ])("%s", (_name, input, encoding, text) => expect(decodeCsvBytes(input, encoding as never)).toEqual({ ok: true, text }));

  test.each([
    ["strict UTF-8", bytes(0x43, 0xe9), "utf-8", "is not valid UTF-8 (a file saved by Excel on Windows? set encoding: windows-1252 or auto)"],
    ["an .xlsx workbook", bytes(0x50, 0x4b, 0x03, 0x04, 0x14, 0x00), "auto", "is a ZIP archive (an Excel .xlsx workbook?), not CSV: save it from the spreadsheet as CSV"],
    ["an .xls workbook", bytes(0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1), "auto", "is an old Excel .xls workbook, not CSV: save it from the spreadsheet as CSV"],
    ["a PDF", bytes(0x25, 0x50, 0x44, 0x46, 0x2d), "auto", "is a PDF, not CSV"],
    ["NUL bytes", bytes(0x41, 0x00, 0x42), "auto", "is not a text file (it contains NUL bytes): save it from the spreadsheet as CSV"],
  ])("refuses %s", (_name, input, encoding, reason) => expect(decodeCsvBytes(input, encoding as never)).toEqual({ ok: false, reason }));
});

describe("folder watch", () => {
  let folderCount = 0;
  /** A fresh folder with testcases copied in, their times a minute old (settled). */
  function folderWith(files: Record<string, string | Uint8Array>): string {
    const folder = join(scratch, `watch-${++folderCount}`);
    mkdirSync(folder);
    for (const [name, content] of Object.entries(files)) drop(folder, name, content);
    return folder;
  }
  function drop(folder: string, name: string, content: string | Uint8Array, ageSeconds = 60): void {
    writeFileSync(join(folder, name), content);
    const when = new Date(Date.now() - ageSeconds * 1000);
    utimesSync(join(folder, name), when, when);
  }
  const testcase = (name: string) => readFileSync(join(cases, name));

  test("a dropped file is read, moved to imported/ once its loads are stored, and not read again", async () => {
    const folder = folderWith({ "loads.csv": testcase("haulbox-basic.csv"), "notes.md": "not a load", ".hidden.csv": "x", "~$loads.csv": "x" });
    const instance = await create({ folder, settle_seconds: 0 });
    const first = await poll(instance, null);
    expect(first.loads.map((load) => load.external_id)).toEqual(["HB-1001", "HB-1002"]);
    expect(first.rejected).toEqual([]);
    // Not moved yet: nothing says the core stored them.
    expect(existsSync(join(folder, "loads.csv"))).toBe(true);

    const second = await poll(instance, 1_000);
    expect(second).toEqual({ loads: [], rejected: [] });
    expect(existsSync(join(folder, "loads.csv"))).toBe(false);
    expect(readdirSync(join(folder, "imported"))).toEqual(["loads.csv"]);
    expect(await poll(instance, 2_000)).toEqual({ loads: [], rejected: [] });
    expect(readdirSync(folder).sort()).toEqual([".hidden.csv", "imported", "notes.md", "~$loads.csv"]);
  });

  test("when a poll's loads were not stored, the next poll reads the file again, with the same ids", async () => {
    const folder = folderWith({ "dat.csv": testcase("dat-bulk-upload.csv") });
    const instance = await create({ folder, settle_seconds: 0, preset: "dat-bulk-upload", fields: { "broker.name": { value: "Prairie Shippers" } } });
    const first = await poll(instance, 5_000);
    const again = await poll(instance, 5_000); // lastSuccessAt did not move: the first poll failed to store
    expect(again.loads).toEqual(first.loads);
    expect(existsSync(join(folder, "dat.csv"))).toBe(true);
    expect((await poll(instance, 6_000)).loads).toEqual([]);
    expect(existsSync(join(folder, "imported", "dat.csv"))).toBe(true);
  });

  test("refused files go to rejected/, partly bad ones to imported/, each with its .errors.txt", async () => {
    const folder = folderWith({
      "a-missing.csv": testcase("missing-column.csv"),
      "b-ragged.csv": testcase("ragged.csv"),
      "c-export.csv": new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x00, 0x00]),
    });
    const instance = await create({ folder, settle_seconds: 0, preset: "haulbox" });
    const output = await poll(instance, null);
    expect(output.loads.map((load) => load.external_id)).toEqual(["R-1", "R-4"]);
    expect(output.rejected!.map(({ ref }) => ref)).toEqual(["a-missing.csv", "b-ragged.csv row 3", "b-ragged.csv row 4", "c-export.csv"]);
    expect(output.rejected![0]!.reason).toStartWith("there is no column for pickup_earliest");
    expect(output.rejected![3]!.reason).toBe("is a ZIP archive (an Excel .xlsx workbook?), not CSV: save it from the spreadsheet as CSV");

    await poll(instance, 1);
    expect(readdirSync(join(folder, "rejected")).sort()).toEqual(["a-missing.csv", "a-missing.csv.errors.txt", "c-export.csv", "c-export.csv.errors.txt"]);
    expect(readdirSync(join(folder, "imported")).sort()).toEqual(["b-ragged.csv", "b-ragged.csv.errors.txt"]);
    expect(readFileSync(join(folder, "rejected", "a-missing.csv.errors.txt"), "utf8")).toMatch(/^Haulbox could not import a-missing\.csv \(.+\):\nthere is no column for pickup_earliest \("pickup_earliest"\)/);
    const errors = readFileSync(join(folder, "imported", "b-ragged.csv.errors.txt"), "utf8").split("\n");
    expect(errors[0]).toMatch(/^Haulbox imported 2 loads from b-ragged\.csv and refused 2 rows \(.+\):$/);
    expect(errors.slice(1)).toEqual(['row 3: the row has 9 cells but the header has 8 columns (a "," inside a value that is not in quotes?)', "row 4: the row has 7 cells but the header has 8 columns", ""]);
  });

  test("a name already taken in imported/ gets a number", async () => {
    const folder = folderWith({ "loads.csv": testcase("haulbox-basic.csv") });
    mkdirSync(join(folder, "imported"));
    writeFileSync(join(folder, "imported", "loads.csv"), "yesterday's");
    const instance = await create({ folder, settle_seconds: 0 });
    await poll(instance, null);
    await poll(instance, 1);
    expect(readdirSync(join(folder, "imported")).sort()).toEqual(["loads-2.csv", "loads.csv"]);
    expect(readFileSync(join(folder, "imported", "loads.csv"), "utf8")).toBe("yesterday's");
  });

  test("keep: files stay and are remembered, across a restart, until their content changes", async () => {
    const folder = folderWith({ "loads.csv": testcase("haulbox-basic.csv") });
    const options = { folder, settle_seconds: 0, after_import: "keep" };
    const instance = await create(options);
    expect((await poll(instance, null)).loads).toHaveLength(2);
    expect((await poll(instance, 1)).loads).toEqual([]);
    expect(readdirSync(folder).sort()).toEqual([".haulbox-csv-test.json", "loads.csv"]);
    expect(JSON.parse(readFileSync(join(folder, ".haulbox-csv-test.json"), "utf8")).files.map((file: { name: string }) => file.name)).toEqual(["loads.csv"]);
    expect((await poll(instance, 1)).loads).toEqual([]);

    const restarted = await create(options);
    expect((await poll(restarted, 1)).loads).toEqual([]);

    const more = `${readFileSync(join(folder, "loads.csv"), "utf8")}HB-1003,Gary,IN,46402,Toledo,OH,2025-03-12T07:00,,V,40000,53,true,90000,240,Steel,,Acme Logistics,,\n`;
    drop(folder, "loads.csv", more, 30);
    expect((await poll(restarted, 1)).loads.map((load) => load.external_id)).toEqual(["HB-1001", "HB-1002", "HB-1003"]);
  });

  test("a file modified within settle_seconds waits for the next poll", async () => {
    const folder = folderWith({});
    drop(folder, "fresh.csv", testcase("haulbox-basic.csv"), 0);
    const instance = await create({ folder, settle_seconds: 30 });
    expect((await poll(instance, null)).loads).toEqual([]);
    drop(folder, "fresh.csv", testcase("haulbox-basic.csv"), 60);
    expect((await poll(instance, null)).loads).toHaveLength(2);
  });

  test("the pattern is matched ignoring case; a relative folder is resolved from the working directory", async () => {
    const folder = folderWith({ "LOADS.CSV": testcase("haulbox-basic.csv"), "loads.json": "{}", "export.tsv": testcase("semicolon.csv") });
    const instance = await create({ folder: relative(process.cwd(), folder), settle_seconds: 0, pattern: "*.csv" });
    expect((await poll(instance, null)).loads.map((load) => load.external_id)).toEqual(["HB-1001", "HB-1002"]);
  });

  test("a folder that does not exist fails the poll with its path", async () => {
    const missing = join(scratch, "no-such-folder");
    const instance = await create({ folder: missing, settle_seconds: 0 });
    await expect(poll(instance, null)).rejects.toThrow(`the folder ${missing} does not exist (or Haulbox may not read it)`);
  });
});
