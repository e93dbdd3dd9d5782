/**
 * Uploading a CSV/TSV of loads on the Loads page, through app.handle() with real multipart bodies:
 * good rows become loads under the upload's source (in the database and on the loads API), bad
 * rows are listed on the import's page with their reasons and escaped, the same file uploaded
 * again adds nothing, a file that cannot be read is refused on the form, only dispatchers may
 * upload, the CSRF token is required, and the progress fragment polls only while the import runs.
 *
 * Places are ZIPs the offline gazetteer knows (60601 Chicago, 75201 Dallas, 80202 Denver). Pickup
 * times are in 2030, past that year's start of daylight saving time (Sunday 10 March: the second
 * Sunday of March, 15 U.S.C. § 260a as amended by the Energy Policy Act of 2005), so Chicago is on
 * CDT (UTC−5) and Denver on MDT (UTC−6).
 */
import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { testApp, type TestApp, type TestSession } from "../helpers/app";
import { SESSION_COOKIE } from "../../src/auth/sessions";
import { brokerFields, MAX_UPLOAD_JOBS, STORE_CHUNK_LOADS, uploadSourceId } from "../../src/routes/loads-upload";
import { UploadJobLive, type UploadJobView } from "../../views/loads/upload";

let t: TestApp;
let dispatcher: TestSession;
let viewer: TestSession;

const HOSTILE = "<script>alert(1)</script>";
/** The haulbox layout: three loads (one without an id, which gets one from its content) and two bad rows. */
const GOOD_AND_BAD = [
  "external_id,origin.zip,destination.zip,pickup_earliest,equipment,weight_lb,rate_cents,commodity,comments,broker.name,broker.mc",
  "up-1,60601,75201,2030-03-12T08:00,V,42000,285000,Paper,,Prairie Freight,123456",
  "up-2,75201,60601,2030-03-13T09:30,R,38000,310000,Produce,,Prairie Freight,123456",
  ",60601,75201,2030-03-14T07:00,F,45000,250000,Steel,,Lone Star Logistics,",
  "up-4,60601,75201,2030-13-45T08:00,V,42000,285000,Paper,,Prairie Freight,123456",
  `up-5,60601,75201,2030-03-15T08:00,ZZ,42000,285000,Paper,${HOSTILE},Prairie Freight,123456`,
].join("\n");

beforeAll(async () => {
  t = await testApp({ yaml: 'timezone: America/Chicago\nsources:\n  - id: upload-taken\n    plugin: loadboard-demo\n    enabled: false\n    schedule: "0 * * * *"\n' });
  dispatcher = await t.login("dispatcher");
  viewer = await t.login("viewer");
});
afterAll(() => t.cleanup());

/** POSTs a multipart upload the way a browser's form does, with the CSRF token in the header (or not). */
function upload(session: TestSession, file: Blob | null, fields: Record<string, string> = {}, options: { name?: string; csrf?: "header" | "field" | "none" } = {}) {
  const form = new FormData();
  if (file) form.append("file", file, options.name ?? "loads.csv");
  for (const [name, value] of Object.entries(fields)) form.append(name, value);
  const csrf = options.csrf ?? "header";
  if (csrf === "field") form.append("_csrf", session.csrf);
  const headers: Record<string, string> = { cookie: `${SESSION_COOKIE}=${session.cookie}` };
  if (csrf === "header") headers["x-csrf-token"] = session.csrf;
  return t.app.handle(new Request("http://localhost/loads/upload", { method: "POST", headers, body: form }));
}

const text = (content: string, type = "text/csv") => new Blob([content], { type });

async function get(path: string, session: TestSession = dispatcher, headers: Record<string, string> = {}) {
  const response = await t.request("GET", path, { session, headers });
  return { status: response.status, html: await response.text() };
}

/** Uploads a file, follows the redirect, and waits for the import to finish; returns its page. */
async function importFile(file: Blob, fields: Record<string, string> = {}, name = "loads.csv") {
  const response = await upload(dispatcher, file, fields, { name });
  expect(response.status).toBe(303);
  const location = response.headers.get("location")!;
  expect(location).toMatch(/^\/loads\/upload\/[0-9a-f-]{36}$/);
  for (let attempt = 0; attempt < 200; attempt++) {
    const page = await get(location);
    if (!page.html.includes("hx-trigger")) return { location, ...page };
    await Bun.sleep(10);
  }
  throw new Error(`the import at ${location} did not finish`);
}

/** The value after a <dt> on the import's page ("New loads" → "3"). */
function fact(html: string, label: string): string | undefined {
  return html.match(new RegExp(`<dt>${label}</dt><dd>([^<]*)</dd>`))?.[1];
}

