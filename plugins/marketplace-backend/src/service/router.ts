import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
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
  ModelServiceEntityV1alpha1,
  PERFORMANCE_FILTERS,
  PRICE_RANGES,
  ServiceDetail,
  ServiceSummary,
  SubscriptionWithKeys,
  MarketplaceComponents,
  UsageRecord,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { BudgetStore } from '../database/BudgetStore';
import { SubscriptionStore } from '../database/SubscriptionStore';
import {
  listPriceAt,
  PriceSchedule,
  UsageLedger,
} from '../database/UsageLedger';
import { subscriptionUsageSummary } from './budgetsRouter';
import {
  DirectoryService,
  isLive,
  publicationOf,
  ServiceDirectory,
} from '../gateway/ServiceDirectory';
import { GatewayError } from '@internal/plugin-marketplace-gateway-node';
import { BrowseIndex } from './BrowseIndex';
import { toCard } from './cards';
import {
  GatewayRouter,
  newRequestId,
  TEST_PROTOCOLS,
  TestProtocol,
} from '../gateway/router';
import { markReceived } from '../gateway/timing';
import { nameParam, parse } from './parse';
import { Access, Caller, resourceOf } from './access';

/**
 * A usage record as the API documents it. The ledger keeps the protocol as text;
 * only the gateway's protocol ids are ever written there.
 */
function apiUsage(
  usage: UsageRecord,
): MarketplaceComponents['schemas']['UsageRecord'] {
  return usage as MarketplaceComponents['schemas']['UsageRecord'];
}

export interface RouterOptions {
  auth: AuthService;
  access: Access;
  /** The Provider Management API, providers and approvals (publishingRouter.ts). */
  publishingRouter?: express.Router;
  catalog: Pick<CatalogService, 'getEntitiesByRefs'>;
  subscriptions: SubscriptionStore;
  ledger: UsageLedger;
  directory: ServiceDirectory;
  gatewayBaseUrl: () => Promise<string>;
  browseIndex: BrowseIndex;
  gateway: GatewayRouter;
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

const scopeQuery = z
  .object({ scope: z.enum(['all', 'subscribed', 'owned']).default('all') })
  .strict();
const subscribeBody = z
  .object({
    teamRef: z.string().min(1).nullable().optional(),
    spendCapMicros: z
      .number()
      .int('must be an integer number of micro-USD')
      .min(0)
      .max(Number.MAX_SAFE_INTEGER)
      .nullable()
      .optional(),
  })
  .strict();
const statusQuery = z
  .object({ status: z.enum(['active', 'cancelled']).optional() })
  .strict();
const limitQuery = z
  .object({ limit: z.coerce.number().int().min(1).max(500).default(50) })
  .strict();
const idParam = z.string().min(1).max(64);

/**
 * The marketplace REST API (plan: "Services API"): services with the caller's
 * subscription state, subscribe/unsubscribe, keys, usage.
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { subscriptions, ledger, directory } = options;
  const router = createApiRouter();

  const { access } = options;
  async function caller(req: ApiRequest): Promise<Caller> {
    return access.caller(req);
  }

  function isOwner(ownership: string[], ownerRef: string): boolean {
    const ref = stringifyEntityRef(
      parseEntityRef(ownerRef, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
    return ownership.includes(ref);
  }

  /**
   * A service the caller may see: approved ones for everyone; services under
   * review (or rejected) only for their owners and the admins.
   */
  async function service(name: string, me: Caller) {
    const found = await directory.get(parse(nameParam, name, 'path parameter'));
    if (
      !found ||
      (found.status !== 'approved' &&
        !(await access.mayManage(me, resourceOf(found))))
    ) {
      throw new NotFoundError(`No model service named '${name}'`);
    }
    return found;
  }

