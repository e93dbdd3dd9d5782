/**
 * The shared load-board field mapping: the YAML shape (the example from the mapping's design,
 * parsed as YAML and checked against FieldMappingSchema), compile-time errors that name the field,
 * applying it to JSON items and CSV-like rows with the expected loads worked out by hand (each one
 * passing loadProblem), the per-record failures that name field, path and raw value, and paths.
 */
import { describe, expect, test } from "bun:test";
import { Value } from "@sinclair/typebox/value";
import { parse } from "yaml";
import { applyMapping, compileMapping, FieldMappingSchema, getPath, MappingError, unmappedRequiredTargets, type FieldMapping } from "../../src/loads/mapping";
import { loadProblem } from "../../src/loads/records";

/** The example `fields:` block the mapping was designed from, plus a destination. */
const EXAMPLE_YAML = `
fields:
  external_id: loadId
  origin.city: { path: "stops[0].city" }
  origin.state: { path: "stops[0].state", transform: upper }
  origin: { path: "Origin", transform: city_state }
  destination.city: "stops[-1].city"
  destination.state: "stops[-1].state"
  pickup_earliest: { path: "pickup.start", transform: date, format: iso }
  weight_lb: { path: "weight.value", transform: weight, from: kg }
  loaded_miles: { path: "distance", transform: distance, from: km }
  length_ft: { path: "len", transform: length, from: m }
  rate_cents: { path: "rate", transform: money, from: dollars }
  equipment: { path: "equipmentType", map: { Van: V, Reefer: R, "Flatbed": F } }
  full: { path: "loadSize", map: { FTL: true, LTL: false, Partial: false } }
  broker.name: { value: "Coyote Logistics" }
  comments: { path: "notes", optional: true }
`;
const example = (parse(EXAMPLE_YAML) as { fields: FieldMapping }).fields;

/** One JSON item as an API might send it. */
const item = {
  loadId: "CL-88123",
  Origin: "Chicago, IL 60601",
  stops: [
    { city: "Joliet", state: "il" },
    { city: "Memphis", state: "tn" },
  ],
  pickup: { start: "2025-03-09T02:30:00" },
  weight: { value: 18000, unit: "kg" },
  distance: 850,
  len: "16.15",
  rate: "$1,850.00",
  equipmentType: " reefer ",
  loadSize: "Partial",
};

function compileError(fields: unknown, options?: { timeZone?: string }): string {
  try {
    compileMapping(fields as FieldMapping, options);
  } catch (error) {
    expect(error).toBeInstanceOf(MappingError);
    return (error as Error).message;
  }
  throw new Error("expected a MappingError");
}

