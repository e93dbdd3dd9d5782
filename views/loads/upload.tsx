/** @jsxImportSource @kitajs/html */
/**
 * Uploading a CSV/TSV of loads from the Loads page: the form (file, column layout, delimiter, time
 * zone, the source the loads are stored under), and the import's own page, whose progress part
 * reloads itself with htmx every second while the file is read and stored, then shows the counts and
 * every refused row with its reason. Without JavaScript the page refreshes itself instead (a
 * <noscript> meta refresh) and has a Refresh link.
 *
 * File names, reasons and raw rows come from the uploaded file, so they are untrusted text and are
 * rendered with `safe`.
 */
import type { PresetName } from "../../plugins/loadboard-csv/presets";
import type { RejectedItem } from "../../src/plugins/types";
import { CardTable, CsrfField, Flash, Time } from "../components";

/**
 * What each column layout expects, in a sentence (from plugins/loadboard-csv/README.md, "Presets").
 * Keyed by every preset name, so a new preset does not type-check until it is explained here.
 */
const PRESET_HELP: Record<PresetName, string> = {
  haulbox: "Headers are Haulbox's own field names (external_id, origin.city, origin.zip, pickup_earliest, equipment, rate_cents in cents, broker.name, …), times in ISO 8601 or epoch seconds.",
  "dat-bulk-upload": "The columns of DAT's bulk-upload template (Pickup Earliest*, Origin City*, Equipment*, DAT Load Board Rate in dollars, …), dates like 08/01/2022; it has no broker column, so give the broker's name below.",
  "dispatch-sheet": "A hand-kept sheet with Load #, Pickup, Deliver By, Origin and Destination as \"City, ST\", Equipment, Weight, Rate in dollars, Broker, MC, Phone and Notes.",
};

/** The delimiter choices offered, with what the form shows for each (values are the CSV plugin's `delimiter` option). */
export const DELIMITER_CHOICES = [
  ["auto", "Detect from the header line"],
  [",", "Comma ,"],
  [";", "Semicolon ;"],
  ["tab", "Tab"],
  ["|", "Pipe |"],
] as const;

/** Time zones offered in the field's suggestions (any IANA zone may be typed). */
const SUGGESTED_ZONES = ["America/New_York", "America/Chicago", "America/Denver", "America/Phoenix", "America/Los_Angeles", "America/Anchorage", "Pacific/Honolulu", "UTC"];

/** The upload form's fields as typed, so a refused upload comes back filled in. */
export interface UploadFormValues {
  preset: string;
  delimiter: string;
  time_zone: string;
  /** The source name the loads are stored under (without the `upload-` prefix). */
  source: string;
  /** The broker for rows without one (DAT's template has no broker column). */
  broker_name: string;
}

export interface UploadFormProps {
  csrfToken: string | undefined;
  presets: readonly PresetName[];
  values: UploadFormValues;
  /** Why the last upload was refused. */
  error?: string;
  /** The largest file accepted, in bytes. */
  maxBytes: number;
}

