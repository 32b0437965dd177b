import {
  COMPLIANCE_CERTIFICATIONS,
  findServices,
  FinderNeeds,
  GEO_REGIONS,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { BrowseIndex } from './BrowseIndex';
import { Access } from './access';
import { parse } from './parse';
import { toCard } from './cards';

export interface FinderRouterOptions {
  access: Access;
  browseIndex: Pick<BrowseIndex, 'all'>;
}

/** A query parameter that takes several values: repeated or comma-separated. */
function multi<T extends string>(values: readonly T[]) {
  return z.preprocess(
    v =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v])
            .flatMap(x => String(x).split(','))
            .map(x => x.trim())
            .filter(Boolean),
    z.array(z.enum(values as [T, ...T[]])).optional(),
  );
}

const count = (max: number) => z.coerce.number().int().min(0).max(max);

/** The finder's needs; the volume defaults to 10,000 requests of 500 + 200 tokens. */
export const finderQuery = z
  .object({
    minContext: count(100_000_000).optional(),
    feature: multi(MODEL_FEATURES),
    family: multi(MODEL_FAMILIES),
    maxBlendedPer1kMicros: count(1_000_000_000).optional(),
    region: multi(GEO_REGIONS),
    compliance: multi(COMPLIANCE_CERTIFICATIONS),
    maxTtftMs: count(3_600_000).optional(),
    minUptime: z.coerce.number().min(0).max(100).optional(),
    requestsPerMonth: count(1_000_000_000).default(10_000),
    avgPromptTokens: count(10_000_000).default(500),
    avgCompletionTokens: count(10_000_000).default(200),
  })
  .strict();

/** A browse card plus the measurements the finder compares. */
function finderCard(p: ServiceProjection) {
  const card = toCard(p);
  return {
    ...card,
    metrics: {
      ...card.metrics,
      timeToFirstTokenP95Ms: p.metrics.timeToFirstTokenP95Ms ?? null,
      tokensPerSecond: p.metrics.tokensPerSecond ?? null,
    },
  };
}

/**
 * The model finder: ranks the live services that meet every stated need by
 * their expected monthly cost at the stated volume, and says why every other
 * service was left out. Measured values only (probes, the ledger, reviews).
 */
export function createFinderRouter(
  options: FinderRouterOptions,
): express.Router {
  const router = createApiRouter();

  router.get('/marketplace/recommendations', async (req, res) => {
    await options.access.caller(req);
    const needs: FinderNeeds = parse(finderQuery, req.query, 'query');
    const result = findServices(await options.browseIndex.all(), needs);
    res.json({
      needs,
      matches: result.matches.map(m => ({
        service: finderCard(m.service),
        blendedPer1kMicros: m.blendedPer1kMicros,
        expectedMonthlyCostMicros: m.expectedMonthlyCostMicros,
      })),
      excluded: result.excluded.map(x => ({
        service: finderCard(x.service),
        blendedPer1kMicros: x.blendedPer1kMicros,
        reasons: x.reasons,
      })),
    });
  });

  return router;
}