const loadsOf = (sourceId: string) => t.deps.db.query("SELECT external_id, pickup_earliest, pickup_latest, equipment, rate_cents, origin_city, dest_city FROM loads WHERE source_id = ? ORDER BY pickup_earliest").all(sourceId) as Record<string, unknown>[];

describe("the form", () => {
  test("offers every preset with what it expects, the fleet's time zone and the source name 'upload'", async () => {
    const { status, html } = await get("/loads/upload");
    expect(status).toBe(200);
    expect(html).toContain('enctype="multipart/form-data"');
    expect(html).toContain('type="file" name="file"');
    expect(html).toContain(`name="_csrf" value="${dispatcher.csrf}"`);
    for (const preset of ["haulbox", "dat-bulk-upload", "dispatch-sheet"]) expect(html).toContain(`<option value="${preset}"`);
    expect(html).toContain("DAT&#x27;s bulk-upload template");
    expect(html).toContain('name="time_zone" value="America/Chicago"');
    expect(html).toContain('name="source" value="upload"');
  });

  test("a viewer gets 403 on the form, the upload and an import's page; no session means the login page; an API token cannot use the form", async () => {
    const anonymous = await t.app.handle(new Request("http://localhost/loads/upload"));
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.get("location")).toBe("/login?next=%2Floads%2Fupload");
    expect((await t.request("GET", "/loads/upload", { token: t.token("dispatcher") })).status).toBe(403);
    expect((await get("/loads/upload", viewer)).status).toBe(403);
    expect((await upload(viewer, text(GOOD_AND_BAD))).status).toBe(403);
    const { location } = await importFile(text("external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name\nv-1,60601,80202,2030-04-01T08:00,V,Viewer Test Co"), { source: "viewer-check" });
    expect((await get(location, viewer)).status).toBe(403);
  });

  test("an upload without the CSRF token is refused and stores nothing; the form's _csrf field is accepted", async () => {
    const csv = text("external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name\nc-1,80202,60601,2030-04-02T08:00,V,Csrf Test Co");
    const refused = await upload(dispatcher, csv, { source: "csrf-check" }, { csrf: "none" });
    expect(refused.status).toBe(403);
    expect(await refused.text()).toContain("This form has expired");
    expect(loadsOf("upload-csrf-check")).toEqual([]);
    expect((await upload(dispatcher, csv, { source: "csrf-check" }, { csrf: "field" })).status).toBe(303);
  });
});

