/**
 * Latency histograms with fixed log-scale buckets, so that the histograms of any
 * number of hours (and services) merge by adding counts, and percentiles of the
 * merged histogram stay within a known error of the exact ones.
 *
 * Bucket 0 holds 0 ms; bucket k (k >= 1) holds [GROWTH^(k-1), GROWTH^k) ms, up to
 * one hour; the last bucket holds everything longer. A percentile is read as the
 * geometric middle of its bucket, GROWTH^(k-1/2), so it is within a factor of
 * sqrt(GROWTH) of the exact value: at most +4.9% / -4.7% off for GROWTH = 1.1
 * (plus rounding to whole milliseconds), whatever the number of samples.
 */
export const GROWTH = 1.1;

/** The relative error bound of a percentile read from a histogram. */
export const MAX_RELATIVE_ERROR = Math.sqrt(GROWTH) - 1;

const MAX_MS = 3_600_000;

/**
 * Upper bounds of buckets 0..LAST-1 for integer milliseconds: a whole number of
 * ms `v` is in the first bucket k with v < UPPER[k]. (For integers, v < GROWTH^k
 * holds exactly when v < ceil(GROWTH^k).)
 */
const UPPER: number[] = (() => {
  const out = [1];
  for (let k = 1; GROWTH ** (k - 1) < MAX_MS; k++) {
    out.push(Math.ceil(GROWTH ** k));
  }
  return out;
})();

/** The overflow bucket: one hour and more. */
export const LAST_BUCKET = UPPER.length;

/** A histogram: bucket index -> count. */
export type Histogram = Map<number, number>;

/** The bucket of a latency in ms (rounded to a whole ms first). */
export function bucketOf(ms: number): number {
  const v = Math.max(0, Math.round(ms));
  let lo = 0;
  let hi = UPPER.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (v < UPPER[mid]) {
      hi = mid;
    } else {
      lo = mid + 1;
    }
  }
  return lo;
}

/** The value a percentile in bucket k is reported as, in whole ms. */
export function representativeOf(bucket: number): number {
  if (bucket <= 0) {
    return 0;
  }
  if (bucket >= LAST_BUCKET) {
    return MAX_MS;
  }
  return Math.round(GROWTH ** (bucket - 0.5));
}

/**
 * A SQL expression giving the bucket of an integer column, the same as
 * {@link bucketOf}: a CASE over the integer bounds (the same on SQLite and
 * PostgreSQL). Bounds that are equal for whole numbers are listed once.
 */
export function sqlBucketExpression(column: string): string {
  const parts: string[] = [];
  let previous = -1;
  UPPER.forEach((upper, k) => {
    if (upper !== previous) {
      parts.push(`WHEN ${column} < ${upper} THEN ${k}`);
      previous = upper;
    }
  });
  return `CASE ${parts.join(' ')} ELSE ${LAST_BUCKET} END`;
}

export function addTo(target: Histogram, source: Histogram): Histogram {
  for (const [bucket, count] of source) {
    target.set(bucket, (target.get(bucket) ?? 0) + count);
  }
  return target;
}

export function countOf(h: Histogram): number {
  let n = 0;
  for (const c of h.values()) {
    n += c;
  }
  return n;
}

/**
 * The p-th percentile (0 < p <= 100) by nearest rank: the value at position
 * ceil(p/100 * n) of the sorted samples, read from the histogram. Null when empty.
 */
export function percentile(h: Histogram, p: number): number | null {
  const n = countOf(h);
  if (n === 0) {
    return null;
  }
  const rank = Math.max(1, Math.ceil((p / 100) * n));
  const buckets = [...h.keys()].sort((a, b) => a - b);
  let seen = 0;
  for (const bucket of buckets) {
    seen += h.get(bucket)!;
    if (seen >= rank) {
      return representativeOf(bucket);
    }
  }
  return representativeOf(buckets[buckets.length - 1]);
}

/** Stored form: `bucket:count` pairs by bucket, comma-separated ('' when empty). */
export function encodeHistogram(h: Histogram): string {
  return [...h]
    .filter(([, c]) => c > 0)
    .sort(([a], [b]) => a - b)
    .map(([b, c]) => `${b}:${c}`)
    .join(',');
}

export function decodeHistogram(text: string | null | undefined): Histogram {
  const h: Histogram = new Map();
  if (!text) {
    return h;
  }
  for (const pair of text.split(',')) {
    const [b, c] = pair.split(':').map(Number);
    if (Number.isInteger(b) && Number.isFinite(c) && c > 0) {
      h.set(b, (h.get(b) ?? 0) + c);
    }
  }
  return h;
}

/** A histogram of raw samples (tests, small in-memory sets). */
export function histogramOf(samples: number[]): Histogram {
  const h: Histogram = new Map();
  for (const s of samples) {
    const b = bucketOf(s);
    h.set(b, (h.get(b) ?? 0) + 1);
  }
  return h;
}
