import {
  findServices,
  FinderNeeds,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { BrowseIndex } from './BrowseIndex';
import { Access } from './access';
import { toCard } from './cards';

export interface FinderRouterOptions {
  access: Access;
  browseIndex: Pick<BrowseIndex, 'all'>;
}

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
    // Validated against the document (each need's bounds and values); the
    // volume defaults to 10,000 requests of 500 + 200 tokens.
    const needs: FinderNeeds = {
      ...req.query,
      requestsPerMonth: req.query.requestsPerMonth ?? 10_000,
      avgPromptTokens: req.query.avgPromptTokens ?? 500,
      avgCompletionTokens: req.query.avgCompletionTokens ?? 200,
    };
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
