/**
 * Checks what a plugin hands back against its kind's output schema and words the first problem
 * for the Sources page: "returned invalid output: loads must be a list".
 */
import { ValueErrorType, Value } from "@sinclair/typebox/value";
import type { TSchema } from "@sinclair/typebox";
import { displayPath, pointerSegments } from "../config/errors";
import { LoadboardOutputSchema, TelemetryOutputSchema, type LoadboardOutput, type TelemetryOutput } from "./types";

/** Result of checking a plugin's output. */
export type OutputCheck<T> = { ok: true; value: T; items: Record<string, unknown>[] } | { ok: false; reason: string };

function kindOf(value: unknown): string {
  if (value === undefined) return "nothing";
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "string") return "text";
  if (typeof value === "object") return "an object";
  return `a ${typeof value}`;
}

/** Words the first schema violation of `value`, with `example` describing the expected shape. */
function firstProblem(schema: TSchema, value: unknown, example: string): string | null {
  if (!value || typeof value !== "object" || Array.isArray(value)) return `expected an object like ${example}, got ${kindOf(value)}`;
  const error = Value.Errors(schema, value).First();
  if (!error) return null;
  const where = displayPath(pointerSegments(error.path));
  switch (error.type) {
    case ValueErrorType.ObjectRequiredProperty:
      return `${where} is missing (expected ${example})`;
    case ValueErrorType.ObjectAdditionalProperties:
      return `unexpected key ${where} (expected ${example})`;
    case ValueErrorType.Array:
      return `${where} must be a list, got ${kindOf(error.value)}`;
    case ValueErrorType.Object:
      return `${where} must be an object, got ${kindOf(error.value)}`;
    default:
      return `${where || "the result"}: ${error.message.charAt(0).toLowerCase()}${error.message.slice(1)}`;
  }
}

/** Checks a telemetry poll result or push batch: `{ records: object[] }`. */
export function checkTelemetryOutput(value: unknown): OutputCheck<TelemetryOutput> {
  const problem = firstProblem(TelemetryOutputSchema, value, "{ records: [...] }");
  if (problem) return { ok: false, reason: problem };
  const output = value as TelemetryOutput;
  return { ok: true, value: output, items: output.records };
}

/** Checks a load-board poll result: `{ loads: object[] }`. */
export function checkLoadboardOutput(value: unknown): OutputCheck<LoadboardOutput> {
  const problem = firstProblem(LoadboardOutputSchema, value, "{ loads: [...] }");
  if (problem) return { ok: false, reason: problem };
  const output = value as LoadboardOutput;
  return { ok: true, value: output, items: output.loads };
}
