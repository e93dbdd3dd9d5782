/**
 * Load-board source for any HTTP API that answers JSON: on the source's schedule it sends the
 * configured request (GET or POST, templated query and body, credentials), walks the pages, and
 * turns every item into a canonical load through the shared field mapping (src/loads/mapping.ts).
 * `preset: coyote` fills in everything Coyote's public API description settles.
 *
 * One bad item costs a `rejected` entry naming its page and place, never the poll; the poll fails
 * only when the API does (an HTTP error, an answer that is not JSON, a timeout), with a message
 * an owner can act on and no secret in it. A poll that read every page says `complete`, so the
 * core expires loads the board no longer lists — unless the request only asks for what changed
 * since the last poll (a `{{since…}}` template), which can never be complete.
 *
 * The HTTP side (http.ts, auth.ts, pagination.ts, templates.ts) knows nothing about loads; this
 * file joins it to the mapping and to Haulbox's plugin host.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { definePlugin } from "../../src/plugins/define";
import type { LoadboardOutput, PollContext, RejectedItem } from "../../src/plugins/types";
import { loadProblem } from "../../src/loads/records";
import { applyMapping, compileMapping, FieldMappingSchema, getPath, unmappedRequiredTargets, type CompiledMapping } from "../../src/loads/mapping";
import { VERSION } from "../../src/version";
import { AuthSchema, createAuth, type Authenticator } from "./auth";
import { parseJson, Redactor, send, SourceError, statusError, type HttpAnswer } from "./http";
import { Pager, PaginationSchema, type PagePosition } from "./pagination";
import { checkTemplate, renderTemplate, renderText, SINCE_VARIABLES, type TemplateValues, type TemplateVariable } from "./templates";
import { PRESETS } from "./presets";

/** Without a successful poll yet, `since` looks back one day: long enough for a board's open loads, short enough to be one page. */
const FIRST_SINCE_MS = 24 * 3_600_000;
const DEFAULT_TIMEOUT_SECONDS = 30;
const DEFAULT_MAX_PAGES = 50;
/** A rejected item keeps this much of its JSON for the dead-letter view (the schema's limit). */
const RAW_CHARS = 4000;
/** Header and query names whose values are credentials, whatever auth kind is used. */
const SECRET_NAME = /authorization|cookie|pass(word|wd)?|secret|token|api[-_]?key|^key$/i;

const Scalar = T.Union([T.String(), T.Number(), T.Boolean()]);

/** The source's options. Keys a preset may fill have no schema default: what the owner wrote must stay visible next to the preset's. */
export const HttpJsonOptionsSchema = T.Object(
  {
    preset: T.Optional(T.Union(Object.keys(PRESETS).map((name) => T.Literal(name)), { description: `A known API whose options are filled in (the YAML overrides them): ${Object.keys(PRESETS).join(", ")}.` })),
    url: T.Optional(T.String({ minLength: 1, description: "The API address the loads are fetched from; may hold templates like {{now_iso}}." })),
    method: T.Optional(T.Union([T.Literal("GET"), T.Literal("POST")], { description: "GET (the default) or POST." })),
    headers: T.Optional(T.Record(T.String({ minLength: 1 }), T.String(), { description: "Extra request headers; values may hold templates." })),
    query: T.Optional(T.Record(T.String({ minLength: 1 }), Scalar, { description: "Query parameters added to url; values may hold templates like {{since_iso}}." })),
    body: T.Optional(
      T.Union([T.String(), T.Record(T.String(), T.Unknown()), T.Array(T.Unknown())], {
        description: "The JSON body sent with POST (an object, or text sent as it is); strings in it may hold templates.",
      }),
    ),
    items_path: T.Optional(T.String({ description: "Where the list of loads is in the answer, like data.loads; empty (the default) when the answer is the list." })),
    fields: T.Optional(FieldMappingSchema),
    require: T.Optional(
      T.Record(T.String({ minLength: 1 }), T.Union([Scalar, T.Array(Scalar, { minItems: 1 })]), {
        description: "Values an item must have to be used, by path (like loadDetails.rate.currencyType: USD); an item with another value is rejected, one without the path passes.",
      }),
    ),
    time_zone: T.Optional(T.String({ minLength: 1, description: "The IANA time zone local dates in the answer are read in (default America/Chicago)." })),
    timeout_seconds: T.Optional(T.Number({ minimum: 1, maximum: 600, description: `How long one request may take, seconds (default ${DEFAULT_TIMEOUT_SECONDS}).` })),
    max_pages: T.Optional(T.Integer({ minimum: 1, maximum: 10_000, description: `The most pages one poll reads, a safety cap (default ${DEFAULT_MAX_PAGES}).` })),
    auth: T.Optional(AuthSchema),
    pagination: T.Optional(PaginationSchema),
  },
  { additionalProperties: false },
);
/** The source's options as the YAML gives them. */
export type HttpJsonOptions = Static<typeof HttpJsonOptionsSchema>;

