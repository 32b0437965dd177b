import {
  ComplianceCertification,
  GeoRegion,
  ModelFamily,
  ModelFeature,
} from '../kinds/constants';
import {
  AVAILABLE_NOW,
  Dimension,
  DIMENSIONS,
  has,
  selected,
  slotDims,
  slotsOf,
  slotValues,
} from './filterSlots';
import { ServiceProjection } from './projection';
import { comparator } from './sorting';

/** Context window buckets of the browse filter (tokens; 8K = 8,192). */
export const CONTEXT_BUCKETS = [
  'lt8k',
  '8k-32k',
  '32k-128k',
  'gt128k',
] as const;
/** @public */
export type ContextBucket = (typeof CONTEXT_BUCKETS)[number];

/**
 * Price ranges, by the blended price per 1K tokens (3:1 prompt:completion, see
 * {@link blendedPer1kMicros}): `free` = a free trial or free usage is offered;
 * then < $0.01, $0.01-$0.10 (both ends included), > $0.10.
 */
export const PRICE_RANGES = ['free', 'lt0.01', '0.01-0.10', 'gt0.10'] as const;
/** @public */
export type PriceRange = (typeof PRICE_RANGES)[number];

/**
 * Measured-performance filters (services without measurements never match):
 * uptime above 99 % / 99.9 % (probes and real traffic, see
 * `ServiceMetrics.uptimePercent`), p95 time to first token below
 * {@link LOW_LATENCY_TTFT_P95_MS}, median output tokens/s at least
 * {@link HIGH_THROUGHPUT_TOKENS_PER_SECOND}, rating 4 and up.
 */
export const PERFORMANCE_FILTERS = [
  'uptime-99',
  'uptime-99.9',
  'p95-lt100',
  'high-throughput',
  'rating-4',
] as const;
/** @public */
export type PerformanceFilter = (typeof PERFORMANCE_FILTERS)[number];

/** Availability filters; `available-now` is computed at request time. */
export const AVAILABILITY_FILTERS = [
  '24/7',
  'business-hours',
  'available-now',
] as const;
/** @public */
export type AvailabilityFilter = (typeof AVAILABILITY_FILTERS)[number];

/** @public */
export const BROWSE_SORTS = [
  'relevance',
  'price-asc',
  'price-desc',
  'prompt-price-asc',
  'completion-price-asc',
  'rating',
  'popularity',
  'newest',
  'latency',
  'uptime',
] as const;
/** @public */
export type BrowseSort = (typeof BROWSE_SORTS)[number];

/** @public */
export interface BrowseQuery {
  q?: string;
  family?: ModelFamily[];
  context?: ContextBucket[];
  feature?: ModelFeature[];
  price?: PriceRange[];
  region?: GeoRegion[];
  country?: string[];
  compliance?: ComplianceCertification[];
  performance?: PerformanceFilter[];
  availability?: AvailabilityFilter[];
  verified?: boolean;
  sort?: BrowseSort;
  offset?: number;
  limit?: number;
}

/** Counts per value of each filter, under all the other filters. */
export type BrowseFacets = {
  family: Record<string, number>;
  context: Record<string, number>;
  feature: Record<string, number>;
  price: Record<string, number>;
  region: Record<string, number>;
  country: Record<string, number>;
  compliance: Record<string, number>;
  performance: Record<string, number>;
  availability: Record<string, number>;
  verified: Record<string, number>;
};

/** @public */
export interface BrowseResult {
  items: ServiceProjection[];
  total: number;
  facets: BrowseFacets;
}

/**
 * Filters, searches, sorts and pages services, and counts every filter value under
 * the other filters (facets). Pure: the backend keeps the projections in memory.
 */
export function browse(
  services: readonly ServiceProjection[],
  query: BrowseQuery,
  now: Date = new Date(),
): BrowseResult {
  const wanted = selected(query);
  const tokens = (query.q ?? '')
    .toLocaleLowerCase('en-US')
    .split(/\s+/)
    .filter(Boolean);
  const counts: number[] = [];
  const hits: { p: ServiceProjection; rank: number }[] = [];

  for (const p of services) {
    if (tokens.length && !tokens.every(t => p.searchText.includes(t))) {
      continue;
    }
    const { fixed, open } = slotsOf(p, now);
    let failed: Dimension | undefined;
    let failures = 0;
    for (const w of wanted) {
      let ok: boolean;
      if (w.all) {
        ok = w.slots.every(s => has(fixed.set, open, s));
      } else {
        ok = w.slots.some(s => has(fixed.set, open, s));
      }
      if (!ok) {
        failures++;
        failed = w.dim;
        if (failures > 1) break;
      }
    }
    if (failures > 1) {
      continue;
    }
    // Facet counts: a value of dimension d counts when every OTHER filter matches.
    for (const s of fixed.list) {
      if (failures === 0 || slotDims[s] === failed) {
        counts[s] = (counts[s] ?? 0) + 1;
      }
    }
    if (open && (failures === 0 || failed === 'availability')) {
      counts[AVAILABLE_NOW] = (counts[AVAILABLE_NOW] ?? 0) + 1;
    }
    if (failures === 0) {
      const rank =
        tokens.length && tokens.every(t => p.nameText.includes(t)) ? 0 : 1;
      hits.push({ p, rank });
    }
  }

  const facets = Object.fromEntries(
    DIMENSIONS.map(d => [d, {}]),
  ) as unknown as BrowseFacets;
  counts.forEach((n, s) => {
    if (n) {
      (facets[slotDims[s]] as Record<string, number>)[slotValues[s]] = n;
    }
  });

  const sort = query.sort ?? (tokens.length ? 'relevance' : 'price-asc');
  const byField = comparator(sort);
  hits.sort(
    (a, b) =>
      a.rank - b.rank || byField(a.p, b.p) || a.p.name.localeCompare(b.p.name),
  );
  const offset = query.offset ?? 0;
  const limit = query.limit ?? 24;
  return {
    items: hits.slice(offset, offset + limit).map(h => h.p),
    total: hits.length,
    facets,
  };
}
