import {
  AVAILABILITY_FILTERS,
  AvailabilityFilter,
  BLENDED_PRICE_MIX_LABEL,
  BROWSE_SORTS,
  BrowseFacets,
  BrowseSort,
  COMPLIANCE_CERTIFICATIONS,
  CONTEXT_BUCKETS,
  ContextBucket,
  GEO_REGIONS,
  HIGH_THROUGHPUT_TOKENS_PER_SECOND,
  LOW_LATENCY_TTFT_P95_MS,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  PERFORMANCE_FILTERS,
  PerformanceFilter,
  PRICE_RANGES,
  PriceRange,
} from '@internal/plugin-marketplace-common';
import { BrowseServicesQuery } from '../../api';
import { familyLabel, FEATURE_LABELS, regionLabel } from '../../format';

/** Services per page. */
export const PAGE_SIZE = 24;

/** The multi-value filters of the sidebar, in the order they are shown. */
export type MultiFilterKey =
  | 'family'
  | 'context'
  | 'feature'
  | 'price'
  | 'region'
  | 'compliance'
  | 'performance'
  | 'availability';

export type FilterSection = {
  key: MultiFilterKey;
  title: string;
  values: readonly string[];
  label: (value: string) => string;
};

const CONTEXT_LABELS: Record<ContextBucket, string> = {
  lt8k: 'Under 8K',
  '8k-32k': '8K – 32K',
  '32k-128k': '32K – 128K',
  gt128k: 'Over 128K',
};

const PRICE_LABELS: Record<PriceRange, string> = {
  free: 'Free trial or free',
  'lt0.01': 'Under $0.01 / 1K',
  '0.01-0.10': '$0.01 – $0.10 / 1K',
  'gt0.10': 'Over $0.10 / 1K',
};

const PERFORMANCE_LABELS: Record<PerformanceFilter, string> = {
  'uptime-99': 'Uptime over 99%',
  'uptime-99.9': 'Uptime over 99.9%',
  'p95-lt100': `Low latency (first token p95 < ${LOW_LATENCY_TTFT_P95_MS} ms)`,
  'high-throughput': `High throughput (≥ ${HIGH_THROUGHPUT_TOKENS_PER_SECOND} output tokens/s, median)`,
  'rating-4': 'Rated 4 stars or more',
};

const AVAILABILITY_LABELS: Record<AvailabilityFilter, string> = {
  '24/7': '24/7',
  'business-hours': 'Business hours',
  'available-now': 'Available now',
};

export const SORT_LABELS: Record<BrowseSort, string> = {
  relevance: 'Relevance',
  'price-asc': `Price (blended ${BLENDED_PRICE_MIX_LABEL}): low to high`,
  'price-desc': `Price (blended ${BLENDED_PRICE_MIX_LABEL}): high to low`,
  'prompt-price-asc': 'Prompt price: low to high',
  'completion-price-asc': 'Completion price: low to high',
  rating: 'Rating',
  popularity: 'Popularity',
  newest: 'Newest',
  latency: 'Latency: time to first token (fastest first)',
  uptime: 'Uptime',
};

function labelOf(labels: Record<string, string>) {
  return (value: string) => labels[value] ?? value;
}

export const FILTER_SECTIONS: FilterSection[] = [
  {
    key: 'family',
    title: 'Model family',
    values: MODEL_FAMILIES,
    label: familyLabel,
  },
  {
    key: 'context',
    title: 'Context window',
    values: CONTEXT_BUCKETS,
    label: labelOf(CONTEXT_LABELS),
  },
  {
    key: 'feature',
    title: 'Features',
    values: MODEL_FEATURES,
    label: labelOf(FEATURE_LABELS),
  },
  {
    key: 'price',
    title: `Price (blended ${BLENDED_PRICE_MIX_LABEL}, per 1K tokens)`,
    values: PRICE_RANGES,
    label: labelOf(PRICE_LABELS),
  },
  { key: 'region', title: 'Region', values: GEO_REGIONS, label: regionLabel },
  {
    key: 'compliance',
    title: 'Compliance',
    values: COMPLIANCE_CERTIFICATIONS,
    label: v => v,
  },
  {
    key: 'performance',
    title: 'Performance',
    values: PERFORMANCE_FILTERS,
    label: labelOf(PERFORMANCE_LABELS),
  },
  {
    key: 'availability',
    title: 'Availability',
    values: AVAILABILITY_FILTERS,
    label: labelOf(AVAILABILITY_LABELS),
  },
];

