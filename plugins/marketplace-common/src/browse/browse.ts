import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import {
  ComplianceCertification,
  GeoRegion,
  ModelFamily,
  ModelFeature,
  MODEL_FEATURES,
} from '../kinds/constants';
import { isAvailableAt } from './availability';

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
 * Price ranges, by the prompt price per 1K tokens: `free` = a free trial or
 * free usage is offered; then < $0.01, $0.01-$0.10, > $0.10.
 */
export const PRICE_RANGES = ['free', 'lt0.01', '0.01-0.10', 'gt0.10'] as const;
/** @public */
export type PriceRange = (typeof PRICE_RANGES)[number];

/** Measured-performance filters (services without measurements never match). */
export const PERFORMANCE_FILTERS = [
  'uptime-99',
  'uptime-99.9',
  'p95-lt100',
  'high-throughput',
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
  'rating',
  'popularity',
  'newest',
  'latency',
  'uptime',
] as const;
/** @public */
export type BrowseSort = (typeof BROWSE_SORTS)[number];

/** What we measured about a service (from probes, the ledger and reviews). */
export interface ServiceMetrics {
  uptime30d?: number;
  latencyP95Ms?: number;
  /** Measured output tokens per second. */
  tokensPerSecond?: number;
  rating?: number;
  reviewCount?: number;
  requests30d?: number;
  tokens30d?: number;
}

/** A service flattened for fast filtering; built once per catalog refresh. */
export interface ServiceProjection {
  name: string;
  ref: string;
  title: string;
  entity: ModelServiceEntityV1alpha1;
  family: ModelFamily;
  contextBucket: ContextBucket;
  features: Set<ModelFeature>;
  priceRanges: Set<PriceRange>;
  promptPer1kMicros: number;
  region: GeoRegion;
  country: string;
  compliance: Set<ComplianceCertification>;
  providerName: string;
  providerVerified: boolean;
  createdAt: number;
  /** Lowercased name + title, for ranking. */
  nameText: string;
  /** Lowercased name, title, description, family, base model and provider. */
  searchText: string;
  metrics: ServiceMetrics;
}

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
export interface BrowseFacets {
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
}

/** @public */
export interface BrowseResult {
  items: ServiceProjection[];
  total: number;
  facets: BrowseFacets;
}

export function contextBucketOf(tokens: number): ContextBucket {
  if (tokens < 8192) return 'lt8k';
  if (tokens <= 32768) return '8k-32k';
  if (tokens <= 131072) return '32k-128k';
  return 'gt128k';
}

export function priceRangesOf(
  entity: ModelServiceEntityV1alpha1,
): Set<PriceRange> {
  const { pricing, trial } = entity.spec;
  const ranges = new Set<PriceRange>();
  if (
    (trial?.tokens ?? 0) > 0 ||
    (pricing.promptPer1kMicros === 0 && pricing.completionPer1kMicros === 0)
  ) {
    ranges.add('free');
  }
  const p = pricing.promptPer1kMicros;
  if (p < 10_000) ranges.add('lt0.01');
  else if (p <= 100_000) ranges.add('0.01-0.10');
  else ranges.add('gt0.10');
  return ranges;
}

/** Builds the projection of one service. */
export function projectService(
  entity: ModelServiceEntityV1alpha1,
  ref: string,
  provider: ProviderEntityV1alpha1 | undefined,
  metrics: ServiceMetrics = {},
  createdAt = 0,
): ServiceProjection {
  const { spec, metadata } = entity;
  const providerName = provider?.spec.displayName ?? spec.providedBy;
  const title = metadata.title ?? metadata.name;
  return {
    name: metadata.name,
    ref,
    title,
    entity,
    family: spec.family,
    contextBucket: contextBucketOf(spec.contextWindow),
    features: new Set(MODEL_FEATURES.filter(f => spec.features[f] === true)),
    priceRanges: priceRangesOf(entity),
    promptPer1kMicros: spec.pricing.promptPer1kMicros,
    region: spec.geographic.region,
    country: spec.geographic.country,
    compliance: new Set(spec.compliance),
    providerName,
    providerVerified: provider?.spec.verification.status === 'verified',
    createdAt,
    nameText: `${metadata.name} ${title}`.toLocaleLowerCase('en-US'),
    searchText: [
      metadata.name,
      title,
      metadata.description ?? '',
      spec.family,
      spec.baseModel ?? '',
      providerName,
    ]
      .join(' ')
      .toLocaleLowerCase('en-US'),
    metrics,
  };
}

function performanceOf(p: ServiceProjection): Set<PerformanceFilter> {
  const s = new Set<PerformanceFilter>();
  const { uptime30d, latencyP95Ms, tokensPerSecond } = p.metrics;
  if (uptime30d !== undefined && uptime30d > 99) s.add('uptime-99');
  if (uptime30d !== undefined && uptime30d > 99.9) s.add('uptime-99.9');
  if (latencyP95Ms !== undefined && latencyP95Ms < 100) s.add('p95-lt100');
  if (tokensPerSecond !== undefined && tokensPerSecond >= 100)
    s.add('high-throughput');
  return s;
}

