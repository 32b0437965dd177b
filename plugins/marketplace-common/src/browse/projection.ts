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
import type { ContextBucket, PriceRange } from './browse';

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
