import {
  ComplianceCertification,
  GeoRegion,
  ModelFamily,
  ModelFeature,
} from '../kinds/constants';
import { ModelServicePricing } from '../kinds/ModelServiceEntityV1alpha1';
import { estimateMonthlyCost } from '../pricing';
import { ServiceProjection } from '../browse/projection';
import { compareMissingLast } from '../browse/sorting';

/**
 * The blended price per 1K tokens in integer micro-units: three prompt tokens
 * for one completion token, rounded up. The finder's price need and the
 * routes' `price` policy compare services by it.
 *
 * Kept in this one function so that a shared definition can replace it.
 *
 * @public
 */
export function blendedPricePer1k(
  pricing: Pick<
    ModelServicePricing,
    'promptPer1kMicros' | 'completionPer1kMicros'
  >,
): number {
  return Math.ceil(
    (3 * pricing.promptPer1kMicros + pricing.completionPer1kMicros) / 4,
  );
}

/**
 * What a user needs from a model service, and the volume they expect.
 *
 * @public
 */
export interface FinderNeeds {
  /** Smallest acceptable context window, in tokens. */
  minContext?: number;
  /** Features the service must all have. */
  feature?: ModelFeature[];
  /** Model families; any of them. */
  family?: ModelFamily[];
  /** Highest acceptable blended price per 1K tokens (micro-USD). */
  maxBlendedPer1kMicros?: number;
  /** Regions the service may run in; any of them. */
  region?: GeoRegion[];
  /** Certifications the service must all hold. */
  compliance?: ComplianceCertification[];
  /** Highest acceptable measured p95 time to first token, in ms. */
  maxTtftMs?: number;
  /** Lowest acceptable measured 30-day uptime, in percent. */
  minUptime?: number;
  requestsPerMonth: number;
  avgPromptTokens: number;
  avgCompletionTokens: number;
}

/** @public */
export const FINDER_NEEDS = [
  'lifecycle',
  'context',
  'feature',
  'family',
  'price',
  'region',
  'compliance',
  'ttft',
  'uptime',
] as const;
/** @public */
export type FinderNeed = (typeof FINDER_NEEDS)[number];

/**
 * Why a service does not meet one need.
 *
 * @public
 */
export interface ExclusionReason {
  need: FinderNeed;
  message: string;
}

/** @public */
export interface FinderMatch {
  service: ServiceProjection;
  blendedPer1kMicros: number;
  /** The month's cost at the stated volume, volume tiers applied, trial not counted. */
  expectedMonthlyCostMicros: number;
}

/** @public */
export interface FinderExclusion {
  service: ServiceProjection;
  blendedPer1kMicros: number;
  reasons: ExclusionReason[];
}

/** @public */
export interface FinderResult {
  matches: FinderMatch[];
  excluded: FinderExclusion[];
}

function usd(micros: number): string {
  return `$${(micros / 1_000_000).toFixed(4).replace(/0{1,2}$/, '')}`;
}

/** Every need a service fails, in the order of {@link FINDER_NEEDS}. */
export function exclusionReasons(
  p: ServiceProjection,
  needs: FinderNeeds,
): ExclusionReason[] {
  const { spec } = p.entity;
  const out: ExclusionReason[] = [];
  if (spec.lifecycle === 'deprecated') {
    out.push({
      need: 'lifecycle',
      message: 'deprecated: takes no new subscriptions',
    });
  }
  if (needs.minContext !== undefined && spec.contextWindow < needs.minContext) {
    out.push({
      need: 'context',
      message: `context window ${spec.contextWindow.toLocaleString(
        'en-US',
      )} tokens is below the ${needs.minContext.toLocaleString(
        'en-US',
      )} needed`,
    });
  }
  const missing = (needs.feature ?? []).filter(f => !p.features.has(f));
  if (missing.length) {
    out.push({ need: 'feature', message: `no ${missing.join(', ')}` });
  }
  if (needs.family?.length && !needs.family.includes(p.family)) {
    out.push({
      need: 'family',
      message: `family ${p.family} is not ${needs.family.join(' or ')}`,
    });
  }
  const blended = blendedPricePer1k(spec.pricing);
  if (
    needs.maxBlendedPer1kMicros !== undefined &&
    blended > needs.maxBlendedPer1kMicros
  ) {
    out.push({
      need: 'price',
      message: `blended price ${usd(blended)} per 1K tokens is above ${usd(
        needs.maxBlendedPer1kMicros,
      )}`,
    });
  }
  if (needs.region?.length && !needs.region.includes(p.region)) {
    out.push({
      need: 'region',
      message: `runs in ${p.region}, not ${needs.region.join(' or ')}`,
    });
  }
  const uncertified = (needs.compliance ?? []).filter(
    c => !p.compliance.has(c),
  );
  if (uncertified.length) {
    out.push({
      need: 'compliance',
      message: `not certified ${uncertified.join(', ')}`,
    });
  }
  if (needs.maxTtftMs !== undefined) {
    const ttft = p.metrics.timeToFirstTokenP95Ms;
    if (ttft === undefined) {
      out.push({
        need: 'ttft',
        message: 'no measured time to first token yet',
      });
    } else if (ttft > needs.maxTtftMs) {
      out.push({
        need: 'ttft',
        message: `measured p95 time to first token ${ttft} ms is above ${needs.maxTtftMs} ms`,
      });
    }
  }
  if (needs.minUptime !== undefined) {
    const uptime = p.metrics.uptimePercent;
    if (uptime === undefined) {
      out.push({ need: 'uptime', message: 'no measured uptime yet' });
    } else if (uptime < needs.minUptime) {
      out.push({
        need: 'uptime',
        message: `measured 30-day uptime ${uptime}% is below ${needs.minUptime}%`,
      });
    }
  }
  return out;
}

/**
 * Ranks the services that meet every need by their expected monthly cost (then
 * measured time to first token, uptime, name), and says for every other service
 * which needs it fails. Pure: measured metrics come with the projections.
 *
 * @public
 */
export function findServices(
  services: readonly ServiceProjection[],
  needs: FinderNeeds,
): FinderResult {
  const matches: FinderMatch[] = [];
  const excluded: FinderExclusion[] = [];
  for (const service of services) {
    const blendedPer1kMicros = blendedPricePer1k(service.entity.spec.pricing);
    const reasons = exclusionReasons(service, needs);
    if (reasons.length) {
      excluded.push({ service, blendedPer1kMicros, reasons });
      continue;
    }
    const estimate = estimateMonthlyCost(service.entity.spec.pricing, {
      requestsPerMonth: needs.requestsPerMonth,
      avgPromptTokens: needs.avgPromptTokens,
      avgCompletionTokens: needs.avgCompletionTokens,
    });
    matches.push({
      service,
      blendedPer1kMicros,
      expectedMonthlyCostMicros: estimate.costMicros,
    });
  }
  matches.sort(
    (a, b) =>
      a.expectedMonthlyCostMicros - b.expectedMonthlyCostMicros ||
      compareMissingLast(
        a.service.metrics.timeToFirstTokenP95Ms,
        b.service.metrics.timeToFirstTokenP95Ms,
        1,
      ) ||
      compareMissingLast(
        a.service.metrics.uptimePercent,
        b.service.metrics.uptimePercent,
        -1,
      ) ||
      a.service.name.localeCompare(b.service.name),
  );
  excluded.sort(
    (a, b) =>
      a.reasons.length - b.reasons.length ||
      a.service.name.localeCompare(b.service.name),
  );
  return { matches, excluded };
}
