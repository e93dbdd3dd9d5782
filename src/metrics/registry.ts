/**
 * A small Prometheus registry: counters, gauges and histograms with labels, plus collectors that
 * produce values when /metrics is scraped, rendered in the text exposition format (version 0.0.4).
 *
 * Written here rather than taken from prom-client because what we need is about 200 lines, has no
 * Node-only dependencies to trip `bun build --compile`, and lets the plugin host and scheduler add
 * their own series through one obvious API.
 *
 * Usage (names end in _total for counters and carry their unit, e.g. _seconds; keep label values
 * bounded: source ids and job names, never URLs or error texts):
 *
 *   const polls = deps.metrics.counter("haulbox_source_polls_total", "Polls per source and outcome.", ["source", "outcome"]);
 *   polls.inc({ source: "dat", outcome: "ok" });
 *   deps.metrics.histogram("haulbox_job_duration_seconds", "Job run time.", ["job"]).observe({ job: "backup" }, 1.8);
 *   deps.metrics.registerCollector(() => [
 *     { name: "haulbox_sources_failing", help: "Sources currently failing.", type: "gauge", samples: [{ value: failingCount() }] },
 *   ]);
 */

/** Label names to values for one series, e.g. `{ source: "dat", outcome: "ok" }`. */
export type Labels = Record<string, string | number>;

/** The metric types Prometheus understands in the text format. */
export type MetricType = "counter" | "gauge" | "histogram" | "untyped";

/** One value of a metric family at scrape time. */
export interface Sample {
  labels?: Labels;
  value: number;
  /** Suffix for histogram parts (`_bucket`, `_sum`, `_count`); empty for plain samples. */
  suffix?: string;
}

/** A metric family as a collector returns it: name, help, type and its samples. */
export interface MetricFamily {
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

/** Something that yields metric families when /metrics is scraped (reads live state, never mutates). */
export type Collector = () => MetricFamily[] | Promise<MetricFamily[]>;

/** Default latency buckets in seconds: 5 ms to 10 s, enough to tell a fast page from a stuck one. */
export const DEFAULT_SECONDS_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/** A metric with a fixed set of label names; series are keyed by their label values. */
abstract class LabelledMetric {
  constructor(readonly name: string, readonly help: string, readonly labelNames: readonly string[]) {
    if (!NAME.test(name)) throw new Error(`invalid metric name ${JSON.stringify(name)}`);
    for (const label of labelNames) if (!LABEL_NAME.test(label) || label.startsWith("__")) throw new Error(`invalid label name ${JSON.stringify(label)} on ${name}`);
  }

  /** The series key for these labels; refuses missing or unexpected label names so typos fail loudly. */
  protected key(labels: Labels = {}): string {
    const given = Object.keys(labels);
    if (given.length !== this.labelNames.length || !given.every((l) => this.labelNames.includes(l))) {
      throw new Error(`metric ${this.name} takes labels {${this.labelNames.join(", ")}}, got {${given.join(", ")}}`);
    }
    return JSON.stringify(this.labelNames.map((l) => String(labels[l])));
  }

  /** Label values back from a series key. */
  protected labelsOf(key: string): Labels {
    const values = JSON.parse(key) as string[];
    return Object.fromEntries(this.labelNames.map((l, i) => [l, values[i]!]));
  }

  /** The family with its current samples. */
  abstract collect(): MetricFamily;
}

/** A value that only goes up (requests served, polls run, records ingested). */
export class Counter extends LabelledMetric {
  private readonly values = new Map<string, number>();

  /** Adds `amount` (default 1; never negative) to the series with these labels. */
  inc(labels?: Labels, amount = 1): void {
    if (!(amount >= 0)) throw new Error(`counter ${this.name} can only go up (got ${amount})`);
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }

  /** The current value of one series (0 when never incremented); for tests and status pages. */
  get(labels?: Labels): number {
    return this.values.get(this.key(labels)) ?? 0;
  }

  collect(): MetricFamily {
    return { name: this.name, help: this.help, type: "counter", samples: [...this.values].map(([key, value]) => ({ labels: this.labelsOf(key), value })) };
  }
}

/** A value that goes up and down (queue length, sources failing, last success time). */
export class Gauge extends LabelledMetric {
  private readonly values = new Map<string, number>();

  /** Sets the series with these labels to `value`. */
  set(labels: Labels | undefined, value: number): void {
    this.values.set(this.key(labels), value);
  }

  /** Adds `amount` (default 1). */
  inc(labels?: Labels, amount = 1): void {
    const key = this.key(labels);
    this.values.set(key, (this.values.get(key) ?? 0) + amount);
  }

  /** Subtracts `amount` (default 1). */
  dec(labels?: Labels, amount = 1): void {
    this.inc(labels, -amount);
  }

  /** Drops one series (a source that was removed from the config). */
  remove(labels: Labels): void {
    this.values.delete(this.key(labels));
  }

  /** The current value of one series, or undefined. */
  get(labels?: Labels): number | undefined {
    return this.values.get(this.key(labels));
  }

  collect(): MetricFamily {
    return { name: this.name, help: this.help, type: "gauge", samples: [...this.values].map(([key, value]) => ({ labels: this.labelsOf(key), value })) };
  }
}

/** Observations counted into cumulative buckets (request latency, poll duration). */
export class Histogram extends LabelledMetric {
  private readonly series = new Map<string, { counts: number[]; sum: number; count: number }>();
  readonly buckets: readonly number[];

