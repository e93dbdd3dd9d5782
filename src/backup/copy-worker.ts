/**
 * Copies the live database and checks the copy on a worker thread, so the appliance's event loop
 * (telemetry ingest, HTTP, MQTT acknowledgements) keeps running while it happens.
 *
 * Why a thread: `VACUUM INTO` and `PRAGMA integrity_check` are single synchronous SQLite calls. On
 * the main thread, a 510 MB database (6 M positions, 3 M readings) stopped the event loop for about
 * 2 s for the copy plus 1.5 s for the check, and no telemetry was written meanwhile; on a worker the
 * longest stall was 11–119 ms and writes kept up (`npm run bench:backup`, bench/README.md).
 *
 * Why the worker's code is a string: a compiled binary cannot start a worker from a source file
 * unless the build lists that file as another entry point; a Blob URL runs the same way from source
 * and from the binary, and the code needs nothing but bun:sqlite and node:fs.
 */
import { rmSync } from "node:fs";

/** What the worker is asked to do. */
export interface CopyRequest {
  /** The live database file; opened read-only, with its own connection. */
  source: string;
  /** Where the copy goes; must not exist yet. */
  target: string;
}

/** What the worker found. */
export interface CopyReport {
  /** `PRAGMA user_version` of the live database. */
  sourceVersion: number;
  /** `PRAGMA user_version` of the copy. */
  copyVersion: number;
  /** `PRAGMA integrity_check` of the copy: ["ok"] when it is sound. */
  integrity: string[];
  /** Size of the copy in bytes. */
  bytes: number;
  /** Time for VACUUM INTO and fsync, and for the check, in ms. */
  copyMs: number;
  checkMs: number;
}

type WorkerReply = ({ ok: true } & CopyReport) | { ok: false; message: string };

// Plain JavaScript, run as a module of its own on the worker thread. VACUUM INTO writes a
// consistent snapshot (one read transaction: concurrent writers go on in the WAL and are simply not
// in the copy) in rollback-journal mode, so opening the copy read-only creates no -wal or -shm.
// SQLite does not fsync the file VACUUM INTO writes: done here before anyone renames it into place.
const WORKER_SOURCE = `
const { Database } = require("bun:sqlite");
const { closeSync, fsyncSync, openSync, statSync } = require("node:fs");
self.onmessage = (event) => {
  const { source, target } = event.data;
  let live = null;
  let copy = null;
  try {
    const copyStarted = performance.now();
    live = new Database(source, { readonly: true });
    live.exec("PRAGMA busy_timeout = 5000");
    const sourceVersion = live.query("PRAGMA user_version").get().user_version;
    live.query("VACUUM INTO ?").run(target);
    live.close();
    live = null;
    const fd = openSync(target, "r");
    try { fsyncSync(fd); } finally { closeSync(fd); }
    const copyMs = performance.now() - copyStarted;
    const checkStarted = performance.now();
    copy = new Database(target, { readonly: true });
    const integrity = copy.query("PRAGMA integrity_check").all().map((row) => String(Object.values(row)[0]));
    const copyVersion = copy.query("PRAGMA user_version").get().user_version;
    copy.close();
    copy = null;
    postMessage({ ok: true, sourceVersion, copyVersion, integrity, bytes: statSync(target).size, copyMs, checkMs: performance.now() - checkStarted });
  } catch (error) {
    try { live && live.close(); } catch {}
    try { copy && copy.close(); } catch {}
    postMessage({ ok: false, message: String((error && error.message) || error) });
  }
};
`;

/** The files a copy in progress may have made: the copy and the rollback journal SQLite keeps beside it. */
export function copyFiles(target: string): string[] {
  return [target, `${target}-journal`];
}

/**
 * Runs the copy and its check on a fresh worker thread. Rejects with the SQLite error when the
 * copy fails, and at once when `signal` aborts (a timeout, a shutdown).
 *
 * A worker cannot be stopped inside a SQLite call: after terminate() the VACUUM INTO runs to its
 * end (seconds on a big database) and only then does the thread stop. So an aborted copy's files
 * are removed once the thread has really closed; if the process exits first, the next backup
 * removes them (src/backup/write-backup.ts, stale partial files).
 */
export function copyOnWorker(request: CopyRequest, signal?: AbortSignal): Promise<CopyReport> {
  if (signal?.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
  const url = URL.createObjectURL(new Blob([WORKER_SOURCE], { type: "application/javascript" }));
  const worker = new Worker(url);
  return new Promise<CopyReport>((resolve, reject) => {
    const finish = () => {
      signal?.removeEventListener("abort", onAbort);
      worker.terminate();
      URL.revokeObjectURL(url);
    };
    const onAbort = () => {
      worker.addEventListener("close", () => copyFiles(request.target).forEach((path) => rmSync(path, { force: true })), { once: true });
      finish();
      reject(signal?.reason ?? new Error("aborted"));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    worker.onmessage = (event: MessageEvent<WorkerReply>) => {
      finish();
      const reply = event.data;
      if (reply.ok) {
        const { ok: _ok, ...report } = reply;
        resolve(report);
      } else reject(new Error(reply.message));
    };
    worker.onerror = (event: ErrorEvent) => {
      finish();
      reject(new Error(`the backup worker failed: ${event.message}`));
    };
    worker.postMessage(request);
  });
}
