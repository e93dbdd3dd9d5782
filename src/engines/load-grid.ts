/**
 * The open loads' pickups in a grid of 1° × 1° cells, as typed columns sorted by cell, so scoring
 * one truck reads only the loads whose cell can lie within its deadhead reach instead of all of
 * them: 200 000 loads spread over the country leave a truck a few thousand to look at.
 *
 * The grid only skips cells that cannot hold a pickup within reach; every load in a visited cell is
 * still tested exactly (the haversine term against the limit's), so what a truck is offered is the
 * same as a scan of every load — tests/engines/load-grid.test.ts checks that against a full scan,
 * at the poles and across the antimeridian too.
 */
import { EARTH_RADIUS_KM } from "../domain/geo";
import { EQUIPMENT_CODES, EQUIPMENT_EITHER } from "../loads/records";

const RAD = Math.PI / 180;
const DEG = 180 / Math.PI;
/** Cells per degree is 1: 180 rows of latitude, 360 columns of longitude. */
const LON_CELLS = 360;
/** Slack on the band's edges (degrees), so rounding never drops a pickup exactly at the limit. */
const EDGE_DEG = 1e-6;

/** The bit of each equipment code (16 codes fit a 32-bit mask). */
const EQUIPMENT_BIT = new Map(EQUIPMENT_CODES.map((code, index) => [code as string, 1 << index]));

/** A truck's equipment as bits. */
export function equipmentMask(equipment: readonly string[]): number {
  let mask = 0;
  for (const code of equipment) mask |= EQUIPMENT_BIT.get(code) ?? 0;
  return mask;
}

/** The truck equipment bits each load code accepts: its own, or either of a combination's (as equipmentFits). */
const ACCEPTS = new Map(EQUIPMENT_CODES.map((code) => [code as string, equipmentMask([code, ...(EQUIPMENT_EITHER[code] ?? [])])]));

/** The truck equipment bits a load with this code accepts (none for an unknown code). */
export function acceptsMask(code: string): number {
  return ACCEPTS.get(code) ?? 0;
}

/** What a pass over the grid for one truck met: how its pairs were settled. */
export interface GridVisit {
  /** Loads in cells out of reach, never looked at. */
  outsideCells: number;
  /** Loads looked at whose equipment the truck cannot take. */
  equipment: number;
  /** Loads looked at beyond the straight-line limit. */
  tooFar: number;
  /** Loads in cells looked at that `skip` marked. */
  skipped: number;
}

/** Anything with a pickup point. */
export interface GridItem {
  origin: { lat: number; lon: number };
  equipment: string;
}

export class LoadGrid {
  /** How many items the grid holds. */
  readonly size: number;
  private readonly lat: Float64Array;
  private readonly lon: Float64Array;
  private readonly cosLat: Float64Array;
  private readonly accepts: Uint32Array;
  /** Each occupied cell's first index into the columns, and one past its last. */
  private readonly cells = new Map<number, { start: number; end: number }>();

  /**
   * A grid of `items`, and the items in its order (cell by cell): index i of `within` is
   * `sorted[i]`. The grid keeps no reference to the items.
   */
  static build<T extends GridItem>(items: readonly T[]): { grid: LoadGrid; sorted: T[] } {
    const keyed = items.map((item) => ({ item, key: cellKey(item.origin.lat, item.origin.lon) }));
    keyed.sort((a, b) => a.key - b.key);
    const sorted = keyed.map((entry) => entry.item);
    return { grid: new LoadGrid(sorted, keyed.map((entry) => entry.key)), sorted };
  }

  private constructor(items: readonly GridItem[], keys: readonly number[]) {
    const count = items.length;
    this.size = count;
    this.lat = new Float64Array(count);
    this.lon = new Float64Array(count);
    this.cosLat = new Float64Array(count);
    this.accepts = new Uint32Array(count);
    for (let i = 0; i < count; i++) {
      const item = items[i]!;
      const key = keys[i]!;
      this.lat[i] = item.origin.lat * RAD;
      this.lon[i] = item.origin.lon * RAD;
      this.cosLat[i] = Math.cos(this.lat[i]!);
      this.accepts[i] = acceptsMask(item.equipment);
      const cell = this.cells.get(key);
      if (cell) cell.end = i + 1;
      else this.cells.set(key, { start: i, end: i + 1 });
    }
  }

