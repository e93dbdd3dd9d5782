/**
 * The telemetry batch writer: every decoded message (or its rejection) is queued here and written
 * in one SQLite transaction per batch — bounded in rows and milliseconds — together with the
 * vehicle's latest state and its fault lifecycle. Only after the commit is each message's `done`
 * called, which is when a transport acknowledges it (MQTT PUBACK, HTTP 200): nothing a device was
 * told is stored can be lost by a crash.
 *
 * Redeliveries: a QoS 1 message carries a key (connection, packet id, payload hash) that is stored
 * with the batch; a redelivered copy (DUP flag) whose key is already stored is acknowledged and
 * skipped. Positions and readings are keyed by (vehicle, time) and inserted idempotently, so a
 * timestamped duplicate cannot double-count either. A message's readings taken at the same time
 * become one `readings` row (a column per name); the first value stored for a name wins.
 */
import type { Database, Statement } from "bun:sqlite";
import { READING_NAMES, type Dm1Record, type LampState, type TelemetryRecord } from "./records";
import type { TelemetryEvent, TelemetryEvents, VehicleState } from "./events";
import type { Logger } from "../log";

/** What happened to a message before it reached the writer. */
export type Outcome =
  | { kind: "records"; vehicleId: number; deviceId: string; records: TelemetryRecord[] }
  | { kind: "dead"; reason: string };

/** One message on its way to the database. */
export interface IngestItem {
  sourceId: string | null;
  deviceId: string | null;
  topic: string | null;
  payload: Uint8Array;
  receivedAt: number;
  outcome: Outcome;
  /** Redelivery guard: a hash identifying this delivery (set for QoS 1 and 2). */
  key?: Uint8Array;
  /** True when the transport flagged this as a possible redelivery (MQTT DUP). */
  redelivery?: boolean;
  /** Called once after the batch holding this message committed (or failed: then with the error). */
  done?: (error?: Error) => void;
}

export interface WriterOptions {
  /** Most messages in one transaction. */
  maxRows: number;
  /**
   * Most time one transaction may spend writing, in ms; what is left waits for the next one. Keeps
   * the event loop (web pages, the broker) responsive under a flood.
   */
  maxBatchMs: number;
  /**
   * How long the first queued message waits for others before its transaction starts, in ms. 0
   * writes at the end of each event-loop turn (group commit, lowest latency); a few ms gives bigger
   * transactions on slow storage (SD cards), at the cost of latency.
   */
  waitMs?: number;
  /** Longest payload kept in a dead letter, in bytes. */
  deadLetterBytes?: number;
  /** Called after each commit with per-source counts (stored, rejected), for the Sources page. */
  onSourceCounts?: (counts: Map<string, { stored: number; rejected: number }>) => void;
}

/** Counters since start, for /metrics. */
export interface WriterStats {
  messages: number;
  duplicates: number;
  deadLetters: number;
  positions: number;
  readings: number;
  batches: number;
  failedBatches: number;
  lastBatchMs: number;
}

const COLUMN_OF = new Map(READING_NAMES.map((name, index) => [name, index]));
/** Readings mirrored into vehicle_state (the ones dashboards show). */
const STATE_READINGS = ["odometer_km", "engine_hours", "fuel_level_pct", "fuel_used_l", "fuel_rate_lph", "engine_rpm", "coolant_c", "battery_v", "ignition"] as const;
type StateReading = (typeof STATE_READINGS)[number];
const STATE_READING_SET = new Set<string>(STATE_READINGS);

/** A vehicle's cached state plus when each field was measured (older data never overwrites newer). */
interface CachedState {
  state: VehicleState;
  fieldTs: Record<string, number>;
  dirty: boolean;
}

const textDecoder = new TextDecoder("utf-8", { fatal: true });

/** The payload as kept in a dead letter: text when it is UTF-8, else hex; cut to `max` bytes. */
export function deadLetterPayload(payload: Uint8Array, max: number): string {
  const cut = payload.byteLength > max ? payload.subarray(0, max) : payload;
  try {
    return textDecoder.decode(cut);
  } catch {
    // Cutting may split a multi-byte character; hex is honest for binary and broken text alike.
    return `hex:${Buffer.from(cut).toString("hex")}`;
  }
}

