/** @jsxImportSource @kitajs/html */
/**
 * Uploading a CSV/TSV of loads on the Loads page, for dispatchers:
 *
 * - `GET /loads/upload`: the form (file, column layout, delimiter, time zone, source name).
 * - `POST /loads/upload` (multipart/form-data): a missing, empty, oversized or binary file, or a bad
 *   option, comes back on the form with the reason (422). Otherwise the import starts in this
 *   process and the answer is a redirect to its page.
 * - `GET /loads/upload/:job`: the import's page; an htmx request gets only its progress fragment.
 *
 * An import reads the file with the CSV plugin's own parser (plugins/loadboard-csv/parse.ts), so an
 * upload and a watched folder read a file the same way and give a row the same id, then stores
 * the loads through `Loads.ingest` under a source of the upload's own (`upload`, `upload-<name>`).
 * A batch is never `complete`: a file is not everything the source has, so loads uploaded
 * before are left open. Refused rows become dead letters like any poll's.
 *
 * Imports are kept in memory (the last MAX_UPLOAD_JOBS): a restart forgets their pages, not their
 * loads. The parser is synchronous, so the server answers nothing else while it reads a file (about
 * 1.3 s for 20 000 rows here); the loads are then stored a chunk at a time, with requests served
 * in between, so the page can show storing progress.
 */
import { Elysia, t } from "elysia";
import { randomUUID } from "node:crypto";
import type { AppDeps } from "../deps";
import { authGuard } from "../auth/guard";
import type { Principal } from "../auth/principal";
import { canOnPage } from "../auth/roles";
import { errorPage, renderPage } from "../http/pages";
import { isHtmx, redirect } from "../http/respond";
import { isTimeZone } from "../loads/transforms";
import { MappingError, type FieldMapping, type FieldSpec } from "../loads/mapping";
import { compileCsvMapping, decodeCsvBytes, parseLoadsCsv, type DelimiterOption } from "../../plugins/loadboard-csv/parse";
import { MAX_FILE_BYTES } from "../../plugins/loadboard-csv/index";
import { PRESETS, PRESET_NAMES, type PresetName } from "../../plugins/loadboard-csv/presets";
import { DELIMITER_CHOICES, UploadFormPage, UploadJobLive, UploadJobPage, type UploadFormValues, type UploadJobView } from "../../views/loads/upload";
import { formField } from "../http/form";

/** Imports whose pages are kept; the oldest finished one is dropped first. */
export const MAX_UPLOAD_JOBS = 20;
/** Refused rows an import's page lists (all of them are in the dead letters). */
const MAX_REJECTED_LISTED = 500;
/**
 * Loads stored per call to Loads.ingest (one transaction each). One transaction for a whole file
 * holds the server for seconds (20 000 loads in one batch took 4.6 s on these 2-core machines); a
 * thousand take about a tenth of a second, and requests are served between chunks.
 */
export const STORE_CHUNK_LOADS = 1000;
/** How much of a refused row's text the page shows. */
const RAW_PREVIEW_CHARS = 200;
/** The column layout the form suggests (the CSV plugin's default). */
const DEFAULT_PRESET: PresetName = "haulbox";
/** The source name the form suggests; its loads are stored under the source id `upload`. */
const DEFAULT_UPLOAD_SOURCE = "upload";

/** A source name as typed: what a configured source id allows, short enough to take the `upload-` prefix. */
const SOURCE_NAME = /^[a-z0-9][a-z0-9_-]{0,55}$/;
const FormBody = t.Optional(t.Object({}, { additionalProperties: true }));

/**
 * The source id an upload's loads are stored under: `upload` or `upload-<name>` as typed, any
 * other name prefixed with `upload-`. The prefix keeps uploads apart from configured sources, whose
 * complete polls would otherwise expire uploaded loads they do not list.
 */
export function uploadSourceId(name: string): string {
  return name === DEFAULT_UPLOAD_SOURCE || name.startsWith(`${DEFAULT_UPLOAD_SOURCE}-`) ? name : `${DEFAULT_UPLOAD_SOURCE}-${name}`;
}

/**
 * The `fields:` an upload adds to its preset: the broker typed on the form fills rows without one,
 * or every row when the preset has no broker column (DAT's template: the poster is the broker).
 */
export function brokerFields(preset: PresetName, brokerName: string): FieldMapping {
  if (!brokerName) return {};
  const column = (PRESETS[preset].fields as FieldMapping)["broker.name"];
  if (column === undefined) return { "broker.name": { value: brokerName } };
  const spec: FieldSpec = typeof column === "string" ? { path: column } : column;
  return { "broker.name": { ...spec, default: brokerName } };
}

/** A file's size in MB rounded up to a tenth, so a file just over a limit never reads as the limit: "50.1 MB". */
function megabytesUp(bytes: number): string {
  return `${(Math.ceil((bytes / (1024 * 1024)) * 10) / 10).toFixed(1)} MB`;
}

