/**
 * The load grid must offer a truck exactly the loads a scan of every load would: same equipment
 * test, same straight-line limit. Checked against a plain scan with the haversine distance on
 * random fleets, near the poles, across the antimeridian, and with limits from 1 km to half the
 * planet.
 */
import { describe, expect, test } from "bun:test";
import { acceptsMask, equipmentMask, LoadGrid, type GridItem } from "../../src/engines/load-grid";
import { haversineKm, kmFromHaversineTerm } from "../../src/domain/geo";
import { equipmentFits } from "../../src/domain/matching";
import { seededRandom } from "../../src/domain/random";
import { EQUIPMENT_CODES } from "../../src/loads/records";

interface Item extends GridItem {
  id: number;
}

const CODES = ["V", "R", "F", "VR", "SD", "FSD"];

function randomItems(random: () => number, count: number, place: () => { lat: number; lon: number }): Item[] {
  return Array.from({ length: count }, (_, id) => ({ id, origin: place(), equipment: CODES[Math.floor(random() * CODES.length)]! }));
}

/** The loads a full scan offers: the truck can take the equipment and the pickup is within the limit. */
function scan(items: Item[], lat: number, lon: number, limitKm: number, equipment: string[]): number[] {
  return items
    .filter((item) => equipmentFits(equipment, item.equipment) && haversineKm(lat, lon, item.origin.lat, item.origin.lon) <= limitKm)
    .map((item) => item.id)
    .sort((a, b) => a - b);
}

function viaGrid({ grid, sorted }: { grid: LoadGrid; sorted: Item[] }, lat: number, lon: number, limitKm: number, equipment: string[]) {
  const found: number[] = [];
  const counts = grid.within(lat, lon, limitKm, equipmentMask(equipment), (index, term) => {
    const item = sorted[index]!;
    // The term handed over is the pair's distance.
    expect(Math.abs(kmFromHaversineTerm(term) - haversineKm(lat, lon, item.origin.lat, item.origin.lon))).toBeLessThan(1e-6);
    found.push(item.id);
  });
  return { found: found.sort((a, b) => a - b), counts };
}

describe("load grid", () => {
  test("equipment bits agree with equipmentFits for every code pair", () => {
    const codes = EQUIPMENT_CODES as readonly string[];
    expect(codes.length).toBeLessThanOrEqual(32);
    for (const truck of codes) for (const load of codes) expect([truck, load, (acceptsMask(load) & equipmentMask([truck])) !== 0]).toEqual([truck, load, equipmentFits([truck], load)]);
  });

  const places: [string, (random: () => number) => { lat: number; lon: number }][] = [
    ["the whole globe", (random) => ({ lat: Math.asin(2 * random() - 1) * (180 / Math.PI), lon: random() * 360 - 180 })],
    ["the lower 48", (random) => ({ lat: 25 + random() * 24, lon: -124 + random() * 57 })],
    ["near the north pole", (random) => ({ lat: 85 + random() * 5, lon: random() * 360 - 180 })],
    ["across the antimeridian", (random) => ({ lat: -20 + random() * 40, lon: ((175 + random() * 10 + 180) % 360) - 180 })],
  ];

  for (const [name, place] of places) {
    test(`offers what a full scan offers: ${name}`, () => {
      const random = seededRandom(name.length * 7919);
      const items = randomItems(random, 4000, () => place(random));
      const grid = LoadGrid.build(items);
      for (let truck = 0; truck < 60; truck++) {
        const at = place(random);
        const limitKm = [1, 50, 300, 800, 2500, 10_000, 20_100][truck % 7]!;
        const equipment = [CODES[truck % CODES.length]!.slice(0, 1)];
        const expected = scan(items, at.lat, at.lon, limitKm, equipment);
        const { found, counts } = viaGrid(grid, at.lat, at.lon, limitKm, equipment);
        expect({ at, limitKm, found }).toEqual({ at, limitKm, found: expected });
        // Every load is accounted for: offered, or settled one way.
        expect(found.length + counts.outsideCells + counts.equipment + counts.tooFar).toBe(items.length);
      }
    });
  }

  test("a pickup just within the limit a cell away is offered; a truck on a cell edge or at 180° sees both sides", () => {
    const items: Item[] = [
      { id: 1, origin: { lat: 40, lon: 179.9 }, equipment: "V" },
      { id: 2, origin: { lat: 40, lon: -179.9 }, equipment: "V" },
      { id: 3, origin: { lat: 41, lon: -90 }, equipment: "V" },
      { id: 4, origin: { lat: 39.999999, lon: -90 }, equipment: "V" },
    ];
    const grid = LoadGrid.build(items);
    expect(viaGrid(grid, 40, 180, 20, ["V"]).found).toEqual([1, 2]);
    expect(viaGrid(grid, 40, -180, 20, ["V"]).found).toEqual([1, 2]);
    // A pickup a whole cell north, a hair beyond and a hair within the limit (the last bit of the
    // distance itself is rounding, either way).
    const exactly = haversineKm(40, -90, 41, -90);
    expect(viaGrid(grid, 40, -90, exactly * 1.000001, ["V"]).found).toEqual([3, 4]);
    expect(viaGrid(grid, 40, -90, exactly * 0.999999, ["V"]).found).toEqual([4]);
  });

  test("far cells are never looked at: a truck in Texas reads none of the loads around Chicago", () => {
    const random = seededRandom(3);
    const chicago = randomItems(random, 1000, () => ({ lat: 41.8 + random() * 0.2, lon: -87.7 + random() * 0.2 }));
    const dallas = randomItems(random, 10, () => ({ lat: 32.7 + random() * 0.2, lon: -96.8 + random() * 0.2 })).map((item) => ({ ...item, id: item.id + 1000 }));
    const { counts, found } = viaGrid(LoadGrid.build([...chicago, ...dallas]), 32.8, -96.9, 300, ["V", "R", "F", "SD"]);
    expect(counts.outsideCells).toBe(1000);
    expect(found.length + counts.equipment).toBe(10);
  });
});