  /**
   * Calls `visit` with the index (into `sorted`, see `build`) of every item a truck at (lat, lon) with
   * `equipment` bits can take whose pickup lies within `limitKm` in a straight line, and the
   * haversine term of that distance (`kmFromHaversineTerm(term)` is the distance); returns how the others
   * were settled. Items whose entry in `skip` is 1 are passed over.
   */
  within(lat: number, lon: number, limitKm: number, equipment: number, visit: (index: number, term: number) => void, skip?: Uint8Array): GridVisit {
    const counts: GridVisit = { outsideCells: this.size, equipment: 0, tooFar: 0, skipped: 0 };
    const angle = limitKm / EARTH_RADIUS_KM;
    // The haversine term of the limit: a pickup is within reach when its term is at most this.
    const maxH = Math.sin(Math.min(Math.PI / 2, angle / 2)) ** 2;
    const tLat = lat * RAD;
    const tLon = lon * RAD;
    const tCos = Math.cos(tLat);
    for (const [start, end] of this.cellRuns(lat, lon, angle)) {
      counts.outsideCells -= end - start;
      for (let i = start; i < end; i++) {
        if (skip && skip[i]) {
          counts.skipped++;
          continue;
        }
        if ((this.accepts[i]! & equipment) === 0) {
          counts.equipment++;
          continue;
        }
        const sLat = Math.sin((this.lat[i]! - tLat) / 2);
        const sLon = Math.sin((this.lon[i]! - tLon) / 2);
        const term = sLat * sLat + this.cosLat[i]! * tCos * sLon * sLon;
        if (term > maxH) {
          counts.tooFar++;
          continue;
        }
        visit(i, term);
      }
    }
    return counts;
  }

  /**
   * The index ranges of the occupied cells that can hold a point within `angle` (radians) of the
   * truck: the latitude band ± the angle, and the longitudes a spherical cap spans at that
   * latitude, asin(sin angle / cos lat) either side — every longitude when the cap holds a pole.
   */
  private *cellRuns(lat: number, lon: number, angle: number): Generator<[number, number]> {
    const reach = angle * DEG + EDGE_DEG;
    const south = lat - reach;
    const north = lat + reach;
    const sinAngle = Math.sin(Math.min(angle, Math.PI / 2));
    const cosLat = Math.cos(lat * RAD);
    const everyLongitude = angle >= Math.PI / 2 || south <= -90 || north >= 90 || sinAngle >= cosLat;
    const halfWidth = everyLongitude ? 180 : Math.asin(sinAngle / cosLat) * DEG + EDGE_DEG;
    const firstColumn = Math.floor(lon - halfWidth);
    const columns = everyLongitude ? LON_CELLS : Math.min(LON_CELLS, Math.floor(lon + halfWidth) - firstColumn + 1);
    for (let row = latRow(Math.max(-90, south)); row <= latRow(Math.min(90, north)); row++) {
      for (let c = 0; c < columns; c++) {
        const cell = this.cells.get(row * LON_CELLS + lonColumn(firstColumn + c));
        if (cell) yield [cell.start, cell.end];
      }
    }
  }
}

/** The row of a latitude: 0 for [-90°, -89°) … 179 for [89°, 90°]. */
const latRow = (lat: number) => Math.min(179, Math.max(0, Math.floor(lat + 90)));

/** The column of a whole degree of longitude, wrapped into 0 … 359 ([-180°, -179°) is 0). */
const lonColumn = (degree: number) => ((((degree + 180) % LON_CELLS) + LON_CELLS) % LON_CELLS);

function cellKey(lat: number, lon: number): number {
  return latRow(lat) * LON_CELLS + lonColumn(Math.floor(lon));
}
