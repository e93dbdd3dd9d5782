/**
 * The cost model of one trip for one truck: what hauling a load costs the owner, what it nets, and
 * the revenue below which it loses money (the cost floor the negotiation assistant quotes).
 *
 * Every cost line is rounded to whole cents exactly once (`roundCents`, half away from zero) and
 * carries a `how` an owner can redo on paper ("612 mi ÷ 6.5 mpg = 94.15 gal × $3.759/gal"). The
 * totals are sums of the rounded lines and the net is revenue minus that sum, so the page never
 * shows lines that disagree with their total by a cent.
 *
 * Units: miles, US gallons and cents, because these are the figures on a rate confirmation and a
 * fuel receipt (distances arrive here already converted from the house km). Amounts are whole
 * cents; rates may carry fractions of a cent: diesel keeps EIA's tenth of a cent (375.9 ¢/gal for
 * $3.759), an owner may set tires at 4.5 ¢/mi.
 */
import { formatCents, formatRateCents, groupThousands, mulCents, ratePerMileCents, roundCents } from "./money";

/** How the driver is paid for a trip. */
export type DriverPay =
  /** Cents per mile, on every mile driven ("all") or on loaded miles only ("loaded"). */
  | { kind: "per_mile"; centsPerMile: number; paidMiles: "all" | "loaded" }
  /** A share of the load's revenue, in percent (25 for 25 %). */
  | { kind: "percent"; percent: number };

/** Per-mile running costs besides fuel, cents per mile on every mile driven. */
export interface VariableCosts {
  maintenanceCentsPerMile: number;
  tiresCentsPerMile: number;
  otherCentsPerMile: number;
}

/** What a trip's cost depends on, except the revenue. */
export interface TripCostBasis {
  /** Empty miles from the truck's position to the pickup. */
  deadheadMiles: number;
  /** Miles from pickup to delivery; must be above 0. */
  loadedMiles: number;
  /** The truck's fuel economy, miles per US gallon. */
  mpg: number;
  /** Diesel price in cents per US gallon, tenths of a cent allowed (375.9). */
  dieselCentsPerGallon: number;
  variable: VariableCosts;
  /** Insurance, truck payment, permits and the like, per calendar day the trip takes. */
  fixedCentsPerDay: number;
  /** Days the trip ties the truck up (fractions allowed: 1.5). */
  tripDays: number;
  driverPay: DriverPay;
}

/** A trip and what it pays. */
export interface TripCostInput extends TripCostBasis {
  /** What the load pays, whole cents. */
  revenueCents: number;
}

/** Which cost a line is, for code that picks lines out (the labels are for people). */
export type CostKey = "fuel" | "maintenance" | "tires" | "other" | "fixed" | "driver_pay";

/** One cost line as shown to an owner. */
export interface CostLine {
  key: CostKey;
  label: string;
  /** Whole cents, rounded once. */
  cents: number;
  /** How the figure is made, to follow by hand. */
  how: string;
}

/** A trip's costs and net. */
export interface TripCost {
  totalMiles: number;
  /** Gallons burnt over all miles (unrounded; the fuel line's `how` shows it to 0.01). */
  fuelGallons: number;
  fuelCents: number;
  /** Maintenance + tires + other per-mile costs (the sum of their rounded lines). */
  variableCents: number;
  fixedCents: number;
  driverPayCents: number;
  /** The sum of the breakdown lines. */
  costCents: number;
  /** Revenue minus `costCents`. */
  netCents: number;
  /** Revenue per mile driven, deadhead included, whole cents. */
  rpmAllInCents: number;
  /** Revenue per loaded mile (the rate a broker quotes), whole cents. */
  rpmLoadedCents: number;
  /** The cost lines, in the order an owner reads them; they add up to `costCents`. */
  breakdown: CostLine[];
}

/** A number for a `how` text: thousands commas, up to two decimals, no trailing zeros. */
function formatQuantity(value: number): string {
  const [whole, fraction] = String(Math.round(value * 100) / 100).split(".");
  const grouped = groupThousands(whole!);
  return fraction ? `${grouped}.${fraction}` : grouped;
}