export class IngestWriter {
  private queue: IngestItem[] = [];
  private scheduled = false;
  private flushing: Promise<void> | null = null;
  private readonly states = new Map<number, CachedState>();
  private readonly lastDm1 = new Map<string, number>();
  readonly stats: WriterStats = { messages: 0, duplicates: 0, deadLetters: 0, positions: 0, readings: 0, batches: 0, failedBatches: 0, lastBatchMs: 0 };
  private readonly sql: ReturnType<typeof prepare>;
  private closed = false;

  constructor(
    private readonly db: Database,
    private readonly events: TelemetryEvents,
    private readonly log: Logger,
    private readonly options: WriterOptions,
  ) {
    this.sql = prepare(db);
  }

  /**
   * Queues a message; its `done` runs after the commit. Group commit: the queue is written at the
   * end of the current event-loop turn, so a lone message (a device replaying its backlog one by
   * one) is acknowledged at once, and under load each transaction takes everything that arrived
   * while the previous one was written (up to `maxRows` and `maxBatchMs`).
   */
  submit(item: IngestItem): void {
    if (this.closed) {
      item.done?.(new Error("the ingest is shutting down"));
      return;
    }
    this.queue.push(item);
    if (this.queue.length >= this.options.maxRows) void this.flush();
    else if (!this.scheduled) {
      this.scheduled = true;
      const run = () => {
        this.scheduled = false;
        void this.flush();
      };
      if (this.options.waitMs) setTimeout(run, this.options.waitMs);
      else setImmediate(run);
    }
  }

  /** Queues a message and resolves once it is committed (HTTP ingest, tests). */
  write(item: Omit<IngestItem, "done">): Promise<void> {
    return new Promise((resolve, reject) => this.submit({ ...item, done: (error) => (error ? reject(error) : resolve()) }));
  }

  /** Messages waiting for their batch. */
  get pending(): number {
    return this.queue.length;
  }

  /** Writes everything queued now (and waits for a flush in progress). */
  async flush(): Promise<void> {
    while (this.flushing) await this.flushing;
    if (!this.queue.length) return;
    let release!: () => void;
    this.flushing = new Promise((resolve) => (release = resolve));
    try {
      while (this.queue.length) {
        const batch = this.queue.splice(0, this.options.maxRows);
        const written = this.commit(batch);
        // Over the time budget: the rest goes first into the next transaction.
        if (written < batch.length) this.queue.unshift(...batch.slice(written));
      }
    } finally {
      this.flushing = null;
      release();
    }
  }

  /** Flushes and refuses further messages (shutdown). */
  async close(): Promise<void> {
    await this.flush();
    this.closed = true;
  }

  /** Takes messages again after `close()` (the ingest restarted). */
  open(): void {
    this.closed = false;
  }

  /** Forgets cached vehicle state (after an edit that changes which vehicle a device feeds). */
  invalidate(): void {
    this.states.clear();
  }

  /** Writes a batch in one transaction; returns how many of its messages were written (the rest hit the time budget). */
  private commit(batch: IngestItem[]): number {
    const started = performance.now();
    const event: TelemetryEvent = { vehicles: [], faultsChanged: [], deadLetters: 0 };
    const counts = new Map<string, { stored: number; rejected: number }>();
    let written = batch.length;
    try {
      this.db.transaction(() => {
        written = this.writeBatch(batch, event, counts, started + this.options.maxBatchMs);
      })();
    } catch (error) {
      // One bad message must not hold the others hostage: retry one by one, and dead-letter what still fails.
      this.stats.failedBatches++;
      this.log.error("writing a telemetry batch failed; retrying message by message", { error: error as Error, messages: batch.length });
      this.states.clear();
      this.commitOneByOne(batch, event, counts);
      written = batch.length;
    }
    this.finish(batch.slice(0, written), event, counts, started);
    return written;
  }

  private commitOneByOne(batch: IngestItem[], event: TelemetryEvent, counts: Map<string, { stored: number; rejected: number }>): void {
    for (const item of batch) {
      try {
        this.db.transaction(() => this.writeBatch([item], event, counts, Infinity))();
      } catch (error) {
        this.states.clear();
        try {
          const reason = `storing failed: ${(error as Error).message}`;
          this.db.transaction(() => this.writeBatch([{ ...item, outcome: { kind: "dead", reason } }], event, counts, Infinity))();
        } catch (final) {
          // Not even the dead letter could be written (disk full?): do not acknowledge, the sender retries.
          (item as { failed?: Error }).failed = final as Error;
        }
      }
    }
  }