/** What the source needs from outside, replaceable in tests. */
export interface SourceDeps {
  /** The clock, epoch ms: templates' `now` and token expiry. */
  now: () => number;
}

/** A configured source, ready to poll. */
export interface HttpJsonSource {
  poll(ctx: PollContext): Promise<LoadboardOutput>;
}

const isPlainObject = (value: unknown): value is Record<string, unknown> => !!value && typeof value === "object" && !Array.isArray(value);

/** Merges objects key by key, `depth` levels down; below that, and for anything else, `own` replaces `base`. */
function merge(base: unknown, own: unknown, depth: number): unknown {
  if (own === undefined) return base;
  if (depth <= 0 || !isPlainObject(base) || !isPlainObject(own)) return own;
  const out: Record<string, unknown> = { ...base };
  for (const [key, value] of Object.entries(own)) out[key] = merge(base[key], value, depth - 1);
  return out;
}

/**
 * A preset's options with the owner's on top. Maps merge key by key (headers, query, require),
 * `fields` per target field (a field the owner maps replaces the preset's spec for it whole),
 * `body` all the way down, and `auth` and `pagination` per key unless the owner picks another
 * kind, which replaces them. Everything else the owner sets replaces the preset's value.
 */
export function mergePreset(presetOptions: Omit<HttpJsonOptions, "preset">, own: HttpJsonOptions): HttpJsonOptions {
  const merged: Record<string, unknown> = { ...presetOptions };
  for (const [key, value] of Object.entries(own) as [keyof HttpJsonOptions, unknown][]) {
    if (key === "preset") continue;
    const base = presetOptions[key as keyof typeof presetOptions];
    if (key === "body") merged[key] = merge(base, value, Infinity);
    else if (key === "auth" || key === "pagination") {
      const sameKind = !(value as { kind?: string }).kind || (value as { kind?: string }).kind === (base as { kind?: string } | undefined)?.kind;
      merged[key] = sameKind ? merge(base, value, 1) : value;
    } else if (key === "headers" || key === "query" || key === "require" || key === "fields") merged[key] = merge(base, value, 1);
    else merged[key] = value;
  }
  return merged as HttpJsonOptions;
}

/** The options a source runs with: the preset's merged under the owner's, with every need met. */
function resolveOptions(own: HttpJsonOptions): HttpJsonOptions {
  if (!own.preset) return own;
  const preset = PRESETS[own.preset];
  if (!preset) throw new Error(`preset: unknown preset ${JSON.stringify(own.preset)}; known: ${Object.keys(PRESETS).join(", ")}`);
  const merged = mergePreset(preset.options, own);
  const missing = preset.needs.filter((need) => getPath(merged, need.path) === undefined);
  if (missing.length) throw new Error(missing.map((need) => `${need.path}: preset ${preset.name} needs ${need.hint}`).join("; "));
  return merged;
}

function checkUrl(text: string, where: string): URL {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new Error(`${where}: ${JSON.stringify(text)} is not a URL like https://api.example.com/loads`);
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") throw new Error(`${where}: must be an http or https address (got ${url.protocol})`);
  // An address is shown on the Sources page and in the log; credentials belong in auth, which is redacted.
  if (url.username || url.password) throw new Error(`${where}: put the user name and password in auth (kind basic), not in the address`);
  return url;
}

/** Why an item fails `require`, or null. */
function requireProblem(item: unknown, required: [string, (string | number | boolean)[]][]): string | null {
  for (const [path, allowed] of required) {
    const value = getPath(item, path);
    if (value === undefined || value === null) continue;
    // YAML may say 1 where the API sends "1": compare as text too.
    if (!allowed.some((option) => option === value || String(option) === String(value))) {
      return `${path} is ${JSON.stringify(value)}, and this source only takes ${allowed.map((option) => JSON.stringify(option)).join(" or ")} (see require)`;
    }
  }
  return null;
}

/** An item as the dead-letter view keeps it: its JSON, cut to the schema's limit. */
function rawText(item: unknown): string {
  const json = JSON.stringify(item) ?? String(item);
  return json.length > RAW_CHARS ? `${json.slice(0, RAW_CHARS - 1)}…` : json;
}