describe("an import", () => {
  let first: { location: string; html: string };

  test("3 good and 2 bad rows: done with 3 new and 2 refused, both reasons listed, hostile text escaped", async () => {
    first = await importFile(text(GOOD_AND_BAD));
    const { html } = first;
    expect(html).toContain("<h1>Upload: loads.csv</h1>");
    expect(html).toContain(">done<");
    expect(fact(html, "Rows read")).toBe("5");
    expect(fact(html, "New loads")).toBe("3");
    expect(fact(html, "Updated")).toBe("0");
    expect(fact(html, "Refused rows")).toBe("2");
    expect(html).toContain("loads.csv row 5");
    expect(html).toContain("pickup_earliest: &quot;2030-13-45T08:00&quot; at &quot;pickup_earliest&quot; is not a date");
    expect(html).toContain("loads.csv row 6");
    expect(html).toContain("equipment: &quot;ZZ&quot; at &quot;equipment&quot; is not an equipment type Haulbox knows");
    // The refused row's own text is shown, escaped, in a table that becomes cards on a phone.
    expect(html).not.toContain(HOSTILE);
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt;");
    expect(html).toContain('<table class="cards">');
    expect(html).toContain('data-label="Why it was refused"');
    expect(html).toContain('href="/loads"');
    // Finished: the progress part no longer polls.
    expect(html).not.toContain("hx-trigger");
  });

  test("the loads are stored under the source 'upload', read in the chosen time zone, and are on the loads API", async () => {
    const stored = loadsOf("upload");
    expect(stored.map((load) => load.external_id)).toEqual(["up-1", "up-2", expect.stringMatching(/^csv-[0-9a-f]{20}$/)]);
    // 2030-03-12 08:00 CDT (UTC−5) = 13:00 UTC; 2030-03-13 09:30 CDT = 14:30 UTC.
    expect(stored[0]).toMatchObject({ pickup_earliest: Date.UTC(2030, 2, 12, 13, 0), equipment: "V", rate_cents: 285_000, origin_city: "Chicago", dest_city: "Dallas" });
    expect(stored[1]).toMatchObject({ pickup_earliest: Date.UTC(2030, 2, 13, 14, 30), equipment: "R", rate_cents: 310_000, origin_city: "Dallas", dest_city: "Chicago" });
    const deadLetters = t.deps.db.query("SELECT ref FROM dead_letters WHERE kind = 'load' AND source_id = 'upload' ORDER BY id").all();
    expect(deadLetters).toEqual([{ ref: "loads.csv row 5" }, { ref: "loads.csv row 6" }]);
    const api = await t.request("GET", "/api/v1/loads?limit=500", { session: dispatcher });
    expect(api.status).toBe(200);
    const listed = ((await api.json()) as { data: { source: string; external_id: string }[] }).data.filter((load) => load.source === "upload");
    expect(listed.map((load) => load.external_id).sort()).toEqual(stored.map((load) => load.external_id as string).sort());
  });

  test("the same file again adds nothing: 0 new, 3 unchanged, still 3 loads", async () => {
    const again = await importFile(text(GOOD_AND_BAD));
    expect(again.location).not.toBe(first.location);
    expect(fact(again.html, "New loads")).toBe("0");
    expect(fact(again.html, "Unchanged")).toBe("3");
    expect(fact(again.html, "Refused rows")).toBe("2");
    expect(loadsOf("upload")).toHaveLength(3);
    // The first import's page is still there.
    expect(fact((await get(first.location)).html, "New loads")).toBe("3");
  });

  test("a changed rate updates its load, and loads missing from a later file stay open (an upload is never complete)", async () => {
    const lines = GOOD_AND_BAD.split("\n");
    const changed = [lines[0], lines[1]!.replace("285000", "295000")].join("\n");
    const page = await importFile(text(changed));
    expect(fact(page.html, "Updated")).toBe("1");
    expect(fact(page.html, "New loads")).toBe("0");
    expect(t.deps.db.query("SELECT status, count(*) AS n FROM loads WHERE source_id = 'upload' GROUP BY status").all()).toEqual([{ status: "open", n: 3 }]);
    expect(loadsOf("upload")[0]!.rate_cents).toBe(295_000);
  });

  test("a place the gazetteer does not know is refused by the store and listed with the others, its record cut to 200 characters", async () => {
    const csv = `external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name,comments\nz-1,99999,75201,2030-03-12T08:00,V,Nowhere Freight,${"x".repeat(300)}\nz-2,60601,75201,2030-03-12T08:00,V,Nowhere Freight,`;
    const { html } = await importFile(text(csv), { source: "zips" });
    expect(fact(html, "New loads")).toBe("1");
    expect(fact(html, "Refused rows")).toBe("1");
    expect(html).toContain("load z-1");
    expect(html).toContain("origin: no US ZIP 99999 in the gazetteer");
    const shown = html.match(/<code class="mono">([^<]*)<\/code>/)![1]!;
    expect(shown).toStartWith("{&quot;external_id&quot;:&quot;z-1&quot;");
    expect(shown).toEndWith("x…");
    expect(shown.replaceAll("&quot;", '"')).toHaveLength(200);
    expect(loadsOf("upload-zips").map((load) => load.external_id)).toEqual(["z-2"]);
  });

  test("DAT's template: refused without a broker; with one, read in the chosen zone under upload-<name>", async () => {
    const dat = ["Pickup Earliest*,Pickup Latest*,Length (ft)*,Weight (lbs)*,Full/Partial*,Equipment*,DAT Load Board Rate,Origin City*,Origin State*,Origin Postal Code,Destination City*,Destination State*,Destination Postal Code,Reference ID", "03/12/2030,03/12/2030,53,40000,full,V,1850,Denver,CO,80202,Chicago,IL,60601,PS-1"].join("\n");
    const fields = { preset: "dat-bulk-upload", time_zone: "America/Denver", source: "prairie" };
    const refused = await upload(dispatcher, text(dat), fields);
    expect(refused.status).toBe(422);
    expect(await refused.text()).toContain("The dat-bulk-upload layout has no broker column: give the broker&#x27;s name.");
    const { html } = await importFile(text(dat), { ...fields, broker_name: "Prairie Shippers" }, "prairie.csv");
    expect(fact(html, "New loads")).toBe("1");
    expect(html).toContain("read as dat-bulk-upload, stored under the source upload-prairie");
    // A date alone is midnight MDT (UTC−6) = 06:00 UTC; the latest pickup is the end of that day, 23:59:59.999 MDT.
    expect(loadsOf("upload-prairie")).toEqual([{ external_id: "PS-1", pickup_earliest: Date.UTC(2030, 2, 12, 6, 0), pickup_latest: Date.UTC(2030, 2, 13, 5, 59, 59, 999), equipment: "V", rate_cents: 185_000, origin_city: "Denver", dest_city: "Chicago" }]);
    expect(t.deps.db.query("SELECT b.name FROM loads l JOIN brokers b ON b.id = l.broker_id WHERE l.source_id = 'upload-prairie'").get()).toEqual({ name: "Prairie Shippers" });
  });

  test(`a file of more than ${STORE_CHUNK_LOADS} loads is stored in chunks: counts add up, refusals from every chunk are listed`, async () => {
    const lines = ["external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name"];
    for (let n = 1; n <= 2500; n++) lines.push(`many-${n},${n === 2400 ? "99999" : "60601"},80202,2030-07-01T08:00,${n === 10 ? "XX" : "V"},Many Co`);
    const { html } = await importFile(text(lines.join("\n")), { source: "many" });
    expect(fact(html, "Rows read")).toBe("2,500");
    expect(fact(html, "New loads")).toBe("2,498");
    expect(fact(html, "Refused rows")).toBe("2");
    expect(html).toContain("loads.csv row 11");
    expect(html).toContain("load many-2400");
    expect(loadsOf("upload-many")).toHaveLength(2498);
  });

  test("a tab-separated file is read with the delimiter detected from its header", async () => {
    const tsv = "external_id\torigin.zip\tdestination.zip\tpickup_earliest\tequipment\tbroker.name\nt-1\t60601\t80202\t2030-05-01T08:00\tV\tTab, Comma & Co";
    const { html } = await importFile(text(tsv, "text/tab-separated-values"), { source: "tabs" }, "loads.tsv");
    expect(fact(html, "New loads")).toBe("1");
    expect(t.deps.db.query("SELECT b.name FROM loads l JOIN brokers b ON b.id = l.broker_id WHERE l.source_id = 'upload-tabs'").get()).toEqual({ name: "Tab, Comma & Co" });
  });

  test("a file without the columns a load needs fails with the reason, and stores nothing", async () => {
    const { html } = await importFile(text("Load,From,To\n1,Chicago,Dallas"), { source: "no-columns" });
    expect(html).toContain(">failed<");
    expect(html).toContain("The import failed: there is no column for pickup_earliest");
    expect(loadsOf("upload-no-columns")).toEqual([]);
  });

  test("an htmx poll gets the progress fragment alone", async () => {
    const { location } = await importFile(text(GOOD_AND_BAD), { source: "fragment" });
    const fragment = await get(location, dispatcher, { "hx-request": "true" });
    expect(fragment.status).toBe(200);
    expect(fragment.html.startsWith('<div id="upload-job"')).toBe(true);
    expect(fragment.html).not.toContain("<html");
    expect(fragment.html).not.toContain("hx-trigger");
    expect(fact(fragment.html, "New loads")).toBe("3");
  });

  test("an unknown import is a 404 that says why", async () => {
    const { status, html } = await get("/loads/upload/00000000-0000-0000-0000-000000000000");
    expect(status).toBe(404);
    expect(html).toContain(`the last ${MAX_UPLOAD_JOBS} uploads`);
  });

  test(`only the last ${MAX_UPLOAD_JOBS} imports keep their pages`, async () => {
    const locations: string[] = [];
    for (let n = 0; n <= MAX_UPLOAD_JOBS; n++) locations.push((await importFile(text(`external_id,origin.zip,destination.zip,pickup_earliest,equipment,broker.name\nkeep-${n},60601,75201,2030-06-01T08:00,V,Keep Co`), { source: "keep" })).location);
    expect((await get(locations[0]!)).status).toBe(404);
    expect((await get(locations[1]!)).status).toBe(200);
    expect((await get(locations[MAX_UPLOAD_JOBS]!)).status).toBe(200);
  });
});