/** GET /loads/upload: the form, with the refusal of the last attempt when there is one. */
export function UploadFormPage(props: UploadFormProps): JSX.Element {
  const { values } = props;
  return (
    <>
      <p class="muted">
        <a href="/loads">← Loads</a>
      </p>
      <h1>Upload loads</h1>
      <p class="muted small" safe>
        {`A CSV or tab-separated file of loads, up to ${Math.round(props.maxBytes / (1024 * 1024))} MB (save a spreadsheet as CSV first). Each row becomes a load or a refusal with its reason; a bad row never stops the rest. Uploading the same file again updates its loads instead of adding them twice.`}
      </p>
      {props.error ? (
        <Flash kind="error">
          <span safe>{props.error}</span>
        </Flash>
      ) : (
        ""
      )}
      <form class="card form-grid" method="post" action="/loads/upload" enctype="multipart/form-data">
        <CsrfField token={props.csrfToken} />
        <fieldset>
          <legend>The file</legend>
          <label>
            File (.csv, .tsv or .txt)
            <input type="file" name="file" accept=".csv,.tsv,.txt,text/csv,text/tab-separated-values,text/plain" required />
          </label>
          <label>
            Column layout
            <select name="preset">
              {props.presets.map((name) => (
                <option value={name} selected={name === values.preset}>
                  {name}
                </option>
              ))}
            </select>
          </label>
          <label>
            Delimiter
            <select name="delimiter">
              {DELIMITER_CHOICES.map(([value, label]) => (
                <option value={value} selected={value === values.delimiter}>
                  {label}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        <dl class="facts small">
          {props.presets.map((name) => (
            <>
              <dt>{name}</dt>
              <dd safe>{PRESET_HELP[name]}</dd>
            </>
          ))}
        </dl>
        <fieldset>
          <legend>How to read it</legend>
          <label>
            Time zone of times without an offset
            <input name="time_zone" value={values.time_zone} list="upload-zones" required autocapitalize="off" spellcheck="false" />
          </label>
          <datalist id="upload-zones">
            {SUGGESTED_ZONES.map((zone) => (
              <option value={zone} />
            ))}
          </datalist>
          <label>
            Source name (lowercase letters, digits, - and _)
            <input name="source" value={values.source} required pattern="[a-z0-9][a-z0-9_\-]*" maxlength="50" autocapitalize="off" spellcheck="false" />
          </label>
          <label>
            Broker for rows without one
            <input name="broker_name" value={values.broker_name} maxlength="200" placeholder="needed for DAT's template" />
          </label>
        </fieldset>
        <button type="submit">Upload and import</button>
      </form>
    </>
  );
}

/** Where an import is: reading rows, writing loads, finished, or stopped by an error. */
export type UploadJobState = "parsing" | "storing" | "done" | "failed";

/** What the import's page shows of one upload. */
export interface UploadJobView {
  id: string;
  fileName: string;
  sizeBytes: number;
  /** The source the loads are stored under. */
  sourceId: string;
  preset: string;
  startedAt: number;
  finishedAt: number | null;
  state: UploadJobState;
  /** Rows read so far, and rows in the file (null until the file has been split into rows). */
  rowsDone: number;
  rowsTotal: number | null;
  /** Loads stored so far, and loads the rows gave (null until every row has been read). */
  loadsStored: number;
  loadsTotal: number | null;
  /** What storing did, once done: data rows read (blank rows not counted), and the store's counts. */
  counts: { rows: number; new: number; updated: number; unchanged: number; rejected: number } | null;
  /** The first refused rows (raw text already cut short); `rejectedTotal` counts them all. */
  rejected: RejectedItem[];
  rejectedTotal: number;
  /** Why the import failed (a file that cannot be used, or storing that threw). */
  error: string | null;
}

const STATE_TEXT: Record<UploadJobState, string> = { parsing: "reading rows", storing: "storing loads", done: "done", failed: "failed" };
const STATE_BADGE: Record<UploadJobState, string> = { parsing: "badge warn", storing: "badge warn", done: "badge ok", failed: "badge bad" };

/** Seconds between two reloads of the progress part while the import runs. */
const JOB_REFRESH_SECONDS = 1;

/** True while the import is still working (the page keeps reloading its progress part). */
function jobRunning(job: UploadJobView): boolean {
  return job.state === "parsing" || job.state === "storing";
}

/** "1,234" for counts people read. */
function count(value: number): string {
  return value.toLocaleString("en-US");
}

/**
 * The progress bar: rows read while reading, then loads stored while storing, each with its
 * "N of M" line; before the file has been split into rows, a bar that only says it is busy.
 */
function Progress({ job }: { job: UploadJobView }): JSX.Element {
  const storing = job.state === "storing" && job.loadsTotal !== null;
  const done = storing ? job.loadsStored : job.rowsDone;
  const total = storing ? job.loadsTotal : job.rowsTotal;
  const line = total === null ? "Splitting the file into rows…" : storing ? `All ${count(job.rowsTotal ?? 0)} rows read; ${count(done)} of ${count(total)} loads stored` : `${count(done)} of ${count(total)} rows read`;
  return (
    <div class="upload-progress">
      {total === null ? (
        <progress style="width:100%">busy</progress>
      ) : (
        <progress style="width:100%" value={String(done)} max={String(Math.max(total, 1))} safe>
          {`${done} of ${total}`}
        </progress>
      )}
      <p class="muted small" safe>
        {line}
      </p>
    </div>
  );
}

/** The refused rows: where each was, why, and the start of the row as it was in the file. */
function RejectedTable({ job }: { job: UploadJobView }): JSX.Element {
  if (!job.rejectedTotal) return <p class="muted">No row was refused.</p>;
  return (
    <>
      {job.rejectedTotal > job.rejected.length ? (
        <p class="muted small">
          <span safe>{`The first ${count(job.rejected.length)} of ${count(job.rejectedTotal)} refused rows; all of them are kept with their reasons under `}</span>
          <a href="/dead-letters">Dead letters</a>.
        </p>
      ) : (
        ""
      )}
      <CardTable columns={["Row", "Why it was refused", "The row"]}>
        {job.rejected.map((item) => (
          <tr>
            <td data-label="Row" safe>
              {item.ref}
            </td>
            <td data-label="Why it was refused" safe>
              {item.reason}
            </td>
            <td data-label="The row">
              {item.raw ? (
                <code class="mono" safe>
                  {item.raw}
                </code>
              ) : (
                <span class="muted">—</span>
              )}
            </td>
          </tr>
        ))}
      </CardTable>
    </>
  );
}

/**
 * The part of the job page that changes: state, progress, and when finished the counts and refused
 * rows. While the import runs it asks for itself again every second (the route answers an htmx
 * request with this fragment alone); the finished fragment has no trigger, so polling stops.
 */
export function UploadJobLive({ job }: { job: UploadJobView }): JSX.Element {
  const running = jobRunning(job);
  const url = `/loads/upload/${encodeURIComponent(job.id)}`;
  const poll = running ? { "hx-get": url, "hx-trigger": `every ${JOB_REFRESH_SECONDS}s`, "hx-swap": "outerHTML" } : {};
  return (
    <div id="upload-job" aria-live="polite" {...poll}>
      <section class="card">
        <p>
          <span class={STATE_BADGE[job.state]} safe>
            {STATE_TEXT[job.state]}
          </span>
          {job.finishedAt ? (
            <span class="muted small">
              {" finished "}
              <Time at={job.finishedAt} />
            </span>
          ) : (
            ""
          )}
        </p>
        {running ? (
          <>
            <Progress job={job} />
            <noscript>
              <meta http-equiv="refresh" content={String(2 * JOB_REFRESH_SECONDS)} />
            </noscript>
            <p>
              <a href={url}>Refresh</a>
            </p>
          </>
        ) : (
          ""
        )}
        {job.state === "failed" ? (
          <Flash kind="error">
            <span safe>{`The import failed: ${job.error ?? "unknown error"}`}</span>
          </Flash>
        ) : (
          ""
        )}
        {job.state === "done" && job.counts ? (
          <dl class="facts">
            <dt>Rows read</dt>
            <dd safe>{count(job.counts.rows)}</dd>
            <dt>New loads</dt>
            <dd safe>{count(job.counts.new)}</dd>
            <dt>Updated</dt>
            <dd safe>{count(job.counts.updated)}</dd>
            <dt>Unchanged</dt>
            <dd safe>{count(job.counts.unchanged)}</dd>
            <dt>Refused rows</dt>
            <dd safe>{count(job.counts.rejected)}</dd>
          </dl>
        ) : (
          ""
        )}
      </section>
      {job.state === "done" ? (
        <section class="card">
          <h2>Refused rows</h2>
          <RejectedTable job={job} />
        </section>
      ) : (
        ""
      )}
    </div>
  );
}

/** GET /loads/upload/:job: what was uploaded, and the live part. */
export function UploadJobPage({ job }: { job: UploadJobView }): JSX.Element {
  return (
    <>
      <p class="muted">
        <a href="/loads">← Loads</a>
      </p>
      <h1 safe>{`Upload: ${job.fileName}`}</h1>
      <p class="muted small">
        <span safe>{`${count(Math.ceil(job.sizeBytes / 1024))} KB, read as ${job.preset}, stored under the source ${job.sourceId}; uploaded `}</span>
        <Time at={job.startedAt} />.
      </p>
      <UploadJobLive job={job} />
      <p>
        <a class="button" href="/loads">
          Go to the load board
        </a>{" "}
        <a href="/loads/upload">Upload another file</a>
      </p>
    </>
  );
}
