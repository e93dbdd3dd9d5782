/**
 * Loads from CSV files dropped in a folder (a share the dispatcher saves exports to, a folder a
 * script fills). Each poll reads the files that are new, turns every row into a load or a rejection
 * naming the row (parse.ts), and reports a file that cannot be used at all as one rejection.
 *
 * A file counts as imported only once Haulbox has stored its loads: the poll after that (which
 * sees the host's `lastSuccessAt` move) moves it to `imported/` — or `rejected/`, with a
 * `.errors.txt` beside it — or, with `after_import: keep`, remembers it by name, size and
 * modification time in a small state file in the folder. A poll whose loads were not stored
 * therefore reads its files again, and since a row keeps its external_id, reading twice updates
 * rather than duplicates.
 */
import { Type } from "@sinclair/typebox";
import { mkdir, readdir, readFile, rename, stat, writeFile } from "node:fs/promises";
import { extname, join, resolve } from "node:path";
import { definePlugin } from "../../src/plugins/define";
import { DEFAULT_TIME_ZONE, FieldMappingSchema } from "../../src/loads/mapping";
import type { Logger } from "../../src/log";
import type { LoadboardOutput, RejectedItem } from "../../src/plugins/types";
import { compileCsvMapping, decodeCsvBytes, DELIMITERS, ENCODINGS, parseLoadsCsv, type EncodingOption, type LoadsCsvOptions } from "./parse";
import { PRESET_NAMES } from "./presets";

/** A file larger than this is refused whole rather than read into memory (about 200 000 rows). */
export const MAX_FILE_BYTES = 50 * 1024 * 1024;

/** Where imported and refused files go in move mode. */
const IMPORTED_DIR = "imported";
const REJECTED_DIR = "rejected";

/** A file as the folder showed it: the same name, size and modification time mean the same content. */
interface FileIdentity {
  name: string;
  size: number;
  mtimeMs: number;
}

/** A file read by a poll, waiting for that poll's loads to be stored. */
interface ReadFile extends FileIdentity {
  /** Why the whole file was refused, or null. */
  fileError: string | null;
  loads: number;
  rejected: RejectedItem[];
}

const identityKey = (file: FileIdentity) => `${file.name}\u0000${file.size}\u0000${file.mtimeMs}`;

/** A name in `dir` not yet taken: loads.csv, then loads-2.csv, loads-3.csv… */
async function freeName(dir: string, name: string): Promise<string> {
  const extension = extname(name);
  const stem = name.slice(0, name.length - extension.length);
  for (let n = 1; ; n++) {
    const candidate = n === 1 ? name : `${stem}-${n}${extension}`;
    const taken = await stat(join(dir, candidate)).then(
      () => true,
      () => false,
    );
    if (!taken) return candidate;
  }
}

/** The text of a `.errors.txt` file: what was wrong with the file or with each refused row. */
function errorsText(file: ReadFile, at: Date): string {
  const lines = file.fileError
    ? [`Haulbox could not import ${file.name} (${at.toISOString()}):`, file.fileError]
    : [`Haulbox imported ${file.loads} load${file.loads === 1 ? "" : "s"} from ${file.name} and refused ${file.rejected.length} row${file.rejected.length === 1 ? "" : "s"} (${at.toISOString()}):`, ...file.rejected.map((item) => `${item.ref.slice(file.name.length + 1)}: ${item.reason}`)];
  return `${lines.join("\n")}\n`;
}

/** The state of one source's folder between polls. */
class FolderWatch {
  /** Files already imported (keep mode), or that could not be moved (move mode), by identity. */
  private seen = new Set<string>();
  private seenLoaded = false;
  /** Files the last poll read, with the lastSuccessAt that poll saw. */
  private pending: { lastSuccessAt: number | null; files: ReadFile[] } | null = null;

  constructor(
    private readonly folder: string,
    private readonly options: { glob: Bun.Glob; keep: boolean; settleMs: number; encoding: EncodingOption; parse: LoadsCsvOptions; stateFile: string },
    private readonly log: Logger,
  ) {}