describe("refused on the form (422) with the reason", () => {
  // A PNG's first bytes: the signature, then a chunk length with NUL bytes.
  const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52]);
  // An .xlsx workbook is a ZIP archive: it starts with the local file header signature PK\x03\x04.
  const XLSX = new Uint8Array([0x50, 0x4b, 0x03, 0x04, 0x14, 0x00, 0x06, 0x00]);
  const cases: { name: string; file: Blob | null; fileName?: string; fields?: Record<string, string>; message: string }[] = [
    { name: "no file", file: null, message: "Choose a file to upload." },
    { name: "an empty file", file: text(""), message: "loads.csv is empty." },
    { name: "a file of blank lines", file: text("\uFEFF\r\n \r\n"), message: "loads.csv has only blank lines in it." },
    { name: "a binary file", file: new Blob([PNG]), fileName: "photo.png", message: "photo.png is not a text file (it contains NUL bytes)" },
    { name: "an Excel workbook", file: new Blob([XLSX]), fileName: "loads.xlsx", message: "loads.xlsx is a ZIP archive (an Excel .xlsx workbook?), not CSV" },
    { name: "an unknown preset", file: text(GOOD_AND_BAD), fields: { preset: "dat-search" }, message: "&quot;dat-search&quot; is not a column layout: choose haulbox, dat-bulk-upload, dispatch-sheet." },
    { name: "an unknown delimiter", file: text(GOOD_AND_BAD), fields: { delimiter: ":" }, message: "&quot;:&quot; is not a delimiter" },
    { name: "a time zone that does not exist", file: text(GOOD_AND_BAD), fields: { time_zone: "America/Chicagoo" }, message: "The time zone &quot;America/Chicagoo&quot; is not an IANA time zone" },
    { name: "a source name with capitals and spaces", file: text(GOOD_AND_BAD), fields: { source: "My Sheet" }, message: "The source name &quot;My Sheet&quot; may hold only lowercase letters, digits, - and _" },
    { name: "a configured source's id", file: text(GOOD_AND_BAD), fields: { source: "taken" }, message: "upload-taken is a configured source&#x27;s id" },
  ];
  for (const { name, file, fileName, fields, message } of cases) {
    test(name, async () => {
      const response = await upload(dispatcher, file, fields, { name: fileName });
      expect(response.status).toBe(422);
      const html = await response.text();
      expect(html).toContain(message);
      expect(html).toContain('action="/loads/upload"');
    });
  }

  test("a file over 50 MB, and what was typed comes back", async () => {
    const response = await upload(dispatcher, new Blob([new Uint8Array(50 * 1024 * 1024 + 1).fill(0x41)]), { time_zone: "America/Denver", source: "big" }, { name: "big.csv" });
    expect(response.status).toBe(422);
    const html = await response.text();
    expect(html).toContain("big.csv is 50.1 MB; the largest file accepted is 50 MB: split it into smaller files.");
    expect(html).toContain('name="time_zone" value="America/Denver"');
    expect(html).toContain('name="source" value="big"');
  });
});

