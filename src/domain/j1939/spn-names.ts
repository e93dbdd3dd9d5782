/**
 * SPN names: the bundled table (spn-names.csv: the SPNs Haulbox reads and the common fault SPNs of
 * heavy trucks, short names written for a fault list) and an operator's own table in the same
 * format (`spn,name` header, extra columns ignored), which wins over the bundled one.
 */
import { parse } from "csv-parse/sync";
import bundledText from "./spn-names.csv" with { type: "text" };

/** Largest SPN (19 bits). */
const MAX_SPN = 0x7ffff;

/**
 * Parses an SPN name table. Throws an Error naming the line of the first bad row (not a number,
 * beyond 19 bits, no name, broken quoting) or a missing column.
 */
export function loadSpnNames(csvText: string): Map<number, string> {
  let rows: { record: Record<string, string | undefined>; info: { lines: number } }[];
  let columns: string[] = [];
  try {
    rows = parse(csvText, { columns: (header: string[]) => (columns = header.map((column) => column.trim().toLowerCase())), info: true, skip_empty_lines: true, relax_column_count: true, trim: true, bom: true }) as never;
  } catch (error) {
    const line = (error as { lines?: number }).lines;
    throw new Error(`SPN names${line ? ` line ${line}` : ""}: ${(error as Error).message}`);
  }
  if (!columns.includes("spn") || !columns.includes("name")) throw new Error(`SPN names line 1: the header must have the columns spn and name`);
  const names = new Map<number, string>();
  for (const { record, info } of rows) {
    const spnText = record.spn ?? "";
    const name = record.name ?? "";
    if (!/^\d+$/.test(spnText) || Number(spnText) > MAX_SPN) throw new Error(`SPN names line ${info.lines}: spn ${JSON.stringify(spnText)} is not a number 0…${MAX_SPN}`);
    if (!name) throw new Error(`SPN names line ${info.lines}: SPN ${spnText} has no name`);
    names.set(Number(spnText), name);
  }
  return names;
}

let bundled: Map<number, string> | undefined;

/** The bundled table, parsed on first use. */
export function bundledSpnNames(): ReadonlyMap<number, string> {
  bundled ??= loadSpnNames(bundledText);
  return bundled;
}

/** The name of an SPN: from `extra` (an operator's table) first, then the bundled table; undefined when neither knows it. */
export function spnName(spn: number, extra?: ReadonlyMap<number, string>): string | undefined {
  return extra?.get(spn) ?? bundledSpnNames().get(spn);
}