  private finish(batch: IngestItem[], event: TelemetryEvent, counts: Map<string, { stored: number; rejected: number }>, started: number): void {
    this.stats.batches++;
    this.stats.lastBatchMs = performance.now() - started;
    for (const item of batch) {
      const failed = (item as { failed?: Error }).failed;
      try {
        item.done?.(failed);
      } catch (error) {
        this.log.error("acknowledging a message failed", { error: error as Error });
      }
    }
    for (const cached of this.states.values()) {
      if (!cached.dirty) continue;
      cached.dirty = false;
      event.vehicles.push({ ...cached.state });
    }
    if (counts.size) this.options.onSourceCounts?.(counts);
    if (event.vehicles.length || event.faultsChanged.length || event.deadLetters) {
      this.events.publish(event, (error) => this.log.error("a telemetry listener failed", { error: error as Error }));
    }
  }

  /** Writes messages until the batch or the time budget (`deadline`, performance.now() ms) ends; returns how many. */
  private writeBatch(batch: IngestItem[], event: TelemetryEvent, counts: Map<string, { stored: number; rejected: number }>, deadline: number): number {
    const touched = new Map<string, IngestItem>();
    const faultsChanged = new Set<number>();
    let written = 0;
    for (const item of batch) {
      // Checking the clock costs little, but not nothing: look every 64 messages.
      if ((written & 63) === 63 && performance.now() > deadline) break;
      written++;
      this.stats.messages++;
      if (item.key) {
        if (item.redelivery && this.sql.seen.get(item.key)) {
          this.stats.duplicates++;
          continue;
        }
        this.sql.remember.run(item.key, item.receivedAt);
      }
      const count = item.sourceId ? counts.get(item.sourceId) ?? counts.set(item.sourceId, { stored: 0, rejected: 0 }).get(item.sourceId)! : null;
      if (item.outcome.kind === "dead") {
        this.sql.deadLetter.run(item.receivedAt, item.sourceId, item.deviceId, item.topic, deadLetterPayload(item.payload, this.options.deadLetterBytes ?? 2048), item.payload.byteLength, item.outcome.reason.slice(0, 1000));
        this.stats.deadLetters++;
        event.deadLetters++;
        if (count) count.rejected++;
        continue;
      }
      const { vehicleId, deviceId, records } = item.outcome;
      const cached = this.stateOf(vehicleId);
      const readingRows = new Map<number, (number | null)[]>();
      for (const record of records) this.writeRecord(vehicleId, record, cached, faultsChanged, readingRows);
      for (const [ts, values] of readingRows) this.sql.readings.run(vehicleId, ts, ...values);
      if (item.receivedAt > cached.state.last_seen) {
        cached.state.last_seen = item.receivedAt;
        cached.dirty = true;
      }
      touched.set(deviceId, item);
      if (count) count.stored++;
    }
    for (const [deviceId, item] of touched) this.sql.touchDevice.run(item.receivedAt, item.receivedAt, item.sourceId, item.topic, deviceId);
    for (const vehicleId of faultsChanged) {
      const cached = this.stateOf(vehicleId);
      cached.state.active_faults = (this.sql.countActive.get(vehicleId) as { n: number }).n;
      cached.dirty = true;
    }
    for (const [vehicleId, cached] of this.states) {
      if (!cached.dirty) continue;
      const s = cached.state;
      this.sql.upsertState.run(vehicleId, s.last_seen, s.position_ts, s.lat, s.lon, s.speed_kmh, s.heading, s.odometer_km, s.engine_hours, s.fuel_level_pct, s.fuel_used_l, s.fuel_rate_lph, s.engine_rpm, s.coolant_c, s.battery_v, s.ignition, JSON.stringify(cached.fieldTs), s.active_faults, Date.now());
    }
    event.faultsChanged.push(...faultsChanged);
    return written;
  }