  async poll(lastSuccessAt: number | null, signal: AbortSignal): Promise<LoadboardOutput> {
    const info = await stat(this.folder).catch(() => null);
    if (!info) throw new Error(`the folder ${this.folder} does not exist (or Haulbox may not read it)`);
    if (!info.isDirectory()) throw new Error(`${this.folder} is not a folder`);
    if (this.options.keep && !this.seenLoaded) await this.loadSeen();

    // The previous poll's loads were stored when the host's lastSuccessAt moved since it ran (polls of a source never overlap).
    if (this.pending && this.pending.lastSuccessAt !== lastSuccessAt) await this.finish(this.pending.files);
    this.pending = null;

    const candidates = await this.candidates();
    const loads: Record<string, unknown>[] = [];
    const rejected: RejectedItem[] = [];
    const files: ReadFile[] = [];
    for (const file of candidates) {
      signal.throwIfAborted();
      const read = await this.read(file);
      files.push({ ...file, fileError: read.fileError, rejected: read.rejected, loads: read.loads.length });
      // One push at a time: spreading a file of many thousand rows into push() can overflow the call stack.
      for (const load of read.loads) loads.push(load);
      for (const item of read.rejected) rejected.push(item);
      this.log.info("read a CSV file of loads", { file: file.name, loads: read.loads.length, rejected: read.rejected.length, ...(read.fileError ? { error: read.fileError } : {}) });
    }
    this.pending = { lastSuccessAt, files };
    return { loads, rejected };
  }

  /** Files matching the pattern, settled (not modified in the last settle_seconds), not seen before, oldest first. */
  private async candidates(): Promise<FileIdentity[]> {
    const entries = await readdir(this.folder, { withFileTypes: true });
    const now = Date.now();
    const files: FileIdentity[] = [];
    for (const entry of entries) {
      // Hidden files (our state file, editors' .~lock files) and Excel's ~$ lock files are never loads.
      if (entry.isDirectory() || entry.name.startsWith(".") || entry.name.startsWith("~$")) continue;
      if (!this.options.glob.match(entry.name.toLowerCase())) continue;
      // stat follows a symbolic link, so a linked file is read like any other.
      const info = await stat(join(this.folder, entry.name)).catch(() => null);
      if (!info?.isFile()) continue;
      const file = { name: entry.name, size: info.size, mtimeMs: info.mtimeMs };
      // A file still being copied in changes size and time; read it once it has been still for a while.
      if (now - info.mtimeMs < this.options.settleMs) continue;
      if (this.seen.has(identityKey(file))) continue;
      files.push(file);
    }
    return files.sort((a, b) => a.mtimeMs - b.mtimeMs || a.name.localeCompare(b.name));
  }

  /** One file's loads and rejections; a file that cannot be used is one rejection with fileError set. */
  private async read(file: FileIdentity): Promise<{ loads: Record<string, unknown>[]; rejected: RejectedItem[]; fileError: string | null }> {
    const refuse = (reason: string) => ({ loads: [], rejected: [{ ref: file.name.slice(0, 300), reason: reason.slice(0, 1000) }], fileError: reason });
    if (file.size > MAX_FILE_BYTES) return refuse(`is ${(file.size / 1024 / 1024).toFixed(0)} MB, larger than the ${MAX_FILE_BYTES / 1024 / 1024} MB Haulbox reads at once: split it`);
    let bytes: Uint8Array;
    try {
      bytes = await readFile(join(this.folder, file.name));
    } catch (error) {
      return refuse(`could not be read: ${(error as Error).message}`);
    }
    const decoded = decodeCsvBytes(bytes, this.options.encoding);
    if (!decoded.ok) return refuse(decoded.reason);
    const result = parseLoadsCsv(decoded.text, { ...this.options.parse, fileName: file.name });
    return { loads: result.loads, rejected: result.rejected, fileError: result.fileError };
  }

  /** Moves or remembers the files of a poll whose loads were stored; a file changed since is left to be read again. */
  private async finish(files: ReadFile[]): Promise<void> {
    const now = new Date();
    for (const file of files) {
      const info = await stat(join(this.folder, file.name)).catch(() => null);
      if (!info || info.size !== file.size || info.mtimeMs !== file.mtimeMs) continue;
      if (this.options.keep) {
        this.seen.add(identityKey(file));
        continue;
      }
      const refused = file.fileError !== null || (file.loads === 0 && file.rejected.length > 0);
      const dir = join(this.folder, refused ? REJECTED_DIR : IMPORTED_DIR);
      try {
        await mkdir(dir, { recursive: true });
        const target = await freeName(dir, file.name);
        await rename(join(this.folder, file.name), join(dir, target));
        if (file.rejected.length) await writeFile(join(dir, `${target}.errors.txt`), errorsText(file, now));
      } catch (error) {
        // Not movable (a read-only share): remember it here so it is not imported on every poll.
        this.seen.add(identityKey(file));
        this.log.warn("could not move an imported CSV file; it stays in the folder and is skipped until Haulbox restarts", { file: file.name, error: (error as Error).message });
      }
    }
    if (this.options.keep) await this.saveSeen();
  }