describe("pieces", () => {
  test("uploadSourceId keeps uploads under upload or upload-<name>", () => {
    const cases: [string, string][] = [
      ["upload", "upload"],
      ["upload-dat", "upload-dat"],
      ["dat", "upload-dat"],
      ["uploads", "upload-uploads"],
      ["manual", "upload-manual"],
    ];
    for (const [name, id] of cases) expect(uploadSourceId(name), name).toBe(id);
  });

  test("brokerFields: a default over the preset's broker column, a constant when it has none", () => {
    expect(brokerFields("haulbox", "")).toEqual({});
    expect(brokerFields("haulbox", "Acme")).toEqual({ "broker.name": { path: "broker.name", default: "Acme" } });
    expect(brokerFields("dispatch-sheet", "Acme")).toEqual({ "broker.name": { path: "Broker", default: "Acme" } });
    expect(brokerFields("dat-bulk-upload", "Acme")).toEqual({ "broker.name": { value: "Acme" } });
  });

  test("while an import runs its part polls every second with a progress bar; before rows are counted the bar is indeterminate", () => {
    const running: UploadJobView = { id: "j1", fileName: "big.csv", sizeBytes: 1, sourceId: "upload", preset: "haulbox", startedAt: 0, finishedAt: null, state: "parsing", rowsDone: 1500, rowsTotal: 2000, loadsStored: 0, loadsTotal: null, counts: null, rejected: [], rejectedTotal: 0, error: null };
    const html = UploadJobLive({ job: running }) as string;
    expect(html).toContain('hx-get="/loads/upload/j1"');
    expect(html).toContain('hx-trigger="every 1s"');
    expect(html).toContain('value="1500" max="2000"');
    expect(html).toContain("1,500 of 2,000 rows read");
    expect(html).toContain('<meta http-equiv="refresh"');
    const storing = UploadJobLive({ job: { ...running, state: "storing", rowsDone: 2000, loadsStored: 1000, loadsTotal: 1990 } }) as string;
    expect(storing).toContain('value="1000" max="1990"');
    expect(storing).toContain("All 2,000 rows read; 1,000 of 1,990 loads stored");
    const uncounted = UploadJobLive({ job: { ...running, rowsDone: 0, rowsTotal: null } }) as string;
    expect(uncounted).toContain('<progress style="width:100%">');
    expect(uncounted).toContain("Splitting the file into rows…");
  });
});