  /** Writes a position or a DM1; a reading goes into `readingRows` (its time's row, written after the message). */
  private writeRecord(vehicleId: number, record: TelemetryRecord, cached: CachedState, faultsChanged: Set<number>, readingRows: Map<number, (number | null)[]>): void {
    const state = cached.state;
    switch (record.type) {
      case "position": {
        this.sql.position.run(vehicleId, record.ts, Math.round(record.lat * 1e6), Math.round(record.lon * 1e6), record.speed_kmh === undefined ? null : Math.round(record.speed_kmh * 10), record.heading_deg === undefined ? null : Math.round(record.heading_deg) % 360, record.altitude_m === undefined ? null : Math.round(record.altitude_m), record.accuracy_m === undefined ? null : Math.round(record.accuracy_m));
        this.stats.positions++;
        if (state.position_ts === null || record.ts >= state.position_ts) {
          state.position_ts = record.ts;
          state.lat = record.lat;
          state.lon = record.lon;
          state.speed_kmh = record.speed_kmh ?? null;
          state.heading = record.heading_deg ?? null;
          cached.dirty = true;
        }
        return;
      }
      case "reading": {
        let row = readingRows.get(record.ts);
        if (!row) readingRows.set(record.ts, (row = new Array<number | null>(READING_NAMES.length).fill(null)));
        const column = COLUMN_OF.get(record.name)!;
        if (row[column] !== null) return; // the same name twice at one time: the first counts, as in storage
        row[column] = record.value;
        this.stats.readings++;
        if (STATE_READING_SET.has(record.name) && record.ts >= (cached.fieldTs[record.name] ?? 0)) {
          cached.fieldTs[record.name] = record.ts;
          state[record.name as StateReading] = record.value;
          cached.dirty = true;
        }
        return;
      }
      case "dm1":
        if (this.applyDm1(vehicleId, record)) faultsChanged.add(vehicleId);
        return;
    }
  }

  /**
   * Fault lifecycle for one DM1: it lists every active code of its source address, so codes it
   * lists are active (new ones inserted, known ones refreshed) and active codes it does not list
   * have cleared at its time. An older DM1 arriving late is ignored. Returns true when the set of
   * active codes changed.
   */
  private applyDm1(vehicleId: number, dm1: Dm1Record): boolean {
    const key = `${vehicleId}:${dm1.source_address}`;
    const last = this.lastDm1.get(key) ?? (this.sql.lastDm1.get(vehicleId, dm1.source_address) as { ts: number | null } | null)?.ts ?? 0;
    if (dm1.ts < last) return false;
    this.lastDm1.set(key, dm1.ts);
    const active = this.sql.activeFaults.all(vehicleId, dm1.source_address) as { id: number; spn: number; fmi: number }[];
    const byCode = new Map(active.map((row) => [`${row.spn}:${row.fmi}`, row.id]));
    const lamps: [LampState, LampState, LampState, LampState] = [dm1.lamps.mil, dm1.lamps.red_stop, dm1.lamps.amber_warning, dm1.lamps.protect];
    let changed = false;
    const listed = new Set<string>();
    for (const dtc of dm1.faults) {
      const code = `${dtc.spn}:${dtc.fmi}`;
      if (listed.has(code)) continue;
      listed.add(code);
      const id = byCode.get(code);
      if (id !== undefined) this.sql.refreshFault.run(dtc.oc, dtc.cm, ...lamps, dm1.ts, id);
      else {
        this.sql.insertFault.run(vehicleId, dm1.source_address, dtc.spn, dtc.fmi, dtc.oc, dtc.cm, ...lamps, dm1.ts, dm1.ts);
        changed = true;
      }
    }
    for (const [code, id] of byCode) {
      if (listed.has(code)) continue;
      this.sql.clearFault.run(dm1.ts, id);
      changed = true;
    }
    return changed;
  }

  private stateOf(vehicleId: number): CachedState {
    let cached = this.states.get(vehicleId);
    if (cached) return cached;
    const row = this.sql.readState.get(vehicleId) as (VehicleState & { reading_ts: string }) | null;
    if (row) {
      const { reading_ts, ...state } = row;
      let fieldTs: Record<string, number> = {};
      try {
        fieldTs = JSON.parse(reading_ts);
      } catch {}
      cached = { state, fieldTs, dirty: false };
    } else {
      cached = {
        state: { vehicle_id: vehicleId, last_seen: 0, position_ts: null, lat: null, lon: null, speed_kmh: null, heading: null, odometer_km: null, engine_hours: null, fuel_level_pct: null, fuel_used_l: null, fuel_rate_lph: null, engine_rpm: null, coolant_c: null, battery_v: null, ignition: null, active_faults: 0 },
        fieldTs: {},
        dirty: true,
      };
    }
    // Bounded: a fleet is at most a few hundred vehicles; a stray flood of ids must not grow memory forever.
    if (this.states.size > 2000) this.states.clear();
    this.states.set(vehicleId, cached);
    return cached;
  }
}

