import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import {
  ComplianceCertification,
  GeoRegion,
  ModelFamily,
  ModelFeature,
  MODEL_FEATURES,
} from '../kinds/constants';
import { blendedPer1kMicros } from '../pricing';
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
 * Price ranges, by the blended price per 1K tokens (3:1 prompt:completion, see
 * {@link blendedPer1kMicros}): `free` = a free trial or free usage is offered;
 * then < $0.01, $0.01-$0.10 (both ends included), > $0.10.
 */
export const PRICE_RANGES = ['free', 'lt0.01', '0.01-0.10', 'gt0.10'] as const;
/** @public */
export type PriceRange = (typeof PRICE_RANGES)[number];

/**
 * The "Low latency" filter: measured p95 time to first token below this (ms).
 *
 * @public
 */
export const LOW_LATENCY_TTFT_P95_MS = 100;

/**
 * The "High throughput" filter: measured median output tokens per second at
 * least this.
 *
 * @public
 */
export const HIGH_THROUGHPUT_TOKENS_PER_SECOND = 100;

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

/** What we measured about a service (from probes, the ledger and reviews). */
export interface ServiceMetrics {
  /**
   * Availability over the last 30 days, or over the days of data there are
   * (`uptimeDays`): successful checks / all checks, where checks are the probes
   * and the real requests (upstream 5xx and timeouts fail; client errors do not
   * count). Absent with too few checks.
   */
  uptimePercent?: number;
  /** Days of data behind `uptimePercent` (at most 30). */
  uptimeDays?: number;
  /** p95 time to first token (ms) over the last 30 days. */
  latencyP95Ms?: number;
  /** The same as `latencyP95Ms` (latency is time to first token), for the finder and routes. */
  timeToFirstTokenP95Ms?: number;
  /** Median output tokens per second over the last 30 days. */
  tokensPerSecond?: number;
  /** Outcome of the last probe: false = it was down (not "available now"). */
  lastProbeUp?: boolean;
  rating?: number;
  reviewCount?: number;
  /** Successful requests over the last 30 days. */
  requests30d?: number;
  tokens30d?: number;
  /** Tokens served since the service went live. */
  tokensTotal?: number;
  /** Distinct users with a successful request in the last 30 days. */
  activeUsers30d?: number;
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
  completionPer1kMicros: number;
  /** The blended price the filters and `price-*` sorts use. */
  blendedPer1kMicros: number;
  region: GeoRegion;
  country: string;
  compliance: Set<ComplianceCertification>;
  providerName: string;
  /** An admin verified the provider (not the provider's own claim). */
  providerVerified: boolean;
  /** When the marketplace first ingested or published the service (epoch ms). */
  createdAt: number;
  /** When its spec last changed (epoch ms). */
  updatedAt: number;
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
  const p = blendedPer1kMicros(pricing);
  if (p < 10_000) ranges.add('lt0.01');
  else if (p <= 100_000) ranges.add('0.01-0.10');
  else ranges.add('gt0.10');
  return ranges;
}

/** Words a search for a feature may use ("vision", "function calling", ...). */
const FEATURE_SEARCH_WORDS: Record<ModelFeature, string> = {
  functionCalling: 'function calling functioncalling tools',
  vision: 'vision images',
  streaming: 'streaming',
  jsonMode: 'json mode jsonmode',
  fineTuned: 'fine-tuned finetuned fine tuned',
  embeddings: 'embeddings embedding vectors',
};

/**
 * Lowercase text plus its words without punctuation, so that "gpt4o" finds
 * "GPT-4o".
 */
function withCompactForms(text: string): string {
  const lower = text.toLocaleLowerCase('en-US');
  const compact = lower
    .split(/\s+/)
    .map(word => word.replace(/[^a-z0-9]+/g, ''))
    .filter(Boolean)
    .join(' ');
  return `${lower} ${compact}`;
}

/** Facts about a service that come from the marketplace, not its entity. */
export interface ProjectionFacts {
  metrics?: ServiceMetrics;
  createdAt?: number;
  updatedAt?: number;
  /** The admins' verification decision on the provider (default: not verified). */
  providerVerified?: boolean;
}

/**
 * Words that find a service in full-text search beside its name, title and
 * description: its enabled features ("vision"), family and base model, and
 * its names without punctuation, also from each of their parts on
 * ("gpt4omini" and "4omini" for northwind-gpt-4o-mini, so that a prefix
 * search for "gpt4o" matches). For the portal's search index.
 *
 * @public
 */
export function modelServiceSearchTerms(
  entity: ModelServiceEntityV1alpha1,
): string {
  const { metadata, spec } = entity;
  const names = [metadata.name, metadata.title ?? '', spec.baseModel ?? '']
    .join(' ')
    .toLocaleLowerCase('en-US')
    .split(/\s+/)
    .filter(Boolean);
  const compact = new Set<string>();
  for (const name of names) {
    const parts = name.split(/[^a-z0-9]+/).filter(Boolean);
    for (let i = 0; i < parts.length; i++) {
      compact.add(parts.slice(i).join(''));
    }
  }
  return [
    spec.family,
    ...compact,
    ...MODEL_FEATURES.filter(f => spec.features[f] === true).map(
      f => FEATURE_SEARCH_WORDS[f],
    ),
  ].join(' ');
}

