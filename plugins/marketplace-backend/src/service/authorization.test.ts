import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The demo upstream is a dev dependency: a real OpenAI-compatible upstream here.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import demoUpstreamPlugin from '@internal/plugin-marketplace-demo-upstream-backend';
import { randomUUID } from 'crypto';
import fs from 'fs';
import { Knex } from 'knex';
import path from 'path';
import request from 'supertest';
import { marketplacePlugin } from '../plugin';
import {
  ADMIN,
  ANONYMOUS,
  CONSUMER,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';
import {
  notificationsFactory,
  simCatalogFactory,
  simConfig,
  simProvider,
  simService,
} from '../__testUtils__/simMarketplace';

jest.setTimeout(180_000);

/*
 * The authorization matrix: every route of every router of the marketplace
 * backend, called by an anonymous caller, a consumer, a member of the team that
 * owns the service (provider owner), a member of another provider team
 * (provider non-owner) and an admin, with the exact status each gets. The
 * requests are valid, so the status reflects authorization, not validation;
 * per-user resources (subscriptions, keys, requests, reviews) are the caller's
 * own. The routes are read from the source files: a new route without an entry
 * here fails this test.
 */

type Caller = 'anonymous' | 'consumer' | 'owner' | 'other' | 'admin';
const CALLERS: Caller[] = ['anonymous', 'consumer', 'owner', 'other', 'admin'];
const USERS: Record<Caller, string> = {
  anonymous: ANONYMOUS,
  consumer: CONSUMER, // checkout-team
  owner: OWNER, // ai-platform-team, which owns every sim-* service
  other: OTHER, // research-llm-team, a provider team too
  admin: ADMIN, // platform-admins
};
/** The team that owns every sim-* service (OWNER's). */
const OWNER_TEAM = encodeURIComponent('group:default/ai-platform-team');
/** The consumer's team; its annotation names the consumer an owner. */
const CHECKOUT_TEAM = encodeURIComponent('group:default/checkout-team');
const DANA = 'user:default/dana'; // writes the review others vote on and reply to
const KENJI = 'user:default/kenji.nakamura'; // the admin routes' target

/** Each route that changes a subscription or a review gets its own service. */
const SERVICES = [
  'sim-gpt',
  'sim-sub',
  'sim-test',
  'sim-unsub',
  'sim-usage',
  'sim-rotate',
  'sim-newkey',
  'sim-revoke',
  'sim-reject',
  'sim-review',
  'sim-review-del',
  'sim-votes',
  'sim-cross',
  'sim-cross-team',
  'sim-price',
  'sim-price-rules',
];

/** A Provider of research-llm-team (OTHER's), for the cross-team cases. */
const otherProvider = {
  ...simProvider,
  metadata: { name: 'research-sim', namespace: 'default' },
  spec: {
    ...simProvider.spec,
    owner: 'group:default/research-llm-team',
    displayName: 'Research Sim',
  },
};

/** Statuses in the order of CALLERS. */
type Statuses = [number, number, number, number, number];
const SIGNED_IN: Statuses = [401, 200, 200, 200, 200];
const CREATED: Statuses = [401, 201, 201, 201, 201];
const OWNERS_AND_ADMINS: Statuses = [401, 403, 200, 403, 200];
const ADMINS: Statuses = [401, 403, 403, 403, 200];
const BACKEND_PLUGINS: Statuses = [401, 403, 403, 403, 403];
/** A Backstage token is not a marketplace API key. */
const API_KEY_ONLY: Statuses = [401, 401, 401, 401, 401];

interface Call {
  path: string;
  body?: unknown;
}

interface Context {
  server: TestBackend['server'];
  knex: Knex;
  as: Caller;
  user: string;
}

/** The route table: `METHOD /path` as the source registers it (OpenAPI form). */
function matrix(): Record<
  string,
  { expect: Statuses; call: (c: Context) => Promise<Call> | Call }
> {
  const none = (p: string) => () => ({ path: p });
  return {
    // --- service/schemasRouter.ts --------------------------------------------
    'GET /schemas/{file}': {
      // Public: editors and CI validators fetch them without a token.
      expect: [200, 200, 200, 200, 200],
      call: none('/schemas/model-service.json'),
    },
    // --- service/router.ts ---------------------------------------------------
    'GET /v1/services': { expect: SIGNED_IN, call: none('/v1/services') },
    'GET /marketplace/services': {
      expect: SIGNED_IN,
      call: none('/marketplace/services'),
    },
    'GET /v1/services/{name}': {
      expect: SIGNED_IN,
      call: none('/v1/services/sim-gpt'),
    },
    'POST /v1/services/{name}/subscribe': {
      expect: CREATED,
      call: () => ({ path: '/v1/services/sim-sub/subscribe', body: {} }),
    },
    'POST /v1/services/{name}/test': {
      expect: SIGNED_IN,
      call: async c => {
        await subscribe(c, 'sim-test');
        return {
          path: '/v1/services/sim-test/test',
          body: { messages: [{ role: 'user', content: 'hi' }], max_tokens: 3 },
        };
      },
    },
    'DELETE /v1/services/{name}/subscribe': {
      expect: SIGNED_IN,
      call: async c => {
        await subscribe(c, 'sim-unsub');
        return { path: '/v1/services/sim-unsub/subscribe' };
      },
    },
    'GET /v1/subscriptions': {
      expect: SIGNED_IN,
      call: none('/v1/subscriptions'),
    },
    'GET /v1/subscriptions/{id}/usage': {
      expect: SIGNED_IN,
      call: async c => ({
        path: `/v1/subscriptions/${
          (await subscribe(c, 'sim-usage')).subscriptionId
        }/usage`,
      }),
    },
    'POST /v1/subscriptions/{id}/keys': {
      expect: CREATED,
      call: async c => ({
        path: `/v1/subscriptions/${
          (await subscribe(c, 'sim-newkey')).subscriptionId
        }/keys`,
      }),
    },
    'GET /v1/usage/{requestId}': {
      expect: SIGNED_IN,
      call: async c => ({
        path: `/v1/usage/${await used(c.knex, c.user, 'sim-gpt')}`,
      }),
    },
    'GET /v1/keys': { expect: SIGNED_IN, call: none('/v1/keys') },
    'POST /v1/keys/{keyId}/rotate': {
      expect: CREATED,
      call: async c => ({
        path: `/v1/keys/${(await subscribe(c, 'sim-rotate')).keyId}/rotate`,
      }),
    },
    'DELETE /v1/keys/{keyId}': {
      expect: SIGNED_IN,
      call: async c => ({
        path: `/v1/keys/${(await subscribe(c, 'sim-revoke')).keyId}`,
      }),
    },
    'GET /v1/me': { expect: SIGNED_IN, call: none('/v1/me') },

    // --- service/publishingRouter.ts -------------------------------------------
    'POST /v1/provider/services': {
      // Publishing needs the provider role, and a team of one's own as owner.
      expect: [401, 403, 201, 403, 201],
      call: c => ({
        path: '/v1/provider/services',
        body: { entity: portalEntity(`matrix-pub-${c.as}`) },
      }),
    },
    'GET /v1/provider/services': {
      expect: SIGNED_IN,
      call: none('/v1/provider/services'),
    },
    'GET /v1/provider/service-names/{name}': {
      expect: SIGNED_IN,
      call: none('/v1/provider/service-names/matrix-free-name'),
    },
    'GET /v1/provider/services/{id}': {
      expect: OWNERS_AND_ADMINS,
      call: none('/v1/provider/services/sim-gpt'),
    },
    'PUT /v1/provider/services/{id}': {
      expect: OWNERS_AND_ADMINS,
      call: async c => {
        const entity = await published(c, `matrix-put-${c.as}`);
        return {
          path: `/v1/provider/services/${entity.metadata.name}`,
          body: { entity },
        };
      },
    },
    'DELETE /v1/provider/services/{id}': {
      expect: OWNERS_AND_ADMINS,
      call: async c => ({
        path: `/v1/provider/services/${
          (await published(c, `matrix-del-${c.as}`)).metadata.name
        }`,
      }),
    },
    'GET /v1/providers': { expect: SIGNED_IN, call: none('/v1/providers') },
    'GET /v1/providers/{id}': {
      expect: SIGNED_IN,
      call: none('/v1/providers/sim'),
    },
    'GET /v1/admin/approvals': {
      expect: ADMINS,
      call: none('/v1/admin/approvals'),
    },
    'POST /v1/admin/approvals/{serviceName}/approve': {
      expect: ADMINS,
      call: () => ({ path: '/v1/admin/approvals/sim-gpt/approve', body: {} }),
    },
    'POST /v1/admin/approvals/{serviceName}/reject': {
      expect: ADMINS,
      call: () => ({
        path: '/v1/admin/approvals/sim-reject/reject',
        body: { reason: 'Not this time' },
      }),
    },
    'GET /v1/admin/provider-approvals': {
      expect: ADMINS,
      call: none('/v1/admin/provider-approvals'),
    },
    'POST /v1/admin/provider-approvals/{providerName}/approve': {
      expect: ADMINS,
      call: () => ({
        path: '/v1/admin/provider-approvals/sim/approve',
        body: {},
      }),
    },
    'POST /v1/admin/provider-approvals/{providerName}/reject': {
      // Answered 404 when nothing by that name was queued: admins get past the permission check.
      expect: [401, 403, 403, 403, 404],
      call: () => ({
        path: '/v1/admin/provider-approvals/no-such-provider/reject',
        body: { reason: 'Not this time' },
      }),
    },
    'GET /v1/internal/published-entities': {
      expect: BACKEND_PLUGINS,
      call: none('/v1/internal/published-entities'),
    },
    'GET /v1/internal/approvals': {
      expect: BACKEND_PLUGINS,
      call: none('/v1/internal/approvals'),
    },

    // --- service/credentialsRouter.ts ----------------------------------------
    // The sim Provider is owned by the owner's team.
    'GET /v1/providers/{id}/credentials': {
      expect: OWNERS_AND_ADMINS,
      call: none('/v1/providers/sim/credentials'),
    },
    'POST /v1/providers/{id}/credentials': {
      expect: [401, 403, 201, 403, 201],
      call: c => ({
        path: '/v1/providers/sim/credentials',
        body: { name: `MATRIX_NEW_${c.as.toUpperCase()}`, value: 'v' },
      }),
    },
    'PUT /v1/providers/{id}/credentials/{name}': {
      expect: OWNERS_AND_ADMINS,
      call: async c => ({
        path: `/v1/providers/sim/credentials/${await credential(
          c,
          `MATRIX_PUT_${c.as.toUpperCase()}`,
        )}`,
        body: { value: 'rotated' },
      }),
    },
    'DELETE /v1/providers/{id}/credentials/{name}': {
      expect: OWNERS_AND_ADMINS,
      call: async c => ({
        path: `/v1/providers/sim/credentials/${await credential(
          c,
          `MATRIX_DEL_${c.as.toUpperCase()}`,
        )}`,
      }),
    },
    'GET /v1/internal/credential-bindings': {
      expect: BACKEND_PLUGINS,
      call: none('/v1/internal/credential-bindings'),
    },

    // --- service/analyticsRouter.ts ----------------------------------------------
    'GET /v1/provider/teams': {
      // Providers (their own teams) and admins; consumers have none.
      expect: [401, 403, 200, 200, 200],
      call: none('/v1/provider/teams'),
    },
    'GET /v1/provider/analytics': {
      expect: OWNERS_AND_ADMINS,
      call: none(`/v1/provider/analytics?team=${OWNER_TEAM}&granularity=day`),
    },
    'GET /v1/provider/payouts': {
      expect: OWNERS_AND_ADMINS,
      call: none(`/v1/provider/payouts?team=${OWNER_TEAM}`),
    },
    'GET /v1/provider/payouts/{month}': {
      expect: OWNERS_AND_ADMINS,
      call: none(`/v1/provider/payouts/2026-10?team=${OWNER_TEAM}`),
    },
    'GET /v1/provider/payouts/{month}/csv': {
      expect: OWNERS_AND_ADMINS,
      call: none(`/v1/provider/payouts/2026-10/csv?team=${OWNER_TEAM}`),
    },
    'POST /v1/admin/payouts/{month}/paid': {
      expect: ADMINS,
      call: () => ({
        path: '/v1/admin/payouts/2026-10/paid',
        body: { team: decodeURIComponent(OWNER_TEAM) },
      }),
    },
    'GET /v1/me/usage': {
      expect: SIGNED_IN,
      call: none('/v1/me/usage'),
    },
    'GET /v1/statements': {
      expect: SIGNED_IN,
      call: none('/v1/statements'),
    },
    'GET /v1/statements/{month}': {
      expect: SIGNED_IN,
      call: none('/v1/statements/2026-10'),
    },
    'GET /v1/statements/{month}/csv': {
      expect: SIGNED_IN,
      call: none('/v1/statements/2026-10/csv'),
    },
    // A provider team's export (a user's own and a team's: analytics.test.ts).
    'GET /v1/exports/usage': {
      expect: OWNERS_AND_ADMINS,
      call: none(`/v1/exports/usage?scope=provider&team=${OWNER_TEAM}`),
    },

    // --- service/budgetsRouter.ts ------------------------------------------------
    'GET /v1/budgets': { expect: SIGNED_IN, call: none('/v1/budgets') },
    // checkout-team: the consumer is a member and (its annotation) an owner.
    'GET /v1/budgets/{scope}/{ref}': {
      expect: [401, 200, 403, 403, 200],
      call: async c => {
        await checkoutBudget(c);
        return { path: `/v1/budgets/team/${CHECKOUT_TEAM}` };
      },
    },
    'PUT /v1/budgets/{scope}/{ref}': {
      expect: [401, 200, 403, 403, 200],
      call: () => ({
        path: `/v1/budgets/team/${CHECKOUT_TEAM}`,
        body: { amountMicros: 50_000_000, mode: 'soft' },
      }),
    },
    'DELETE /v1/budgets/{scope}/{ref}': {
      expect: [401, 204, 403, 403, 204],
      call: async c => {
        await checkoutBudget(c);
        return { path: `/v1/budgets/team/${CHECKOUT_TEAM}` };
      },
    },
    'GET /v1/teams/{ref}/usage': {
      expect: [401, 200, 403, 403, 200],
      call: none(`/v1/teams/${CHECKOUT_TEAM}/usage`),
    },

    // --- service/priceChangesRouter.ts -------------------------------------------
    'GET /v1/services/{name}/price-changes': {
      expect: SIGNED_IN,
      call: none('/v1/services/sim-price/price-changes'),
    },
    'POST /v1/provider/services/{name}/price-changes': {
      // A decrease, effective at once: each call lowers the price in force.
      expect: [401, 403, 201, 403, 201],
      call: async c => {
        const res = await as(c, ADMIN).get(
          '/v1/services/sim-price/price-changes',
        );
        expect(res.status).toBe(200);
        const { current } = res.body;
        return {
          path: '/v1/provider/services/sim-price/price-changes',
          body: {
            pricing: {
              ...current,
              promptPer1kMicros: current.promptPer1kMicros - 1,
            },
          },
        };
      },
    },

    // --- service/finderRouter.ts -------------------------------------------------
    'GET /marketplace/recommendations': {
      expect: SIGNED_IN,
      call: none('/marketplace/recommendations?feature=streaming'),
    },

    // --- service/routesRouter.ts -------------------------------------------------
    'GET /v1/routes': { expect: SIGNED_IN, call: none('/v1/routes') },
    'GET /v1/routes/{name}': {
      expect: SIGNED_IN,
      call: none('/v1/routes/sim-route'),
    },
    'POST /v1/routes/{name}/subscribe': {
      expect: CREATED,
      call: () => ({ path: '/v1/routes/sim-route/subscribe', body: {} }),
    },
    'DELETE /v1/routes/{name}/subscribe': {
      expect: SIGNED_IN,
      call: async c => {
        if (c.as !== 'anonymous') {
          const res = await as(c).post('/v1/routes/sim-route-unsub/subscribe');
          expect(res.status).toBe(201);
        }
        return { path: '/v1/routes/sim-route-unsub/subscribe' };
      },
    },

    // --- service/metricsRouter.ts ------------------------------------------------
    'GET /marketplace/services/{name}/metrics': {
      expect: SIGNED_IN,
      call: none('/marketplace/services/sim-gpt/metrics?window=24h'),
    },

    // --- service/providersRouter.ts ----------------------------------------------
    'GET /marketplace/providers/{id}': {
      expect: SIGNED_IN,
      call: none('/marketplace/providers/sim'),
    },
    'PUT /marketplace/admin/providers/{id}/verification': {
      // The admins decide; owning the provider does not let a team verify itself.
      expect: ADMINS,
      call: () => ({
        path: '/marketplace/admin/providers/sim/verification',
        body: { verified: true },
      }),
    },

    // --- service/reviewsRouter.ts ------------------------------------------------
    'GET /marketplace/services/{name}/reviews': {
      expect: SIGNED_IN,
      call: none('/marketplace/services/sim-gpt/reviews'),
    },
    'POST /marketplace/services/{name}/reviews': {
      // The team that offers a service does not review it.
      expect: [401, 201, 403, 201, 201],
      call: async c => {
        await used(c.knex, c.user, 'sim-review');
        return {
          path: '/marketplace/services/sim-review/reviews',
          body: { rating: 4, title: 'Good', text: 'Works.' },
        };
      },
    },
    'DELETE /marketplace/services/{name}/reviews/{reviewId}': {
      // Only the author deletes: everyone deletes their own review here.
      expect: SIGNED_IN,
      call: async c => ({
        path: `/marketplace/services/sim-review-del/reviews/${await reviewBy(
          c,
          c.user,
          'sim-review-del',
        )}`,
      }),
    },
    'POST /marketplace/services/{name}/reviews/{reviewId}/helpful': {
      expect: SIGNED_IN,
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/helpful`,
        body: {},
      }),
    },
    'DELETE /marketplace/services/{name}/reviews/{reviewId}/helpful': {
      expect: SIGNED_IN,
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/helpful`,
      }),
    },
    'PUT /marketplace/services/{name}/reviews/{reviewId}/reply': {
      // Members of the owning team reply; admins moderate but do not reply.
      expect: [401, 403, 200, 403, 403],
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/reply`,
        body: { text: 'Thanks!' },
      }),
    },
    'DELETE /marketplace/services/{name}/reviews/{reviewId}/reply': {
      expect: [401, 403, 200, 403, 403],
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/reply`,
      }),
    },
    'POST /marketplace/services/{name}/reviews/{reviewId}/hide': {
      expect: ADMINS,
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/hide`,
        body: { reason: 'Off-topic' },
      }),
    },
    'DELETE /marketplace/services/{name}/reviews/{reviewId}/hide': {
      expect: ADMINS,
      call: async c => ({
        path: `/marketplace/services/sim-votes/reviews/${await danasReview(
          c,
        )}/hide`,
      }),
    },

    // --- service/adminRouter.ts ----------------------------------------------------
    'GET /v1/admin/users': { expect: ADMINS, call: none('/v1/admin/users') },
    'GET /v1/admin/users/{userRef}': {
      expect: ADMINS,
      call: none(`/v1/admin/users/${encodeURIComponent(KENJI)}`),
    },
    'PUT /v1/admin/users/{userRef}/role': {
      expect: ADMINS,
      call: () => ({
        path: `/v1/admin/users/${encodeURIComponent(KENJI)}/role`,
        body: { role: 'provider' },
      }),
    },
    'POST /v1/admin/users/{userRef}/suspend': {
      expect: ADMINS,
      call: async c => {
        await c.knex('user_suspensions').where({ user_ref: KENJI }).delete();
        return {
          path: `/v1/admin/users/${encodeURIComponent(KENJI)}/suspend`,
          body: { reason: 'Testing the matrix' },
        };
      },
    },
    'POST /v1/admin/users/{userRef}/reinstate': {
      expect: ADMINS,
      call: async c => {
        await c
          .knex('user_suspensions')
          .insert({
            user_ref: KENJI,
            reason: 'Testing the matrix',
            suspended_by: ADMIN,
            suspended_at: Date.now(),
          })
          .onConflict('user_ref')
          .ignore();
        return {
          path: `/v1/admin/users/${encodeURIComponent(KENJI)}/reinstate`,
          body: {},
        };
      },
    },
    'GET /v1/admin/settings': {
      expect: ADMINS,
      call: none('/v1/admin/settings'),
    },
    'PUT /v1/admin/settings/platform-fee': {
      expect: ADMINS,
      call: () => ({
        path: '/v1/admin/settings/platform-fee',
        body: { percent: 10 },
      }),
    },
    'GET /v1/admin/audit': { expect: ADMINS, call: none('/v1/admin/audit') },
    'GET /v1/internal/roles': {
      expect: BACKEND_PLUGINS,
      call: none('/v1/internal/roles'),
    },

    // --- gateway/router.ts (mounted at /gateway) ---------------------------------
    'GET /gateway/v1/models': {
      expect: API_KEY_ONLY,
      call: none('/gateway/v1/models'),
    },
    'POST /gateway/v1/chat/completions': {
      expect: API_KEY_ONLY,
      call: () => ({
        path: '/gateway/v1/chat/completions',
        body: { model: 'sim-gpt', messages: [{ role: 'user', content: 'hi' }] },
      }),
    },
    'POST /gateway/v1/responses': {
      expect: API_KEY_ONLY,
      call: () => ({
        path: '/gateway/v1/responses',
        body: { model: 'sim-gpt', input: 'hi' },
      }),
    },
    'POST /gateway/v1/messages': {
      expect: API_KEY_ONLY,
      call: () => ({
        path: '/gateway/v1/messages',
        body: {
          model: 'sim-gpt',
          max_tokens: 5,
          messages: [{ role: 'user', content: 'hi' }],
        },
      }),
    },
    'POST /gateway/v1/completions': {
      expect: API_KEY_ONLY,
      call: () => ({
        path: '/gateway/v1/completions',
        body: { model: 'sim-gpt', prompt: 'hi' },
      }),
    },
    'POST /gateway/v1/embeddings': {
      expect: API_KEY_ONLY,
      call: () => ({
        path: '/gateway/v1/embeddings',
        body: { model: 'sim-gpt', input: 'hi' },
      }),
    },
  };
}

// --- setup helpers -------------------------------------------------------------

function as(c: Context, user = c.user) {
  const send =
    (method: 'post' | 'put') =>
    (url: string, body: unknown = {}) =>
      request(c.server)
        [method](`/api/marketplace${url}`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(body as object);
  return {
    post: send('post'),
    put: send('put'),
    get: (url: string) =>
      request(c.server)
        .get(`/api/marketplace${url}`)
        .set('Authorization', mockCredentials.user.header(user)),
  };
}

/** The caller's subscription to a service (placeholders for anonymous). */
async function subscribe(c: Context, service: string) {
  if (c.as === 'anonymous') {
    return { subscriptionId: randomUUID(), keyId: randomUUID() };
  }
  const res = await as(c).post(`/v1/services/${service}/subscribe`);
  expect(res.status).toBe(201);
  return {
    subscriptionId: res.body.subscription.id as string,
    keyId: res.body.apiKey.id as string,
  };
}

/** A successful request of a user in the ledger, as the gateway writes it. */
async function used(knex: Knex, userRef: string, service: string) {
  const now = Date.now();
  const requestId = `req_${randomUUID()}`;
  await knex('usage_ledger').insert({
    request_id: requestId,
    subscription_id: randomUUID(),
    key_id: randomUUID(),
    user_ref: userRef === ANONYMOUS ? 'user:default/nobody' : userRef,
    team_ref: null,
    service_ref: `modelservice:default/${service}`,
    provider_ref: 'provider:default/sim',
    model: service,
    stream: false,
    status: 'ok',
    http_status: 200,
    error_code: null,
    prompt_tokens: 10,
    completion_tokens: 5,
    trial_tokens: 0,
    token_source: 'upstream',
    cost_micros: 100,
    platform_fee_micros: 10,
    upstream_latency_ms: 100,
    started_at: now,
    finished_at: now,
  });
  return requestId;
}

/** A review by a user (who used the service first). */
async function reviewBy(c: Context, userRef: string, service: string) {
  if (userRef === ANONYMOUS) {
    return randomUUID();
  }
  await used(c.knex, userRef, service);
  if (userRef === OWNER) {
    // The owning team cannot review its service any more: a review from before.
    const id = randomUUID();
    await c.knex('service_reviews').insert({
      id,
      service_ref: `modelservice:default/${service}`,
      user_ref: userRef,
      rating: 5,
      title: 'Great',
      body: 'Fast.',
      helpful_count: 0,
      created_at: Date.now(),
      updated_at: Date.now(),
    });
    return id;
  }
  const res = await as(c, userRef).post(
    `/marketplace/services/${service}/reviews`,
    { rating: 5, title: 'Great', text: 'Fast.' },
  );
  expect(res.status).toBeLessThan(300);
  return res.body.review.id as string;
}

/** A budget of checkout-team, set by an admin (so there is one to read or delete). */
async function checkoutBudget(c: Context) {
  const res = await as(c, ADMIN).put(`/v1/budgets/team/${CHECKOUT_TEAM}`, {
    amountMicros: 50_000_000,
    mode: 'hard',
  });
  expect(res.status).toBe(200);
}

let danasReviewId: string | undefined;
async function danasReview(c: Context) {
  danasReviewId ??= await reviewBy(c, DANA, 'sim-votes');
  return danasReviewId;
}

/** A portal-publishable entity of ai-platform-team (the owner's team). */
function portalEntity(name: string) {
  return simService(name, 'https://upstream.example.com/v1');
}

/** A service published through the portal by the admin (live at once). */
/** A credential of the sim Provider, added by an admin. */
async function credential(c: Context, name: string) {
  const res = await as(c, ADMIN).post('/v1/providers/sim/credentials', {
    name,
    value: 'matrix-secret',
  });
  expect(res.status).toBe(201);
  return name;
}

async function published(c: Context, name: string) {
  const entity = portalEntity(name);
  const res = await as(c, ADMIN).post('/v1/provider/services', { entity });
  expect(res.status).toBe(201);
  return entity;
}

// --- the routes in the source ---------------------------------------------------

const SRC = path.resolve(__dirname, '..');

function sourceFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap(d => {
    const file = path.join(dir, d.name);
    if (d.isDirectory()) {
      return d.name.startsWith('__') ? [] : sourceFiles(file);
    }
    return /\.tsx?$/.test(d.name) && !/\.test\.tsx?$/.test(d.name)
      ? [file]
      : [];
  });
}

/** Every `router.<method>('/path', ...)` of the plugin's sources. */
function registeredRoutes(): string[] {
  const gatewayMount =
    /router\.use\(\s*'([^']+)',\s*gateway\b/.exec(
      fs.readFileSync(path.join(SRC, 'mountRoutes.ts'), 'utf8'),
    )?.[1] ?? '?';
  const pattern =
    /\brouter\.(get|post|put|patch|delete)\(\s*(['"`])([^'"`]+)\2/g;
  const rest = sourceFiles(SRC).flatMap(file =>
    [...fs.readFileSync(file, 'utf8').matchAll(pattern)].map(
      m => `${m[1].toUpperCase()} ${m[3].replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`,
    ),
  );
  // The gateway (@internal/plugin-marketplace-gateway-node, mounted by the
  // plugin): GET models in its node:http handler, one POST per protocol adapter.
  const gatewaySrc = path.resolve(SRC, '../../marketplace-gateway-node/src');
  const handler = fs.readFileSync(
    path.join(gatewaySrc, 'http', 'handler.ts'),
    'utf8',
  );
  const gateway = [
    ...[...handler.matchAll(/const modelsPath = `\$\{basePath\}([^`]+)`/g)].map(
      m => `GET ${gatewayMount}${m[1]}`,
    ),
    ...sourceFiles(path.join(gatewaySrc, 'protocols')).flatMap(file =>
      [
        ...fs
          .readFileSync(file, 'utf8')
          .matchAll(/^\s*path: '(\/v1\/[^']+)'/gm),
      ].map(m => `POST ${gatewayMount}${m[1]}`),
    ),
  ];
  return [...rest, ...gateway];
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('the authorization matrix', () => {
  it('has an entry for every route of every router, and none for routes that do not exist', () => {
    const routes = registeredRoutes();
    // Guards the extraction itself.
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /v1/services',
        'GET /v1/admin/users',
        'POST /gateway/v1/chat/completions',
      ]),
    );
    expect(Object.keys(matrix()).sort()).toEqual([...new Set(routes)].sort());
  });
});

describe.each(databases.eachSupportedId())(
  'authorization matrix on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;

    beforeAll(async () => {
      danasReviewId = undefined;
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          marketplacePlugin,
          demoUpstreamPlugin,
          mockServices.database.factory({ knex }),
          simCatalogFactory(SERVICES, [otherProvider]),
          notificationsFactory,
          mockServices.events.factory(),
          permissionsFactory,
          simConfig({
            credentials: {
              encryptionKeys: ['MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY='],
            },
            routes: [
              { name: 'sim-route', members: ['sim-gpt', 'sim-sub'] },
              { name: 'sim-route-unsub', members: ['sim-gpt', 'sim-sub'] },
            ],
          }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          sampleUserInfo().factory,
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    it.each(Object.entries(matrix()))('%s', async (route, entry) => {
      const method = route.slice(0, route.indexOf(' ')).toLowerCase() as
        | 'get'
        | 'post'
        | 'put'
        | 'delete';
      const statuses: number[] = [];
      const messages: string[] = [];
      for (const caller of CALLERS) {
        const user = USERS[caller];
        const { path: url, body } = await entry.call({
          server: backend.server,
          knex,
          as: caller,
          user,
        });
        let req = request(backend.server)[method](`/api/marketplace${url}`);
        if (user !== ANONYMOUS) {
          req = req.set('Authorization', mockCredentials.user.header(user));
        }
        const res = await (body === undefined ? req : req.send(body as object));
        statuses.push(res.status);
        messages.push(
          `${caller}: ${res.status} ${JSON.stringify(res.body).slice(0, 160)}`,
        );
      }
      expect({
        route,
        statuses: Object.fromEntries(CALLERS.map((c, i) => [c, statuses[i]])),
      }).toEqual({
        route,
        statuses: Object.fromEntries(
          CALLERS.map((c, i) => [c, entry.expect[i]]),
        ),
        ...(statuses.some((s, i) => s !== entry.expect[i]) ? { messages } : {}),
      });
    });
    /** A request as a user (not anonymous). */
    const call = (
      method: 'get' | 'post' | 'put' | 'delete',
      user: string,
      url: string,
      body?: unknown,
    ) => {
      const req = request(backend.server)
        [method](`/api/marketplace${url}`)
        .set('Authorization', mockCredentials.user.header(user));
      return body === undefined ? req : req.send(body as object);
    };

    it("cross-user: nobody reaches another user's subscription, keys or requests", async () => {
      const sub = await call(
        'post',
        CONSUMER,
        '/v1/services/sim-cross/subscribe',
        {},
      );
      expect(sub.status).toBe(201);
      const subscriptionId = sub.body.subscription.id as string;
      const keyId = sub.body.apiKey.id as string;
      const requestId = await used(knex, CONSUMER, 'sim-cross');
      for (const user of [OTHER, OWNER, 'user:default/dana']) {
        const attempts = [
          await call('get', user, `/v1/subscriptions/${subscriptionId}/usage`),
          await call('post', user, `/v1/subscriptions/${subscriptionId}/keys`),
          await call('post', user, `/v1/keys/${keyId}/rotate`),
          await call('delete', user, `/v1/keys/${keyId}`),
          await call('get', user, `/v1/usage/${requestId}`),
        ];
        expect({ user, statuses: attempts.map(r => r.status) }).toEqual({
          user,
          statuses: [404, 404, 404, 404, 404],
        });
        // Their own lists never show the consumer's subscription or key.
        const keys = await call('get', user, '/v1/keys');
        expect(JSON.stringify(keys.body)).not.toContain(keyId);
        const subs = await call('get', user, '/v1/subscriptions');
        expect(JSON.stringify(subs.body)).not.toContain(subscriptionId);
      }
      // Unsubscribing as another user leaves the consumer's subscription alone.
      await call('delete', OTHER, '/v1/services/sim-cross/subscribe');
      const mine = await call('get', CONSUMER, '/v1/keys');
      expect(mine.body.keys).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: keyId, revokedAt: null }),
        ]),
      );
    });

    it("budgets: nobody sets another user's budget, another's subscription's or a team's they do not own; bad input changes nothing", async () => {
      const lena = encodeURIComponent(CONSUMER);
      const sub = await call(
        'post',
        CONSUMER,
        '/v1/services/sim-price/subscribe',
        {},
      );
      expect(sub.status).toBe(201);
      const subscriptionId = sub.body.subscription.id as string;
      const body = { amountMicros: 1, mode: 'hard' };
      const before = await knex('budgets').select();
      const capBefore = await knex('subscriptions')
        .where({ id: subscriptionId })
        .first('spend_cap_micros');
      const attempts = [
        // Another user's own budget.
        [OTHER, 'put', `/v1/budgets/user/${lena}`, 403],
        [OWNER, 'delete', `/v1/budgets/user/${lena}`, 403],
        // Another user's subscription: not even its existence is told.
        [OTHER, 'put', `/v1/budgets/subscription/${subscriptionId}`, 404],
        [OTHER, 'get', `/v1/budgets/subscription/${subscriptionId}`, 404],
        [OTHER, 'get', `/v1/subscriptions/${subscriptionId}/usage`, 404],
        // A team they are not in, or are in without owning it.
        [OTHER, 'put', `/v1/budgets/team/${CHECKOUT_TEAM}`, 403],
        [OTHER, 'get', `/v1/teams/${CHECKOUT_TEAM}/usage`, 403],
        [CONSUMER, 'put', `/v1/budgets/team/${OWNER_TEAM}`, 403],
        [OWNER, 'put', `/v1/budgets/team/${OWNER_TEAM}`, 403],
        // Admin-only listing.
        [CONSUMER, 'get', '/v1/budgets?all=true', 403],
      ] as const;
      for (const [user, method, url, status] of attempts) {
        const res = await call(
          method,
          user,
          url,
          method === 'put' ? body : undefined,
        );
        expect({ user, method, url, status: res.status }).toEqual({
          user,
          method,
          url,
          status,
        });
      }
      const invalid: Array<[unknown, RegExp]> = [
        [
          { amountMicros: 0, mode: 'hard' },
          /field 'amountMicros': must be >= 1/,
        ],
        [
          { amountMicros: 1.5, mode: 'hard' },
          /field 'amountMicros': must be integer/,
        ],
        [{ amountMicros: '5', mode: 'hard' }, /field 'amountMicros'/],
        [{ mode: 'hard' }, /field 'amountMicros': is required/],
        [
          { amountMicros: 5, mode: 'stop' },
          /field 'mode': must be equal to one of the allowed values: hard, soft/,
        ],
        [
          { amountMicros: 5, mode: 'soft', thresholds: [80, 50] },
          /field 'thresholds': must be sorted ascending/,
        ],
        [
          { amountMicros: 5, mode: 'soft', thresholds: [50, 50] },
          /field 'thresholds': must be sorted ascending/,
        ],
        [
          { amountMicros: 5, mode: 'soft', thresholds: [0] },
          /field 'thresholds\[0\]': must be >= 1/,
        ],
        [
          { amountMicros: 5, mode: 'soft', thresholds: [101] },
          /field 'thresholds\[0\]': must be <= 100/,
        ],
        [
          { amountMicros: 5, mode: 'soft', thresholds: [] },
          /field 'thresholds': must NOT have fewer than 1 items/,
        ],
        [{ amountMicros: 5, mode: 'soft', extra: 1 }, /body/],
      ];
      for (const [bad, message] of invalid) {
        const res = await call(
          'put',
          CONSUMER,
          `/v1/budgets/user/${lena}`,
          bad,
        );
        expect({ bad, status: res.status }).toEqual({ bad, status: 400 });
        expect(res.body.error.message).toMatch(message);
      }
      const badScope = await call(
        'put',
        CONSUMER,
        `/v1/budgets/org/${lena}`,
        body,
      );
      expect(badScope.status).toBe(400);
      expect(badScope.body.error.message).toMatch(/'scope'/);
      const userAsTeam = await call(
        'put',
        CONSUMER,
        `/v1/budgets/team/${lena}`,
        body,
      );
      expect(userAsTeam.status).toBe(400);
      expect(await knex('budgets').select()).toEqual(before);
      expect(
        await knex('subscriptions')
          .where({ id: subscriptionId })
          .first('spend_cap_micros'),
      ).toEqual(capBefore);
      // The owners themselves can.
      const own = await call('put', CONSUMER, `/v1/budgets/user/${lena}`, body);
      expect(own.status).toBe(200);
      const mine = await call(
        'put',
        CONSUMER,
        `/v1/budgets/subscription/${subscriptionId}`,
        body,
      );
      expect(mine.status).toBe(200);
      // Admins set anyone's; each change is in the audit log.
      const byAdmin = await call('put', ADMIN, `/v1/budgets/user/${lena}`, {
        amountMicros: 2,
        mode: 'soft',
      });
      expect(byAdmin.status).toBe(200);
      const audit = await knex('audit_log')
        .where({ target_type: 'budget', target: CONSUMER })
        .orderBy('id')
        .select('actor_ref', 'action');
      expect(audit.slice(-2)).toEqual([
        { actor_ref: CONSUMER, action: 'budget.set' },
        { actor_ref: ADMIN, action: 'budget.set' },
      ]);
      await call('delete', ADMIN, `/v1/budgets/user/${lena}`);
      await call(
        'delete',
        CONSUMER,
        `/v1/budgets/subscription/${subscriptionId}`,
      );
    });

    it('price changes: an increase is announced noticeDays ahead, a decrease applies at once, one pending at a time', async () => {
      const url = '/v1/provider/services/sim-price-rules/price-changes';
      const { current } = (
        await call(
          'get',
          CONSUMER,
          '/v1/services/sim-price-rules/price-changes',
        )
      ).body;
      const higher = {
        ...current,
        completionPer1kMicros: current.completionPer1kMicros + 1000,
      };
      const day = 86_400_000;
      const tooSoon = await call('post', OWNER, url, {
        pricing: higher,
        effectiveAt: new Date(Date.now() + 29 * day).toISOString(),
      });
      expect(tooSoon.status).toBe(400);
      expect(tooSoon.body.error.message).toMatch(
        /field 'effectiveAt': a price increase takes effect at least 30 days after/,
      );
      const noDate = await call('post', OWNER, url, { pricing: higher });
      expect(noDate.status).toBe(400);
      const notOwner = await call('post', OTHER, url, {
        pricing: higher,
        effectiveAt: new Date(Date.now() + 31 * day).toISOString(),
      });
      expect(notOwner.status).toBe(403);
      const negative = await call('post', OWNER, url, {
        pricing: { ...current, promptPer1kMicros: -1 },
      });
      expect(negative.status).toBe(400);
      expect(negative.body.error.message).toMatch(
        /field 'pricing.promptPer1kMicros'/,
      );
      const lower = {
        ...current,
        promptPer1kMicros: current.promptPer1kMicros - 1,
      };
      const atOnce = await call('post', OWNER, url, { pricing: lower });
      expect(atOnce.status).toBe(201);
      expect(atOnce.body.priceChange.status).toBe('effective');
      const effectiveAt = new Date(Date.now() + 31 * day).toISOString();
      const announced = await call('post', OWNER, url, {
        pricing: {
          ...lower,
          completionPer1kMicros: lower.completionPer1kMicros + 1000,
        },
        effectiveAt,
      });
      expect(announced.status).toBe(201);
      expect(announced.body.priceChange).toMatchObject({
        status: 'scheduled',
        previousPricing: lower,
        announcedBy: OWNER,
      });
      const second = await call('post', ADMIN, url, {
        pricing: lower,
      });
      expect(second.status).toBe(409);
      const list = await call(
        'get',
        CONSUMER,
        '/v1/services/sim-price-rules/price-changes',
      );
      expect(list.body.current).toEqual(lower);
      expect(list.body.items.map((c: any) => c.status)).toEqual([
        'effective',
        'scheduled',
      ]);
    });

    it('cross-team: a provider team publishes, bills and manages only for its own teams', async () => {
      // research-llm-team (OTHER) publishing for ai-platform-team, and the other way round.
      const forOwnerTeam = simService(
        'cross-team-a',
        'https://upstream.example.com/v1',
      );
      const asOther = await call('post', OTHER, '/v1/provider/services', {
        entity: forOwnerTeam,
      });
      expect(asOther.status).toBe(403);
      const forOtherTeam = simService(
        'cross-team-b',
        'https://upstream.example.com/v1',
      ) as any;
      forOtherTeam.spec.owner = 'group:default/research-llm-team';
      const asOwner = await call('post', OWNER, '/v1/provider/services', {
        entity: forOtherTeam,
      });
      expect(asOwner.status).toBe(403);
      // Billing a team one is not a member of.
      const billed = await call(
        'post',
        CONSUMER,
        '/v1/services/sim-gpt/subscribe',
        {
          teamRef: 'group:default/ai-platform-team',
        },
      );
      expect(billed.status).toBe(403);
      // Another provider team cannot see or change the owner team's service or credentials.
      expect(
        (await call('get', OTHER, '/v1/provider/services/sim-gpt')).status,
      ).toBe(403);
      expect(
        (await call('get', OTHER, '/v1/providers/sim/credentials')).status,
      ).toBe(403);
    });

    it("cross-user: nobody deletes another user's review (issue 16)", async () => {
      const reviewId = await reviewBy(
        { server: backend.server, knex, as: 'consumer', user: CONSUMER },
        CONSUMER,
        'sim-cross',
      );
      for (const user of [OTHER, OWNER, 'user:default/dana']) {
        const res = await call(
          'delete',
          user,
          `/marketplace/services/sim-cross/reviews/${reviewId}`,
        );
        // Only the author deletes a review (admins hide them instead).
        expect({ user, status: res.status }).toEqual({ user, status: 403 });
      }
      const reviews = await call(
        'get',
        CONSUMER,
        '/marketplace/services/sim-cross/reviews',
      );
      expect(reviews.body.items.map((r: any) => r.id)).toContain(reviewId);
    });

    it("cross-team: another team's members reach nothing of a team-billed subscription (issue 16)", async () => {
      const sub = await call(
        'post',
        CONSUMER,
        '/v1/services/sim-cross-team/subscribe',
        { teamRef: 'group:default/checkout-team' },
      );
      expect(sub.status).toBe(201);
      const subscriptionId = sub.body.subscription.id as string;
      const keyId = sub.body.apiKey.id as string;
      // OTHER: research-llm-team; OWNER: ai-platform-team (owns the service).
      for (const user of [OTHER, OWNER]) {
        const attempts = [
          await call('get', user, `/v1/subscriptions/${subscriptionId}/usage`),
          await call('post', user, `/v1/subscriptions/${subscriptionId}/keys`),
          await call('post', user, `/v1/keys/${keyId}/rotate`),
          await call('delete', user, `/v1/keys/${keyId}`),
        ];
        expect({ user, statuses: attempts.map(r => r.status) }).toEqual({
          user,
          statuses: [404, 404, 404, 404],
        });
      }
      const keys = await call('get', CONSUMER, '/v1/keys');
      expect(keys.body.keys).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ id: keyId, revokedAt: null }),
        ]),
      );
    });

    it("cross-team: a provider team reaches no other team's credential, by any path (issue 16)", async () => {
      // A credential of the sim Provider (ai-platform-team's).
      const created = await call(
        'post',
        ADMIN,
        '/v1/providers/sim/credentials',
        {
          name: 'CROSS_SIM_KEY',
          value: 'sim-only',
        },
      );
      expect(created.status).toBe(201);
      const fingerprint = created.body.credential.fingerprint;
      // research-llm-team (OTHER) owns research-sim.
      expect(
        (await call('get', OTHER, '/v1/providers/research-sim/credentials'))
          .status,
      ).toBe(200);
      const attempts = [
        // Straight at the other team's Provider.
        await call(
          'put',
          OTHER,
          '/v1/providers/sim/credentials/CROSS_SIM_KEY',
          {
            value: 'stolen',
          },
        ),
        await call(
          'delete',
          OTHER,
          '/v1/providers/sim/credentials/CROSS_SIM_KEY',
        ),
        // Through its own Provider, by the other's credential name.
        await call(
          'put',
          OTHER,
          '/v1/providers/research-sim/credentials/CROSS_SIM_KEY',
          { value: 'stolen' },
        ),
        await call(
          'delete',
          OTHER,
          '/v1/providers/research-sim/credentials/CROSS_SIM_KEY',
        ),
      ];
      expect(attempts.map(r => r.status)).toEqual([403, 403, 404, 404]);
      const own = await call(
        'get',
        OTHER,
        '/v1/providers/research-sim/credentials',
      );
      expect(JSON.stringify(own.body)).not.toContain('CROSS_SIM_KEY');
      const sims = await call('get', ADMIN, '/v1/providers/sim/credentials');
      expect(sims.body.credentials).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ name: 'CROSS_SIM_KEY', fingerprint }),
        ]),
      );
      // Nor may its services send another Provider's credential upstream.
      for (const secretRef of ['CROSS_SIM_KEY', 'SIM_UPSTREAM_KEY']) {
        const entity = simService(
          `cross-cred-${secretRef
            .toLocaleLowerCase('en-US')
            .replace(/_/g, '-')}`,
          'https://upstream.example.com/v1',
        ) as any;
        entity.spec.owner = 'group:default/research-llm-team';
        entity.spec.providedBy = 'provider:default/research-sim';
        entity.spec.endpoint.auth = { type: 'bearer', secretRef };
        const res = await call('post', OTHER, '/v1/provider/services', {
          entity,
        });
        expect({ secretRef, status: res.status }).toEqual({
          secretRef,
          status: 400,
        });
        expect(res.body.error.message).toContain(
          'spec.endpoint.auth.secretRef cannot be used',
        );
      }
    });

    it("shows the upstream endpoint only to the service's owners and admins (issue 16)", async () => {
      const upstream = (body: any, name: string) =>
        (body.services ?? [body.service]).find(
          (x: any) => x.entity.metadata.name === name,
        ).entity.spec.endpoint;
      for (const [user, sees] of [
        [CONSUMER, 'gateway'],
        [OTHER, 'gateway'],
        [OWNER, 'upstream'],
        [ADMIN, 'upstream'],
      ] as const) {
        for (const url of ['/v1/services', '/v1/services/sim-gpt']) {
          const res = await call('get', user, url);
          expect(res.status).toBe(200);
          const endpoint = upstream(res.body, 'sim-gpt');
          const text = JSON.stringify(res.body);
          expect({
            user,
            url,
            baseUrl: endpoint.baseUrl,
            namesUpstream: text.includes('demo-upstream'),
            namesCredential: text.includes('SIM_UPSTREAM_KEY'),
          }).toEqual({
            user,
            url,
            baseUrl: expect.stringMatching(
              sees === 'gateway'
                ? /\/api\/marketplace\/gateway\/v1$/
                : /\/api\/demo-upstream\/v1$/,
            ),
            namesUpstream: sees === 'upstream',
            namesCredential: sees === 'upstream',
          });
        }
      }
    });
  },
);
