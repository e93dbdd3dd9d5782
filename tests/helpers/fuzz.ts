/**
 * Fuzzing for telemetry decoders: deterministic random and mutated payloads, and a runner that
 * holds a decoder to the contract — every payload either decodes into valid canonical records or
 * is rejected with a DecodeError that says why. Anything else (a TypeError, a RangeError, an
 * invalid record) is a crash the test reports with the payload that caused it.
 */
import { DecodeError, recordProblem, type DecodeResult } from "../../src/ingest/records";
import { seededRandom } from "../../src/domain/random";

const encoder = new TextEncoder();
const JUNK_VALUES = ["null", "true", "-1", "1e309", "-0", "NaN", '""', '"x"', "[]", "{}", "[[[[[[]]]]]]", '"\\u0000"', "12345678901234567890", '"2024-13-45T99:99:99Z"', '"٣"', "0.0000001", "-180.5", "91"];

/** Payloads to throw at a decoder: mutations of the real `samples`, random bytes, random text and JSON with wrong values. */
export function* fuzzPayloads(samples: (string | Uint8Array)[], count: number, seed = 1): Generator<Uint8Array> {
  // Seeded, so a failing case can be replayed from its seed.
  const random = seededRandom(seed);
  const int = (n: number) => Math.floor(random() * n);
  const bases = samples.map((sample) => (typeof sample === "string" ? encoder.encode(sample) : sample));
  const pick = () => bases[int(bases.length)] ?? new Uint8Array();
  for (let i = 0; i < count; i++) {
    const roll = random();
    if (roll < 0.45 && bases.length) yield mutate(pick(), random, int, pick);
    else if (roll < 0.6) yield Uint8Array.from({ length: int(300) }, () => int(256));
    else if (roll < 0.75) yield encoder.encode(Array.from({ length: int(200) }, () => String.fromCharCode(32 + int(95))).join(""));
    else yield encoder.encode(jsonWithJunk(pick(), random, int));
  }
}

/** One structural mutation of `base`: flips, inserts, deletes, truncation, repetition or a splice with another sample. */
function mutate(base: Uint8Array, random: () => number, int: (n: number) => number, pick: () => Uint8Array): Uint8Array {
  const bytes = Array.from(base);
  const edits = 1 + int(4);
  for (let e = 0; e < edits; e++) {
    const at = int(bytes.length + 1);
    switch (int(7)) {
      case 0:
        if (bytes.length) bytes[at % bytes.length]! ^= 1 << int(8);
        break;
      case 1:
        bytes.splice(at, 0, int(256));
        break;
      case 2:
        bytes.splice(at, 1 + int(8));
        break;
      case 3:
        bytes.length = at;
        break;
      case 4:
        bytes.splice(at, 0, ...bytes.slice(0, int(64)));
        break;
      case 5: {
        const other = Array.from(pick());
        bytes.splice(at, int(16), ...other.slice(int(other.length + 1)));
        break;
      }
      default:
        // Replace a digit run or a token with a junk value: the decoder sees well-formed text with wrong numbers.
        bytes.splice(at, int(6), ...encoder.encode(JUNK_VALUES[int(JUNK_VALUES.length)]!));
    }
  }
  return Uint8Array.from(bytes.slice(0, 64 * 1024));
}

/** The sample parsed as JSON with some values swapped for junk of the wrong type or range; random JSON if it is not JSON. */
function jsonWithJunk(base: Uint8Array, random: () => number, int: (n: number) => number): string {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder().decode(base));
  } catch {
    value = { a: 1 };
  }
  const junk = () => JSON.parse(JUNK_VALUES[int(JUNK_VALUES.length)]!.replace("NaN", "null").replace("1e309", "1e308"));
  const walk = (node: unknown, depth: number): unknown => {
    if (Array.isArray(node)) return random() < 0.1 ? junk() : node.map((item) => walk(item, depth + 1));
    if (node && typeof node === "object") {
      const out: Record<string, unknown> = {};
      for (const [key, child] of Object.entries(node)) {
        if (random() < 0.1) continue; // drop the key
        out[key] = random() < 0.25 ? junk() : walk(child, depth + 1);
      }
      return out;
    }
    return random() < 0.3 ? junk() : node;
  };
  return JSON.stringify(walk(value, 0));
}

/** What a fuzz run saw. */
export interface FuzzReport {
  decoded: number;
  rejected: number;
  /** Reasons of rejections, counted (to check they are messages, not empty). */
  reasons: Map<string, number>;
  /** Payloads that threw something other than a DecodeError, or returned invalid records. */
  crashes: { payload: string; error: string }[];
}

/**
 * Runs `decode` over every payload. A DecodeError with a message counts as rejected; valid
 * records count as decoded; anything else is a crash, kept with the payload (hex) for replay.
 */
export function fuzzDecoder(decode: (payload: Uint8Array) => DecodeResult, payloads: Iterable<Uint8Array>): FuzzReport {
  const report: FuzzReport = { decoded: 0, rejected: 0, reasons: new Map(), crashes: [] };
  for (const payload of payloads) {
    try {
      const result = decode(payload);
      const problem = !result || !Array.isArray(result.records) ? "decode returned no records list" : result.records.map(recordProblem).find((p) => p !== null);
      if (problem) report.crashes.push({ payload: Buffer.from(payload).toString("hex"), error: `invalid output: ${problem}` });
      else report.decoded++;
    } catch (error) {
      if (error instanceof DecodeError && error.message.trim()) {
        report.rejected++;
        const reason = error.message.replace(/\d+/g, "N").slice(0, 80);
        report.reasons.set(reason, (report.reasons.get(reason) ?? 0) + 1);
      } else report.crashes.push({ payload: Buffer.from(payload).toString("hex"), error: error instanceof Error ? `${error.name}: ${error.message}` : String(error) });
    }
  }
  return report;
}
