/**
 * What the quick estimate reads of each open load, as typed columns in the load grid's order.
 *
 * Why columns: scoring a truck estimates thousands of loads, and reading each load object (and its
 * origin, destination and broker objects) scattered over the heap cost about half a microsecond a
 * load in cache misses here, several times the arithmetic. Read in index order from arrays, the
 * same figures cost a few nanoseconds. The formula itself stays `estimateFromFigures` in
 * src/domain/matching.ts; this only fills its figures.
 */
import { estimateFromFigures, type EstimateFigures, type MatchLoad, type MatchSettings, type MatchTruck } from "../domain/matching";
import { estimateRoadMiles } from "../domain/road-distance";
import { PADD_IDS, paddOfState, type PaddId } from "../domain/padd";
import { KM_PER_MILE } from "../domain/units";
import { straightKm } from "./load-grid";

const BROKER_LEVELS: readonly MatchLoad["broker"]["level"][] = ["low", "medium", "high", "unknown"];

export class EstimateColumns {
  readonly ids: Float64Array;
  /** Posted (or routed) loaded miles; NaN when the load has none. */
  private readonly postedMiles: Float64Array;
  /** Straight-line miles origin → destination (× circuity when there are no posted miles). */
  private readonly loadedStraightMiles: Float64Array;
  private readonly rateCents: Float64Array;
  private readonly laneRpmCents: Float64Array;
  private readonly pickupEarliest: Float64Array;
  private readonly pickupLatest: Float64Array;
  private readonly weightLb: Float64Array;
  private readonly brokerLevel: Uint8Array;
  /** The pickup's PADD region as an index of PADD_IDS, or PADD_IDS.length when unknown. */
  private readonly region: Uint8Array;
  private readonly destinationState: string[];
  /** One figures object reused for every pair (no allocation per pair). */
  private readonly figures: EstimateFigures = {
    deadheadMiles: 0,
    loadedMiles: 0,
    rateCents: null,
    laneMedianRpmCents: null,
    pickupEarliest: 0,
    pickupLatest: null,
    weightLb: null,
    destinationState: "",
    brokerLevel: "unknown",
    dieselCentsPerGallon: 0,
  };

  constructor(loads: readonly MatchLoad[]) {
    const count = loads.length;
    this.ids = new Float64Array(count);
    this.postedMiles = new Float64Array(count);
    this.loadedStraightMiles = new Float64Array(count);
    this.rateCents = new Float64Array(count);
    this.laneRpmCents = new Float64Array(count);
    this.pickupEarliest = new Float64Array(count);
    this.pickupLatest = new Float64Array(count);
    this.weightLb = new Float64Array(count);
    this.brokerLevel = new Uint8Array(count);
    this.region = new Uint8Array(count);
    this.destinationState = new Array<string>(count);
    // Destination states interned, so the preference checks compare a handful of strings.
    const states = new Map<string, string>();
    const regions = new Map<string, number>();
    for (let i = 0; i < count; i++) {
      const load = loads[i]!;
      this.ids[i] = load.id;
      this.postedMiles[i] = load.postedMiles ?? NaN;
      this.loadedStraightMiles[i] = load.postedMiles === null ? estimateRoadMiles(load.origin, load.destination, 1) : NaN;
      this.rateCents[i] = load.rateCents ?? NaN;
      this.laneRpmCents[i] = load.laneMedianRpmCents ?? NaN;
      this.pickupEarliest[i] = load.pickupEarliest;
      this.pickupLatest[i] = load.pickupLatest ?? NaN;
      this.weightLb[i] = load.weightLb ?? NaN;
      this.brokerLevel[i] = BROKER_LEVELS.indexOf(load.broker.level);
      const destination = load.destination.state ?? "";
      this.destinationState[i] = states.get(destination) ?? states.set(destination, destination).get(destination)!;
      const origin = load.origin.state ?? "";
      let region = regions.get(origin);
      if (region === undefined) {
        const padd = origin ? paddOfState(origin) : null;
        region = padd === null ? PADD_IDS.length : PADD_IDS.indexOf(padd);
        regions.set(origin, region);
      }
      this.region[i] = region;
    }
  }

  /** Diesel cents per gallon for each region index (the last: unknown region), for `estimate`. */
  static dieselByRegion(settings: MatchSettings): Float64Array {
    const prices = new Float64Array(PADD_IDS.length + 1);
    PADD_IDS.forEach((id: PaddId, index) => (prices[index] = settings.dieselCentsPerGallon(id)));
    prices[PADD_IDS.length] = settings.dieselCentsPerGallon(null);
    return prices;
  }

  /** The quick estimate of load `i` for a truck whose straight-line distance to its pickup has haversine term `term`. */
  estimate(i: number, term: number, truck: MatchTruck, settings: MatchSettings, dieselByRegion: Float64Array): number | null {
    const figures = this.figures;
    const posted = this.postedMiles[i]!;
    figures.deadheadMiles = (straightKm(term) / KM_PER_MILE) * settings.circuity;
    figures.loadedMiles = Number.isNaN(posted) ? this.loadedStraightMiles[i]! * settings.circuity : posted;
    figures.rateCents = orNull(this.rateCents[i]!);
    figures.laneMedianRpmCents = orNull(this.laneRpmCents[i]!);
    figures.pickupEarliest = this.pickupEarliest[i]!;
    figures.pickupLatest = orNull(this.pickupLatest[i]!);
    figures.weightLb = orNull(this.weightLb[i]!);
    figures.destinationState = this.destinationState[i]!;
    figures.brokerLevel = BROKER_LEVELS[this.brokerLevel[i]!]!;
    figures.dieselCentsPerGallon = dieselByRegion[this.region[i]!]!;
    return estimateFromFigures(truck, figures, settings);
  }
}

const orNull = (value: number) => (Number.isNaN(value) ? null : value);
