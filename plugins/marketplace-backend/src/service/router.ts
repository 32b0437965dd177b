import { AuthService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AVAILABILITY_FILTERS,
  BROWSE_SORTS,
  COMPLIANCE_CERTIFICATIONS,
  CONTEXT_BUCKETS,
  GEO_REGIONS,
  MarketplaceRole,
  marketplaceServicePublishPermission,
  marketplaceUsersReadPermission,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  PERFORMANCE_FILTERS,
  PRICE_RANGES,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { BudgetStore } from '../stores/BudgetStore';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { PriceSchedule } from '../stores/ledger/ledgerTypes';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { BrowseIndex } from './BrowseIndex';
import { toCard } from './cards';
import { TestApiGateway } from '../gateway/TestApiGateway';
import { nameParam, parse } from './parse';
import { Access } from './access';
import { ServiceListing } from './services/ServiceListing';
import { SubscriptionService } from './subscriptions/SubscriptionService';
import { TestApiService } from './testApi/TestApiService';

export interface RouterOptions {
  auth: AuthService;
  access: Access;
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>;
  subscriptions: SubscriptionStore;
  ledger: UsageLedger;
  directory: ServiceDirectory;
  gatewayBaseUrl: () => Promise<string>;
  browseIndex: BrowseIndex;
  /** The gateway's pipeline, as the Test API calls it. */
  gateway: TestApiGateway;
  /** Budgets: the usage summary of a subscription (period, spend, budgets). */
  budgets: BudgetStore;
  /** Announced price changes: a new subscription starts at the price in force. */
  prices?: PriceSchedule;
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

const browseQuery = z
  .object({
    q: z.string().max(200).optional(),
    family: multi(MODEL_FAMILIES),
    context: multi(CONTEXT_BUCKETS),
    feature: multi(MODEL_FEATURES),
    price: multi(PRICE_RANGES),
    region: multi(GEO_REGIONS),
    country: z.preprocess(
      v =>
        v === undefined
          ? undefined
          : (Array.isArray(v) ? v : [v])
              .flatMap(x => String(x).split(','))
              .filter(Boolean),
      z
        .array(z.string().regex(/^[A-Z]{2}$/, 'must be ISO 3166 alpha-2 codes'))
        .optional(),
    ),
    compliance: multi(COMPLIANCE_CERTIFICATIONS),
    performance: multi(PERFORMANCE_FILTERS),
    availability: multi(AVAILABILITY_FILTERS),
    verified: z
      .enum(['true', 'false'])
      .transform(v => v === 'true')
      .optional(),
    sort: z.enum(BROWSE_SORTS).optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(24),
  })
  .strict();

// The services' scope, subscriptions' status, usage limit and subscribe body
// are checked by the validated router against openapi.yaml; what is left here
// is what the document cannot say (browse's lists split on commas inside
// repeated parameters, a path parameter's own message).
const idParam = z.string().min(1).max(64);

/**
 * The marketplace REST API (plan: "Services API"): services with the caller's
 * subscription state, subscribe/unsubscribe, keys, usage, the Test API, and
 * who the caller is. The domain is in {@link ServiceListing} and
 * {@link SubscriptionService}.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { access, subscriptions } = options;
  const listing = new ServiceListing(options);
  const consumer = new SubscriptionService(options);
  const testApi = new TestApiService({ ...options, listing });
  const router = createApiRouter();
  const serviceName = (raw: string) => parse(nameParam, raw, 'path parameter');

  router.get('/v1/services', async (req, res) => {
    const scope = req.query.scope ?? 'all';
    const me = await access.caller(req);
    res.json({ services: await listing.list(me, scope) });
  });

  // Plan: "Marketplace API" — browse with filters, search, sort, facets.
  router.get('/marketplace/services', async (req, res) => {
    await access.caller(req);
    const query = parse(browseQuery, req.query, 'query');
    const result = await options.browseIndex.query(query);
    res.json({
      items: result.items.map(toCard),
      total: result.total,
      offset: query.offset,
      limit: query.limit,
      facets: result.facets,
    });
  });

  router.get('/v1/services/:name', async (req, res) => {
    const me = await access.caller(req);
    const name = serviceName(req.params.name);
    res.json({ service: await listing.detail(me, name) });
  });

  router.post('/v1/services/:name/subscribe', async (req, res) => {
    const me = await access.caller(req);
    const s = await listing.visible(serviceName(req.params.name), me);
    const body = req.body ?? {};
    res.status(201).json(await consumer.subscribe(me, s, body));
  });

  // The Test API: the playground's calls through the gateway pipeline.
  router.post('/v1/services/:name/test', (req, res) =>
    testApi.handle(req, res, serviceName(req.params.name)),
  );

  router.delete('/v1/services/:name/subscribe', async (req, res) => {
    const me = await access.caller(req);
    const name = serviceName(req.params.name);
    res.json({ subscription: await consumer.cancel(me, name) });
  });

  router.get('/v1/subscriptions', async (req, res) => {
    const { status } = req.query;
    const me = await access.caller(req);
    res.json({ subscriptions: await consumer.list(me, status) });
  });

  router.get('/v1/subscriptions/:id/usage', async (req, res) => {
    const limit = req.query.limit ?? 50;
    const me = await access.caller(req);
    const id = parse(idParam, req.params.id, 'path parameter');
    res.json(await consumer.usage(me, id, limit));
  });

  router.post('/v1/subscriptions/:id/keys', async (req, res) => {
    const me = await access.caller(req);
    const id = parse(idParam, req.params.id, 'path parameter');
    res.status(201).json({ apiKey: await consumer.issueKey(me, id) });
  });

  router.get('/v1/usage/:requestId', async (req, res) => {
    const me = await access.caller(req);
    const requestId = parse(idParam, req.params.requestId, 'path parameter');
    res.json({ usage: await consumer.requestUsage(me, requestId) });
  });

  router.get('/v1/keys', async (req, res) => {
    const me = await access.caller(req);
    res.json({ keys: await consumer.listKeys(me) });
  });

  router.post('/v1/keys/:keyId/rotate', async (req, res) => {
    const me = await access.caller(req);
    const keyId = parse(idParam, req.params.keyId, 'path parameter');
    res.status(201).json({ apiKey: await consumer.rotateKey(me, keyId) });
  });

  router.delete('/v1/keys/:keyId', async (req, res) => {
    const me = await access.caller(req);
    const keyId = parse(idParam, req.params.keyId, 'path parameter');
    res.json({ apiKey: await consumer.revokeKey(me, keyId) });
  });

  router.get('/v1/me', async (req, res) => {
    const me = await access.caller(req);
    const groupRefs = me.ownership.filter(r => r.startsWith('group:'));
    const { items } = await options.catalog.getEntitiesByRefs(
      {
        entityRefs: groupRefs,
        fields: [
          'kind',
          'metadata.name',
          'metadata.namespace',
          'metadata.title',
          'spec.profile.displayName',
        ],
      },
      { credentials: me.credentials },
    );
    const teams = groupRefs.map((ref, i) => {
      const entity = items[i] as any;
      return {
        ref,
        title:
          entity?.spec?.profile?.displayName ??
          entity?.metadata?.title ??
          ref.slice(ref.indexOf('/') + 1),
      };
    });
    // The role as the permission framework decides it (whatever the policy).
    let role: MarketplaceRole = 'consumer';
    if (await access.allowed(me, marketplaceUsersReadPermission)) {
      role = 'admin';
    } else if (await access.allowed(me, marketplaceServicePublishPermission)) {
      role = 'provider';
    }
    const suspension = await subscriptions.getSuspension(me.userRef);
    res.json({
      userRef: me.userRef,
      teams,
      role,
      suspension: suspension
        ? {
            reason: suspension.reason ?? '',
            suspendedAt: suspension.suspendedAt,
          }
        : null,
    });
  });

  return router;
}