  private async loadSeen(): Promise<void> {
    this.seenLoaded = true;
    const text = await readFile(join(this.folder, this.options.stateFile), "utf8").catch(() => null);
    if (text === null) return;
    try {
      const state = JSON.parse(text) as { files?: { name: string; size: number; mtime_ms: number }[] };
      for (const file of state.files ?? []) this.seen.add(identityKey({ name: file.name, size: file.size, mtimeMs: file.mtime_ms }));
    } catch {
      this.log.warn("the CSV source's state file is not JSON; files in the folder will be read again", { file: this.options.stateFile });
    }
  }

  /** Writes the remembered files, dropping those no longer in the folder so the state stays small. */
  private async saveSeen(): Promise<void> {
    const present = new Set(await readdir(this.folder));
    const files = [...this.seen]
      .map((key) => key.split("\u0000"))
      .filter(([name]) => present.has(name!))
      .map(([name, size, mtime]) => ({ name: name!, size: Number(size), mtime_ms: Number(mtime) }));
    this.seen = new Set(files.map((file) => identityKey({ name: file.name, size: file.size, mtimeMs: file.mtime_ms })));
    try {
      await writeFile(join(this.folder, this.options.stateFile), `${JSON.stringify({ version: 1, files }, null, 1)}\n`);
    } catch (error) {
      this.log.warn("could not write the CSV source's state file; after a restart its files are read again (their loads update, not duplicate)", { error: (error as Error).message });
    }
  }
}

export default definePlugin({
  kind: "loadboard",
  name: "loadboard-csv",
  version: "1.0.0",
  description: "Loads from CSV files dropped in a folder: load-board exports, DAT bulk-upload sheets, hand-kept spreadsheets.",
  configSchema: Type.Object(
    {
      folder: Type.String({ minLength: 1, description: "The folder to watch: an absolute path, or one relative to the directory Haulbox was started in." }),
      pattern: Type.String({ minLength: 1, default: "*.{csv,tsv,txt}", description: "Which file names to read, as a glob matched ignoring case (* any text, ? one character, {a,b} either)." }),
      delimiter: Type.Union(
        DELIMITERS.map((value) => Type.Literal(value)),
        { default: "auto", description: 'The delimiter between values: auto (sniffed from the header line among , tab ; and |), ",", ";", "tab" (or "\\t") or "|".' },
      ),
      encoding: Type.Union(
        ENCODINGS.map((value) => Type.Literal(value)),
        { default: "auto", description: "The text encoding: auto (UTF-8, or Windows-1252 when the bytes are not UTF-8; a BOM always decides), utf-8 or windows-1252." },
      ),
      preset: Type.Union(
        PRESET_NAMES.map((value) => Type.Literal(value)),
        { default: "haulbox", description: "The column layout: haulbox (Haulbox's field names), dat-bulk-upload (DAT's bulk-upload template) or dispatch-sheet (a hand-kept sheet)." },
      ),
      fields: Type.Optional(Type.Object(FieldMappingSchema.properties, { additionalProperties: false, description: "Field mappings on top of the preset's (a field given here replaces the preset's for that field)." })),
      time_zone: Type.String({ minLength: 1, default: DEFAULT_TIME_ZONE, description: "The IANA time zone of times written without an offset, like America/Chicago." }),
      after_import: Type.Union([Type.Literal("move"), Type.Literal("keep")], {
        default: "move",
        description: "What happens to a file once its loads are stored: move (to imported/, or rejected/ with a .errors.txt) or keep (left in place and remembered by name, size and time).",
      }),
      settle_seconds: Type.Integer({ minimum: 0, maximum: 3600, default: 5, description: "How long a file must go unmodified before it is read, so one still being copied is not read half-written." }),
    },
    { additionalProperties: false },
  ),
  create({ sourceId, options, log }) {
    // A bad mapping or a missing required field stops the source here with the reason, not at every poll.
    const compiled = compileCsvMapping({ preset: options.preset, fields: options.fields, time_zone: options.time_zone });
    const folder = resolve(options.folder);
    const watch = new FolderWatch(
      folder,
      {
        glob: new Bun.Glob(options.pattern.toLowerCase()),
        keep: options.after_import === "keep",
        settleMs: options.settle_seconds * 1000,
        encoding: options.encoding,
        parse: { delimiter: options.delimiter, compiled },
        stateFile: `.haulbox-${sourceId.replace(/[^A-Za-z0-9_-]/g, "_")}.json`,
      },
      log,
    );
    return { poll: (ctx) => watch.poll(ctx.lastSuccessAt, ctx.signal) };
  },
});