/** What a value is, for a reason: its kind, and an object's keys or a short excerpt, so the owner sees what came instead. */
function describeValue(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return `an object (keys: ${Object.keys(value as object).slice(0, 12).join(", ") || "none"})`;
  return `${typeof value} ${JSON.stringify(value).slice(0, 60)}`;
}

/**
 * Checks the options (throwing an Error that names the key, so the Sources page says which one to
 * fix) and returns the source. Nothing is fetched until the first poll.
 */
export function createHttpJsonSource(ownOptions: HttpJsonOptions, deps: SourceDeps): HttpJsonSource {
  const options = resolveOptions(ownOptions);
  if (!options.url) throw new Error("url: give the API's address (or a preset, such as coyote)");
  if (!options.fields) throw new Error("fields: say where each load field is in an item (see the README), or use a preset");
  const method = options.method ?? "GET";
  if (method === "GET" && options.body !== undefined) throw new Error("body: only sent with method: POST");

  const used = new Set<TemplateVariable>();
  const collect = (value: unknown, where: string) => checkTemplate(value, where).forEach((name) => used.add(name));
  collect(options.url, "url");
  for (const [name, value] of Object.entries(options.query ?? {})) collect(value, `query.${name}`);
  for (const [name, value] of Object.entries(options.headers ?? {})) collect(value, `headers.${name}`);
  collect(options.body, "body");
  const sampleValues: TemplateValues = { now: deps.now(), since: deps.now(), page: 1, offset: 0, pageSize: options.pagination?.size };
  const baseUrl = checkUrl(renderText(options.url, sampleValues) ?? "", "url");

  let mapping: CompiledMapping;
  try {
    mapping = compileMapping(options.fields, { timeZone: options.time_zone });
  } catch (error) {
    // MappingError messages already name the option ("fields.pickup_earliest: …", "time_zone: …").
    throw new Error((error as Error).message);
  }
  const unmapped = unmappedRequiredTargets(mapping);
  if (unmapped.length) throw new Error(`fields: every load needs ${unmapped.join(", ")}; map ${unmapped.length === 1 ? "it" : "them"} (a constant works too: broker.name: { value: "…" })`);

  const redactor = new Redactor();
  for (const [name, value] of [...Object.entries(options.headers ?? {}), ...Object.entries(options.query ?? {})]) {
    if (SECRET_NAME.test(name)) redactor.add(String(value));
  }
  const auth: Authenticator = createAuth(options.auth, { now: deps.now, redactor });
  const maxPages = options.max_pages ?? DEFAULT_MAX_PAGES;
  const pager = new Pager(options.pagination ?? {}, { readPath: getPath, baseUrl, maxPages, templateVariables: used });
  const timeoutMs = (options.timeout_seconds ?? DEFAULT_TIMEOUT_SECONDS) * 1000;
  const required = Object.entries(options.require ?? {}).map(([path, allowed]) => [path, Array.isArray(allowed) ? allowed : [allowed]] as [string, (string | number | boolean)[]]);
  // A request that asks only for what changed since the last poll never sees every open load.
  const incremental = SINCE_VARIABLES.some((name) => used.has(name));
  const itemsPath = options.items_path ?? "";

  /** The request for one page: url with query and paging parameters, headers, body. */
  function buildRequest(values: TemplateValues, position: PagePosition): { url: URL; headers: Headers; body?: string } {
    const url = position.url ? new URL(position.url) : new URL(renderText(options.url!, values)!);
    if (!position.url) {
      for (const [name, template] of Object.entries(options.query ?? {})) {
        const value = typeof template === "string" ? renderText(template, values) : String(template);
        if (value !== undefined) url.searchParams.set(name, value);
      }
      for (const [name, value] of pager.queryParams(position)) url.searchParams.set(name, value);
    }
    const headers = new Headers({ accept: "application/json", "user-agent": `Haulbox/${VERSION}` });
    for (const [name, template] of Object.entries(options.headers ?? {})) {
      const value = renderText(template, values);
      if (value !== undefined) headers.set(name, value);
    }
    if (method === "GET" || options.body === undefined) return { url, headers };
    const rendered = renderTemplate(options.body, values);
    const body = typeof rendered === "string" ? rendered : JSON.stringify(rendered ?? null);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return { url, headers, body };
  }

  /** The list of items in a page's answer; throws a SourceError when items_path does not lead to one. */
  function itemsOf(body: unknown): unknown[] {
    if (body === null) return [];
    const list = itemsPath ? getPath(body, itemsPath) : body;
    if (Array.isArray(list)) return list;
    if (list === null) return [];
    if (!itemsPath) throw new SourceError(`the answer is ${describeValue(body)}, not a list of loads: set items_path to where the list is`);
    if (list === undefined) throw new SourceError(`the answer has nothing at items_path ${JSON.stringify(itemsPath)}; it is ${describeValue(body)}`);
    throw new SourceError(`items_path ${JSON.stringify(itemsPath)} holds ${describeValue(list)}, not a list of loads`);
  }

  /** One item to a load, or the reason it cannot be one. */
  function mapItem(item: unknown): { ok: true; load: Record<string, unknown> } | { ok: false; reason: string } {
    if (!isPlainObject(item)) return { ok: false, reason: `the item is ${describeValue(item)}, not a JSON object` };
    const problem = requireProblem(item, required);
    if (problem) return { ok: false, reason: problem };
    const mapped = applyMapping(mapping, item);
    if (!mapped.ok) return mapped;
    // Boards send a rate of 0 for "no rate posted"; the canonical load leaves rate_cents out for that.
    if (mapped.load.rate_cents === 0) delete mapped.load.rate_cents;
    const invalid = loadProblem(mapped.load);
    return invalid ? { ok: false, reason: invalid } : mapped;
  }

  async function poll(ctx: PollContext): Promise<LoadboardOutput> {
    const now = deps.now();
    const since = ctx.lastSuccessAt ?? now - FIRST_SINCE_MS;
    const loads: Record<string, unknown>[] = [];
    const rejected: RejectedItem[] = [];
    let position = pager.first();
    let renewedToken = false;
    let complete: boolean;
    for (;;) {
      const values: TemplateValues = { now, since, page: position.page, offset: position.offset, pageSize: options.pagination?.size, cursor: position.cursor };
      const { url, headers, body } = buildRequest(values, position);
      const context = { signal: ctx.signal, timeoutMs };
      await auth.authorize(url, headers, context);
      const request = { method, url, headers, body, timeoutMs, signal: ctx.signal, label: "the API" } as const;
      const answer: HttpAnswer = await send(request, redactor);
      if (answer.status === 401 && !renewedToken && auth.renewAfterRejection()) {
        // The token may have been revoked or expired early: fetch a new one and ask once more.
        renewedToken = true;
        ctx.log.info("the API refused the access token; fetching a new one", { url: redactor.apply(url.toString()) });
        continue;
      }
      if (answer.status < 200 || answer.status >= 300) {
        throw statusError(request, answer, redactor, answer.status === 401 && renewedToken ? "the API refused a freshly fetched token too: the client may lack access to this endpoint" : undefined);
      }
      // 204 No Content (Coyote's "no loads") and an empty body are an empty page, not bad JSON.
      const parsed = answer.status === 204 || !answer.text.trim() ? null : parseJson(request, answer, redactor);
      const items = itemsOf(parsed);
      items.forEach((item, index) => {
        const result = mapItem(item);
        if (result.ok) loads.push(result.load);
        else rejected.push({ ref: `page ${position.index + 1} item ${index + 1}`, reason: redactor.apply(result.reason).slice(0, 1000), raw: rawText(item) });
      });
      const step = pager.next(position, { body: parsed, headers: answer.headers, url, itemCount: items.length });
      if (step.done) {
        complete = step.complete;
        if (step.note) ctx.log.warn(`poll incomplete: ${step.note}`, { pages: position.index + 1 });
        break;
      }
      position = step.position;
    }
    if (!loads.length && rejected.length) ctx.log.warn(`every item was rejected; check fields. The first: ${rejected[0]!.ref}: ${rejected[0]!.reason}`);
    ctx.log.info("polled", { pages: position.index + 1, loads: loads.length, rejected: rejected.length, complete: incremental ? undefined : complete });
    return incremental ? { loads, rejected } : { loads, rejected, complete };
  }

  return {
    async poll(ctx) {
      try {
        return await poll(ctx);
      } catch (error) {
        if (error instanceof SourceError) throw error;
        // Anything else is unexpected; its message still must not carry a secret.
        throw new Error(redactor.apply((error as Error).message ?? String(error)));
      }
    },
  };
}

export default definePlugin({
  kind: "loadboard",
  name: "loadboard-http-json",
  version: "1.0.0",
  description: "Loads from any HTTP API that answers JSON (GET or POST, paged, with credentials), mapped field by field; preset: coyote for Coyote/RXO.",
  configSchema: HttpJsonOptionsSchema,
  create({ options }) {
    return createHttpJsonSource(options, { now: Date.now });
  },
});