/** Throws a RangeError naming `field` unless `value` is a finite number within the bounds. */
function check(field: string, value: unknown, bounds: { min: number; above?: boolean; below?: number; wholeCents?: boolean }): void {
  const { min, above = false, below, wholeCents = false } = bounds;
  const ok =
    typeof value === "number" &&
    Number.isFinite(value) &&
    (above ? value > min : value >= min) &&
    (below === undefined || value < below) &&
    (!wholeCents || Number.isSafeInteger(value));
  if (ok) return;
  const range = `${above ? "greater than" : "at least"} ${min}${below === undefined ? "" : ` and below ${below}`}`;
  throw new RangeError(`trip cost: ${field} must be ${wholeCents ? "a whole number of cents " : "a number "}${range}, got ${typeof value === "string" ? JSON.stringify(value) : String(value)}`);
}

/** Validates everything but the revenue. */
function checkBasis(basis: TripCostBasis): void {
  check("deadheadMiles", basis.deadheadMiles, { min: 0 });
  check("loadedMiles", basis.loadedMiles, { min: 0, above: true });
  check("mpg", basis.mpg, { min: 0, above: true });
  check("dieselCentsPerGallon", basis.dieselCentsPerGallon, { min: 0, above: true });
  if (typeof basis.variable !== "object" || basis.variable === null) throw new RangeError("trip cost: variable must be an object with maintenanceCentsPerMile, tiresCentsPerMile and otherCentsPerMile");
  check("variable.maintenanceCentsPerMile", basis.variable.maintenanceCentsPerMile, { min: 0 });
  check("variable.tiresCentsPerMile", basis.variable.tiresCentsPerMile, { min: 0 });
  check("variable.otherCentsPerMile", basis.variable.otherCentsPerMile, { min: 0 });
  check("fixedCentsPerDay", basis.fixedCentsPerDay, { min: 0 });
  check("tripDays", basis.tripDays, { min: 0 });
  const pay = basis.driverPay;
  if (pay?.kind === "per_mile") {
    check("driverPay.centsPerMile", pay.centsPerMile, { min: 0 });
    if (pay.paidMiles !== "all" && pay.paidMiles !== "loaded") throw new RangeError(`trip cost: driverPay.paidMiles must be "all" or "loaded", got ${JSON.stringify(pay.paidMiles)}`);
  } else if (pay?.kind === "percent") {
    // 100 % or more leaves nothing for the truck, and no revenue could ever break even.
    check("driverPay.percent", pay.percent, { min: 0, below: 100 });
  } else {
    throw new RangeError(`trip cost: driverPay.kind must be "per_mile" or "percent", got ${JSON.stringify((pay as { kind?: unknown } | undefined)?.kind)}`);
  }
}

/** The lines that do not depend on the revenue, and the miles behind them. */
function revenueIndependentLines(basis: TripCostBasis): { totalMiles: number; fuelGallons: number; lines: CostLine[] } {
  const totalMiles = basis.deadheadMiles + basis.loadedMiles;
  const miles = formatQuantity(totalMiles);
  const fuelGallons = totalMiles / basis.mpg;
  const perMile = (key: CostKey, label: string, centsPerMile: number): CostLine => ({
    key,
    label,
    cents: roundCents(totalMiles * centsPerMile),
    how: `${miles} mi × ${formatRateCents(centsPerMile, "mi")}`,
  });
  const days = basis.tripDays;
  const lines: CostLine[] = [
    {
      key: "fuel",
      label: "Fuel",
      // Multiply before dividing so the only inexact step is the one rounding at the end.
      cents: roundCents((totalMiles * basis.dieselCentsPerGallon) / basis.mpg),
      how: `${miles} mi ÷ ${formatQuantity(basis.mpg)} mpg = ${fuelGallons.toFixed(2)} gal × ${formatRateCents(basis.dieselCentsPerGallon, "gal")}`,
    },
    perMile("maintenance", "Maintenance", basis.variable.maintenanceCentsPerMile),
    perMile("tires", "Tires", basis.variable.tiresCentsPerMile),
    perMile("other", "Other per-mile costs", basis.variable.otherCentsPerMile),
    {
      key: "fixed",
      label: "Fixed costs",
      cents: roundCents(days * basis.fixedCentsPerDay),
      how: `${formatQuantity(days)} ${days === 1 ? "day" : "days"} × ${formatRateCents(basis.fixedCentsPerDay, "day")}`,
    },
  ];
  if (basis.driverPay.kind === "per_mile") {
    const { centsPerMile, paidMiles } = basis.driverPay;
    const paid = paidMiles === "all" ? totalMiles : basis.loadedMiles;
    lines.push({
      key: "driver_pay",
      label: "Driver pay",
      cents: roundCents(paid * centsPerMile),
      how: `${formatQuantity(paid)} ${paidMiles === "all" ? "mi" : "loaded mi"} × ${formatRateCents(centsPerMile, "mi")}`,
    });
  }
  return { totalMiles, fuelGallons, lines };
}