/** Every statement the writer runs, prepared once. */
function prepare(db: Database) {
  const q = (sql: string): Statement => db.prepare(sql);
  return {
    seen: q("SELECT 1 FROM ingest_seen WHERE hash = ?"),
    remember: q("INSERT OR IGNORE INTO ingest_seen (hash, received_at) VALUES (?, ?)"),
    deadLetter: q("INSERT INTO dead_letters (received_at, source_id, device_id, topic, payload, payload_bytes, reason) VALUES (?, ?, ?, ?, ?, ?, ?)"),
    position: q("INSERT OR IGNORE INTO positions (vehicle_id, ts, lat_e6, lon_e6, speed_dkmh, heading, altitude_m, accuracy_m) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"),
    // A row for this vehicle and time already stored (a redelivery, or a later message with more
    // readings of the same moment) keeps its values and gains the names it lacked.
    readings: q(`INSERT INTO readings (vehicle_id, ts, ${READING_NAMES.join(", ")}) VALUES (?, ?${", ?".repeat(READING_NAMES.length)})
      ON CONFLICT (vehicle_id, ts) DO UPDATE SET ${READING_NAMES.map((name) => `${name} = coalesce(${name}, excluded.${name})`).join(", ")}`),
    touchDevice: q("UPDATE devices SET last_seen = max(coalesce(last_seen, 0), ?), first_seen = coalesce(first_seen, ?), last_source = ?, last_topic = ? WHERE id = ?"),
    activeFaults: q("SELECT id, spn, fmi FROM faults WHERE vehicle_id = ? AND source_address = ? AND cleared_at IS NULL"),
    lastDm1: q("SELECT max(last_seen) AS ts FROM faults WHERE vehicle_id = ? AND source_address = ?"),
    insertFault: q("INSERT INTO faults (vehicle_id, source_address, spn, fmi, oc, cm, lamp_mil, lamp_red_stop, lamp_amber_warning, lamp_protect, first_seen, last_seen) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"),
    refreshFault: q("UPDATE faults SET oc = ?, cm = ?, lamp_mil = ?, lamp_red_stop = ?, lamp_amber_warning = ?, lamp_protect = ?, last_seen = max(last_seen, ?) WHERE id = ?"),
    clearFault: q("UPDATE faults SET cleared_at = ? WHERE id = ?"),
    countActive: q("SELECT count(*) AS n FROM faults WHERE vehicle_id = ? AND cleared_at IS NULL"),
    readState: q("SELECT vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, heading, odometer_km, engine_hours, fuel_level_pct, fuel_used_l, fuel_rate_lph, engine_rpm, coolant_c, battery_v, ignition, reading_ts, active_faults FROM vehicle_state WHERE vehicle_id = ?"),
    upsertState: q(`INSERT INTO vehicle_state (vehicle_id, last_seen, position_ts, lat, lon, speed_kmh, heading, odometer_km, engine_hours, fuel_level_pct, fuel_used_l, fuel_rate_lph, engine_rpm, coolant_c, battery_v, ignition, reading_ts, active_faults, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (vehicle_id) DO UPDATE SET last_seen = excluded.last_seen, position_ts = excluded.position_ts, lat = excluded.lat, lon = excluded.lon, speed_kmh = excluded.speed_kmh, heading = excluded.heading,
        odometer_km = excluded.odometer_km, engine_hours = excluded.engine_hours, fuel_level_pct = excluded.fuel_level_pct, fuel_used_l = excluded.fuel_used_l, fuel_rate_lph = excluded.fuel_rate_lph,
        engine_rpm = excluded.engine_rpm, coolant_c = excluded.coolant_c, battery_v = excluded.battery_v, ignition = excluded.ignition, reading_ts = excluded.reading_ts, active_faults = excluded.active_faults, updated_at = excluded.updated_at`),
  };
}