function reason(fields: unknown, record: unknown): string {
  const result = applyMapping(compileMapping(fields as FieldMapping), record);
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.load)}`);
  return result.reason;
}

describe("FieldMappingSchema", () => {
  test("accepts the example block", () => {
    expect([...Value.Errors(FieldMappingSchema, example)]).toEqual([]);
  });

  test("refuses unknown load fields and unknown spec keys", () => {
    expect(Value.Check(FieldMappingSchema, { "orign.city": "x" })).toBe(false);
    expect(Value.Check(FieldMappingSchema, { origin: { path: "x", transfrom: "upper" } })).toBe(false);
    expect(Value.Check(FieldMappingSchema, { weight_lb: 5 })).toBe(false);
  });

  test("a field of the wrong shape carries a message for the config loader", () => {
    const error = Value.Errors(FieldMappingSchema, { weight_lb: 5 }).First()!;
    expect(error.path).toBe("/weight_lb");
    expect((error.schema as { errorMessage?: string }).errorMessage).toContain("is neither a path nor a field spec");
  });
});

describe("applying the example", () => {
  const mapping = compileMapping(example);

  test("builds the nested load, parts over the whole place, units converted", () => {
    const result = applyMapping(mapping, item);
    expect(result).toEqual({
      ok: true,
      load: {
        external_id: "CL-88123",
        // origin from "Chicago, IL 60601", then origin.city and origin.state from the first stop.
        origin: { city: "Joliet", state: "IL", zip: "60601" },
        destination: { city: "Memphis", state: "TN" },
        // 02:30 on 9 March 2025 does not exist in Chicago (clocks go 02:00 → 03:00): 03:30 CDT.
        pickup_earliest: Date.UTC(2025, 2, 9, 8, 30),
        weight_lb: expect.closeTo(18000 / 0.45359237, 9), // 39 683.207 lb
        loaded_miles: expect.closeTo(850 / 1.609344, 9), // 528.166 mi
        length_ft: expect.closeTo(16.15 / 0.3048, 9), // 52.986 ft
        rate_cents: 185000,
        equipment: "R",
        full: false,
        broker: { name: "Coyote Logistics" },
      },
    });
    expect(loadProblem((result as { load: unknown }).load)).toBeNull();
  });

  test("an optional field is filled when present", () => {
    const result = applyMapping(mapping, { ...item, notes: "  Tarps required  " });
    expect(result.ok && result.load.comments).toBe("Tarps required");
  });

  test("a transform failure names the field, the path and the raw value", () => {
    expect(applyMapping(mapping, { ...item, pickup: { start: "03/09/2025" } })).toEqual({ ok: false, reason: 'pickup_earliest: "03/09/2025" at "pickup.start" is not a date in ISO 8601' });
    expect(applyMapping(mapping, { ...item, equipmentType: "Hopper" })).toEqual({ ok: false, reason: 'equipment: "Hopper" at "equipmentType" is not in the field\'s map (Van, Reefer, Flatbed)' });
    expect(applyMapping(mapping, { ...item, rate: "Call" })).toEqual({ ok: false, reason: 'rate_cents: "Call" at "rate" is not an amount in dollars (like 1850, "1,850.00" or "$1,850")' });
    expect(applyMapping(mapping, { ...item, Origin: "Chicago" })).toEqual({ ok: false, reason: 'origin: "Chicago" at "Origin" is not a place like "Chicago, IL" or "Chicago IL 60601"' });
  });

  test("a required field without a value fails; an empty string counts as missing", () => {
    expect(applyMapping(mapping, { ...item, loadId: undefined })).toEqual({ ok: false, reason: 'external_id: no value at "loadId", and the field is required' });
    expect(applyMapping(mapping, { ...item, loadId: "   " })).toEqual({ ok: false, reason: 'external_id: no value at "loadId", and the field is required' });
    expect(applyMapping(mapping, { ...item, equipmentType: null })).toEqual({ ok: false, reason: 'equipment: no value at "equipmentType", and the field is required' });
  });

  test("a record that is not an object fails", () => {
    expect(applyMapping(mapping, "CL-1")).toEqual({ ok: false, reason: 'the record is "CL-1", not an object' });
    expect(applyMapping(mapping, null)).toEqual({ ok: false, reason: "the record is null, not an object" });
  });
});

describe("a CSV-style row", () => {
  const fields: FieldMapping = {
    external_id: "Load #",
    "origin.city": "Origin City",
    "origin.state": "Origin State",
    "origin.zip": "Origin Zip",
    "destination.city": "Dest City",
    "destination.state": "Dest State",
    pickup_earliest: { path: "Pickup", format: ["MM/DD/YYYY HH:mm", "MM/DD/YYYY"] },
    pickup_latest: { path: "Pickup By", format: "MM/DD/YYYY", end_of_day: true },
    equipment: "Type",
    weight_lb: "Wt.",
    rate_cents: { path: "Rate", missing_values: ["Call", "N/A"] },
    "broker.name": "Broker",
    "broker.mc": "MC",
    commodity: { path: "Commodity", default: "General freight" },
  };
  const mapping = compileMapping(fields);
  const row = {
    "Load #": "88123",
    "Origin City": "Joliet",
    "Origin State": "IL",
    "Origin Zip": "",
    "Dest City": "Memphis",
    "Dest State": "TN",
    Pickup: "07/04/2025 06:00",
    "Pickup By": "07/05/2025",
    Type: "Dry Van",
    "Wt.": "42,000",
    Rate: "Call",
    Broker: "Acme Freight",
    MC: "MC-123456",
    Commodity: "",
  };

  test("default transforms per field, defaults, missing values, headers with dots", () => {
    const result = applyMapping(mapping, row);
    expect(result).toEqual({
      ok: true,
      load: {
        external_id: "88123",
        origin: { city: "Joliet", state: "IL" },
        destination: { city: "Memphis", state: "TN" },
        pickup_earliest: Date.UTC(2025, 6, 4, 11, 0), // 06:00 CDT
        pickup_latest: Date.UTC(2025, 6, 6, 4, 59, 59, 999), // end of 5 July, CDT
        equipment: "V",
        weight_lb: 42000,
        broker: { name: "Acme Freight", mc: "123456" },
        commodity: "General freight",
      },
    });
    expect(loadProblem((result as { load: unknown }).load)).toBeNull();
  });

  test("a required place mapped by parts fails when every part is empty, naming the columns", () => {
    expect(reason(fields, { ...row, "Origin City": "", "Origin State": " " })).toBe('origin: no value at "Origin City", "Origin State" or "Origin Zip", and a place is required');
  });

  test("the source's time zone applies unless a field names its own", () => {
    const eastern = compileMapping(fields, { timeZone: "America/New_York" });
    expect((applyMapping(eastern, row) as { load: Record<string, unknown> }).load.pickup_earliest).toBe(Date.UTC(2025, 6, 4, 10, 0));
    const ownZone = compileMapping({ ...fields, pickup_earliest: { path: "Pickup", format: "MM/DD/YYYY HH:mm", time_zone: "America/Denver" } }, { timeZone: "America/New_York" });
    expect((applyMapping(ownZone, row) as { load: Record<string, unknown> }).load.pickup_earliest).toBe(Date.UTC(2025, 6, 4, 12, 0));
  });

  test("optional and default let a required field be missing", () => {
    const optional = compileMapping({ ...fields, equipment: { path: "Type", optional: true } });
    expect((applyMapping(optional, { ...row, Type: "" }) as { load: Record<string, unknown> }).load.equipment).toBeUndefined();
    const withDefault = compileMapping({ ...fields, equipment: { path: "Type", default: "v" } });
    expect((applyMapping(withDefault, { ...row, Type: "" }) as { load: Record<string, unknown> }).load.equipment).toBe("V");
  });

  test("free text longer than the load allows is cut, not refused", () => {
    const long = compileMapping({ ...fields, comments: "Notes" });
    const load = (applyMapping(long, { ...row, Notes: "x".repeat(5000) }) as { load: Record<string, unknown> }).load;
    expect(load.comments).toHaveLength(4000);
    expect((load.comments as string).endsWith("…")).toBe(true);
    expect(loadProblem(load)).toBeNull();
  });

  test("map keys match after trimming, ignoring case; values are stored as given", () => {
    const mapped = compileMapping({ ...fields, full: { path: "Size", map: { " FTL ": true, ltl: false } }, equipment: { path: "Type", transform: "upper", map: { "DRY VAN": "V", "REEFER 53": "R" } } });
    const load = (applyMapping(mapped, { ...row, Size: "ftl", Type: "Reefer 53" }) as { load: Record<string, unknown> }).load;
    expect(load.full).toBe(true);
    expect(load.equipment).toBe("R");
  });
});

describe("compile errors name the field", () => {
  test.each([
    [{ pickup_earliest: { path: "PickupDate", transform: "dat" } }, 'fields.pickup_earliest: unknown transform "dat" (transforms: trim, upper,'],
    [{ "orign.city": "x" }, 'fields.orign.city: unknown load field (did you mean "origin.city"?)'],
    [{ origin: { path: "x", transfrom: "upper" } }, "fields.origin.transfrom: unknown key (keys: path, value, transform,"],
    [{ weight_lb: { path: "x", from: "stone" } }, 'fields.weight_lb: from "stone" is not a weight unit (lb, kg, t, short_ton)'],
    [{ comments: { path: "x", from: "kg" } }, "fields.comments: from applies to the money, weight, distance and length transforms, not trim"],
    [{ weight_lb: { path: "x", format: "MM/DD/YYYY" } }, "fields.weight_lb: format applies to the date transform, not weight"],
    [{ pickup_earliest: { path: "x", format: "MM/DD/YYY" } }, 'fields.pickup_earliest: date format "MM/DD/YYY" has an unknown token at "Y"'],
    [{ pickup_earliest: { path: "x", time_zone: "Central" } }, 'fields.pickup_earliest: "Central" is not an IANA time zone'],
    [{ weight_lb: { path: "x", transform: "date" } }, "fields.weight_lb: transform date gives time, but weight_lb holds number"],
    [{ pickup_earliest: { path: "x", transform: "number" } }, "fields.pickup_earliest: transform number gives number, but pickup_earliest holds a time (use transform: date)"],
    [{ origin: { path: "x", transform: "upper" } }, "fields.origin: transform upper gives text, but origin holds place"],
    [{ "origin.city": { path: "x", transform: "city_state" } }, "fields.origin.city: transform city_state gives a place, but origin.city holds text"],
    [{ origin: { path: "x", map: { a: "b" } } }, "fields.origin: a place cannot be mapped value by value"],
    [{ full: { path: "x", transform: "bool", map: { FTL: true } } }, "fields.full: with map, transform can only prepare the text"],
    [{ equipment: { path: "x", map: { Hopper: "HOP" } } }, 'fields.equipment: map value for "Hopper" "HOP" is not an equipment code Haulbox knows'],
    [{ full: { path: "x", map: { FTL: "yes" } } }, 'fields.full: map value for "FTL" "yes" must be true or false'],
    [{ equipment: { path: "x", map: { van: "V", VAN: "V" } } }, 'fields.equipment: map has "VAN" twice'],
    [{ rate_cents: { path: "x", default: "lots" } }, 'fields.rate_cents: default "lots" must be a number'],
    [{ "broker.name": {} }, "fields.broker.name: give either path or value (neither)"],
    [{ "broker.name": { path: "a", value: "b" } }, "fields.broker.name: give either path or value (not both)"],
    [{ origin: { value: "Springfield" } }, 'fields.origin: value "Springfield" is not a place like "Chicago, IL"'],
    [{ weight_lb: { path: 5 } }, "fields.weight_lb.path: expected string, got 5"],
    [{ weight_lb: "  " }, "fields.weight_lb: the path is empty"],
    [{ weight_lb: 5 }, "fields.weight_lb: expected a path or a spec like { path, transform }, got 5"],
    [["external_id"], 'fields: expected a mapping of load fields to paths, got ["external_id"]'],
  ])("%p", (fields, message) => expect(compileError(fields)).toStartWith(message));

  test("an unknown time zone for the whole mapping", () => {
    expect(compileError({}, { timeZone: "Mars/Olympus" })).toBe('time_zone: "Mars/Olympus" is not an IANA time zone (like "America/Chicago" or "UTC")');
  });
});

describe("what a mapping tells its plugin", () => {
  test("fields list target, path and whether a record needs a value", () => {
    const mapping = compileMapping({ external_id: "id", comments: "notes", equipment: { path: "t", optional: true }, "broker.name": { value: "Acme" }, origin: "o" });
    expect(mapping.fields.map(({ target, path, required }) => ({ target, path, required }))).toEqual([
      { target: "external_id", path: "id", required: true },
      { target: "comments", path: "notes", required: false },
      { target: "equipment", path: "t", required: false },
      { target: "origin", path: "o", required: true },
      { target: "broker.name", path: null, required: false },
    ]);
    expect(mapping.timeZone).toBe("America/Chicago");
  });

  test("unmappedRequiredTargets: a place counts when any part is mapped", () => {
    expect(unmappedRequiredTargets(compileMapping({}))).toEqual(["external_id", "origin", "destination", "pickup_earliest", "equipment", "broker.name"]);
    expect(unmappedRequiredTargets(compileMapping({ "origin.zip": "z", destination: "d", "broker.mc": "mc", equipment: "e" }))).toEqual(["external_id", "pickup_earliest", "broker.name"]);
  });
});

describe("getPath", () => {
  const value = { a: { b: [10, 20, 30] }, stops: [{ city: "Joliet" }, { city: "Memphis" }], "Wt.": 42000, "origin.city": "Header", x: { "a.b": 1 } };
  test.each([
    ["a.b", [10, 20, 30]],
    ["a.b[0]", 10],
    ["a.b[-1]", 30],
    ["$.a.b[1]", 20],
    ["stops[0].city", "Joliet"],
    ["stops[-1].city", "Memphis"],
    ["stops[5].city", undefined],
    ["a.c", undefined],
    ["a.b.c", undefined],
    ["Wt.", 42000], // not a path: read as one key
    ["origin.city", "Header"], // a key equal to the whole path wins
    ['x["a.b"]', 1],
    ["x['a.b']", 1],
    ["$", value],
  ])("%p", (path, expected) => expect(getPath(value, path)).toEqual(expected as never));

  test("lists at the top and prototypes never leak", () => {
    expect(getPath([{ id: 1 }, { id: 2 }], "[-1].id")).toBe(2);
    expect(getPath({}, "constructor")).toBeUndefined();
    expect(getPath({}, "__proto__")).toBeUndefined();
    expect(getPath({ a: {} }, "a.toString")).toBeUndefined();
    expect(getPath("text", "length")).toBeUndefined();
  });
});