  /**
   * The entity as the caller may see it: the upstream endpoint (URL, credential
   * name) only for those who manage the service; everyone else gets the
   * gateway's endpoint, which is the one they call (with their marketplace key),
   * and the protocol of the upstream (which APIs the gateway serves for it).
   */
  function visibleEntity(
    s: DirectoryService,
    manages: boolean,
    gatewayBaseUrl: string,
  ): ModelServiceEntityV1alpha1 {
    if (manages) {
      return s.entity;
    }
    const { protocol } = s.entity.spec.endpoint;
    return {
      ...s.entity,
      spec: {
        ...s.entity.spec,
        // The API the upstream speaks stays: it says which APIs the gateway
        // serves for the service (the snippets show those).
        endpoint: {
          baseUrl: gatewayBaseUrl,
          auth: { type: 'bearer' },
          ...(protocol ? { protocol } : {}),
        },
      },
    };
  }

  /** Whether the caller manages each service (owner or admin), from one decision. */
  async function managesOf(me: Caller) {
    const decision = await access.manageDecision(me);
    return (s: DirectoryService) => access.canManage(decision, resourceOf(s));
  }

  function summary(
    s: DirectoryService,
    me: Caller,
    subscription: ServiceSummary['subscription'],
    view: { manages: boolean; gatewayBaseUrl: string },
  ): ServiceSummary {
    return {
      entity: visibleEntity(s, view.manages, view.gatewayBaseUrl),
      subscription,
      owned: isOwner(me.ownership, s.entity.spec.owner),
      publication: publicationOf(s),
    };
  }

  router.get('/v1/services', async (req, res) => {
    const { scope } = parse(scopeQuery, req.query, 'query');
    const me = await caller(req);
    const active = new Map(
      (await subscriptions.listForUser(me.userRef, { status: 'active' })).map(
        s => [s.serviceRef, s],
      ),
    );
    // `all`: the live services; `subscribed`: also unpublished ones the caller
    // still uses; `owned`: also the caller's services under review.
    const manages = await managesOf(me);
    const gatewayBaseUrl = await options.gatewayBaseUrl();
    const services: ServiceSummary[] = directory
      .list()
      .map(s => ({
        s,
        summary: summary(s, me, active.get(s.ref) ?? null, {
          manages: manages(s),
          gatewayBaseUrl,
        }),
      }))
      .filter(({ s, summary: x }) => {
        if (scope === 'subscribed') {
          return x.subscription !== null;
        }
        return scope === 'owned' ? x.owned : isLive(s);
      })
      .map(({ summary: x }) => x)
      .sort((a, b) =>
        a.entity.metadata.name.localeCompare(b.entity.metadata.name),
      );
    res.json({ services });
  });

  // Plan: "Marketplace API" — browse with filters, search, sort, facets.
  router.get('/marketplace/services', async (req, res) => {
    await caller(req);
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
    const me = await caller(req);
    const s = await service(req.params.name, me);
    const subscription =
      (await subscriptions.getActive(me.userRef, s.ref)) ?? null;
    const gatewayBaseUrl = await options.gatewayBaseUrl();
    const detail: ServiceDetail = {
      ...summary(s, me, subscription, {
        manages: (await managesOf(me))(s),
        gatewayBaseUrl,
      }),
      endpoint: { baseUrl: gatewayBaseUrl, model: s.name },
      keys: subscription
        ? await subscriptions.listKeys({
            userRef: me.userRef,
            subscriptionId: subscription.id,
          })
        : [],
    };
    res.json({ service: detail });
  });