/** Parameters of the page URL that are not filters of the API. */
export const VIEW_PARAM = 'view';

/** The filters and paging that count as "a filter is set" (not sort, view). */
const FILTER_PARAMS = [
  'q',
  ...FILTER_SECTIONS.map(s => s.key),
  'country',
  'verified',
];

function pick<T extends string>(
  params: URLSearchParams,
  key: string,
  allowed: readonly T[],
): T[] | undefined {
  const values = params
    .getAll(key)
    .flatMap(v => v.split(','))
    .filter((v): v is T => (allowed as readonly string[]).includes(v));
  return values.length ? [...new Set(values)] : undefined;
}

/** Reads the browse query from the page URL, dropping unknown values. */
export function queryFromParams(params: URLSearchParams): BrowseServicesQuery {
  const query: BrowseServicesQuery = { limit: PAGE_SIZE };
  const q = params.get('q')?.trim();
  if (q) {
    query.q = q.slice(0, 200);
  }
  query.family = pick(params, 'family', MODEL_FAMILIES);
  query.context = pick(params, 'context', CONTEXT_BUCKETS);
  query.feature = pick(params, 'feature', MODEL_FEATURES);
  query.price = pick(params, 'price', PRICE_RANGES);
  query.region = pick(params, 'region', GEO_REGIONS);
  const country = params
    .getAll('country')
    .flatMap(v => v.split(','))
    .filter(v => /^[A-Z]{2}$/.test(v));
  if (country.length) {
    query.country = country;
  }
  query.compliance = pick(params, 'compliance', COMPLIANCE_CERTIFICATIONS);
  query.performance = pick(params, 'performance', PERFORMANCE_FILTERS);
  query.availability = pick(params, 'availability', AVAILABILITY_FILTERS);
  const verified = params.get('verified');
  if (verified === 'true' || verified === 'false') {
    query.verified = verified === 'true';
  }
  const sort = params.get('sort');
  if (sort && (BROWSE_SORTS as readonly string[]).includes(sort)) {
    query.sort = sort as BrowseSort;
  }
  const offset = Number(params.get('offset'));
  if (Number.isInteger(offset) && offset > 0) {
    query.offset = offset;
  }
  // Leave out what is not set, so that the API sees only real filters.
  for (const key of Object.keys(query) as (keyof BrowseServicesQuery)[]) {
    if (query[key] === undefined) {
      delete query[key];
    }
  }
  return query;
}

export function hasFilters(params: URLSearchParams): boolean {
  return FILTER_PARAMS.some(p => params.has(p));
}

/** A copy of the URL parameters without any filter, search or page. */
export function clearedParams(params: URLSearchParams): URLSearchParams {
  const next = new URLSearchParams(params);
  FILTER_PARAMS.forEach(p => next.delete(p));
  next.delete('offset');
  return next;
}

/** Toggles one value of a multi-value filter; back to the first page. */
export function toggleValue(
  params: URLSearchParams,
  key: string,
  value: string,
): URLSearchParams {
  const next = new URLSearchParams(params);
  const current = next.getAll(key);
  next.delete(key);
  const values = current.includes(value)
    ? current.filter(v => v !== value)
    : [...current, value];
  values.forEach(v => next.append(key, v));
  next.delete('offset');
  return next;
}

/** Sets or removes (for `undefined` or '') one single-value parameter. */
export function setParam(
  params: URLSearchParams,
  key: string,
  value: string | undefined,
  options: { resetPage?: boolean } = {},
): URLSearchParams {
  const next = new URLSearchParams(params);
  if (value === undefined || value === '') {
    next.delete(key);
  } else {
    next.set(key, value);
  }
  if (options.resetPage ?? true) {
    next.delete('offset');
  }
  return next;
}

export function facetCount(
  facets: BrowseFacets | undefined,
  key: keyof BrowseFacets,
  value: string,
): number {
  return facets?.[key]?.[value] ?? 0;
}
