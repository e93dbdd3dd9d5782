/**
 * Load-mapping transforms, table by table: each transform's accepted spellings with values worked
 * out by hand, the exact unit factors (NIST SP 811 / Handbook 44: 1 lb = 0.45359237 kg, 1 mi =
 * 1.609344 km, 1 ft = 0.3048 m, 1 short ton = 2000 lb), and the values each one refuses with the
 * wording the mapping puts after "<value> at <path>".
 *
 * Times: US daylight saving time starts at 2:00 a.m. on the second Sunday of March and ends at
 * 2:00 a.m. on the first Sunday of November (Energy Policy Act of 2005, 15 U.S.C. 260a); in 2025
 * those are March 9 and November 2. Central time is UTC-6 in winter and UTC-5 in summer.
 */
import { describe, expect, test } from "bun:test";
import {
  compileDateReader,
  isTimeZone,
  KG_PER_POUND,
  localTimeToEpochMs,
  toBool,
  toCityState,
  toDigits,
  toDistanceMiles,
  toEquipmentCode,
  toInteger,
  toLengthFt,
  toMoneyCents,
  toNumber,
  toText,
  toWeightLb,
  toZip,
  TransformError,
  zoneOffsetMs,
} from "../../src/loads/transforms";

/** The TransformError message `fn(value)` throws. */
function refusal(fn: (value: unknown) => unknown, value: unknown): string {
  try {
    fn(value);
  } catch (error) {
    expect(error).toBeInstanceOf(TransformError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(value)} to be refused`);
}

const HOUR = 3_600_000;

describe("text", () => {
  test.each([
    ["  Chicago  ", "Chicago"],
    [17, "17"],
    [true, "true"],
  ])("%p → %p", (value, expected) => expect(toText(value)).toBe(expected));

  test.each([
    [{ a: 1 }, "is an object, not text"],
    [[1], "is a list, not text"],
    [Number.NaN, "is a number, not text"],
  ])("%p is refused: %s", (value, reason) => expect(refusal(toText, value)).toBe(reason));
});

describe("number and integer", () => {
  test.each([
    ["42000", 42000],
    ["42,000", 42000],
    ["1,850.50", 1850.5],
    [" -3.5 ", -3.5],
    [".5", 0.5],
    ["1e3", 1000],
    [7, 7],
  ])("%p → %p", (value, expected) => expect(toNumber(value)).toBe(expected));

  // "12,5" is a decimal comma (or a typo): reading it as 125 would be silently wrong.
  test.each(["12,5", "1.850,00", "abc", "", "0x1f", "Infinity", "1,85"])("%p is not a number", (value) => expect(refusal(toNumber, value)).toBe("is not a number"));
  test("NaN and Infinity as numbers are refused", () => {
    expect(refusal(toNumber, Number.NaN)).toBe("is not a finite number");
    expect(refusal(toNumber, Number.POSITIVE_INFINITY)).toBe("is not a finite number");
  });

  test("integers", () => {
    expect(toInteger("1,200")).toBe(1200);
    expect(toInteger(12)).toBe(12);
    expect(refusal(toInteger, "12.5")).toBe("is not a whole number");
  });
});

describe("weight, distance, length", () => {
  test("the pound is exactly 0.45359237 kg", () => expect(KG_PER_POUND).toBe(0.45359237));

  test.each([
    ["42000", "lb", 42000],
    ["42,000 lbs", "kg", 42000], // the cell's unit wins over `from`
    [20000, "kg", 20000 / 0.45359237], // 44 092.452 lb
    ["1000 kg", "lb", 2204.6226218487757], // NIST: 1 kg = 2.204 622 6 lb
    ["19.5 t", "lb", 19.5 * 2204.6226218487757],
    [1, "t", 2204.6226218487757],
    [22, "short_ton", 44000],
    ["22 tons", "lb", 44000],
    ["500#", "kg", 500],
  ] as const)("weight %p from %s → %p lb", (value, from, pounds) => expect(toWeightLb(value, from)).toBeCloseTo(pounds, 9));

  test.each([
    ["250", "mi", 250],
    [100, "km", 62.13711922373339], // 100 / 1.609344
    ["1,609.344 km", "mi", 1000],
    ["42 miles", "km", 42],
  ] as const)("distance %p from %s → %p mi", (value, from, miles) => expect(toDistanceMiles(value, from)).toBeCloseTo(miles, 9));

  test.each([
    ["53", "ft", 53],
    ["53'", "m", 53],
    [16.15, "m", 52.98556430446194], // 16.15 / 0.3048
    ["16.15 m", "ft", 52.98556430446194],
    ["48 feet", "m", 48],
  ] as const)("length %p from %s → %p ft", (value, from, feet) => expect(toLengthFt(value, from)).toBeCloseTo(feet, 9));

  test("unknown unit words and non-numbers are refused, naming the units", () => {
    expect(refusal((v) => toWeightLb(v), "42000 stone")).toBe('has the unit "stone", which is not a weight unit (lb, kg, t, short_ton)');
    expect(refusal((v) => toDistanceMiles(v), "far")).toBe("is not a distance");
    expect(refusal((v) => toLengthFt(v), { ft: 53 })).toBe("is an object, not a length");
  });
});

describe("money", () => {
  test.each([
    ["$1,850.00", "dollars", 185000],
    ["1850", "dollars", 185000],
    [1850, "dollars", 185000],
    ["1,850", "dollars", 185000],
    ["$1850.5", "dollars", 185050],
    ["USD 2,100", "dollars", 210000],
    ["2100 USD", "dollars", 210000],
    ["-$50", "dollars", -5000],
    [".99", "dollars", 99],
    // 1.005 × 100 is 100.49999999999999 in floating point; half a cent rounds up on the digits.
    [1.005, "dollars", 101],
    ["1.005", "dollars", 101],
    ["1.0049", "dollars", 100],
    [0.1 + 0.2, "dollars", 30],
    [185000, "cents", 185000],
    ["185000", "cents", 185000],
  ] as const)("%p in %s → %p cents", (value, from, cents) => expect(toMoneyCents(value, from)).toBe(cents));

  test.each([
    ["Call", "dollars", 'is not an amount in dollars (like 1850, "1,850.00" or "$1,850")'],
    ["$", "dollars", 'is not an amount in dollars (like 1850, "1,850.00" or "$1,850")'],
    ["1.850,00", "dollars", 'is not an amount in dollars (like 1850, "1,850.00" or "$1,850")'],
    [true, "dollars", "is a boolean, not an amount in dollars"],
    [1850.5, "cents", "is not a whole number of cents"],
    ["lots", "cents", "is not an amount in cents"],
  ] as const)("%p in %s is refused", (value, from, reason) => expect(refusal((v) => toMoneyCents(v, from), value)).toBe(reason));
});

describe("city_state", () => {
  test.each([
    ["Chicago, IL", { city: "Chicago", state: "IL" }],
    ["Chicago IL 60601", { city: "Chicago", state: "IL", zip: "60601" }],
    ["Chicago,IL", { city: "Chicago", state: "IL" }],
    ["St. Louis, mo 63101-1234", { city: "St. Louis", state: "MO", zip: "63101" }],
    ["Winston-Salem, NC", { city: "Winston-Salem", state: "NC" }],
    ["Salt Lake City  UT", { city: "Salt Lake City", state: "UT" }],
    ["Fort  Worth, TX, USA", { city: "Fort Worth", state: "TX" }],
  ])("%p → %p", (value, place) => expect(toCityState(value)).toEqual(place as never));

  test.each([
    ["Chicago", 'is not a place like "Chicago, IL" or "Chicago IL 60601"'],
    ["IL", 'is not a place like "Chicago, IL" or "Chicago IL 60601"'],
    ["Chicago, Illinois", 'is not a place like "Chicago, IL" or "Chicago IL 60601"'],
    ["Toronto, ON", 'has "ON", which is not a two-letter US state code'],
  ])("%p is refused: %s", (value, reason) => expect(refusal(toCityState, value)).toBe(reason));
});

describe("zip", () => {
  test.each([
    ["60601", "60601"],
    ["60601-1234", "60601"],
    ["606011234", "60601"],
    [60601, "60601"],
    // Spreadsheets drop leading zeros: Boston 02134, Holtsville 00501, a ZIP+4 02134-1234 stored as a number.
    [2134, "02134"],
    ["2134", "02134"],
    [501, "00501"],
    [21341234, "02134"],
  ])("%p → %p", (value, zip) => expect(toZip(value)).toBe(zip));

  test.each(["ABCDE", "123456", "12", 12, -60601, 606.01, "60601-12"])("%p is not a ZIP", (value) => expect(refusal(toZip, value)).toBe("is not a ZIP code (5 digits, or ZIP+4 like 60601-1234)"));
});

describe("bool, digits, equipment", () => {
  test.each([
    ["yes", true],
    ["Y", true],
    ["TRUE", true],
    ["1", true],
    [1, true],
    [true, true],
    ["no", false],
    ["n", false],
    ["False", false],
    [0, false],
  ])("bool %p → %p", (value, expected) => expect(toBool(value)).toBe(expected));
  test("bool refuses anything else", () => expect(refusal(toBool, "maybe")).toBe("is not yes/no, true/false, Y/N or 1/0"));

  test.each([
    ["MC-123456", "123456"],
    ["MC# 123456", "123456"],
    ["MC123456", "123456"],
    ["DOT 1234567", "1234567"],
    [123456, "123456"],
    ["012345", "012345"],
  ])("digits %p → %p", (value, expected) => expect(toDigits(value)).toBe(expected));
  test.each(["MC-ABC", "123456789", "MC 12 34"])("digits refuses %p", (value) => expect(refusal(toDigits, value)).toBe('is not a number of up to 8 digits like 123456 or "MC-123456"'));

  test.each([
    ["v", "V"],
    ["Dry Van", "V"],
    ["van", "V"],
    ["Reefer", "R"],
    ["step-deck", "SD"],
    ["Step Deck", "SD"],
    ["rgn", "RGN"],
    ["Van or reefer", "VR"],
    ["Hot shot", "HS"],
  ])("equipment %p → %p", (value, code) => expect(toEquipmentCode(value)).toBe(code as never));
  test("equipment refuses names it does not know, pointing at map", () => expect(refusal(toEquipmentCode, "Hopper")).toContain("is not an equipment type Haulbox knows"));
});

describe("time zones", () => {
  test("offsets of America/Chicago either side of the 2025 changes", () => {
    expect(zoneOffsetMs("America/Chicago", Date.UTC(2025, 2, 9, 7, 59))).toBe(-6 * HOUR); // 01:59 CST
    expect(zoneOffsetMs("America/Chicago", Date.UTC(2025, 2, 9, 8, 0))).toBe(-5 * HOUR); // 03:00 CDT
    expect(zoneOffsetMs("America/Chicago", Date.UTC(2025, 10, 2, 6, 59))).toBe(-5 * HOUR); // 01:59 CDT
    expect(zoneOffsetMs("America/Chicago", Date.UTC(2025, 10, 2, 7, 0))).toBe(-6 * HOUR); // 01:00 CST
    expect(zoneOffsetMs("America/Phoenix", Date.UTC(2025, 6, 1))).toBe(-7 * HOUR); // Arizona keeps standard time
    expect(zoneOffsetMs("UTC", Date.UTC(2025, 6, 1, 12, 0, 0, 500))).toBe(0);
  });

  test("a change inside a cached quarter hour is still exact (Liberia: -0:44:30 → GMT at 00:44:30 UTC on 7 January 1972, tz database)", () => {
    const change = Date.UTC(1972, 0, 7, 0, 44, 30);
    expect(zoneOffsetMs("Africa/Monrovia", change - 60_000)).toBe(-(44 * 60 + 30) * 1000);
    expect(zoneOffsetMs("Africa/Monrovia", change - 1000)).toBe(-(44 * 60 + 30) * 1000);
    expect(zoneOffsetMs("Africa/Monrovia", change)).toBe(0);
    expect(zoneOffsetMs("Africa/Monrovia", change + 60_000)).toBe(0);
  });

  // [wall time in Chicago, expected UTC]
  test.each([
    ["an ordinary winter time", Date.UTC(2025, 2, 8, 8, 0), Date.UTC(2025, 2, 8, 14, 0)],
    ["the last minute of CST", Date.UTC(2025, 2, 9, 1, 59), Date.UTC(2025, 2, 9, 7, 59)],
    ["02:30 on March 9 does not exist: moved forward to 03:30 CDT", Date.UTC(2025, 2, 9, 2, 30), Date.UTC(2025, 2, 9, 8, 30)],
    ["the first minute of CDT", Date.UTC(2025, 2, 9, 3, 0), Date.UTC(2025, 2, 9, 8, 0)],
    ["00:30 on November 2 is still CDT", Date.UTC(2025, 10, 2, 0, 30), Date.UTC(2025, 10, 2, 5, 30)],
    ["01:30 on November 2 happens twice: the first (CDT) is taken", Date.UTC(2025, 10, 2, 1, 30), Date.UTC(2025, 10, 2, 6, 30)],
    ["02:30 on November 2 is CST", Date.UTC(2025, 10, 2, 2, 30), Date.UTC(2025, 10, 2, 8, 30)],
  ])("%s", (_name, wall, utc) => expect(localTimeToEpochMs(wall, "America/Chicago")).toBe(utc));

  test("known and unknown zones", () => {
    expect(isTimeZone("America/New_York")).toBe(true);
    expect(isTimeZone("UTC")).toBe(true);
    expect(isTimeZone("America/Chicgo")).toBe(false);
  });
});

describe("dates", () => {
  const read = (formats: string[], value: unknown, timeZone = "America/Chicago", endOfDay = false) => compileDateReader({ formats, timeZone, endOfDay })(value);

  test.each([
    [["MM/DD/YYYY HH:mm"], "03/08/2025 08:00", Date.UTC(2025, 2, 8, 14, 0)],
    [["MM/DD/YYYY HH:mm"], "3/9/2025 1:59", Date.UTC(2025, 2, 9, 7, 59)],
    [["MM/DD/YYYY HH:mm"], "03/09/2025 03:00", Date.UTC(2025, 2, 9, 8, 0)],
    [["MM/DD/YYYY HH:mm"], "11/02/2025 01:30", Date.UTC(2025, 10, 2, 6, 30)],
    [["MM/DD/YYYY"], "03/09/2025", Date.UTC(2025, 2, 9, 6, 0)], // local midnight, still CST
    [["MM/DD/YYYY"], "07/04/2025", Date.UTC(2025, 6, 4, 5, 0)], // local midnight in CDT
    [["YYYY-MM-DD HH:mm"], "2025-07-04 14:15", Date.UTC(2025, 6, 4, 19, 15)],
    [["M/D/YY"], "9/15/22", Date.UTC(2022, 8, 15, 5, 0)],
    [["MM/DD/YYYY", "M/D/YY"], "9/15/22", Date.UTC(2022, 8, 15, 5, 0)], // DAT's template allows both
    [["MM/DD/YYYY h:mm A"], "03/10/2025 2:05 PM", Date.UTC(2025, 2, 10, 19, 5)],
    [["MM/DD/YYYY h:mm A"], "03/10/2025 12:00 am", Date.UTC(2025, 2, 10, 5, 0)],
    [["MM/DD/YYYY h:mm A"], "03/10/2025 12:30 PM", Date.UTC(2025, 2, 10, 17, 30)],
    [["YYYY-MM-DD[T]HH:mm:ss"], "2025-01-15T06:00:00", Date.UTC(2025, 0, 15, 12, 0)],
    [["DD.MM.YYYY"], "29.02.2024", Date.UTC(2024, 1, 29, 6, 0)], // a leap day
    [["iso"], "2025-03-09T02:30:00-05:00", Date.UTC(2025, 2, 9, 7, 30)], // an offset is taken as is
    [["iso"], "2025-03-09T08:00:00Z", Date.UTC(2025, 2, 9, 8, 0)],
    [["iso"], "2025-03-09T02:30", Date.UTC(2025, 2, 9, 8, 30)], // no offset: wall time in Chicago, in the gap
    [["iso"], "2025-03-09", Date.UTC(2025, 2, 9, 6, 0)],
    [["auto"], "2025-07-04T12:00:00.250+02:00", Date.UTC(2025, 6, 4, 10, 0, 0, 250)],
    [["auto"], 1_741_500_000, 1_741_500_000_000],
    [["auto"], 1_741_500_000_123, 1_741_500_000_123],
    [["auto"], "1741500000", 1_741_500_000_000],
    [["epoch_s"], 1_741_500_000.5, 1_741_500_000_500],
    [["epoch_s"], "1741500000", 1_741_500_000_000],
    [["epoch_ms"], 1_741_500_000_000, 1_741_500_000_000],
  ])("%p %p → %p", (formats, value, expected) => expect(read(formats, value)).toBe(expected));

  test("other zones: New York in summer, Phoenix without DST, UTC", () => {
    expect(read(["iso"], "2025-07-01T12:00", "America/New_York")).toBe(Date.UTC(2025, 6, 1, 16, 0));
    expect(read(["MM/DD/YYYY HH:mm"], "07/01/2025 12:00", "America/Phoenix")).toBe(Date.UTC(2025, 6, 1, 19, 0));
    expect(read(["MM/DD/YYYY HH:mm"], "07/01/2025 12:00", "UTC")).toBe(Date.UTC(2025, 6, 1, 12, 0));
  });

  test("end_of_day: a date without a time is the last millisecond of that local day", () => {
    expect(read(["MM/DD/YYYY"], "03/09/2025", "America/Chicago", true)).toBe(Date.UTC(2025, 2, 10, 4, 59, 59, 999)); // 23:59:59.999 CDT
    expect(read(["iso"], "2025-01-15", "America/Chicago", true)).toBe(Date.UTC(2025, 0, 16, 5, 59, 59, 999));
    // A value with its own time keeps it.
    expect(read(["MM/DD/YYYY HH:mm"], "03/09/2025 10:00", "America/Chicago", true)).toBe(Date.UTC(2025, 2, 9, 15, 0));
  });

  test.each([
    [["MM/DD/YYYY"], "13/45/2025", "is not a date in format MM/DD/YYYY (there is no month 13)"],
    [["MM/DD/YYYY"], "02/29/2025", "is not a date in format MM/DD/YYYY (February 2025 has no day 29)"],
    [["MM/DD/YYYY HH:mm"], "03/09/2025 24:00", "is not a date in format MM/DD/YYYY HH:mm (24:00:00 is not a time of day)"],
    [["MM/DD/YYYY h:mm A"], "03/09/2025 13:00 PM", "is not a date in format MM/DD/YYYY h:mm A (there is no hour 13 on a 12-hour clock)"],
    [["MM/DD/YYYY"], "2025-03-09", "is not a date in format MM/DD/YYYY"],
    [["MM/DD/YYYY", "M/D/YY"], "tomorrow", "is not a date in format MM/DD/YYYY or format M/D/YY"],
    [["MM/DD/YYYY"], 1_741_500_000, "is not a date in format MM/DD/YYYY"],
    [["iso"], "2025-02-30T10:00:00Z", "is not a date in ISO 8601"],
    [["auto"], "next week", "is not a date in ISO 8601 or epoch seconds/milliseconds"],
    [["auto"], { at: 1 }, "is an object, not a date"],
    [["epoch_s"], 1_741_500_000_000, "read as epoch seconds is +057155-12-10T00:00:00.000Z, not between 2000 and 2100: is the format right?"],
    [["epoch_ms"], 1_741_500_000, "read as epoch milliseconds is 1970-01-21T03:45:00.000Z, not between 2000 and 2100: is the format right?"],
    [["MM/DD/YYYY"], "12/31/1999", "read as format MM/DD/YYYY is 1999-12-31T06:00:00.000Z, not between 2000 and 2100: is the format right?"],
  ])("%p refuses %p: %s", (formats, value, reason) => expect(refusal(compileDateReader({ formats, timeZone: "America/Chicago" }), value)).toBe(reason));

  test.each([
    ["MM/DD/YYY", 'date format "MM/DD/YYY" has an unknown token at "Y"'],
    ["MM/DD HH:mm", 'date format "MM/DD HH:mm" needs a year (YYYY or YY), a month (MM) and a day (DD)'],
    ["MM/DD/YYYY hh:mm", 'date format "MM/DD/YYYY hh:mm" has a 12-hour hour (hh) without AM/PM (A)'],
    ["MM/DD/YYYY HH:mm A", 'date format "MM/DD/YYYY HH:mm A" has AM/PM (A) without a 12-hour hour (hh)'],
    ["MM/DD/YYYY mm", 'date format "MM/DD/YYYY mm" has minutes without an hour'],
    ["MM/MM/YYYY", 'date format "MM/MM/YYYY" has the month twice'],
    ["YYYY-MM-DD[T HH:mm", 'date format "YYYY-MM-DD[T HH:mm" opens [ without closing it'],
  ])("format %p is refused when compiled", (format, message) => {
    expect(() => compileDateReader({ formats: [format], timeZone: "UTC" })).toThrow(message);
  });

  test("an unknown zone is refused when compiled", () => {
    expect(() => compileDateReader({ formats: ["iso"], timeZone: "America/Chicgo" })).toThrow('"America/Chicgo" is not an IANA time zone');
  });
});
