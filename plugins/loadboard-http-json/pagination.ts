/**
 * How the source walks an API's pages: not at all, by page number, by item offset, by a cursor
 * the previous page returned, or by following a "next" link (in the body or the Link header).
 *
 * A walk ends at an empty page, when the API says there is nothing more (no cursor, no next link,
 * `total_path` reached), or at `max_pages`. Only the first kind of ending is *complete*: a walk
 * cut short by max_pages, or by an API that hands out the same cursor or link again, has not seen
 * every load, and saying it had would make the core expire loads that are still posted.
 */
import { Type as T, type Static } from "@sinclair/typebox";
import { displayUrl, SourceError } from "./http";
import type { TemplateVariable } from "./templates";

/** The `pagination` option. */
export const PaginationSchema = T.Object(
  {
    kind: T.Optional(
      T.Union([T.Literal("none"), T.Literal("page"), T.Literal("offset"), T.Literal("cursor"), T.Literal("next_link")], {
        description: "How the API splits its answer into pages: none, page, offset, cursor or next_link.",
      }),
    ),
    param: T.Optional(T.String({ minLength: 1, description: "The query parameter that carries the page number, offset or cursor (page, offset, cursor)." })),
    start: T.Optional(T.Integer({ minimum: 0, description: "The number of the first page, usually 1 or 0 (page; default 1)." })),
    size_param: T.Optional(T.String({ minLength: 1, description: "The query parameter that carries the page size, sent with the value of size." })),
    size: T.Optional(T.Integer({ minimum: 1, maximum: 10_000, description: "How many items to ask for per page." })),
    cursor_path: T.Optional(T.String({ minLength: 1, description: "Where the next cursor is in the answer, like meta.next_cursor (cursor)." })),
    next_path: T.Optional(T.String({ minLength: 1, description: "Where the next page's URL is in the answer, like links.next; without it the Link header's rel=\"next\" is used (next_link)." })),
    total_path: T.Optional(T.String({ minLength: 1, description: "Where the answer says how many items there are in all, like pagination.totalCount: the walk stops once it has read that many (page, offset)." })),
  },
  { additionalProperties: false, description: "How to walk the API's pages: { kind: none | page | offset | cursor | next_link, … }." },
);
/** The `pagination` option as the YAML gives it. */
export type PaginationOptions = Static<typeof PaginationSchema>;
type PaginationKind = NonNullable<PaginationOptions["kind"]>;

/** The keys each kind may have (kind itself aside). */
const KIND_KEYS: Record<PaginationKind, (keyof PaginationOptions)[]> = {
  none: [],
  page: ["param", "start", "size_param", "size", "total_path"],
  offset: ["param", "size_param", "size", "total_path"],
  cursor: ["param", "cursor_path", "size_param", "size"],
  next_link: ["next_path", "size_param", "size"],
};

/** The template variable each kind's `param` carries: a template using it may stand in for `param`. */
const PARAM_VARIABLE: Partial<Record<PaginationKind, TemplateVariable>> = { page: "page", offset: "offset", cursor: "cursor" };

/** Where the walk is: what the next request asks for. */
export interface PagePosition {
  /** Requests made before this one. */
  index: number;
  /** The page number (kind page: from `start`; other kinds: index + 1). */
  page: number;
  /** Items the earlier pages held. */
  offset: number;
  /** The cursor the previous page returned (kind cursor). */
  cursor?: unknown;
  /** The URL to request instead of the configured one (kind next_link, after the first page). */
  url?: URL;
}

/** What one page brought back. */
export interface PageResult {
  /** The parsed answer (null for an empty answer such as HTTP 204). */
  body: unknown;
  headers: Headers;
  /** The URL that was requested. */
  url: URL;
  itemCount: number;
}

/** The next request, or the end of the walk and whether it saw everything. */
export type PageStep = { done: false; position: PagePosition } | { done: true; complete: boolean; note?: string };

/** Reads a value at a path like `meta.next` in an answer (the shared mapping's getPath). */
export type PathReader = (value: unknown, path: string) => unknown;

/** Walks one poll's pages. */
export class Pager {
  readonly kind: PaginationKind;

  /**
   * Checks the options (throwing an Error that names the key) against the template variables the
   * source uses, since `{{page}}` in a query or body may carry the page instead of `param`.
   */
  constructor(
    private readonly options: PaginationOptions,
    private readonly deps: { readPath: PathReader; baseUrl: URL; maxPages: number; templateVariables: Set<TemplateVariable> },
  ) {
    this.kind = options.kind ?? "none";
    const allowed = KIND_KEYS[this.kind];
    for (const key of Object.keys(options) as (keyof PaginationOptions)[]) {
      if (key !== "kind" && !allowed.includes(key)) throw new Error(`pagination.${key}: not used by kind ${this.kind}${allowed.length ? ` (it takes ${allowed.join(", ")})` : ""}`);
    }
    const variable = PARAM_VARIABLE[this.kind];
    if (variable && !options.param && !deps.templateVariables.has(variable)) {
      throw new Error(`pagination.param: say which query parameter carries the ${variable}, or put {{${variable}}} in query or body; otherwise every page would ask for the same thing`);
    }
    if (this.kind === "cursor" && !options.cursor_path) throw new Error("pagination.cursor_path: say where the next cursor is in the answer, like meta.next_cursor");
    if (options.size_param && options.size === undefined) throw new Error(`pagination.size: size_param ${JSON.stringify(options.size_param)} needs a size to send`);
  }