  constructor(name: string, help: string, labelNames: readonly string[], buckets: readonly number[] = DEFAULT_SECONDS_BUCKETS) {
    super(name, help, labelNames);
    if (labelNames.includes("le")) throw new Error(`histogram ${name} cannot use the label "le"`);
    this.buckets = [...buckets].sort((a, b) => a - b);
  }

  /** Records one observation (seconds, for the latency histograms). */
  observe(labels: Labels | undefined, value: number): void {
    const key = this.key(labels);
    let entry = this.series.get(key);
    if (!entry) this.series.set(key, (entry = { counts: this.buckets.map(() => 0), sum: 0, count: 0 }));
    for (let i = 0; i < this.buckets.length; i++) if (value <= this.buckets[i]!) entry.counts[i]!++;
    entry.sum += value;
    entry.count++;
  }

  /** Count and sum of one series; for tests. */
  get(labels?: Labels): { count: number; sum: number } {
    const entry = this.series.get(this.key(labels));
    return { count: entry?.count ?? 0, sum: entry?.sum ?? 0 };
  }

  collect(): MetricFamily {
    const samples: Sample[] = [];
    for (const [key, entry] of this.series) {
      const labels = this.labelsOf(key);
      this.buckets.forEach((bound, i) => samples.push({ suffix: "_bucket", labels: { ...labels, le: formatNumber(bound) }, value: entry.counts[i]! }));
      samples.push({ suffix: "_bucket", labels: { ...labels, le: "+Inf" }, value: entry.count });
      samples.push({ suffix: "_sum", labels, value: entry.sum });
      samples.push({ suffix: "_count", labels, value: entry.count });
    }
    return { name: this.name, help: this.help, type: "histogram", samples };
  }
}

/**
 * The appliance's metrics. Features create their metrics once (asking again for the same name and
 * type returns the existing one, so a restarted plugin host keeps its counts) and may register
 * collectors for values best read at scrape time.
 */
export class Metrics {
  private readonly metrics = new Map<string, Counter | Gauge | Histogram>();
  private readonly collectors: Collector[] = [];

  /** A counter; `labelNames` fixes which labels every `inc` must give. */
  counter(name: string, help: string, labelNames: readonly string[] = []): Counter {
    return this.getOrCreate(name, Counter, () => new Counter(name, help, labelNames));
  }

  /** A gauge with these label names. */
  gauge(name: string, help: string, labelNames: readonly string[] = []): Gauge {
    return this.getOrCreate(name, Gauge, () => new Gauge(name, help, labelNames));
  }

  /** A histogram with these label names and bucket upper bounds (default: seconds, 5 ms–10 s). */
  histogram(name: string, help: string, labelNames: readonly string[] = [], buckets?: readonly number[]): Histogram {
    return this.getOrCreate(name, Histogram, () => new Histogram(name, help, labelNames, buckets));
  }

  /** Adds a function called on every scrape; returns a function that removes it again. */
  registerCollector(collector: Collector): () => void {
    this.collectors.push(collector);
    return () => {
      const index = this.collectors.indexOf(collector);
      if (index >= 0) this.collectors.splice(index, 1);
    };
  }

  /** Every family: registered metrics first, then collectors. A failing collector is skipped, not fatal. */
  async collect(): Promise<{ families: MetricFamily[]; failedCollectors: number }> {
    const families = [...this.metrics.values()].map((metric) => metric.collect());
    let failedCollectors = 0;
    for (const collector of this.collectors) {
      try {
        families.push(...(await collector()));
      } catch {
        failedCollectors++;
      }
    }
    return { families, failedCollectors };
  }

  /** The whole registry in Prometheus text format. */
  async render(): Promise<string> {
    const { families, failedCollectors } = await this.collect();
    families.push({ name: "haulbox_metrics_collector_errors", help: "Collectors that failed during this scrape.", type: "gauge", samples: [{ value: failedCollectors }] });
    return renderText(families);
  }

  private getOrCreate<M extends Counter | Gauge | Histogram>(name: string, kind: new (...args: any[]) => M, create: () => M): M {
    const existing = this.metrics.get(name);
    if (existing) {
      if (!(existing instanceof kind)) throw new Error(`metric ${name} is already registered as a different type`);
      return existing;
    }
    const metric = create();
    this.metrics.set(name, metric);
    return metric;
  }
}

/** Formats a number the way Prometheus parses it (+Inf, -Inf, NaN, plain decimals). */
export function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

/** Escapes a label value: backslash, double quote and newline. */
function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

/** Escapes HELP text: backslash and newline. */
function escapeHelp(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/\n/g, "\\n");
}

/**
 * Renders families in the text exposition format. Families with the same name (a metric and a
 * collector both naming it) are merged under one HELP/TYPE header, as the format requires.
 */
export function renderText(families: MetricFamily[]): string {
  const byName = new Map<string, MetricFamily>();
  for (const family of families) {
    if (!NAME.test(family.name)) continue;
    const existing = byName.get(family.name);
    if (existing) existing.samples.push(...family.samples);
    else byName.set(family.name, { ...family, samples: [...family.samples] });
  }
  const lines: string[] = [];
  for (const family of byName.values()) {
    lines.push(`# HELP ${family.name} ${escapeHelp(family.help)}`);
    lines.push(`# TYPE ${family.name} ${family.type}`);
    for (const sample of family.samples) {
      const labels = Object.entries(sample.labels ?? {}).filter(([name]) => LABEL_NAME.test(name));
      const labelText = labels.length ? `{${labels.map(([name, value]) => `${name}="${escapeLabelValue(String(value))}"`).join(",")}}` : "";
      lines.push(`${family.name}${sample.suffix ?? ""}${labelText} ${formatNumber(sample.value)}`);
    }
  }
  return lines.join("\n") + "\n";
}
