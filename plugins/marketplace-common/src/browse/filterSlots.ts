/**
 * How browse matches services to filters and counts facets: every filter value
 * a service has is a small integer "slot", computed once per service.
 */
import { isAvailableAt } from './availability';
import type {
  AvailabilityFilter,
  BrowseFacets,
  BrowseQuery,
  PerformanceFilter,
} from './browse';
import { ServiceProjection } from './projection';

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

export type Dimension = keyof BrowseFacets;
export const DIMENSIONS: Dimension[] = [
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
export const slotDims: Dimension[] = [];
export const slotValues: string[] = [];
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
export const AVAILABLE_NOW = slot('availability', 'available-now');

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

export function slotsOf(p: ServiceProjection, now: Date) {
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

export function selected(
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

export function has(set: Set<number>, open: boolean, s: number): boolean {
  return s === AVAILABLE_NOW ? open : set.has(s);
}