function availabilityOf(
  p: ServiceProjection,
  now: Date,
): Set<AvailabilityFilter> {
  const s = new Set<AvailabilityFilter>();
  const av = p.entity.spec.availability;
  if (av.schedule === '24/7') s.add('24/7');
  if (av.schedule === 'business_hours') s.add('business-hours');
  if (p.entity.spec.lifecycle === 'active' && isAvailableAt(av, now))
    s.add('available-now');
  return s;
}

type Dimension = keyof BrowseFacets;
const DIMENSIONS: Dimension[] = [
  'family',
  'context',
  'feature',
  'price',
  'region',
  'country',
  'compliance',
  'performance',
  'availability',
  'verified',
];

/** Values of each dimension a service has. */
function valuesOf(
  p: ServiceProjection,
  now: Date,
): Record<Dimension, Iterable<string>> {
  return {
    family: [p.family],
    context: [p.contextBucket],
    feature: p.features,
    price: p.priceRanges,
    region: [p.region],
    country: [p.country],
    compliance: p.compliance,
    performance: performanceOf(p),
    availability: availabilityOf(p, now),
    verified: [String(p.providerVerified)],
  };
}

/**
 * Filters that take several values match a service having ANY of them, except
 * features, compliance, performance and availability, where a service must have
 * ALL the selected ones (they are requirements, not alternatives).
 */
const MATCH_ALL: Set<Dimension> = new Set([
  'feature',
  'compliance',
  'performance',
  'availability',
]);

function selected(query: BrowseQuery): Partial<Record<Dimension, Set<string>>> {
  const out: Partial<Record<Dimension, Set<string>>> = {};
  const put = (d: Dimension, v?: readonly string[]) => {
    if (v && v.length) out[d] = new Set(v);
  };
  put('family', query.family);
  put('context', query.context);
  put('feature', query.feature);
  put('price', query.price);
  put('region', query.region);
  put('country', query.country);
  put('compliance', query.compliance);
  put('performance', query.performance);
  put('availability', query.availability);
  if (query.verified !== undefined)
    out.verified = new Set([String(query.verified)]);
  return out;
}

function matches(
  values: Iterable<string>,
  wanted: Set<string>,
  all: boolean,
): boolean {
  const have =
    values instanceof Set ? (values as Set<string>) : new Set(values);
  for (const w of wanted) {
    const hit = have.has(w);
    if (all && !hit) return false;
    if (!all && hit) return true;
  }
  return all;
}

function compareNullable(
  a: number | undefined,
  b: number | undefined,
  dir: 1 | -1,
): number {
  // Services with no data sort last in both directions.
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return (a - b) * dir;
}

function comparator(
  sort: BrowseSort,
): (a: ServiceProjection, b: ServiceProjection) => number {
  switch (sort) {
    case 'price-asc':
      return (a, b) => a.promptPer1kMicros - b.promptPer1kMicros;
    case 'price-desc':
      return (a, b) => b.promptPer1kMicros - a.promptPer1kMicros;
    case 'rating':
      return (a, b) => compareNullable(a.metrics.rating, b.metrics.rating, -1);
    case 'popularity':
      return (a, b) =>
        compareNullable(a.metrics.requests30d, b.metrics.requests30d, -1);
    case 'newest':
      return (a, b) => b.createdAt - a.createdAt;
    case 'latency':
      return (a, b) =>
        compareNullable(a.metrics.latencyP95Ms, b.metrics.latencyP95Ms, 1);
    case 'uptime':
      return (a, b) =>
        compareNullable(a.metrics.uptime30d, b.metrics.uptime30d, -1);
    default:
      return () => 0;
  }
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
  const facets = Object.fromEntries(
    DIMENSIONS.map(d => [d, {}]),
  ) as unknown as BrowseFacets;
  const hits: { p: ServiceProjection; rank: number }[] = [];

  for (const p of services) {
    if (tokens.length && !tokens.every(t => p.searchText.includes(t))) {
      continue;
    }
    const values = valuesOf(p, now);
    let failed: Dimension | undefined;
    let failures = 0;
    for (const d of DIMENSIONS) {
      const w = wanted[d];
      if (w && !matches(values[d], w, MATCH_ALL.has(d))) {
        failures++;
        failed = d;
        if (failures > 1) break;
      }
    }
    if (failures > 1) {
      continue;
    }
    // Facet counts: a value of dimension d counts when every OTHER filter matches.
    for (const d of DIMENSIONS) {
      if (failures === 1 && failed !== d) continue;
      const counts = facets[d] as Record<string, number>;
      for (const v of values[d]) {
        counts[v] = (counts[v] ?? 0) + 1;
      }
    }
    if (failures === 0) {
      const rank =
        tokens.length && tokens.every(t => p.nameText.includes(t)) ? 0 : 1;
      hits.push({ p, rank });
    }
  }

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
