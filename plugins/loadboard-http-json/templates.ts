/**
 * The tiny template language of the HTTP JSON load-board source: `{{name}}` placeholders in the
 * url, query values, header values and body strings, filled in for every request. It is kept to
 * a handful of variables (time, the last successful poll, the page position) because anything
 * richer belongs in code; secrets never go through it — they come from the config loader's
 * `${ENV}` and `*_file` instead, so they are known to the logger and redacted.
 *
 * Variables: now, now_s, now_iso, since, since_s, since_iso, page, offset, page_size, cursor.
 * The time variables take an optional shift: `{{now_iso+3d}}`, `{{since-30m}}` (m, h or d).
 * A string that is exactly one placeholder takes the variable's own type (a number for `{{page}}`
 * in a JSON body); a placeholder whose variable has no value yet (`{{cursor}}` on the first page)
 * removes the query parameter or body key it fills.
 */

/** Every variable and what it holds (the README's table says the same; error messages list the names). */
export const TEMPLATE_VARIABLES = {
  now: "the time of the request, epoch milliseconds",
  now_s: "the time of the request, epoch seconds",
  now_iso: "the time of the request, ISO 8601 UTC to the second (2026-06-12T19:00:00Z)",
  since: "when the last successful poll finished (24 hours ago before the first one), epoch milliseconds",
  since_s: "the same as since, in epoch seconds",
  since_iso: "the same as since, as ISO 8601 UTC",
  page: "the page number (counting from pagination.start for kind page, else from 1)",
  offset: "how many items the earlier pages held",
  page_size: "pagination.size",
  cursor: "the cursor the previous page returned (none on the first page)",
} as const;

/** A template variable's name. */
export type TemplateVariable = keyof typeof TEMPLATE_VARIABLES;

/** Variables that depend on `since`: a source that uses one asks only for what changed. */
export const SINCE_VARIABLES: readonly TemplateVariable[] = ["since", "since_s", "since_iso"];

/** Variables a shift such as `+3d` may follow. */
const TIME_VARIABLES = new Set<TemplateVariable>(["now", "now_s", "now_iso", "since", "since_s", "since_iso"]);

const SHIFT_UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `{{ name }}` or `{{ name+3d }}`; the name part is checked separately so a typo gets its own message. */
const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const INNER = /^([a-z_]+)(?:([+-])(\d+)([mhd]))?$/;

/** A template that cannot work: says where (`query.from`) and why. */
export class TemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TemplateError";
  }
}

/** The values a request's templates are filled from. */
export interface TemplateValues {
  /** Epoch ms of the request. */
  now: number;
  /** Epoch ms the source asks for changes since. */
  since: number;
  page: number;
  offset: number;
  pageSize?: number;
  /** The previous page's cursor, as the API gave it (any JSON value). */
  cursor?: unknown;
}

interface Placeholder {
  variable: TemplateVariable;
  shiftMs: number;
}

function parsePlaceholder(inner: string, where: string, text: string): Placeholder {
  const match = INNER.exec(inner);
  const known = Object.keys(TEMPLATE_VARIABLES).join(", ");
  if (!match) throw new TemplateError(`${where}: ${JSON.stringify(`{{${inner}}}`)} in ${JSON.stringify(text)} is not a template variable; known: ${known} (time ones may add +3d, -12h or +30m)`);
  const [, name, sign, amount, unit] = match;
  if (!Object.hasOwn(TEMPLATE_VARIABLES, name!)) throw new TemplateError(`${where}: unknown template variable ${JSON.stringify(name)} in ${JSON.stringify(text)}; known: ${known}`);
  const variable = name as TemplateVariable;
  if (sign && !TIME_VARIABLES.has(variable)) throw new TemplateError(`${where}: only time variables take a shift like +3d, not ${variable} (in ${JSON.stringify(text)})`);
  const shiftMs = sign ? (sign === "-" ? -1 : 1) * Number(amount) * SHIFT_UNIT_MS[unit as keyof typeof SHIFT_UNIT_MS] : 0;
  return { variable, shiftMs };
}

