/**
 * Loads from CSV: the pure half of the loadboard-csv plugin, also used by the Loads page's upload
 * form with the same options. Bytes become text (`decodeCsvBytes`: UTF-8 or UTF-16 by BOM, else
 * UTF-8 falling back to Windows-1252, which is what Excel on Windows writes), the text becomes rows
 * (csv-parse: quoted values, embedded newlines and delimiters), each row becomes a canonical load
 * through the preset and the source's `fields` (src/loads/mapping.ts) or a rejection naming the
 * row, and a file that cannot be used at all (not text, no header, a required column missing) is
 * refused whole with the reason.
 *
 * Row numbers are the ones a spreadsheet shows: the header is row 1, and a value with a line
 * break inside quotes still makes one row.
 */
import { createHash } from "node:crypto";
import { parse } from "csv-parse/sync";
import type { CsvError, Info } from "csv-parse";
import { applyMapping, compileMapping, DEFAULT_TIME_ZONE, MappingError, unmappedRequiredTargets, type CompiledMapping, type FieldMapping } from "../../src/loads/mapping";
import { loadProblem } from "../../src/loads/records";
import type { RejectedItem } from "../../src/plugins/types";
import { PRESETS, type PresetName } from "./presets";

/** Values of the `delimiter` option ("tab" is easier to write in YAML than "\t"). */
export const DELIMITERS = ["auto", ",", ";", "\t", "tab", "|"] as const;
export type DelimiterOption = (typeof DELIMITERS)[number];

/** Values of the `encoding` option. */
export const ENCODINGS = ["auto", "utf-8", "windows-1252"] as const;
export type EncodingOption = (typeof ENCODINGS)[number];

/** Delimiters the sniffer considers, in the order a tie is broken. */
const SNIFFED = [",", "\t", ";", "|"] as const;

/** Limits of a rejection (src/plugins/types.ts RejectedItemSchema). */
const MAX_REF = 300;
const MAX_REASON = 1000;
const MAX_RAW = 4000;

/** How often, in rows, onProgress is called (and once at the end). */
const PROGRESS_EVERY = 500;

/** What parseLoadsCsv reads a file with: the plugin's options as in the YAML, plus the file's name and a progress callback. */
export interface LoadsCsvOptions {
  delimiter?: DelimiterOption;
  preset?: PresetName;
  fields?: FieldMapping;
  time_zone?: string;
  /** How rejections name the file: "loads.csv row 12" (default "upload.csv"). */
  fileName?: string;
  /** Called every 500 rows and at the end with rows done and rows in the file. */
  onProgress?: (done: number, total: number) => void;
  /** The mapping compiled once by compileCsvMapping, so a folder of files does not compile it per file. */
  compiled?: CompiledMapping;
}

/** What a file gave. */
export interface LoadsCsvResult {
  /** Canonical loads, each already passing loadProblem. */
  loads: Record<string, unknown>[];
  /** Rows that are not loads, and the whole file when it is refused. */
  rejected: RejectedItem[];
  /** Why the whole file was refused, or null. */
  fileError: string | null;
  /** Data rows read, blank rows not counted. */
  rows: number;
}

/**
 * Compiles the preset (default "haulbox") with `fields` over it (a field given replaces the
 * preset's for that target). Throws MappingError for a bad mapping, or when a required field
 * other than external_id is not mapped at all: a row without an id gets one derived from its
 * content. Presets read their id column as optional; an `external_id` of the source's own is
 * required unless it says `optional: true`.
 */
export function compileCsvMapping(options: Pick<LoadsCsvOptions, "preset" | "fields" | "time_zone">): CompiledMapping {
  const presetName = options.preset ?? "haulbox";
  const preset = PRESETS[presetName];
  if (!preset) throw new MappingError(`preset: unknown preset ${JSON.stringify(presetName)} (presets: ${Object.keys(PRESETS).join(", ")})`);
  const mapping = compileMapping({ ...preset.fields, ...options.fields }, { timeZone: options.time_zone ?? DEFAULT_TIME_ZONE });
  const unmapped = unmappedRequiredTargets(mapping).filter((target) => target !== "external_id");
  if (unmapped.length) {
    const example = unmapped.includes("broker.name") ? ` (like broker.name: { value: "Acme Logistics" })` : "";
    throw new MappingError(`fields: ${unmapped.join(", ")} ${unmapped.length > 1 ? "are" : "is"} not mapped and the ${presetName} preset has no column for ${unmapped.length > 1 ? "them" : "it"}: add ${unmapped.length > 1 ? "them" : "it"} under fields${example}`);
  }
  return mapping;
}

/** Cuts text to `max` characters with an ellipsis. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Signatures of files people drop in a CSV folder by mistake, with what to tell them. */
const NOT_CSV: [number[], string][] = [
  [[0x50, 0x4b, 0x03, 0x04], "is a ZIP archive (an Excel .xlsx workbook?), not CSV: save it from the spreadsheet as CSV"],
  [[0xd0, 0xcf, 0x11, 0xe0], "is an old Excel .xls workbook, not CSV: save it from the spreadsheet as CSV"],
  [[0x25, 0x50, 0x44, 0x46], "is a PDF, not CSV"],
];

