/**
 * The field mapping shared by the load-board plugins (loadboard-csv, loadboard-http-json): the
 * YAML `fields:` block says, for each field of the canonical load (records.ts), where its value is
 * in one raw record — a CSV row keyed by header, or one JSON item from an API — and how to read
 * it (src/loads/transforms.ts). A mapping is compiled once when a source starts, so mistakes in it
 * (an unknown transform, a date format with a bad token, a map value that is not an equipment
 * code) stop the source with a MappingError naming the field, and applying it to a record is a few
 * property lookups and conversions per field.
 *
 * Applying never throws: a value that cannot be read fails that record with a reason naming the
 * target field, the source path and the raw value, so a bad row costs one rejection. It does not
 * check the whole load; the core runs `loadProblem` on the result.
 *
 *   fields:
 *     external_id: loadId                                           # a plain string is a path
 *     origin: { path: "Origin", transform: city_state }             # "Chicago, IL" → { city, state }
 *     pickup_earliest: { path: "Pickup", transform: date, format: "MM/DD/YYYY HH:mm" }
 *     equipment: { path: "Type", map: { Van: V, Reefer: R } }
 *     broker.name: { value: "Coyote Logistics" }                    # a constant
 */
import { Type as T, type Static, type TOptional } from "@sinclair/typebox";
import { Value } from "@sinclair/typebox/value";
import { suggestKey } from "../config/errors";
import { resolvePath } from "../domain/json-path";
import {
  compileDateReader,
  DISTANCE_UNITS,
  LENGTH_UNITS,
  MONEY_UNITS,
  show,
  toBool,
  toCityState,
  toDigits,
  toDistanceMiles,
  toEquipmentCode,
  toInteger,
  toLengthFt,
  toLower,
  toMoneyCents,
  toNumber,
  toText,
  toUpper,
  toWeightLb,
  toZip,
  TransformError,
  TRANSFORM_NAMES,
  WEIGHT_UNITS,
  type DistanceUnit,
  type LengthUnit,
  type MoneyUnit,
  type TransformName,
  type WeightUnit,
} from "./transforms";

/** What a target field holds once read, which decides the transforms and map values it accepts. */
type TargetKind = "text" | "number" | "time" | "boolean" | "place";

/** One field of the canonical load a mapping can fill. */
interface TargetInfo {
  kind: TargetKind;
  /** The transform used when the spec names none. */
  transform: TransformName;
  /** A record whose value for this field is missing fails, unless the spec has `optional` or `default`. */
  required?: boolean;
  /** Free text longer than this is cut (with …) rather than failing the load. */
  maxLength?: number;
  description: string;
}

/** A place target and its parts; the cast keeps the computed keys in TargetField. */
const place = <W extends "origin" | "destination">(which: W) =>
  ({
    [which]: { kind: "place", transform: "city_state", required: true, description: `The ${which} as one text like "Chicago, IL" or "Chicago IL 60601" (city_state); or map its parts with ${which}.city, ${which}.state, ${which}.zip.` },
    [`${which}.city`]: { kind: "text", transform: "trim", description: `The ${which} city.` },
    [`${which}.state`]: { kind: "text", transform: "upper", description: `The ${which} state, a two-letter US code.` },
    [`${which}.zip`]: { kind: "text", transform: "zip", description: `The ${which} ZIP code (ZIP+4 and numbers that lost their leading zeros are read too).` },
    [`${which}.lat`]: { kind: "number", transform: "number", description: `The ${which} latitude in decimal degrees.` },
    [`${which}.lon`]: { kind: "number", transform: "number", description: `The ${which} longitude in decimal degrees.` },
  }) as Record<W | `${W}.${"city" | "state" | "zip" | "lat" | "lon"}`, TargetInfo>;

const time = (description: string): TargetInfo => ({ kind: "time", transform: "date", description });