  /** The first request's position. */
  first(): PagePosition {
    return { index: 0, page: this.kind === "page" ? (this.options.start ?? 1) : 1, offset: 0 };
  }

  /** The query parameters this position adds (a cursor the first page has not got yet adds none). */
  queryParams(position: PagePosition): [string, string][] {
    const params: [string, string][] = [];
    const { param, size_param, size } = this.options;
    if (param && this.kind === "page") params.push([param, String(position.page)]);
    if (param && this.kind === "offset") params.push([param, String(position.offset)]);
    if (param && this.kind === "cursor" && position.cursor !== undefined) params.push([param, typeof position.cursor === "string" ? position.cursor : JSON.stringify(position.cursor)]);
    if (size_param && size !== undefined) params.push([size_param, String(size)]);
    return params;
  }

  /** Where to go after a page, or why the walk ends. */
  next(position: PagePosition, result: PageResult): PageStep {
    if (result.itemCount === 0) return { done: true, complete: true };
    if (this.kind === "none") return { done: true, complete: true };
    const offset = position.offset + result.itemCount;
    if (this.options.total_path) {
      const total = Number(this.deps.readPath(result.body, this.options.total_path));
      if (Number.isFinite(total) && offset >= total) return { done: true, complete: true };
    }
    let step: PagePosition;
    const base = { index: position.index + 1, page: position.page + 1, offset };
    if (this.kind === "cursor") {
      const cursor = this.deps.readPath(result.body, this.options.cursor_path!);
      if (cursor === undefined || cursor === null || cursor === "") return { done: true, complete: true };
      if (position.cursor !== undefined && JSON.stringify(cursor) === JSON.stringify(position.cursor)) {
        return { done: true, complete: false, note: `the API returned the same cursor twice (${JSON.stringify(cursor)}); stopped there rather than loop` };
      }
      step = { ...base, cursor };
    } else if (this.kind === "next_link") {
      const url = this.nextLink(result);
      if (!url) return { done: true, complete: true };
      if (url.href === result.url.href) return { done: true, complete: false, note: `the next link points at the page just read (${displayUrl(url)}); stopped there rather than loop` };
      step = { ...base, url };
    } else step = base;
    if (step.index >= this.deps.maxPages) {
      return { done: true, complete: false, note: `stopped after max_pages (${this.deps.maxPages}) with more pages left: raise max_pages to read them all` };
    }
    return { done: false, position: step };
  }

  /** The next page's URL from the body (next_path) or the Link header, checked to stay on the configured origin. */
  private nextLink(result: PageResult): URL | null {
    let link: string | null;
    if (this.options.next_path) {
      const value = this.deps.readPath(result.body, this.options.next_path);
      if (value === undefined || value === null || value === "") return null;
      if (typeof value !== "string") throw new SourceError(`pagination.next_path ${JSON.stringify(this.options.next_path)} holds ${JSON.stringify(value).slice(0, 80)}, not a URL`);
      link = value;
    } else link = nextFromLinkHeader(result.headers.get("link"));
    if (!link) return null;
    let url: URL;
    try {
      url = new URL(link, result.url);
    } catch {
      throw new SourceError(`the next-page link ${JSON.stringify(link.slice(0, 200))} is not a URL`);
    }
    // The next request carries the credentials: they may only go where the owner pointed the source.
    if (url.origin !== this.deps.baseUrl.origin) throw new SourceError(`the next-page link goes to ${url.origin}, not ${this.deps.baseUrl.origin} where url points; Haulbox does not send credentials to another host`);
    return url;
  }
}

/** The target of `rel="next"` in a Link header (RFC 8288), or null. */
export function nextFromLinkHeader(header: string | null): string | null {
  if (!header) return null;
  for (const match of header.matchAll(/<([^>]*)>((?:\s*;\s*[^;,]+)*)/g)) {
    const rel = /;\s*rel\s*=\s*("([^"]*)"|[^;\s]+)/i.exec(match[2]!);
    const relations = (rel?.[2] ?? rel?.[1] ?? "").toLowerCase().split(/\s+/);
    if (relations.includes("next")) return match[1]!;
  }
  return null;
}
