/**
 * Each bench owns one section of bench/README.md between `<!-- NAME:begin -->` and
 * `<!-- NAME:end -->` markers and rewrites only that, so benches run alone keep the others' tables.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export const BENCH_README = join(import.meta.dir, "README.md");

/** Replaces the `name` section of bench/README.md with `table`. */
export function writeBenchSection(name: string, table: string): void {
  const begin = `<!-- ${name}:begin -->`;
  const end = `<!-- ${name}:end -->`;
  const current = readFileSync(BENCH_README, "utf8");
  const from = current.indexOf(begin);
  const to = current.indexOf(end);
  if (from < 0 || to < from) throw new Error(`${BENCH_README} lacks the ${begin} … ${end} markers`);
  writeFileSync(BENCH_README, `${current.slice(0, from + begin.length)}\n${table}\n${current.slice(to)}`);
}