/** Every field a mapping may fill, in the order they are documented. */
const TARGETS = {
  external_id: { kind: "text", transform: "trim", required: true, description: "The board's id of the load (text or a number)." },
  ...place("origin"),
  ...place("destination"),
  pickup_earliest: { ...time("The earliest pickup time."), required: true },
  pickup_latest: time("The latest pickup time."),
  delivery_earliest: time("The earliest delivery time."),
  delivery_latest: time("The latest delivery time."),
  equipment: { kind: "text", transform: "equipment", required: true, description: "The equipment type: a Haulbox code (V, R, F, SD, …) or name (Dry van, Reefer, …), or anything else through map." },
  weight_lb: { kind: "number", transform: "weight", description: "The weight (from lb unless `from` says otherwise)." },
  length_ft: { kind: "number", transform: "length", description: "The length of trailer the load needs (from ft unless `from` says otherwise)." },
  full: { kind: "boolean", transform: "bool", description: "True for a full truckload, false for a partial; usually a map like { FTL: true, LTL: false }." },
  rate_cents: { kind: "number", transform: "money", description: "The posted all-in rate (from dollars unless `from: cents`)." },
  loaded_miles: { kind: "number", transform: "distance", description: "Loaded miles (from mi unless `from` says otherwise)." },
  commodity: { kind: "text", transform: "trim", maxLength: 200, description: "What is hauled." },
  comments: { kind: "text", transform: "trim", maxLength: 4000, description: "Free text from the board." },
  "broker.name": { kind: "text", transform: "trim", required: true, description: "The broker or shipper offering the load." },
  "broker.mc": { kind: "text", transform: "digits", description: "The broker's MC number (\"MC-123456\" is read as 123456)." },
  "broker.dot": { kind: "text", transform: "digits", description: "The broker's USDOT number." },
  "broker.phone": { kind: "text", transform: "trim", description: "The broker's phone number." },
  "broker.email": { kind: "text", transform: "trim", description: "The broker's e-mail address." },
  "broker.credit_score": { kind: "number", transform: "number", description: "The board's credit score for the broker, 0–100." },
  "broker.days_to_pay": { kind: "number", transform: "number", description: "The board's average days to pay for the broker." },
  posted_at: time("When the load was posted."),
  expires_at: time("When the posting expires."),
} satisfies Record<string, TargetInfo>;

/** A field of the canonical load a mapping may fill ("origin.city", "rate_cents", …). */
export type TargetField = keyof typeof TARGETS;
/** Every target field, in documentation order. */
export const TARGET_FIELDS = Object.keys(TARGETS) as TargetField[];
/** Target fields every load needs; `origin` and `destination` are filled whole or by their parts. */
export const REQUIRED_TARGETS = TARGET_FIELDS.filter((target) => (TARGETS[target] as TargetInfo).required);

/** What each transform produces. */
const TRANSFORM_KIND: Record<TransformName, TargetKind> = {
  trim: "text",
  upper: "text",
  lower: "text",
  zip: "text",
  digits: "text",
  equipment: "text",
  number: "number",
  integer: "number",
  money: "number",
  distance: "number",
  weight: "number",
  length: "number",
  date: "time",
  bool: "boolean",
  city_state: "place",
};

/** The units `from` may name, per transform that takes one. */
const FROM_UNITS: Partial<Record<TransformName, readonly string[]>> = {
  money: MONEY_UNITS,
  weight: Object.keys(WEIGHT_UNITS),
  distance: Object.keys(DISTANCE_UNITS),
  length: Object.keys(LENGTH_UNITS),
};

/** Where Haulbox reads local times when neither the field nor the source names a zone (most US freight is quoted in Central time). */
export const DEFAULT_TIME_ZONE = "America/Chicago";

const Scalar = T.Union([T.String(), T.Number(), T.Boolean()]);