/** Builds the projection of one service. */
export function projectService(
  entity: ModelServiceEntityV1alpha1,
  ref: string,
  provider: ProviderEntityV1alpha1 | undefined,
  facts: ProjectionFacts = {},
): ServiceProjection {
  const metrics = facts.metrics ?? {};
  const createdAt = facts.createdAt ?? 0;
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
    completionPer1kMicros: spec.pricing.completionPer1kMicros,
    blendedPer1kMicros: blendedPer1kMicros(spec.pricing),
    region: spec.geographic.region,
    country: spec.geographic.country,
    compliance: new Set(spec.compliance),
    providerName,
    providerVerified: facts.providerVerified === true,
    createdAt,
    updatedAt: facts.updatedAt ?? createdAt,
    nameText: withCompactForms(`${metadata.name} ${title}`),
    searchText: withCompactForms(
      [
        metadata.name,
        title,
        metadata.description ?? '',
        spec.family,
        spec.baseModel ?? '',
        providerName,
        ...MODEL_FEATURES.filter(f => spec.features[f] === true).map(
          f => FEATURE_SEARCH_WORDS[f],
        ),
      ].join(' '),
    ),
    metrics,
  };
}

function performanceOf(p: ServiceProjection): Set<PerformanceFilter> {
  const s = new Set<PerformanceFilter>();
  const { uptimePercent, latencyP95Ms, tokensPerSecond } = p.metrics;
  if (uptimePercent !== undefined && uptimePercent > 99) s.add('uptime-99');
  if (uptimePercent !== undefined && uptimePercent > 99.9) s.add('uptime-99.9');
  if (latencyP95Ms !== undefined && latencyP95Ms < LOW_LATENCY_TTFT_P95_MS)
    s.add('p95-lt100');
  if (
    tokensPerSecond !== undefined &&
    tokensPerSecond >= HIGH_THROUGHPUT_TOKENS_PER_SECOND
  )
    s.add('high-throughput');
  if (p.metrics.rating !== undefined && p.metrics.rating >= 4) {
    s.add('rating-4');
  }
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
  if (isOpenNow(p, now)) s.add('available-now');
  return s;
}

/**
 * "Available now": active, inside its schedule, outside maintenance, and its
 * last probe was not down (a service never probed yet follows its schedule).
 */
export function isOpenNow(p: ServiceProjection, now: Date): boolean {
  return (
    p.entity.spec.lifecycle === 'active' &&
    p.metrics.lastProbeUp !== false &&
    isAvailableAt(p.entity.spec.availability, now)
  );
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

/**
 * Every (dimension, value) pair gets a small integer "slot", so that filtering and
 * facet counting per request are integer set lookups and array increments.
 */
const slotIds = new Map<string, number>();
const slotDims: Dimension[] = [];
const slotValues: string[] = [];
function slot(d: Dimension, value: string): number {
  const key = `${d}\u0000${value}`;
  let id = slotIds.get(key);
  if (id === undefined) {
    id = slotDims.length;
    slotIds.set(key, id);
    slotDims.push(d);
    slotValues.push(value);
  }
  return id;
}
const AVAILABLE_NOW = slot('availability', 'available-now');

/** The slots of a service that do not change between requests, computed once. */
const staticSlots = new WeakMap<
  ServiceProjection,
  { list: number[]; set: Set<number> }
>();
/** `available-now` per service, recomputed once a minute. */
const nowSlots = new WeakMap<
  ServiceProjection,
  { minute: number; open: boolean }
>();

function slotsOf(p: ServiceProjection, now: Date) {
  let fixed = staticSlots.get(p);
  if (!fixed) {
    const list: number[] = [
      slot('family', p.family),
      slot('context', p.contextBucket),
    ];
    p.features.forEach(f => list.push(slot('feature', f)));
    p.priceRanges.forEach(r => list.push(slot('price', r)));
    list.push(slot('region', p.region), slot('country', p.country));
    p.compliance.forEach(c => list.push(slot('compliance', c)));
    performanceOf(p).forEach(f => list.push(slot('performance', f)));
    availabilityOf(p, now).forEach(a => {
      if (a !== 'available-now') list.push(slot('availability', a));
    });
    list.push(slot('verified', String(p.providerVerified)));
    fixed = { list, set: new Set(list) };
    staticSlots.set(p, fixed);
  }
  const minute = Math.floor(now.getTime() / 60_000);
  let dynamic = nowSlots.get(p);
  if (!dynamic || dynamic.minute !== minute) {
    dynamic = { minute, open: isOpenNow(p, now) };
    nowSlots.set(p, dynamic);
  }
  return { fixed, open: dynamic.open };
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

function selected(
  query: BrowseQuery,
): { dim: Dimension; slots: number[]; all: boolean }[] {
  const out: { dim: Dimension; slots: number[]; all: boolean }[] = [];
  const put = (d: Dimension, v?: readonly string[]) => {
    if (v && v.length) {
      out.push({
        dim: d,
        slots: [...new Set(v)].map(x => slot(d, x)),
        all: MATCH_ALL.has(d),
      });
    }
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
  if (query.verified !== undefined) put('verified', [String(query.verified)]);
  return out;
}

function has(set: Set<number>, open: boolean, s: number): boolean {
  return s === AVAILABLE_NOW ? open : set.has(s);
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
      return (a, b) => a.blendedPer1kMicros - b.blendedPer1kMicros;
    case 'price-desc':
      return (a, b) => b.blendedPer1kMicros - a.blendedPer1kMicros;
    case 'prompt-price-asc':
      return (a, b) => a.promptPer1kMicros - b.promptPer1kMicros;
    case 'completion-price-asc':
      return (a, b) => a.completionPer1kMicros - b.completionPer1kMicros;
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
        compareNullable(a.metrics.uptimePercent, b.metrics.uptimePercent, -1);
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