/**
 * Text from a file's bytes. A BOM decides (UTF-8, UTF-16 LE as Excel's "Unicode text" writes, UTF-16
 * BE); without one, "auto" reads UTF-8 and falls back to Windows-1252 when the bytes are not valid
 * UTF-8 (Excel's "CSV" on a US Windows machine), so "Café" or "–" never become mojibake or a
 * refusal. The BOM is not part of the text. Binary files are refused with what they seem to be.
 */
export function decodeCsvBytes(bytes: Uint8Array, encoding: EncodingOption = "auto"): { ok: true; text: string } | { ok: false; reason: string } {
  const starts = (signature: number[]) => signature.every((byte, index) => bytes[index] === byte);
  for (const [signature, reason] of NOT_CSV) if (starts(signature)) return { ok: false, reason };
  if (starts([0xff, 0xfe])) return { ok: true, text: new TextDecoder("utf-16le").decode(bytes) };
  if (starts([0xfe, 0xff])) return { ok: true, text: new TextDecoder("utf-16be").decode(bytes) };
  if (bytes.subarray(0, 8192).includes(0)) return { ok: false, reason: "is not a text file (it contains NUL bytes): save it from the spreadsheet as CSV" };
  if (encoding === "windows-1252") return { ok: true, text: new TextDecoder("windows-1252").decode(bytes) };
  try {
    return { ok: true, text: new TextDecoder("utf-8", { fatal: true }).decode(bytes) };
  } catch {
    if (encoding === "auto") return { ok: true, text: new TextDecoder("windows-1252").decode(bytes) };
    return { ok: false, reason: "is not valid UTF-8 (a file saved by Excel on Windows? set encoding: windows-1252 or auto)" };
  }
}

/**
 * The delimiter of a file from its header line: whichever of , tab ; | occurs most outside
 * quotes (ties in that order); a comma when none does.
 */
export function sniffDelimiter(text: string): string {
  const counts = new Map<string, number>(SNIFFED.map((candidate) => [candidate, 0]));
  let quoted = false;
  for (const char of text) {
    if (char === '"') quoted = !quoted;
    else if (!quoted && (char === "\n" || char === "\r")) break;
    else if (!quoted && counts.has(char)) counts.set(char, counts.get(char)! + 1);
  }
  let best: string = ",";
  for (const candidate of SNIFFED) if (counts.get(candidate)! > counts.get(best)!) best = candidate;
  return best;
}

/** How a header cell and a mapping path are compared: case, runs of spaces and a trailing required-mark `*` do not matter. */
function columnKey(name: string): string {
  return name.trim().replace(/\s*\*$/, "").replace(/\s+/g, " ").toLowerCase();
}

/** JSON with keys sorted at every level, so the same load always hashes the same. */
function stableJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(stableJson).join(",")}]`;
  const entries = Object.keys(value)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${stableJson((value as Record<string, unknown>)[key])}`);
  return `{${entries.join(",")}}`;
}

/** An id for a row without one: a hash of its mapped fields, so importing the same row again updates the load it made. */
function contentId(load: Record<string, unknown>): string {
  return `csv-${createHash("sha256").update(stableJson(load)).digest("hex").slice(0, 20)}`;
}

/** Reason for a row csv-parse gave up on. */
function skipReason(error: CsvError | undefined): string {
  if (error?.code === "CSV_QUOTE_NOT_CLOSED") return 'a quoted value starting in this row is never closed, so this row and the rest of the file could not be read (a stray " in a value?)';
  return `could not be read as CSV: ${error?.message ?? "unknown error"}`;
}

/** Which header cell each mapped path reads, or why the file cannot be used: a required column is missing or doubled. */
function resolveColumns(header: string[], mapping: CompiledMapping): { columns: Map<string, number> } | { problem: string } {
  const positions = new Map<string, number[]>();
  header.forEach((name, index) => {
    const key = columnKey(name);
    if (key) positions.set(key, [...(positions.get(key) ?? []), index]);
  });
  const columns = new Map<string, number>();
  const missing: string[] = [];
  // origin and destination need one of their columns (or a constant); which ones suffice for a row is loadProblem's rule.
  const places = new Map<string, { paths: string[]; found: boolean }>();
  for (const field of mapping.fields) {
    const group = field.target.split(".")[0]!;
    const place = group === "origin" || group === "destination" ? (places.get(group) ?? { paths: [], found: false }) : null;
    if (place) places.set(group, place);
    if (field.path === null) {
      if (place) place.found = true;
      continue;
    }
    const found = positions.get(columnKey(field.path));
    if (found && found.length > 1) return { problem: `the column ${JSON.stringify(field.path)} is in the header ${found.length} times (columns ${found.map((index) => index + 1).join(" and ")}), so it is not clear which to read` };
    if (found) {
      columns.set(field.path, found[0]!);
      if (place) place.found = true;
    } else if (place) place.paths.push(field.path);
    else if (field.required) missing.push(`${field.target} (${JSON.stringify(field.path)})`);
  }
  for (const [group, place] of places) if (!place.found) missing.push(`${group} (${place.paths.map((path) => JSON.stringify(path)).join(" or ")})`);
  if (missing.length) {
    const cells = header.filter((name) => name.trim()).map((name) => JSON.stringify(name.trim()));
    const listed = cells.length > 20 ? `${cells.slice(0, 20).join(", ")}, …` : cells.join(", ");
    return { problem: `there is no column for ${missing.join(", ")}; the first row, which must hold the column names, has ${listed || "nothing"}` };
  }
  return { columns };
}