/** The driver's share of the revenue when paid by percent, as a cost line. */
function percentPayLine(percent: number, revenueCents: number): CostLine {
  return {
    key: "driver_pay",
    label: "Driver pay",
    cents: mulCents(revenueCents, percent / 100),
    how: `${formatQuantity(percent)}% of ${formatCents(revenueCents)} revenue`,
  };
}

/**
 * The full cost and net of a trip. Fuel is burnt on every mile (deadhead and loaded) at one MPG;
 * maintenance, tires and other costs are per mile driven; fixed costs are per trip day; driver
 * pay is per mile (all or loaded miles) or a percentage of the revenue. Throws a RangeError
 * naming the field when an input is missing, negative or not a number.
 */
export function tripCost(input: TripCostInput): TripCost {
  checkBasis(input);
  check("revenueCents", input.revenueCents, { min: 0, wholeCents: true });
  const { totalMiles, fuelGallons, lines } = revenueIndependentLines(input);
  const driverPay = input.driverPay;
  const breakdown = driverPay.kind === "percent" ? [...lines, percentPayLine(driverPay.percent, input.revenueCents)] : lines;
  const centsOf = (...keys: CostKey[]) => breakdown.filter((line) => keys.includes(line.key)).reduce((sum, line) => sum + line.cents, 0);
  const costCents = breakdown.reduce((sum, line) => sum + line.cents, 0);
  return {
    totalMiles,
    fuelGallons,
    fuelCents: centsOf("fuel"),
    variableCents: centsOf("maintenance", "tires", "other"),
    fixedCents: centsOf("fixed"),
    driverPayCents: centsOf("driver_pay"),
    costCents,
    netCents: input.revenueCents - costCents,
    rpmAllInCents: ratePerMileCents(input.revenueCents, totalMiles),
    rpmLoadedCents: ratePerMileCents(input.revenueCents, input.loadedMiles),
    breakdown,
  };
}

/**
 * The cost floor: the least revenue, in whole cents, at which the trip's net is not negative.
 * With per-mile driver pay it is the sum of the cost lines. With percentage pay the driver's
 * share grows with the revenue, so the floor is costs ÷ (1 − share), then nudged by a cent or
 * two so that `tripCost` itself, with its rounded driver line, shows a net of 0 or more there
 * and a loss one cent below.
 */
export function breakEvenCents(basis: TripCostBasis): number {
  checkBasis(basis);
  const fixedLinesCents = revenueIndependentLines(basis).lines.reduce((sum, line) => sum + line.cents, 0);
  if (basis.driverPay.kind === "per_mile") return fixedLinesCents;
  const share = basis.driverPay.percent / 100;
  const netAt = (revenueCents: number) => revenueCents - fixedLinesCents - mulCents(revenueCents, share);
  // Net rises by 0 or 1 cent per cent of revenue (the share is below 1), so stepping from the
  // unrounded answer finds the first revenue that breaks even in a step or two.
  let revenueCents = Math.ceil(fixedLinesCents / (1 - share));
  while (netAt(revenueCents) < 0) revenueCents++;
  while (revenueCents > 0 && netAt(revenueCents - 1) >= 0) revenueCents--;
  return revenueCents;
}
