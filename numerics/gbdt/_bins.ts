/**
 * Bin boundaries for the histogram GBDT, reproducing LightGBM's bin mapper: zero gets a bin of
 * its own (|v| ≤ 1e-35), negative and positive values are binned apart (the negative side gets
 * its share of `maxBin − 1` bins), a side with at most as many distinct values as bins gets one
 * bin per run of distinct values holding `minDataInBin` samples, otherwise bins of about equal
 * frequency in which a value that alone fills a bin keeps its own bin. Values one ulp apart
 * count as one, and each cut lies one ulp above the midpoint of its neighbours.
 *
 * @module
 */

/** Values with |v| ≤ this count as zero (LightGBM's kZeroThreshold). */
export const ZERO_THRESHOLD = 1e-35;

/**
 * Upper bounds of the bins of one feature: bin j holds the values v with
 * `bounds[j - 1] < v ≤ bounds[j]`; the last bound is +∞.
 *
 * @param sorted The feature's (finite) training values, sorted ascending.
 * @param maxBin Largest number of bins.
 * @param minDataInBin Smallest number of samples per bin.
 * @returns The bin upper bounds, ascending.
 */
export function binBounds(
  sorted: Float64Array,
  maxBin: number,
  minDataInBin: number,
): Float64Array {
  const negValues: number[] = [], negCounts: number[] = [];
  const posValues: number[] = [], posCounts: number[] = [];
  let negTotal = 0, posTotal = 0, zeros = 0;
  for (let i = 0; i < sorted.length;) {
    let j = i + 1;
    while (j < sorted.length && sameValue(sorted[j - 1]!, sorted[j]!)) j++;
    const v = sorted[j - 1]!, c = j - i;
    if (v < -ZERO_THRESHOLD) {
      negValues.push(v);
      negCounts.push(c);
      negTotal += c;
    } else if (v > ZERO_THRESHOLD) {
      posValues.push(v);
      posCounts.push(c);
      posTotal += c;
    } else {
      zeros += c;
    }
    i = j;
  }
  const bounds: number[] = [];
  if (negValues.length > 0) {
    const share = negTotal / (sorted.length - zeros);
    const leftMax = Math.max(1, Math.floor(share * (maxBin - 1)));
    const left = greedyBounds(negValues, negCounts, leftMax, negTotal, minDataInBin);
    left[left.length - 1] = -ZERO_THRESHOLD;
    bounds.push(...left);
  }
  const rightMax = maxBin - 1 - bounds.length;
  if (posValues.length > 0 && rightMax > 0) {
    bounds.push(
      ZERO_THRESHOLD,
      ...greedyBounds(posValues, posCounts, rightMax, posTotal, minDataInBin),
    );
  } else {
    bounds.push(Infinity);
  }
  return Float64Array.from(bounds);
}

/** Bounds for one side (all values of one sign), ending with +∞. */
function greedyBounds(
  values: readonly number[],
  counts: readonly number[],
  maxBin: number,
  total: number,
  minDataInBin: number,
): number[] {
  const k = values.length;
  const out: number[] = [];
  const push = (v: number): boolean => {
    if (out.length > 0 && sameValue(out[out.length - 1]!, v)) return false;
    out.push(v);
    return true;
  };
  if (k <= maxBin) {
    let inBin = 0;
    for (let i = 0; i < k - 1; i++) {
      inBin += counts[i]!;
      if (inBin >= minDataInBin && push(nextUp((values[i]! + values[i + 1]!) / 2))) inBin = 0;
    }
    out.push(Infinity);
    return out;
  }
  if (minDataInBin > 0) maxBin = Math.max(1, Math.min(maxBin, Math.floor(total / minDataInBin)));
  let mean = total / maxBin;
  let restBins = maxBin, restCount = total;
  const big = new Uint8Array(k);
  for (let i = 0; i < k; i++) {
    if (counts[i]! >= mean) {
      big[i] = 1;
      restBins--;
      restCount -= counts[i]!;
    }
  }
  mean = restCount / restBins;
  const uppers: number[] = [], lowers: number[] = [values[0]!];
  let inBin = 0;
  for (let i = 0; i < k - 1; i++) {
    if (!big[i]) restCount -= counts[i]!;
    inBin += counts[i]!;
    if (big[i] || inBin >= mean || (big[i + 1] && inBin >= Math.max(1, mean * 0.5))) {
      uppers.push(values[i]!);
      lowers.push(values[i + 1]!);
      if (uppers.length >= maxBin - 1) break;
      inBin = 0;
      if (!big[i]) {
        restBins--;
        mean = restCount / restBins;
      }
    }
  }
  for (let j = 0; j < uppers.length; j++) push(nextUp((uppers[j]! + lowers[j + 1]!) / 2));
  out.push(Infinity);
  return out;
}

/** Whether `b ≥ a` is at most one ulp above `a` (LightGBM's CheckDoubleEqualOrdered). */
function sameValue(a: number, b: number): boolean {
  const gap = b - a;
  return gap <= 0 || (gap <= Math.abs(a) * 2.3e-16 + 5e-324 && b <= nextUp(a));
}

const f64 = new Float64Array(1);
const i64 = new BigInt64Array(f64.buffer);

/** The next double above `x` (C's `nextafter(x, +∞)`). */
export function nextUp(x: number): number {
  if (x !== x || x === Infinity) return x;
  if (x === 0) return Number.MIN_VALUE;
  f64[0] = x;
  i64[0] = i64[0]! + (x > 0 ? 1n : -1n);
  return f64[0]!;
}

/**
 * Bin index of a value: the first j with `v ≤ bounds[j]` (NaN goes to the last bin).
 *
 * @param bounds Upper bounds from {@linkcode binBounds}.
 * @param v The value.
 * @returns The bin index.
 */
export function binOf(bounds: Float64Array, v: number): number {
  let lo = 0, hi = bounds.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (v <= bounds[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