/**
 * Reads one CSV file's text into loads and rejections. Never throws for what is in the file (a
 * mapping error in `options` does throw MappingError): a row that is not a load becomes a
 * rejection `{ ref: "loads.csv row 12", reason, raw }`, and a file that cannot be used becomes one
 * rejection for the file with `fileError` set.
 */
export function parseLoadsCsv(text: string, options: LoadsCsvOptions = {}): LoadsCsvResult {
  const fileName = options.fileName ?? "upload.csv";
  const mapping = options.compiled ?? compileCsvMapping(options);
  const refuse = (reason: string): LoadsCsvResult => ({ loads: [], rejected: [{ ref: cut(fileName, MAX_REF), reason: cut(reason, MAX_REASON) }], fileError: reason, rows: 0 });
  const body = text.startsWith("\uFEFF") ? text.slice(1) : text;
  if (!body.trim()) return refuse("the file is empty");
  if (body.includes("\0")) return refuse("is not a text file (it contains NUL bytes): save it from the spreadsheet as CSV");

  const delimiterOption = options.delimiter ?? "auto";
  const delimiter = delimiterOption === "auto" ? sniffDelimiter(body) : delimiterOption === "tab" ? "\t" : delimiterOption;
  const rejectedRows: { row: number; item: RejectedItem }[] = [];
  const reject = (row: number, reason: string, raw: string | undefined) => {
    const item: RejectedItem = { ref: cut(`${fileName} row ${row}`, MAX_REF), reason: cut(reason, MAX_REASON) };
    if (raw !== undefined) item.raw = cut(raw.replace(/\r?\n$/, ""), MAX_RAW);
    rejectedRows.push({ row, item });
  };
  let records: { record: string[]; info: Info; raw: string }[];
  try {
    records = parse(body, {
      delimiter,
      // Ragged rows, stray quotes inside unquoted values (5' 3") and broken rows are dealt with row by row below, not by failing the file.
      relax_column_count: true,
      relax_quotes: true,
      skip_records_with_error: true,
      on_skip: (error, raw) => void reject(typeof error?.records === "number" ? error.records + 1 : 0, skipReason(error), raw),
      info: true,
      raw: true,
    }) as unknown as { record: string[]; info: Info; raw: string }[];
  } catch (error) {
    return refuse(`could not be read as CSV: ${(error as Error).message}`);
  }
  if (records.length === 0) return refuse("the file has no rows");

  const header = records[0]!.record;
  const resolved = resolveColumns(header, mapping);
  if ("problem" in resolved) return refuse(resolved.problem);
  const { columns } = resolved;

  const loads: Record<string, unknown>[] = [];
  const idsSeen = new Map<string, number>();
  const total = records.length - 1;
  let rows = 0;
  for (let index = 1; index < records.length; index++) {
    if (options.onProgress && index % PROGRESS_EVERY === 0) options.onProgress(index, total);
    const { record, info, raw } = records[index]!;
    const row = info.records;
    if (record.every((cell) => !cell.trim())) continue;
    rows++;
    // Trailing empty cells are what spreadsheets leave after a stray edit to the right of the data.
    if (record.length > header.length && record.slice(header.length).some((cell) => cell.trim())) {
      reject(row, `the row has ${record.length} cells but the header has ${header.length} columns (a ${delimiter === "\t" ? "tab" : `"${delimiter}"`} inside a value that is not in quotes?)`, raw);
      continue;
    }
    if (record.length < header.length) {
      reject(row, `the row has ${record.length} cells but the header has ${header.length} columns`, raw);
      continue;
    }
    const cells: Record<string, string> = {};
    for (const [path, column] of columns) cells[path] = record[column]!;
    const mapped = applyMapping(mapping, cells);
    if (!mapped.ok) {
      reject(row, mapped.reason, raw);
      continue;
    }
    const load = mapped.load;
    if (load.external_id === undefined) {
      const id = contentId(load);
      // The same row twice in one file is two loads (a broker posting two trucks' worth), each with a stable id.
      const seen = (idsSeen.get(id) ?? 0) + 1;
      idsSeen.set(id, seen);
      load.external_id = seen === 1 ? id : `${id}-${seen}`;
    }
    const problem = loadProblem(load);
    if (problem) {
      reject(row, problem, raw);
      continue;
    }
    loads.push(load);
  }
  options.onProgress?.(total, total);
  rejectedRows.sort((a, b) => a.row - b.row);
  return { loads, rejected: rejectedRows.map(({ item }) => item), fileError: null, rows };
}
