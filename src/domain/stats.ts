/**
 * Weighted percentiles. Pure functions, no I/O; results are unrounded (callers round once, with
 * `roundCents` from ./money, when a figure becomes whole cents).
 *
 * Lane rates weight the fleet's own booked loads above board postings, so the percentiles must
 * take weights. The definition is the weighted empirical distribution function with averaging,
 * as SAS PROC UNIVARIATE documents it for a WEIGHT statement ("Calculating Percentiles",
 * "Weighted Percentiles"). Sort the values x₁ ≤ … ≤ xₙ with weights w₁ … wₙ, let W = Σ wᵢ and
 * p = percent / 100; then the percentile is
 *
 *   (xᵢ + xᵢ₊₁) / 2   when w₁ + … + wᵢ = pW   (the target falls exactly between two values)
 *   xᵢ₊₁              when w₁ + … + wᵢ < pW < w₁ + … + wᵢ₊₁
 *
 * With equal weights this is Hyndman & Fan's type 2 ("inverse of the empirical distribution
 * function with averaging at discontinuities", Statistical Computing 50(4), 1996; R's
 * `quantile(type = 2)`, SAS PCTLDEF=5), so the median of an even count is the mean of the middle
 * two as a dispatcher expects. With whole-number weights it equals the unweighted percentile of
 * the list with each value repeated w times, which is what "an own load counts three times" means.
 * Unlike interpolating definitions it never invents a value between two observations, except the
 * midpoint when the target weight falls exactly between them, so a p25 is a rate somebody paid.
 */

/** A value and how much it counts. */
export interface WeightedValue {
  value: number;
  weight: number;
}

/**
 * Cumulative weights are sums of floats (0.1 + 0.1 + 0.1 ≠ 0.3), so "exactly at the target" is
 * tested within this fraction of the total weight.
 */
const TIE_TOLERANCE = 1e-9;

/** Positive-weight samples sorted by value, after checking each one. */
function sortedSamples(samples: readonly WeightedValue[]): { sorted: WeightedValue[]; totalWeight: number } {
  if (samples.length === 0) throw new RangeError("no values: a percentile needs at least one");
  let totalWeight = 0;
  const sorted: WeightedValue[] = [];
  samples.forEach((sample, index) => {
    if (!Number.isFinite(sample.value)) throw new RangeError(`value ${index} is ${sample.value}: values must be finite numbers`);
    if (!Number.isFinite(sample.weight) || sample.weight < 0) {
      throw new RangeError(`weight ${index} is ${sample.weight}: weights must be finite and not negative`);
    }
    // A zero weight counts for nothing; dropping it keeps it from being "the next value" in an average.
    if (sample.weight > 0) {
      sorted.push(sample);
      totalWeight += sample.weight;
    }
  });
  if (totalWeight === 0) throw new RangeError("all weights are zero: a percentile needs some weight");
  sorted.sort((a, b) => a.value - b.value);
  return { sorted, totalWeight };
}

/** The percentile of already sorted positive-weight samples (see the file comment). */
function percentileOfSorted(sorted: readonly WeightedValue[], totalWeight: number, percent: number): number {
  if (!Number.isFinite(percent) || percent < 0 || percent > 100) {
    throw new RangeError(`percentile ${percent} is outside 0–100`);
  }
  const target = (percent / 100) * totalWeight;
  const tolerance = TIE_TOLERANCE * totalWeight;
  let cumulative = 0;
  for (let i = 0; i < sorted.length; i++) {
    cumulative += sorted[i].weight;
    if (Math.abs(cumulative - target) <= tolerance) {
      // Exactly between xᵢ and xᵢ₊₁; at the top (p = 100) there is no xᵢ₊₁ and the answer is the maximum.
      return i + 1 < sorted.length ? (sorted[i].value + sorted[i + 1].value) / 2 : sorted[i].value;
    }
    if (cumulative > target) return sorted[i].value;
  }
  // Only reachable through rounding when the target is the whole weight: the maximum.
  return sorted[sorted.length - 1].value;
}

/**
 * The weighted percentile (0–100) of the samples. Throws a RangeError naming the problem for an
 * empty list, a non-finite value, a negative or non-finite weight, all-zero weights, or a
 * percentile outside 0–100. Percentile 0 is the smallest value, 100 the largest.
 */
export function weightedPercentile(samples: readonly WeightedValue[], percent: number): number {
  const { sorted, totalWeight } = sortedSamples(samples);
  return percentileOfSorted(sorted, totalWeight, percent);
}

/** Several weighted percentiles (0–100) of the same samples, sorting them once; same errors as weightedPercentile. */
export function weightedPercentiles(samples: readonly WeightedValue[], percents: readonly number[]): number[] {
  const { sorted, totalWeight } = sortedSamples(samples);
  return percents.map((percent) => percentileOfSorted(sorted, totalWeight, percent));
}

/** The weighted median: the 50th weighted percentile. */
export function weightedMedian(samples: readonly WeightedValue[]): number {
  return weightedPercentile(samples, 50);
}