/** The object form of one field's mapping. */
export const FieldSpecSchema = T.Object(
  {
    path: T.Optional(T.String({ minLength: 1, description: 'Where the value is: a CSV header, or a JSON path like "stops[0].city", "items[-1]" (the last) or "$.a".' })),
    value: T.Optional(T.Union([T.String(), T.Number(), T.Boolean()], { description: "A constant instead of a path (read with the field's transform)." })),
    transform: T.Optional(T.String({ description: `How to read the value: ${TRANSFORM_NAMES.join(", ")}; each field has a sensible default.` })),
    from: T.Optional(T.String({ description: "The unit the value is in: money dollars|cents, weight lb|kg|t|short_ton, distance mi|km, length ft|m." })),
    format: T.Optional(
      T.Union([T.String({ minLength: 1 }), T.Array(T.String({ minLength: 1 }), { minItems: 1 })], {
        description: 'Date format (or a list tried in order): auto (default: ISO 8601 or epoch by size), iso, epoch_s, epoch_ms, or a pattern like "MM/DD/YYYY HH:mm" or "M/D/YY".',
      }),
    ),
    time_zone: T.Optional(T.String({ description: "IANA zone for local times in this field (default: the source's time_zone)." })),
    end_of_day: T.Optional(T.Boolean({ description: "A date without a time of day means the end of that day (for latest pickup or delivery dates)." })),
    map: T.Optional(T.Record(T.String(), Scalar, { description: "Value → what to store, matched after trimming and ignoring case; a value not in the map fails the record." })),
    default: T.Optional(T.Union([T.String(), T.Number(), T.Boolean()], { description: "What to store when the value is missing, in Haulbox's units." })),
    optional: T.Optional(T.Boolean({ description: "A missing value leaves the field out, even for a required field (the core then rejects the load if it needs it)." })),
    missing_values: T.Optional(T.Array(T.String(), { description: 'Values that mean "nothing here", like "N/A" or "Call" (empty text always does).' })),
  },
  { additionalProperties: false },
);
/** The object form of one field's mapping. */
export type FieldSpec = Static<typeof FieldSpecSchema>;

const SPEC_KEYS = Object.keys(FieldSpecSchema.properties);

function fieldSchema(description: string) {
  return T.Union([T.String({ minLength: 1 }), FieldSpecSchema], {
    description,
    // Read by the config loader's error wording (src/config/errors.ts) instead of "does not match any allowed form".
    errorMessage: `is neither a path nor a field spec like { path, transform, from, format, map, default, optional } (check the keys and their types)`,
  });
}

/** TypeBox schema of the YAML `fields:` block: target field → path or spec. Unknown target fields are errors. */
export const FieldMappingSchema = T.Object(
  Object.fromEntries(TARGET_FIELDS.map((target) => [target, T.Optional(fieldSchema((TARGETS[target] as TargetInfo).description))])) as { [K in TargetField]: TOptional<ReturnType<typeof fieldSchema>> },
  { additionalProperties: false, description: "Where each load field is in a record, and how to read it." },
);
/** The YAML `fields:` block. */
export type FieldMapping = Static<typeof FieldMappingSchema>;

/** A mapping that cannot be used; the message names the field: `fields.pickup_earliest: unknown transform "dat"`. */
export class MappingError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "MappingError";
  }
}

/** One compiled field, as callers may inspect it (which column a CSV needs, whether it is required). */
export interface CompiledField {
  readonly target: TargetField;
  /** The path read, or null for a constant `value`. */
  readonly path: string | null;
  /** A record without a value at the path fails (a required field read from a path, with no `optional` and no `default`). */
  readonly required: boolean;
}

/** A mapping ready to apply; build it with compileMapping. */
export interface CompiledMapping {
  readonly fields: readonly CompiledField[];
  /** The zone local times are read in unless a field names its own. */
  readonly timeZone: string;
}

/** What applying one field to a record gave. */
type FieldOutcome = { kind: "value"; value: unknown } | { kind: "missing" } | { kind: "error"; reason: string };

