/** Config errors: where in which file, which key, and what was expected — worded for a fleet owner. */
import { ValueErrorType, type ValueError } from "@sinclair/typebox/value";
import { formatDescriptions } from "./formats";

/** One problem found in a config file, located by line and column (1-based). */
export interface ConfigError {
  file: string;
  line: number;
  column: number;
  /** Key path like `sources[1].schedule`; empty for the whole file. */
  path: string;
  message: string;
}

/** `haulbox.yaml:14:15 sources[1].schedule: "every 5 min" is not a cron expression` */
export function formatConfigError(error: ConfigError): string {
  const where = `${error.file}:${error.line}:${error.column}`;
  return error.path ? `${where} ${error.path}: ${error.message}` : `${where} ${error.message}`;
}

/** Turns a JSON-pointer path segment list into the dotted form users read: `sources[1].schedule`. */
export function displayPath(segments: (string | number)[]): string {
  let out = "";
  for (const segment of segments) {
    if (typeof segment === "number" || /^\d+$/.test(String(segment))) out += `[${segment}]`;
    else out += out ? `.${segment}` : String(segment);
  }
  return out;
}

/** Splits a TypeBox error path (`/sources/1/schedule`) into segments with numbers for array indexes. */
export function pointerSegments(pointer: string): (string | number)[] {
  if (!pointer) return [];
  return pointer
    .split("/")
    .slice(1)
    .map((s) => s.replace(/~1/g, "/").replace(/~0/g, "~"))
    .map((s) => (/^\d+$/.test(s) ? Number(s) : s));
}

function show(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value);
  if (value === undefined) return "nothing";
  if (value === null) return "an empty value";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a mapping";
  return String(value);
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length]!;
}

/** Suggests the closest allowed key for a misspelt one, or "" when nothing is close. */
export function suggestKey(unknown: string, allowed: string[]): string {
  let best = "";
  let bestDistance = 3;
  for (const key of allowed) {
    const distance = editDistance(unknown.toLowerCase(), key.toLowerCase());
    if (distance < bestDistance) {
      best = key;
      bestDistance = distance;
    }
  }
  return best;
}

/** Words one TypeBox validation error as "what was found, what was expected". */
export function describeValueError(error: ValueError): string {
  const schema = error.schema as Record<string, any>;
  // A missing key is reported as missing even when its schema words other problems itself.
  if (error.type === ValueErrorType.ObjectRequiredProperty) return "is required but missing";
  if (typeof schema.errorMessage === "string") return `${show(error.value)} ${schema.errorMessage}`;
  switch (error.type) {
    case ValueErrorType.ObjectAdditionalProperties:
      return "unknown key";
    case ValueErrorType.StringFormat:
      return `${show(error.value)} ${formatDescriptions[schema.format] ?? `is not a valid ${schema.format}`}`;
    case ValueErrorType.Union: {
      const literals = (schema.anyOf ?? []).map((s: any) => s.const).filter((c: unknown) => c !== undefined);
      if (literals.length) return `${show(error.value)} is not one of: ${literals.join(", ")}`;
      return `${show(error.value)} does not match any allowed form`;
    }
    case ValueErrorType.String:
      return `expected text, got ${show(error.value)}`;
    case ValueErrorType.Number:
      return `expected a number, got ${show(error.value)}`;
    case ValueErrorType.Integer:
      return `expected a whole number, got ${show(error.value)}`;
    case ValueErrorType.Boolean:
      return `expected true or false, got ${show(error.value)}`;
    case ValueErrorType.Object:
      return `expected a mapping of keys, got ${show(error.value)}`;
    case ValueErrorType.Array:
      return `expected a list, got ${show(error.value)}`;
    case ValueErrorType.Literal:
      return `expected ${JSON.stringify(schema.const)}, got ${show(error.value)}`;
    case ValueErrorType.NumberMinimum:
    case ValueErrorType.IntegerMinimum:
      return `${show(error.value)} is too small: the minimum is ${schema.minimum}`;
    case ValueErrorType.NumberExclusiveMinimum:
    case ValueErrorType.IntegerExclusiveMinimum:
      return `${show(error.value)} is too small: it must be more than ${schema.exclusiveMinimum}`;
    case ValueErrorType.NumberMaximum:
    case ValueErrorType.IntegerMaximum:
      return `${show(error.value)} is too large: the maximum is ${schema.maximum}`;
    case ValueErrorType.StringMinLength:
      return schema.minLength === 1 ? "must not be empty" : `is shorter than ${schema.minLength} characters`;
    case ValueErrorType.StringPattern:
      return `${show(error.value)} does not match the pattern ${schema.pattern}`;
    default:
      return `${show(error.value)}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
  }
}