  router.post('/v1/services/:name/subscribe', async (req, res) => {
    const me = await caller(req);
    const s = await service(req.params.name, me);
    const body = parse(subscribeBody, req.body ?? {}, 'body');
    const { spec } = s.entity;
    if (s.status !== 'approved') {
      throw new ConflictError(
        s.status === 'pending'
          ? `${s.name} is waiting for an admin's approval and takes no subscriptions yet`
          : `${s.name} was rejected in review and takes no subscriptions`,
      );
    }
    if (s.unpublication) {
      throw new ConflictError(
        `${
          s.name
        } was unpublished by its provider and takes no new subscriptions; existing subscriptions keep working until its sunset on ${new Date(
          s.unpublication.sunsetAt,
        ).toISOString()}`,
      );
    }
    if (spec.lifecycle === 'deprecated') {
      throw new InputError(
        `${s.name} is deprecated and takes no new subscriptions`,
      );
    }
    const suspension = await subscriptions.getSuspension(me.userRef);
    if (suspension) {
      throw new NotAllowedError(
        `Your marketplace account is suspended${
          suspension.reason ? `: ${suspension.reason}` : ''
        }. Contact the platform admins.`,
      );
    }
    let teamRef: string | null = null;
    if (body.teamRef) {
      let parsed;
      try {
        parsed = parseEntityRef(body.teamRef, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        });
      } catch (error) {
        throw new InputError(
          `Invalid body field 'teamRef': ${(error as Error).message}`,
        );
      }
      teamRef = stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
      if (!teamRef.startsWith('group:') || !me.ownership.includes(teamRef)) {
        throw new NotAllowedError(
          `Invalid body field 'teamRef': you can only bill groups you are a member of`,
        );
      }
    }
    const { subscription, apiKey } = await subscriptions.create({
      serviceRef: s.ref,
      userRef: me.userRef,
      teamRef,
      spendCapMicros: body.spendCapMicros ?? null,
      trialTokens: spec.trial?.tokens ?? 0,
      trialDurationDays: spec.trial?.durationDays,
      // The price in force now (an announced change that took effect included).
      pricing: listPriceAt(spec.pricing, options.prices?.at(s.ref, Date.now())),
    });
    res.status(201).json({
      subscription,
      apiKey,
      endpoint: { baseUrl: await options.gatewayBaseUrl(), model: s.name },
    });
  });

  /**
   * Test API: the portal's playground calls the gateway on the signed-in user's own
   * subscription (trial or paid), without the user pasting a key. Same checks, same
   * metering: the request lands in the ledger like any other. Answers in OpenAI's
   * shape (JSON or SSE).
   */
  router.post('/v1/services/:name/test', async (req, res, next) => {
    markReceived(req); // the wait before going upstream is measured from here
    const me = await caller(req);
    const s = await service(req.params.name, me);
    res.setHeader('x-request-id', newRequestId());
    try {
      const subscription = await subscriptions.getActive(me.userRef, s.ref);
      if (!subscription) {
        throw new GatewayError({
          status: 403,
          message: `You have no subscription to ${
            s.name
          }. Press Start Using to subscribe${
            s.entity.spec.trial ? ' and start the free trial' : ''
          }, then test it here.`,
          code: 'not_subscribed',
        });
      }
      const key = (
        await subscriptions.listKeys({
          userRef: me.userRef,
          subscriptionId: subscription.id,
        })
      ).find(k => k.revokedAt === null);
      if (!key) {
        throw new GatewayError({
          status: 403,
          message:
            'All API keys of this subscription are revoked. Create a new key (Create new key, here or in My subscriptions), then test again.',
          code: 'no_active_key',
        });
      }
      // The playground speaks any protocol the gateway serves (chat by default).
      const protocol =
        req.query.protocol === undefined ? 'chat' : String(req.query.protocol);
      if (!TEST_PROTOCOLS.includes(protocol as TestProtocol)) {
        throw new GatewayError({
          status: 400,
          message: `Invalid value for 'protocol': use one of ${TEST_PROTOCOLS.join(
            ', ',
          )}.`,
          param: 'protocol',
          code: 'invalid_value',
        });
      }
      req.body = { ...(req.body ?? {}), model: s.name };
      await options.gateway.completeChat(
        req,
        res,
        {
          keyId: key.id,
          subscriptionId: subscription.id,
          userRef: me.userRef,
          teamRef: subscription.teamRef,
          serviceRef: s.ref,
          keyRevoked: false,
          subscriptionActive: true,
        },
        undefined,
        protocol as TestProtocol,
      );
    } catch (error) {
      options.gateway.sendError(error, req, res, next);
    }
  });

  router.delete('/v1/services/:name/subscribe', async (req, res) => {
    const me = await caller(req);
    const name = parse(nameParam, req.params.name, 'path parameter');
    // Works also for a service that has left the catalog since.
    const ref =
      (await directory.get(name))?.ref ??
      `modelservice:default/${name.toLocaleLowerCase('en-US')}`;
    const subscription = await subscriptions.cancel(me.userRef, ref);
    res.json({ subscription });
  });

  router.get('/v1/subscriptions', async (req, res) => {
    const { status } = parse(statusQuery, req.query, 'query');
    const me = await caller(req);
    // Settlements still queued in this process count too.
    await ledger.flush();
    const list = await subscriptions.listForUser(me.userRef, { status });
    const keys = await subscriptions.listKeys({ userRef: me.userRef });
    const baseUrl = await options.gatewayBaseUrl();
    const result: SubscriptionWithKeys[] = list.map(sub => {
      const svc = directory.getByRef(sub.serviceRef);
      return {
        ...sub,
        keys: keys.filter(k => k.subscriptionId === sub.id),
        serviceTitle: svc?.entity.metadata.title ?? null,
        endpoint: { baseUrl, model: sub.model },
      };
    });
    res.json({ subscriptions: result });
  });

  router.get('/v1/subscriptions/:id/usage', async (req, res) => {
    const { limit } = parse(limitQuery, req.query, 'query');
    const me = await caller(req);
    const id = parse(idParam, req.params.id, 'path parameter');
    const sub = await subscriptions.get(id);
    if (!sub || sub.userRef !== me.userRef) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    await ledger.flush();
    const usage = await ledger.listUsage({ subscriptionId: id, limit });
    const row = await subscriptions.getRow(id);
    if (!row) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    res.json({
      usage: usage.map(apiUsage),
      ...(await subscriptionUsageSummary(options.budgets, row)),
    });
  });

  /** A new key for an active subscription, e.g. after its last one was revoked. */
  router.post('/v1/subscriptions/:id/keys', async (req, res) => {
    const me = await caller(req);
    const id = parse(idParam, req.params.id, 'path parameter');
    const suspension = await subscriptions.getSuspension(me.userRef);
    if (suspension) {
      throw new NotAllowedError(
        `Your marketplace account is suspended${
          suspension.reason ? `: ${suspension.reason}` : ''
        }. Contact the platform admins.`,
      );
    }
    res
      .status(201)
      .json({ apiKey: await subscriptions.issueKey(me.userRef, id) });
  });

  router.get('/v1/usage/:requestId', async (req, res) => {
    const me = await caller(req);
    const requestId = parse(idParam, req.params.requestId, 'path parameter');
    await ledger.flush();
    const usage = await ledger.getUsage(requestId);
    if (!usage || usage.userRef !== me.userRef) {
      throw new NotFoundError(`No usage record for request ${requestId}`);
    }
    res.json({ usage: apiUsage(usage) });
  });

  router.get('/v1/keys', async (req, res) => {
    const me = await caller(req);
    res.json({ keys: await subscriptions.listKeys({ userRef: me.userRef }) });
  });

  router.post('/v1/keys/:keyId/rotate', async (req, res) => {
    const me = await caller(req);
    const keyId = parse(idParam, req.params.keyId, 'path parameter');
    res
      .status(201)
      .json({ apiKey: await subscriptions.rotateKey(me.userRef, keyId) });
  });

  router.delete('/v1/keys/:keyId', async (req, res) => {
    const me = await caller(req);
    const keyId = parse(idParam, req.params.keyId, 'path parameter');
    res.json({ apiKey: await subscriptions.revokeKey(me.userRef, keyId) });
  });

  router.get('/v1/me', async (req, res) => {
    const me = await caller(req);
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

  if (options.publishingRouter) {
    router.use(options.publishingRouter);
  }
  return router;
}
