/**
 * The open loads as columns in the load grid's order: typed arrays for the numbers, arrays of
 * shared strings and broker summaries for the rest. This is how the engine keeps them; a load
 * object (`MatchLoad`) is made from its row when one is computed in full.
 *
 * Why columns: scoring a truck estimates thousands of loads, and reading each load object (and its
 * origin, destination and broker objects) scattered over the heap cost about half a microsecond a
 * load in cache misses here, several times the arithmetic; read in index order from arrays, the
 * same figures cost a few nanoseconds. And hundreds of thousands of load objects kept alive made
 * every full garbage collection walk them: 80–100 ms pauses that every request in flight waited
 * through. The estimate's formula stays `estimateFromFigures` in src/domain/matching.ts; this only
 * fills its figures.
 */
import { estimateFromFigures, type EstimateFigures, type MatchLoad, type MatchSettings, type MatchTruck } from "../domain/matching";
import { estimateRoadMiles } from "../domain/road-distance";
import { PADD_IDS, paddOfState, type PaddId } from "../domain/padd";
import { KM_PER_MILE } from "../domain/units";
import { kmFromHaversineTerm } from "../domain/geo";

const BROKER_LEVELS: readonly MatchLoad["broker"]["level"][] = ["low", "medium", "high", "unknown"];

export class ColumnarLoads {
  readonly ids: Float64Array;
  private readonly originLat: Float64Array;
  private readonly originLon: Float64Array;
  private readonly destinationLat: Float64Array;
  private readonly destinationLon: Float64Array;
  private readonly deliveryEarliest: Float64Array;
  private readonly deliveryLatest: Float64Array;
  private readonly originState: (string | null)[];
  private readonly destinationStateOrNull: (string | null)[];
  private readonly equipment: string[];
  private readonly laneNote: (string | null)[];
  private readonly broker: MatchLoad["broker"][];
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
    this.originLat = new Float64Array(count);
    this.originLon = new Float64Array(count);
    this.destinationLat = new Float64Array(count);
    this.destinationLon = new Float64Array(count);
    this.deliveryEarliest = new Float64Array(count);
    this.deliveryLatest = new Float64Array(count);
    this.originState = new Array<string | null>(count);
    this.destinationStateOrNull = new Array<string | null>(count);
    this.equipment = new Array<string>(count);
    this.laneNote = new Array<string | null>(count);
    this.broker = new Array<MatchLoad["broker"]>(count);
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
      this.originLat[i] = load.origin.lat;
      this.originLon[i] = load.origin.lon;
      this.destinationLat[i] = load.destination.lat;
      this.destinationLon[i] = load.destination.lon;
      this.deliveryEarliest[i] = load.deliveryEarliest ?? NaN;
      this.deliveryLatest[i] = load.deliveryLatest ?? NaN;
      // The strings and broker summaries are the shared ones the engine made (see toMatchLoad).
      this.originState[i] = load.origin.state;
      this.destinationStateOrNull[i] = load.destination.state;
      this.equipment[i] = load.equipment;
      this.laneNote[i] = load.laneNote;
      this.broker[i] = load.broker;
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

  get size(): number {
    return this.ids.length;
  }

  /** Load `i` as an object, for a full breakdown (the same fields it was built from). */
  load(i: number): MatchLoad {
    return {
      id: this.ids[i]!,
      origin: { lat: this.originLat[i]!, lon: this.originLon[i]!, state: this.originState[i]! },
      destination: { lat: this.destinationLat[i]!, lon: this.destinationLon[i]!, state: this.destinationStateOrNull[i]! },
      pickupEarliest: this.pickupEarliest[i]!,
      pickupLatest: orNull(this.pickupLatest[i]!),
      deliveryEarliest: orNull(this.deliveryEarliest[i]!),
      deliveryLatest: orNull(this.deliveryLatest[i]!),
      equipment: this.equipment[i]!,
      weightLb: orNull(this.weightLb[i]!),
      rateCents: orNull(this.rateCents[i]!),
      postedMiles: orNull(this.postedMiles[i]!),
      laneMedianRpmCents: orNull(this.laneRpmCents[i]!),
      laneNote: this.laneNote[i]!,
      broker: this.broker[i]!,
    };
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
    figures.deadheadMiles = (kmFromHaversineTerm(term) / KM_PER_MILE) * settings.circuity;
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