function placeholdersOf(text: string, where: string): { placeholder: Placeholder; match: string }[] {
  const found: { placeholder: Placeholder; match: string }[] = [];
  for (const match of text.matchAll(PLACEHOLDER)) found.push({ placeholder: parsePlaceholder(match[1]!, where, text), match: match[0] });
  // A lone "{{" or "}}" left after the matches is a placeholder that was never closed or opened.
  const rest = text.replace(PLACEHOLDER, "");
  if (rest.includes("{{") || rest.includes("}}")) throw new TemplateError(`${where}: ${JSON.stringify(text)} has an unmatched {{ or }}; a placeholder looks like {{now_iso}}`);
  return found;
}

/**
 * Checks every string in `value` (a string, or lists and objects of them, as a body is) and
 * returns the variables used; throws TemplateError naming the first bad placeholder.
 */
export function checkTemplate(value: unknown, where: string): Set<TemplateVariable> {
  const used = new Set<TemplateVariable>();
  const walk = (node: unknown, path: string) => {
    if (typeof node === "string") for (const { placeholder } of placeholdersOf(node, path)) used.add(placeholder.variable);
    else if (Array.isArray(node)) node.forEach((item, index) => walk(item, `${path}[${index}]`));
    else if (node && typeof node === "object") for (const [key, child] of Object.entries(node)) walk(child, `${path}.${key}`);
  };
  walk(value, where);
  return used;
}

/** Seconds-precision ISO 8601: some APIs refuse milliseconds, none refuse their absence. */
function isoSeconds(epochMs: number): string {
  return new Date(Math.floor(epochMs / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

/** A variable's value for one request; undefined when it has none yet. */
function valueOf(placeholder: Placeholder, values: TemplateValues): unknown {
  const { variable, shiftMs } = placeholder;
  if (TIME_VARIABLES.has(variable)) {
    // now… and since… come in three forms: epoch ms (no suffix), epoch seconds (_s), ISO 8601 (_iso).
    const at = (variable.startsWith("now") ? values.now : values.since) + shiftMs;
    return variable.endsWith("_iso") ? isoSeconds(at) : variable.endsWith("_s") ? Math.floor(at / 1000) : at;
  }
  if (variable === "page") return values.page;
  if (variable === "offset") return values.offset;
  if (variable === "page_size") return values.pageSize;
  // The one left is cursor; an API's null or "" means there is none.
  return values.cursor === null || values.cursor === "" ? undefined : values.cursor;
}

function asText(value: unknown): string {
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** Marks a value to leave out: a placeholder alone in its string whose variable has no value. */
const LEAVE_OUT = Symbol("leave out");

function renderString(text: string, values: TemplateValues): unknown {
  const found = placeholdersOf(text, "template");
  if (!found.length) return text;
  if (found.length === 1 && found[0]!.match === text) {
    const value = valueOf(found[0]!.placeholder, values);
    return value === undefined ? LEAVE_OUT : value;
  }
  return text.replace(PLACEHOLDER, (_match, inner: string) => {
    const value = valueOf(parsePlaceholder(inner.trim(), "template", text), values);
    return value === undefined ? "" : asText(value);
  });
}

function renderNode(node: unknown, values: TemplateValues): unknown {
  if (typeof node === "string") return renderString(node, values);
  if (Array.isArray(node)) return node.map((item) => renderNode(item, values)).filter((item) => item !== LEAVE_OUT);
  if (node && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      const rendered = renderNode(child, values);
      if (rendered !== LEAVE_OUT) out[key] = rendered;
    }
    return out;
  }
  return node;
}

/**
 * Fills a checked template (a JSON body, or a single string): a string that is one placeholder
 * takes the variable's type, one without a value is left out of its object or list.
 */
export function renderTemplate(value: unknown, values: TemplateValues): unknown {
  const rendered = renderNode(value, values);
  return rendered === LEAVE_OUT ? undefined : rendered;
}

/** Fills a string template as text (url, header and query values); undefined when it should be left out. */
export function renderText(text: string, values: TemplateValues): string | undefined {
  const rendered = renderString(text, values);
  return rendered === LEAVE_OUT ? undefined : asText(rendered);
}
