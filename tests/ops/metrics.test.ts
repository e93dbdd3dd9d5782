/** /metrics: Prometheus text format, route-pattern labels, auth, standard series, and the registry colleagues use. */
import { afterEach, describe, expect, test } from "bun:test";
import { statSync } from "node:fs";
import { testApp, type TestApp } from "../helpers/app";
import { Metrics, renderText } from "../../src/metrics/registry";
import { UNMATCHED_ROUTE } from "../../src/metrics/http";
import { COMMIT, VERSION } from "../../src/version";

let t: TestApp | undefined;
afterEach(() => {
  t?.cleanup();
  t = undefined;
});

/** One line of the text exposition format: `name{labels} value`, a HELP/TYPE comment, or blank. */
const SAMPLE_LINE = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\{([a-zA-Z_][a-zA-Z0-9_]*="([^"\\\n]|\\["\\n])*",?)*\})? (-?[0-9.e+-]+|\+Inf|-Inf|NaN)$/;
const COMMENT_LINE = /^# (HELP [a-zA-Z_:][a-zA-Z0-9_:]* .*|TYPE [a-zA-Z_:][a-zA-Z0-9_:]* (counter|gauge|histogram|summary|untyped))$/;

/** Checks every line parses and returns the samples as `series → value`. */
function parseExposition(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  expect(text.endsWith("\n")).toBe(true);
  for (const line of text.trimEnd().split("\n")) {
    if (line.startsWith("#")) {
      expect(line).toMatch(COMMENT_LINE);
      continue;
    }
    expect(line).toMatch(SAMPLE_LINE);
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** Scrapes /metrics with a fresh viewer token (what Prometheus would hold). */
async function scrape(app: TestApp): Promise<Map<string, number>> {
  await Bun.sleep(5); // after-response hooks run once the response is handed back
  const response = await app.request("GET", "/metrics", { token: app.token("viewer") });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toStartWith("text/plain; version=0.0.4");
  return parseExposition(await response.text());
}

describe("GET /metrics", () => {
  test("requires auth: anonymous is refused with the JSON error shape, a Bearer token is served", async () => {
    t = await testApp();
    const anonymous = await t.request("GET", "/metrics");
    expect(anonymous.status).toBe(401);
    expect(((await anonymous.json()) as any).error.code).toBe("unauthorized");
    const withToken = await t.request("GET", "/metrics", { token: t.token("viewer") });
    expect(withToken.status).toBe(200);
  });

  test("requests are counted by route pattern, not raw URL; unknown paths share one 'unmatched' series", async () => {
    t = await testApp();
    const owner = t.token("owner");
    for (const id of [101, 102, 103]) expect((await t.request("DELETE", `/api/v1/tokens/${id}`, { token: owner })).status).toBe(404);
    for (let i = 0; i < 20; i++) await t.request("GET", `/wp-admin/probe-${i}.php`, { token: owner });
    await t.request("GET", "/healthz");
    await t.request("GET", "/api/v1/me", { token: owner });

    const samples = await scrape(t);
    expect(samples.get('haulbox_http_requests_total{method="DELETE",route="/api/v1/tokens/:id",status="404"}')).toBe(3);
    expect(samples.get(`haulbox_http_requests_total{method="GET",route="${UNMATCHED_ROUTE}",status="404"}`)).toBe(20);
    expect(samples.get('haulbox_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(samples.get('haulbox_http_requests_total{method="GET",route="/api/v1/me",status="200"}')).toBe(1);
    const series = [...samples.keys()].filter((key) => key.startsWith("haulbox_http_requests_total"));
    expect(series.some((key) => key.includes("probe-") || key.includes("/101"))).toBe(false);
  });

  test("statuses come from what the client got: 401 from the guard, 422 from validation, 403 read-only", async () => {
    t = await testApp();
    await t.request("GET", "/api/v1/me");
    await t.request("POST", "/api/v1/tokens", { token: t.token("owner"), json: { name: 7 } });
    await t.request("POST", "/api/v1/tokens", { token: t.token("viewer"), json: { name: "x", role: "viewer" } });
    const samples = await scrape(t);
    expect(samples.get('haulbox_http_requests_total{method="GET",route="/api/v1/me",status="401"}')).toBe(1);
    expect(samples.get('haulbox_http_requests_total{method="POST",route="/api/v1/tokens",status="422"}')).toBe(1);
    expect(samples.get('haulbox_http_requests_total{method="POST",route="/api/v1/tokens",status="403"}')).toBe(1);
  });

  test("latency histogram has cumulative buckets ending in +Inf equal to the count", async () => {
    t = await testApp();
    for (let i = 0; i < 4; i++) await t.request("GET", "/healthz");
    const samples = await scrape(t);
    const buckets = [...samples].filter(([key]) => key.startsWith('haulbox_http_request_duration_seconds_bucket{method="GET",route="/healthz"'));
    expect(buckets.length).toBeGreaterThan(5);
    const values = buckets.map(([, value]) => value);
    expect(values).toEqual([...values].sort((a, b) => a - b));
    expect(samples.get('haulbox_http_request_duration_seconds_bucket{method="GET",route="/healthz",le="+Inf"}')).toBe(4);
    expect(samples.get('haulbox_http_request_duration_seconds_count{method="GET",route="/healthz"}')).toBe(4);
    expect(samples.get('haulbox_http_request_duration_seconds_sum{method="GET",route="/healthz"}')).toBeGreaterThan(0);
  });

  test("process memory, database size (main file plus WAL) and build info", async () => {
    t = await testApp();
    const samples = await scrape(t);
    expect(samples.get("process_resident_memory_bytes")).toBeGreaterThan(1_000_000);
    const file = t.deps.db.filename;
    const onDisk = statSync(file).size + statSync(`${file}-wal`).size;
    expect(samples.get("haulbox_database_size_bytes")).toBe(onDisk);
    expect(samples.get(`haulbox_build_info{version="${VERSION}",commit="${COMMIT}"}`)).toBe(1);
  });

  test("features add their own series through deps.metrics (per-source and per-job counters)", async () => {
    t = await testApp();
    const polls = t.deps.metrics.counter("haulbox_source_polls_total", "Polls run per source and outcome.", ["source", "outcome"]);
    polls.inc({ source: "dat", outcome: "ok" });
    polls.inc({ source: "dat", outcome: "ok" });
    polls.inc({ source: "dat", outcome: "error" });
    // Asking again for the same metric returns the same one (a restarted host keeps counting).
    t.deps.metrics.counter("haulbox_source_polls_total", "Polls run per source and outcome.", ["source", "outcome"]).inc({ source: "csv", outcome: "ok" });
    t.deps.metrics.registerCollector(() => [{ name: "haulbox_job_running", help: "1 while a job runs.", type: "gauge", samples: [{ labels: { job: "retention" }, value: 0 }] }]);
    const samples = await scrape(t);
    expect(samples.get('haulbox_source_polls_total{source="dat",outcome="ok"}')).toBe(2);
    expect(samples.get('haulbox_source_polls_total{source="dat",outcome="error"}')).toBe(1);
    expect(samples.get('haulbox_source_polls_total{source="csv",outcome="ok"}')).toBe(1);
    expect(samples.get('haulbox_job_running{job="retention"}')).toBe(0);
  });
});

describe("Metrics registry", () => {
  test("renders HELP and TYPE once per family and escapes label values and help text", async () => {
    const metrics = new Metrics();
    metrics.counter("jobs_total", "Runs\\per job\nby name.", ["job"]).inc({ job: 'say "hi"\\\nbye' });
    metrics.gauge("queue_length", "Items waiting.").set(undefined, 3);
    const text = await metrics.render();
    expect(text).toContain("# HELP jobs_total Runs\\\\per job\\nby name.\n# TYPE jobs_total counter\n");
    expect(text).toContain('jobs_total{job="say \\"hi\\"\\\\\\nbye"} 1\n');
    expect(text).toContain("# TYPE queue_length gauge\nqueue_length 3\n");
    parseExposition(text);
  });

  test("refuses wrong labels, negative counter steps and a name reused with another type", () => {
    const metrics = new Metrics();
    const counter = metrics.counter("polls_total", "Polls.", ["source"]);
    expect(() => counter.inc({ sorce: "x" } as any)).toThrow(/takes labels \{source\}/);
    expect(() => counter.inc({ source: "x" }, -1)).toThrow(/only go up/);
    expect(() => metrics.gauge("polls_total", "Polls.")).toThrow(/different type/);
    expect(() => metrics.counter("bad-name", "x")).toThrow(/invalid metric name/);
    expect(() => metrics.histogram("latency", "x", ["le"])).toThrow(/le/);
  });

  test("a failing collector is counted and skipped; the others still render; unregistering works", async () => {
    const metrics = new Metrics();
    metrics.registerCollector(() => {
      throw new Error("plugin host not ready");
    });
    const remove = metrics.registerCollector(async () => [{ name: "sources_failing", help: "Sources failing.", type: "gauge", samples: [{ value: 2 }] }]);
    let text = await metrics.render();
    expect(text).toContain("sources_failing 2\n");
    expect(text).toContain("haulbox_metrics_collector_errors 1\n");
    remove();
    text = await metrics.render();
    expect(text).not.toContain("sources_failing");
  });

  test("families with the same name from two places merge under one header; special values", () => {
    const text = renderText([
      { name: "x_total", help: "X.", type: "counter", samples: [{ labels: { a: "1" }, value: 1 }] },
      { name: "x_total", help: "X.", type: "counter", samples: [{ labels: { a: "2" }, value: Infinity }] },
      { name: "y", help: "Y.", type: "gauge", samples: [{ value: NaN }] },
    ]);
    expect(text.match(/# TYPE x_total/g)?.length).toBe(1);
    expect(text).toContain('x_total{a="2"} +Inf\n');
    expect(text).toContain("y NaN\n");
  });

  test("histogram buckets are cumulative", async () => {
    const metrics = new Metrics();
    const histogram = metrics.histogram("poll_seconds", "Poll time.", ["source"], [0.1, 1]);
    for (const seconds of [0.05, 0.5, 0.5, 3]) histogram.observe({ source: "dat" }, seconds);
    const text = await metrics.render();
    expect(text).toContain('poll_seconds_bucket{source="dat",le="0.1"} 1\n');
    expect(text).toContain('poll_seconds_bucket{source="dat",le="1"} 3\n');
    expect(text).toContain('poll_seconds_bucket{source="dat",le="+Inf"} 4\n');
    expect(text).toContain('poll_seconds_sum{source="dat"} 4.05\n');
    expect(text).toContain('poll_seconds_count{source="dat"} 4\n');
  });
});
