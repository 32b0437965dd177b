import {
  MarketplaceComponents,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';

/**
 * What a browse card shows: catalog data plus our measurements, every number
 * computed from the database (null when nothing was measured).
 */
export function toCard(
  p: ServiceProjection,
): MarketplaceComponents['schemas']['ServiceCard'] {
  const { spec, metadata } = p.entity;
  const m = p.metrics;
  return {
    name: p.name,
    ref: p.ref,
    title: p.title,
    description: metadata.description ?? null,
    family: spec.family,
    baseModel: spec.baseModel ?? null,
    provider: {
      ref: spec.providedBy,
      name: p.providerName,
      verified: p.providerVerified,
    },
    lifecycle: spec.lifecycle,
    contextWindow: spec.contextWindow,
    maxOutputTokens: spec.maxOutputTokens,
    pricing: spec.pricing,
    blendedPer1kMicros: p.blendedPer1kMicros,
    trial: spec.trial ?? null,
    features: [...p.features],
    region: p.region,
    country: p.country,
    compliance: [...p.compliance],
    createdAt: new Date(p.createdAt).toISOString(),
    updatedAt: new Date(p.updatedAt).toISOString(),
    metrics: {
      uptimePercent: m.uptimePercent ?? null,
      uptimeDays: m.uptimeDays ?? null,
      latencyP95Ms: m.latencyP95Ms ?? null,
      tokensPerSecond: m.tokensPerSecond ?? null,
      lastProbeUp: m.lastProbeUp ?? null,
      rating: m.rating ?? null,
      reviewCount: m.reviewCount ?? null,
      requests30d: m.requests30d ?? 0,
      tokens30d: m.tokens30d ?? 0,
      tokensTotal: m.tokensTotal ?? 0,
      activeUsers30d: m.activeUsers30d ?? 0,
    },
  };
}
