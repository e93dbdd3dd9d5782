/**
 * Seeded randomness for simulations and demo data: the same seed gives the same numbers, so a demo
 * fleet or a demo load board is reproducible and a test can pin what it generates. Not for secrets.
 */

/** 32-bit integer hash (murmur3 finaliser). */
export function mix32(value: number): number {
  let h = value | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A number in [0, 1) from integers: noise that depends only on its inputs, never on call order. */
export function hashUnit(...parts: number[]): number {
  let h = 0x9e3779b9;
  for (const part of parts) h = mix32(h ^ mix32(Math.floor(part) + Math.floor(part / 4_294_967_296) * 31));
  return h / 4_294_967_296;
}

/** Seeded sequential generator (mulberry32) for choices made once. */
export function seededRandom(seed: number): () => number {
  let a = mix32(seed) || 1;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