/** An import as the route keeps it: what the page shows, plus who started it. */
interface UploadJob extends UploadJobView {
  uploadedBy: string;
}

/** The last imports by id, oldest first (a Map keeps insertion order). */
class UploadJobs {
  private readonly jobs = new Map<string, UploadJob>();

  get(id: string): UploadJob | undefined {
    return this.jobs.get(id);
  }

  /** Keeps `job`, dropping the oldest finished imports (or, when none has finished, the oldest) beyond the limit. */
  add(job: UploadJob): void {
    this.jobs.set(job.id, job);
    while (this.jobs.size > MAX_UPLOAD_JOBS) {
      const finished = [...this.jobs.values()].find((entry) => entry.state === "done" || entry.state === "failed");
      this.jobs.delete(finished ? finished.id : this.jobs.keys().next().value!);
    }
  }
}

/** What an import reads the file with, checked from the form. */
interface ImportOptions {
  preset: PresetName;
  delimiter: DelimiterOption;
  timeZone: string;
  fields: FieldMapping;
}

/** The upload form, the import, and the import's page. */
export function loadsUpload(deps: AppDeps) {
  const jobs = new UploadJobs();
  const canUpload = (principal: Principal) => canOnPage(principal, "dispatch");
  const forbidden = (principal: Principal) => errorPage(403, "Not allowed", "Uploading loads is for dispatchers.", principal);

  const defaults = (): UploadFormValues => ({ preset: DEFAULT_PRESET, delimiter: "auto", time_zone: deps.config.current().timezone, source: DEFAULT_UPLOAD_SOURCE, broker_name: "" });
  const formPage = (request: Request, principal: Principal, values: UploadFormValues, error?: string) =>
    renderPage(request, principal, "Upload loads", UploadFormPage({ csrfToken: principal.csrfToken, presets: PRESET_NAMES, values, error, maxBytes: MAX_FILE_BYTES }), { status: error ? 422 : 200 });

  /** The options from the form, or what is wrong with them. */
  const checkOptions = (values: UploadFormValues): { options: ImportOptions; sourceId: string } | { problem: string } => {
    if (!(PRESET_NAMES as string[]).includes(values.preset)) return { problem: `${JSON.stringify(values.preset)} is not a column layout: choose ${PRESET_NAMES.join(", ")}.` };
    const preset = values.preset as PresetName;
    if (!DELIMITER_CHOICES.some(([choice]) => choice === values.delimiter)) return { problem: `${JSON.stringify(values.delimiter)} is not a delimiter: choose auto, a comma, a semicolon, tab or |.` };
    if (!values.time_zone || !isTimeZone(values.time_zone)) return { problem: `The time zone ${JSON.stringify(values.time_zone)} is not an IANA time zone like America/Chicago.` };
    if (!SOURCE_NAME.test(values.source)) return { problem: `The source name ${JSON.stringify(values.source)} may hold only lowercase letters, digits, - and _ (starting with a letter or digit, at most 56).` };
    const sourceId = uploadSourceId(values.source);
    if (deps.config.current().sources.some((source) => source.id === sourceId)) return { problem: `${sourceId} is a configured source's id; uploads need a source of their own: choose another name.` };
    if ((PRESETS[preset].fields as FieldMapping)["broker.name"] === undefined && !values.broker_name) return { problem: `The ${preset} layout has no broker column: give the broker's name.` };
    const options: ImportOptions = { preset, delimiter: values.delimiter as DelimiterOption, timeZone: values.time_zone, fields: brokerFields(preset, values.broker_name) };
    try {
      compileCsvMapping({ preset, fields: options.fields, time_zone: options.timeZone });
    } catch (error) {
      if (!(error instanceof MappingError)) throw error;
      return { problem: error.message };
    }
    return { options, sourceId };
  };

  /** Marks an import finished, with its bar full once the rows were counted. */
  const finish = (job: UploadJob, state: "done" | "failed", error: string | null) => {
    job.state = state;
    job.error = error;
    job.finishedAt = Date.now();
    if (job.rowsTotal !== null) job.rowsDone = job.rowsTotal;
  };

  /** Lets waiting requests (a poll of the import's page, telemetry) in between two long synchronous steps. */
  const yieldToOthers = () => new Promise((resolve) => setTimeout(resolve, 0));

  /** Reads and stores the file after the redirect has been answered; the job records how far it got. */
  const runImport = async (job: UploadJob, text: string, options: ImportOptions) => {
    await yieldToOthers();
    try {
      const parsed = parseLoadsCsv(text, {
        preset: options.preset,
        fields: options.fields,
        delimiter: options.delimiter,
        time_zone: options.timeZone,
        fileName: job.fileName,
        onProgress: (done, total) => {
          job.rowsDone = done;
          job.rowsTotal = total;
        },
      });
      if (parsed.fileError) {
        finish(job, "failed", parsed.fileError);
        return;
      }
      job.state = "storing";
      job.loadsTotal = parsed.loads.length;
      const counts = { rows: parsed.rows, new: 0, updated: 0, unchanged: 0, rejected: 0 };
      const receivedAt = Date.now();
      // The parser's refusals go with the first chunk; a file of refusals only is still one (empty) batch.
      for (let start = 0; start === 0 || start < parsed.loads.length; start += STORE_CHUNK_LOADS) {
        await yieldToOthers();
        const chunk = parsed.loads.slice(start, start + STORE_CHUNK_LOADS);
        const result = deps.loads.ingest({ sourceId: job.sourceId, loads: chunk, rejected: start === 0 ? parsed.rejected : [], complete: false, receivedAt });
        for (const item of result.rejections.slice(0, MAX_REJECTED_LISTED - job.rejected.length)) {
          const raw = item.raw ?? "";
          job.rejected.push({ ref: item.ref, reason: item.reason, raw: raw.length > RAW_PREVIEW_CHARS ? `${raw.slice(0, RAW_PREVIEW_CHARS - 1)}…` : raw });
        }
        counts.new += result.new;
        counts.updated += result.updated;
        counts.unchanged += result.unchanged;
        counts.rejected += result.rejected;
        job.rejectedTotal = counts.rejected;
        job.loadsStored = start + chunk.length;
      }
      job.counts = counts;
      finish(job, "done", null);
      deps.log.info("loads uploaded", { file: job.fileName, source: job.sourceId, by: job.uploadedBy, ...counts });
    } catch (error) {
      const stored = job.state === "storing" ? ` after ${job.loadsStored} of ${job.loadsTotal} loads were stored (uploading the file again stores the rest without duplicating those)` : "";
      finish(job, "failed", `the import stopped${stored}: ${(error as Error).message}`);
      deps.log.error("load upload failed", { file: job.fileName, source: job.sourceId, error: error instanceof Error ? error : String(error) });
    }
  };

  return new Elysia({ name: "loads-upload", seed: deps })
    .use(authGuard(deps))
    .get("/loads/upload", ({ request, principal }) => (canUpload(principal!) ? formPage(request, principal!, defaults()) : forbidden(principal!)), { detail: { hide: true } })
    .post(
      "/loads/upload",
      async ({ request, principal, body }) => {
        if (!canUpload(principal!)) return forbidden(principal!);
        const values: UploadFormValues = {
          preset: formField(body, "preset") || DEFAULT_PRESET,
          delimiter: formField(body, "delimiter") || "auto",
          time_zone: formField(body, "time_zone") || deps.config.current().timezone,
          source: formField(body, "source") || DEFAULT_UPLOAD_SOURCE,
          broker_name: formField(body, "broker_name"),
        };
        const refuse = (message: string) => formPage(request, principal!, values, message);
        const file = (body as Record<string, unknown> | null)?.file;
        // A browser sends an untouched file input as an empty part without a name.
        if (!(file instanceof Blob) || (file.size === 0 && !(file as File).name)) return refuse("Choose a file to upload.");
        const fileName = (file as File).name || "upload.csv";
        if (file.size === 0) return refuse(`${fileName} is empty.`);
        if (file.size > MAX_FILE_BYTES) return refuse(`${fileName} is ${megabytesUp(file.size)}; the largest file accepted is ${MAX_FILE_BYTES / (1024 * 1024)} MB: split it into smaller files.`);
        const checked = checkOptions(values);
        if ("problem" in checked) return refuse(checked.problem);
        const decoded = decodeCsvBytes(new Uint8Array(await file.arrayBuffer()));
        if (!decoded.ok) return refuse(`${fileName} ${decoded.reason}.`);
        if (!decoded.text.replace(/^\uFEFF/, "").trim()) return refuse(`${fileName} has only blank lines in it.`);

        const job: UploadJob = {
          id: randomUUID(),
          fileName,
          sizeBytes: file.size,
          sourceId: checked.sourceId,
          preset: checked.options.preset,
          startedAt: Date.now(),
          finishedAt: null,
          state: "parsing",
          rowsDone: 0,
          rowsTotal: null,
          loadsStored: 0,
          loadsTotal: null,
          counts: null,
          rejected: [],
          rejectedTotal: 0,
          error: null,
          uploadedBy: principal!.name,
        };
        jobs.add(job);
        void runImport(job, decoded.text, checked.options);
        return redirect(request, `/loads/upload/${job.id}`);
      },
      { body: FormBody, detail: { hide: true } },
    )
    .get(
      "/loads/upload/:job",
      ({ request, principal, params }) => {
        if (!canUpload(principal!)) return forbidden(principal!);
        const job = jobs.get(params.job);
        if (!job) return errorPage(404, "No such upload", `Haulbox keeps the pages of the last ${MAX_UPLOAD_JOBS} uploads until it restarts; the loads they stored stay on the board.`, principal!);
        return renderPage(request, principal!, `Upload: ${job.fileName}`, isHtmx(request) ? UploadJobLive({ job }) : UploadJobPage({ job }));
      },
      { params: t.Object({ job: t.String() }), detail: { hide: true } },
    );
}
