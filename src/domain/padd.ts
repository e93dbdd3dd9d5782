/**
 * Petroleum Administration for Defense Districts (PADDs): the regions the US Energy Information
 * Administration (EIA) publishes its weekly on-highway diesel prices for. Matching prices a load's
 * fuel at the regional diesel price, so every state must map to exactly one priced region. Pure
 * data and lookups, no I/O.
 *
 * The table follows EIA's definition of the districts and of the three East Coast subdistricts, as
 * listed with the weekly survey ("Gasoline and Diesel Fuel Update", eia.gov/petroleum/gasdiesel, and
 * its "Definitions, Sources and Explanatory Notes", eia.gov/dnav/pet/TblDefs/pet_pri_gnd_tbldef2.asp):
 * - 1A New England: CT, ME, MA, NH, RI, VT
 * - 1B Central Atlantic: DE, DC, MD, NJ, NY, PA
 * - 1C Lower Atlantic: FL, GA, NC, SC, VA, WV
 * - 2 Midwest: IL, IN, IA, KS, KY, MI, MN, MO, NE, ND, SD, OH, OK, TN, WI
 * - 3 Gulf Coast: AL, AR, LA, MS, NM, TX
 * - 4 Rocky Mountain: CO, ID, MT, UT, WY
 * - 5 West Coast: AK, AZ, CA, HI, NV, OR, WA
 *
 * PADD 1 itself is only the sum of 1A–1C, so a state is always given its subdistrict. EIA also
 * publishes California on its own (and "West Coast less California"); California stays in PADD 5
 * here because PADD 5 is the district, and a caller that wants the California series can test the
 * state itself. PADDs 6 (Puerto Rico, US Virgin Islands) and 7 (Guam, American Samoa, Northern
 * Mariana Islands) exist for supply statistics, but the weekly diesel survey does not cover them.
 */

/** A PADD or PADD 1 subdistrict that EIA publishes a weekly diesel price for. */
export type PaddId = "1A" | "1B" | "1C" | "2" | "3" | "4" | "5";

/** Every priced PADD id, east to west. */
export const PADD_IDS: readonly PaddId[] = ["1A", "1B", "1C", "2", "3", "4", "5"];

/** EIA's name for each PADD id, as its diesel price table labels the series. */
export const PADD_NAMES: Readonly<Record<PaddId, string>> = {
  "1A": "New England",
  "1B": "Central Atlantic",
  "1C": "Lower Atlantic",
  "2": "Midwest",
  "3": "Gulf Coast",
  "4": "Rocky Mountain",
  "5": "West Coast",
};

/** State postal code → PADD id, for the 50 states and DC (see the file comment for the source). */
export const PADD_OF_STATE: Readonly<Record<string, PaddId>> = {
  CT: "1A", ME: "1A", MA: "1A", NH: "1A", RI: "1A", VT: "1A",
  DE: "1B", DC: "1B", MD: "1B", NJ: "1B", NY: "1B", PA: "1B",
  FL: "1C", GA: "1C", NC: "1C", SC: "1C", VA: "1C", WV: "1C",
  IL: "2", IN: "2", IA: "2", KS: "2", KY: "2", MI: "2", MN: "2", MO: "2",
  NE: "2", ND: "2", SD: "2", OH: "2", OK: "2", TN: "2", WI: "2",
  AL: "3", AR: "3", LA: "3", MS: "3", NM: "3", TX: "3",
  CO: "4", ID: "4", MT: "4", UT: "4", WY: "4",
  AK: "5", AZ: "5", CA: "5", HI: "5", NV: "5", OR: "5", WA: "5",
};

/** Territories with a postal code but no weekly diesel price (they are in PADDs 6 and 7). */
const UNPRICED_TERRITORIES: ReadonlySet<string> = new Set(["PR", "VI", "GU", "AS", "MP"]);

/**
 * The PADD id of a state given by its two-letter postal code (case and surrounding spaces ignored);
 * null for a territory, which has no weekly diesel price. Anything else is a caller's mistake and
 * throws, so a typo never silently loses its fuel price.
 */
export function paddOfState(stateCode: string): PaddId | null {
  const code = stateCode.trim().toUpperCase();
  if (Object.hasOwn(PADD_OF_STATE, code)) return PADD_OF_STATE[code]!;
  if (UNPRICED_TERRITORIES.has(code)) return null;
  throw new RangeError(`"${stateCode}" is not a US state postal code`);
}