/** The full compiled field, private to this module. */
interface FieldPlan extends CompiledField {
  segments: Segment[] | null;
  constant: unknown;
  fallback: unknown;
  missingValues: Set<string>;
  convert: (value: unknown) => unknown;
}

// ---- paths -----------------------------------------------------------------------------------

/** One step of a path: a property name or a list index (negative counts from the end). */
type Segment = string | number;

/** One step at a time: a name (after a dot except at the start), [index], or ["quoted name"]. */
const SEGMENT = /(?:^|\.)([^.[\]"']+)|\[(-?\d+)\]|\[(?:"([^"]*)"|'([^']*)')\]/y;

/**
 * Parses "a.b", "stops[0].city", "items[-1]", 'row["Wt."]', "$.a" into steps; a text that is not
 * such a path ("Wt.", "Rate (USD)*", as CSV headers are) is one key.
 */
function parsePath(path: string): Segment[] {
  const body = path === "$" ? "" : /^\$[.[]/.test(path) ? path.slice(path[1] === "." ? 2 : 1) : path;
  const segments: Segment[] = [];
  SEGMENT.lastIndex = 0;
  while (SEGMENT.lastIndex < body.length) {
    const match = SEGMENT.exec(body);
    if (!match) return [path];
    if (match[2] !== undefined) segments.push(Number(match[2]));
    else segments.push(match[1] ?? match[3] ?? match[4]!);
  }
  return segments;
}

const parsedPaths = new Map<string, Segment[]>();


/** Reads `path` in a record: a key equal to the whole path wins (a CSV header like "Wt." or "origin.city"), else the path is followed. */
function readPath(record: unknown, path: string, segments: Segment[]): unknown {
  if (record !== null && typeof record === "object" && !Array.isArray(record) && Object.hasOwn(record, path)) return (record as Record<string, unknown>)[path];
  return resolvePath(record, segments);
}

/**
 * The value at `path` in `value`: "a.b", "stops[0].city", "items[-1]" (the last), '["Wt."]',
 * "$.a" (same as "a"), "$" (the value itself). A key equal to the whole path is taken first, and
 * a text that is not a path is read as one key, so CSV headers like "Wt." work as they are.
 * Undefined when nothing is there.
 */
export function getPath(value: unknown, path: string): unknown {
  let segments = parsedPaths.get(path);
  if (!segments) {
    segments = parsePath(path);
    if (parsedPaths.size < 1000) parsedPaths.set(path, segments);
  }
  return readPath(value, path, segments);
}

// ---- compiling -------------------------------------------------------------------------------

/** Options of compileMapping. */
export interface CompileOptions {
  /** IANA zone for local times (default America/Chicago). */
  timeZone?: string;
}

/** The reader of a transform, with the spec's options applied. */
function transformReader(name: TransformName, spec: FieldSpec, timeZone: string): (value: unknown) => unknown {
  switch (name) {
    case "trim":
      return toText;
    case "upper":
      return toUpper;
    case "lower":
      return toLower;
    case "number":
      return toNumber;
    case "integer":
      return toInteger;
    case "zip":
      return toZip;
    case "bool":
      return toBool;
    case "digits":
      return toDigits;
    case "equipment":
      return toEquipmentCode;
    case "city_state":
      return toCityState;
    case "money":
      return (value) => toMoneyCents(value, (spec.from ?? "dollars") as MoneyUnit);
    case "weight":
      return (value) => toWeightLb(value, (spec.from ?? "lb") as WeightUnit);
    case "distance":
      return (value) => toDistanceMiles(value, (spec.from ?? "mi") as DistanceUnit);
    case "length":
      return (value) => toLengthFt(value, (spec.from ?? "ft") as LengthUnit);
    case "date": {
      const formats = spec.format === undefined ? ["auto"] : Array.isArray(spec.format) ? spec.format : [spec.format];
      return compileDateReader({ formats, timeZone: spec.time_zone ?? timeZone, endOfDay: spec.end_of_day });
    }
  }
}

/** A literal (map value or default) checked against what the target holds, in its stored form. */
function literalFor(target: TargetField, info: TargetInfo, value: unknown, what: string): unknown {
  const fail = (expected: string): never => {
    throw new MappingError(`fields.${target}: ${what} ${show(value)} ${expected}`);
  };
  switch (info.kind) {
    case "text":
      if (typeof value !== "string" && typeof value !== "number") fail("must be text");
      if (info.transform === "equipment") {
        try {
          return toEquipmentCode(value);
        } catch {
          return fail("is not an equipment code Haulbox knows (V, R, F, SD, DD, LB, RGN, CN, HS, PO, TNK, AC, CONT, DT, VR, FSD)");
        }
      }
      return String(value).trim();
    case "number":
    case "time":
      return typeof value === "number" ? value : fail("must be a number");
    case "boolean":
      return typeof value === "boolean" ? value : fail("must be true or false");
    case "place":
      try {
        return toCityState(value);
      } catch (error) {
        return fail((error as Error).message);
      }
  }
}

/** Checks one spec's shape, with messages that name the key. */
function checkSpec(target: TargetField, spec: unknown): FieldSpec {
  if (typeof spec === "string") {
    if (!spec.trim()) throw new MappingError(`fields.${target}: the path is empty`);
    return { path: spec };
  }
  if (!spec || typeof spec !== "object" || Array.isArray(spec)) throw new MappingError(`fields.${target}: expected a path or a spec like { path, transform }, got ${show(spec)}`);
  for (const key of Object.keys(spec)) if (!SPEC_KEYS.includes(key)) throw new MappingError(`fields.${target}.${key}: unknown key (keys: ${SPEC_KEYS.join(", ")})`);
  const error = Value.Errors(FieldSpecSchema, spec).First();
  if (error) throw new MappingError(`fields.${target}${error.path.replaceAll("/", ".")}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}, got ${show(error.value)}`);
  return spec as FieldSpec;
}

/** Compiles one field; throws MappingError naming it. */
function compileField(target: TargetField, rawSpec: unknown, timeZone: string): FieldPlan {
  const info = TARGETS[target] as TargetInfo;
  const spec = checkSpec(target, rawSpec);
  const where = `fields.${target}`;
  if ((spec.path === undefined) === (spec.value === undefined)) throw new MappingError(`${where}: give either path or value (${spec.path === undefined ? "neither" : "not both"})`);

  const explicit = spec.transform;
  if (explicit !== undefined && !(TRANSFORM_NAMES as readonly string[]).includes(explicit)) throw new MappingError(`${where}: unknown transform ${JSON.stringify(explicit)} (transforms: ${TRANSFORM_NAMES.join(", ")})`);
  const transform = (explicit ?? info.transform) as TransformName;
  if (spec.map !== undefined) {
    if (info.kind === "place") throw new MappingError(`${where}: a place cannot be mapped value by value; map its parts (${target}.city, ${target}.state) instead`);
    if (explicit !== undefined && TRANSFORM_KIND[transform] !== "text") throw new MappingError(`${where}: with map, transform can only prepare the text (trim, upper, lower, zip, digits), not ${transform}`);
  } else if (TRANSFORM_KIND[transform] !== info.kind) {
    throw new MappingError(`${where}: transform ${transform} gives ${TRANSFORM_KIND[transform] === "place" ? "a place" : TRANSFORM_KIND[transform]}, but ${target} holds ${info.kind === "time" ? "a time (use transform: date)" : info.kind}`);
  }
  const effective: TransformName = spec.map !== undefined ? ((explicit as TransformName | undefined) ?? "trim") : transform;
  if (spec.from !== undefined) {
    const units = FROM_UNITS[effective];
    if (!units) throw new MappingError(`${where}: from applies to the money, weight, distance and length transforms, not ${effective}`);
    if (!units.includes(spec.from)) throw new MappingError(`${where}: from ${JSON.stringify(spec.from)} is not a ${effective} unit (${units.join(", ")})`);
  }
  for (const key of ["format", "time_zone", "end_of_day"] as const) {
    if (spec[key] !== undefined && effective !== "date") throw new MappingError(`${where}: ${key} applies to the date transform, not ${effective}`);
  }

  let convert: (value: unknown) => unknown;
  try {
    convert = transformReader(effective, spec, timeZone);
  } catch (error) {
    throw new MappingError(`${where}: ${(error as Error).message}`);
  }
  if (spec.map !== undefined) {
    const prepare = convert;
    const table = new Map<string, unknown>();
    for (const [key, value] of Object.entries(spec.map)) {
      const folded = key.trim().toLowerCase();
      if (table.has(folded)) throw new MappingError(`${where}: map has ${JSON.stringify(key)} twice (keys are matched ignoring case)`);
      table.set(folded, literalFor(target, info, value, `map value for ${JSON.stringify(key)}`));
    }
    const known = Object.keys(spec.map).join(", ");
    convert = (value) => {
      const text = String(prepare(value));
      const mapped = table.get(text.toLowerCase());
      if (mapped === undefined) throw new TransformError(`is not in the field's map (${known.length > 120 ? `${known.slice(0, 117)}…` : known})`);
      return mapped;
    };
  }
  if (info.maxLength !== undefined) {
    const inner = convert;
    const max = info.maxLength;
    // Free text from a board is cut rather than failing the load over a long comment.
    convert = (value) => {
      const text = inner(value) as string;
      return text.length > max ? `${text.slice(0, max - 1)}…` : text;
    };
  }

  const fallback = spec.default === undefined ? undefined : literalFor(target, info, spec.default, "default");
  let constant: unknown;
  if (spec.value !== undefined) {
    try {
      constant = convert(spec.value);
    } catch (error) {
      throw new MappingError(`${where}: value ${show(spec.value)} ${(error as Error).message}`);
    }
  }
  const path = spec.path ?? null;
  return {
    target,
    path,
    segments: path === null ? null : parsePath(path),
    required: path !== null && Boolean(info.required) && spec.optional !== true && fallback === undefined,
    constant,
    fallback,
    missingValues: new Set((spec.missing_values ?? []).map((text) => text.trim().toLowerCase())),
    convert,
  };
}

/**
 * Compiles a `fields:` block. Throws MappingError naming the first problem: an unknown target
 * field or key, an unknown transform, a `from` unit or date format the transform does not have,
 * a map value or default the field cannot hold, a constant that does not read, a bad time zone.
 */
export function compileMapping(fields: FieldMapping, options: CompileOptions = {}): CompiledMapping {
  const timeZone = options.timeZone ?? DEFAULT_TIME_ZONE;
  try {
    compileDateReader({ formats: ["auto"], timeZone });
  } catch (error) {
    throw new MappingError(`time_zone: ${(error as Error).message}`);
  }
  if (!fields || typeof fields !== "object" || Array.isArray(fields)) throw new MappingError(`fields: expected a mapping of load fields to paths, got ${show(fields)}`);
  const plans: FieldPlan[] = [];
  for (const [target, spec] of Object.entries(fields)) {
    if (spec === undefined) continue;
    if (!Object.hasOwn(TARGETS, target)) {
      const hint = suggestKey(target, TARGET_FIELDS);
      throw new MappingError(`fields.${target}: unknown load field (${hint ? `did you mean "${hint}"?` : `fields: ${TARGET_FIELDS.join(", ")}`})`);
    }
    plans.push(compileField(target as TargetField, spec, timeZone));
  }
  // Whole places first, so origin.zip can add to or correct what origin's city_state gave.
  plans.sort((a, b) => Number(a.target.includes(".")) - Number(b.target.includes(".")));
  return { fields: plans, timeZone };
}

/**
 * Required fields the mapping does not fill at all (origin and destination count as filled when
 * any of their parts is). A plugin that cannot supply them otherwise should refuse to start.
 */
export function unmappedRequiredTargets(mapping: CompiledMapping): TargetField[] {
  const targets = mapping.fields.map((field) => field.target);
  return REQUIRED_TARGETS.filter((required) => !targets.some((target) => target === required || target.startsWith(`${required}.`)));
}

// ---- applying --------------------------------------------------------------------------------

function isMissing(value: unknown, missingValues: Set<string>): boolean {
  if (value === undefined || value === null) return true;
  if (typeof value !== "string") return false;
  const text = value.trim();
  return text === "" || missingValues.has(text.toLowerCase());
}

function readField(plan: FieldPlan, record: unknown): FieldOutcome {
  if (plan.path === null) return { kind: "value", value: plan.constant };
  const raw = readPath(record, plan.path, plan.segments!);
  if (isMissing(raw, plan.missingValues)) return plan.fallback !== undefined ? { kind: "value", value: plan.fallback } : { kind: "missing" };
  try {
    return { kind: "value", value: plan.convert(raw) };
  } catch (error) {
    if (!(error instanceof TransformError)) throw error;
    return { kind: "error", reason: `${plan.target}: ${show(raw)} at ${JSON.stringify(plan.path)} ${error.message}` };
  }
}

/** Sets "origin.city" in a nested load, creating "origin" as needed. */
function setTarget(load: Record<string, unknown>, target: string, value: unknown): void {
  const dot = target.indexOf(".");
  if (dot === -1) {
    // A place from city_state is copied, so origin.* parts never write into a shared object.
    load[target] = value !== null && typeof value === "object" ? { ...value } : value;
    return;
  }
  const parent = target.slice(0, dot);
  const child = (load[parent] ??= {}) as Record<string, unknown>;
  child[target.slice(dot + 1)] = value;
}

/**
 * Builds the nested load (`origin.city` → `{ origin: { city } }`) from one raw record. Fails with
 * a reason naming the target field, the path and the raw value when a value cannot be read, or
 * when a required field has none. Does not check the load as a whole: run loadProblem on it.
 */
export function applyMapping(mapping: CompiledMapping, raw: unknown): { ok: true; load: Record<string, unknown> } | { ok: false; reason: string } {
  if (raw === null || typeof raw !== "object") return { ok: false, reason: `the record is ${show(raw)}, not an object` };
  const load: Record<string, unknown> = {};
  const placeParts = new Map<string, string[]>();
  for (const field of mapping.fields as readonly FieldPlan[]) {
    const outcome = readField(field, raw);
    const group = field.target.split(".")[0]!;
    if (outcome.kind === "error") return { ok: false, reason: outcome.reason };
    if (outcome.kind === "value") {
      setTarget(load, field.target, outcome.value);
      continue;
    }
    if (field.required) return { ok: false, reason: `${field.target}: no value at ${JSON.stringify(field.path)}, and the field is required` };
    if ((TARGETS[group as TargetField] as TargetInfo | undefined)?.kind === "place") placeParts.set(group, [...(placeParts.get(group) ?? []), field.path!]);
  }
  // A required place mapped by parts needs at least one of them; which ones suffice is loadProblem's rule.
  for (const [group, paths] of placeParts) {
    const value = load[group];
    const required = (TARGETS[group as TargetField] as TargetInfo).required;
    if (required && (value === undefined || Object.keys(value as object).length === 0)) {
      const listed = paths.map((path) => JSON.stringify(path));
      return { ok: false, reason: `${group}: no value at ${listed.length > 1 ? `${listed.slice(0, -1).join(", ")} or ${listed.at(-1)}` : listed[0]}, and a place is required` };
    }
  }
  return { ok: true, load };
}
