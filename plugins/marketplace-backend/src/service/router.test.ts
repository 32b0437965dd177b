import {
  mockCredentials,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import {
  ModelServiceEntityV1alpha1,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { createHash } from 'crypto';
import { Knex } from 'knex';
import request from 'supertest';
import {
  loadExamples,
  sampleUserInfo,
  startMarketplaceTestBackend,
} from '../__testUtils__/marketplaceTestBackend';
import { DatabaseSubscriptionStore } from '../stores/SubscriptionStore';
import { DatabaseUsageLedger } from '../stores/ledger/UsageLedger';

jest.setTimeout(60_000);

/*
 * The REST API of the marketplace backend, through the whole plugin in a test
 * backend: Backstage's auth barrier and error middleware, a real database (SQLite
 * and PostgreSQL 15), the in-memory catalog with sample entities from examples/.
 */

/** Services used below (all from examples/services.yaml). */
const GPT = 'northwind-gpt-4o'; // ai-platform-team, trial 250k tokens / 30 days
const GPT41 = 'acme-gpt-4-1'; // ai-platform-team, no trial
const LLAMA = 'research-llama-3-1-8b'; // research-llm-team, trial 5M tokens, no end
const MIXTRAL = 'research-mixtral-8x7b'; // research-llm-team, deprecated
const USED_SERVICES = [GPT, GPT41, LLAMA, MIXTRAL];

const examples = {
  services: loadExamples('services.yaml').filter(
    e => e.kind === MODEL_SERVICE_KIND,
  ) as ModelServiceEntityV1alpha1[],
  providers: loadExamples('providers.yaml').filter(
    e => e.kind === PROVIDER_KIND,
  ),
};
const services = examples.services.filter(s =>
  USED_SERVICES.includes(s.metadata.name),
);
function entityOf(name: string): ModelServiceEntityV1alpha1 {
  return services.find(s => s.metadata.name === name)!;
}

const groups: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'ai-platform-team', title: 'AI Platform (title)' },
    spec: {
      type: 'team',
      profile: { displayName: 'AI Platform' },
      children: [],
    },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'checkout-team', title: 'Checkout Engineering' },
    spec: { type: 'team', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'research-llm-team' },
    spec: { type: 'team', children: [] },
  },
];

const LENA = 'user:default/lena';
const OMAR = 'user:default/omar';
const NOBODY = 'user:default/nobody';
/** Ownership refs as the userInfo service reports them (mixed case on purpose). */
const OWNERSHIP: Record<string, string[]> = {
  [LENA]: [
    LENA,
    'group:default/ai-platform-team',
    'group:default/Checkout-Team',
    // a group the catalog does not have (any more)
    'group:default/ghost-team',
  ],
  [OMAR]: [OMAR, 'group:default/research-llm-team'],
  [NOBODY]: [NOBODY],
};

const API = '/api/marketplace';
const SECRET_PATTERN = /^mk_[A-Za-z0-9_-]{43}$/;
const DAY_MS = 86_400_000;

function sha256(text: string) {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'marketplace REST API on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startMarketplaceTestBackend({
        knex,
        // The sample services are live at once (approvals: publishing.test.ts).
        entities: [...services, ...examples.providers, ...groups],
        features: [sampleUserInfo(OWNERSHIP).factory],
      });
    });

    afterAll(async () => {
      await backend?.stop();
    });

    beforeEach(async () => {
      await knex('usage_ledger').delete();
      await knex('usage_reservations').delete();
      await knex('api_keys').delete();
      await knex('subscriptions').delete();
    });

    const as = (user: string) => mockCredentials.user.header(user);
    const get = (url: string, user = LENA) =>
      request(backend.server)
        .get(`${API}${url}`)
        .set('Authorization', as(user));
    const post = (url: string, body?: object, user = LENA) => {
      const req = request(backend.server)
        .post(`${API}${url}`)
        .set('Authorization', as(user));
      return body === undefined ? req : req.send(body);
    };
    const del = (url: string, user = LENA) =>
      request(backend.server)
        .delete(`${API}${url}`)
        .set('Authorization', as(user));

    async function subscribe(name: string, body: object = {}, user = LENA) {
      const res = await post(`/v1/services/${name}/subscribe`, body, user);
      expect(res.status).toBe(201);
      return res.body as {
        subscription: { id: string } & Record<string, unknown>;
        apiKey: { id: string; secret: string; prefix: string };
        endpoint: { baseUrl: string; model: string };
      };
    }

    async function count(table: string): Promise<number> {
      const [{ n }] = await knex(table).count({ n: '*' });
      return Number(n);
    }

    /** Meters one forwarded request the way the gateway does: reserve, then settle. */
    async function recordUsage(
      secret: string,
      requestId: string,
      at: number,
      tokens = { prompt: 120, completion: 30 },
    ) {
      const store = new DatabaseSubscriptionStore(knex);
      const grant = await store.findGrant(secret);
      if (!grant) {
        throw new Error('no grant for the secret');
      }
      const ledger = new DatabaseUsageLedger(knex, {
        instanceId: 'router-test',
        platformFeeBasisPoints: 1000,
        clock: () => at,
      });
      const name = grant.serviceRef.slice(grant.serviceRef.indexOf('/') + 1);
      const entity = entityOf(name);
      const reserved = await ledger.reserve({
        requestId,
        grant,
        providerRef: entity.spec.providedBy,
        model: name,
        stream: false,
        pricing: entity.spec.pricing,
        promptTokens: tokens.prompt,
        maxCompletionTokens: 1000,
      });
      if (!reserved.ok) {
        throw new Error(`reservation rejected: ${reserved.reason}`);
      }
      await ledger.settle(reserved.reservation, {
        status: 'ok',
        httpStatus: 200,
        promptTokens: tokens.prompt,
        completionTokens: tokens.completion,
        tokenSource: 'upstream',
        charge: true,
        upstreamLatencyMs: 42,
        finishedAt: at + 500,
      });
      await ledger.flush();
    }

    /** A 400 whose message names `field`. */
    function badRequest(field: string) {
      return {
        status: 400,
        body: {
          error: {
            name: 'InputError',
            message: expect.stringContaining(field),
          },
        },
      };
    }

    describe('GET /v1/services', () => {
      it('lists every service by name, with ownership and no subscription', async () => {
        const res = await get('/v1/services');
        expect(res.status).toBe(200);
        expect(
          res.body.services.map((s: any) => s.entity.metadata.name),
        ).toEqual([GPT41, GPT, LLAMA, MIXTRAL]);
        const byName = Object.fromEntries(
          res.body.services.map((s: any) => [s.entity.metadata.name, s]),
        );
        expect(byName[GPT]).toEqual({
          entity: expect.objectContaining({
            kind: MODEL_SERVICE_KIND,
            metadata: expect.objectContaining({ name: GPT }),
          }),
          subscription: null,
          owned: true,
          publication: {
            status: 'approved',
            reason: null,
            submittedAt: expect.any(String),
            decidedBy: null,
            decidedAt: expect.any(String),
            source: 'catalog',
            unpublishedAt: null,
            sunsetAt: null,
            successor: null,
          },
        });
        expect(byName[LLAMA].owned).toBe(false);
        expect(byName[MIXTRAL].owned).toBe(false);

        const explicit = await get('/v1/services?scope=all');
        expect(explicit.status).toBe(200);
        expect(explicit.body).toEqual(res.body);
      });

      it('scope=subscribed lists only the caller’s active subscriptions', async () => {
        const { subscription } = await subscribe(GPT);
        await subscribe(LLAMA, {}, OMAR);

        const res = await get('/v1/services?scope=subscribed');
        expect(res.status).toBe(200);
        expect(res.body.services).toHaveLength(1);
        expect(res.body.services[0].entity.metadata.name).toBe(GPT);
        expect(res.body.services[0].subscription).toEqual(
          expect.objectContaining({ id: subscription.id, status: 'active' }),
        );

        const all = await get('/v1/services');
        const llama = all.body.services.find(
          (s: any) => s.entity.metadata.name === LLAMA,
        );
        expect(llama.subscription).toBeNull();

        await del(`/v1/services/${GPT}/subscribe`);
        const after = await get('/v1/services?scope=subscribed');
        expect(after.body.services).toEqual([]);
      });

      it('scope=owned lists the services of the caller’s groups', async () => {
        const lena = await get('/v1/services?scope=owned');
        expect(lena.status).toBe(200);
        expect(
          lena.body.services.map((s: any) => s.entity.metadata.name),
        ).toEqual([GPT41, GPT]);
        expect(lena.body.services.every((s: any) => s.owned)).toBe(true);

        const omar = await get('/v1/services?scope=owned', OMAR);
        expect(
          omar.body.services.map((s: any) => s.entity.metadata.name),
        ).toEqual([LLAMA, MIXTRAL]);

        const nobody = await get('/v1/services?scope=owned', NOBODY);
        expect(nobody.body.services).toEqual([]);
      });

      it('rejects an unknown scope or query parameter, naming the field', async () => {
        const bogus = await get('/v1/services?scope=bogus');
        // Word for word the example of the document's BadRequest response.
        expect(bogus).toMatchObject(
          badRequest(
            "Invalid query field 'scope': must be equal to one of the allowed values: all, subscribed, owned",
          ),
        );

        const unknown = await get('/v1/services?owner=me');
        expect(unknown).toMatchObject(badRequest('owner'));
      });
    });

    describe('GET /v1/services/:name', () => {
      it('returns the service with endpoint, ownership and no subscription', async () => {
        const res = await get(`/v1/services/${LLAMA}`);
        expect(res.status).toBe(200);
        expect(res.body.service).toEqual({
          entity: expect.objectContaining({
            metadata: expect.objectContaining({ name: LLAMA }),
          }),
          subscription: null,
          owned: false,
          endpoint: {
            baseUrl: expect.stringMatching(
              /^http:\/\/localhost:\d+\/api\/marketplace\/gateway\/v1$/,
            ),
            model: LLAMA,
          },
          keys: [],
          publication: expect.objectContaining({
            status: 'approved',
            source: 'catalog',
          }),
        });
      });

      it('includes the caller’s subscription and keys (without secrets)', async () => {
        const { subscription, apiKey } = await subscribe(GPT);
        const res = await get(`/v1/services/${GPT}`);
        expect(res.status).toBe(200);
        expect(res.body.service.owned).toBe(true);
        expect(res.body.service.subscription).toEqual(subscription);
        expect(res.body.service.keys).toEqual([
          {
            id: apiKey.id,
            subscriptionId: subscription.id,
            prefix: apiKey.prefix,
            createdAt: expect.any(String),
            lastUsedAt: null,
            revokedAt: null,
          },
        ]);
        expect(JSON.stringify(res.body)).not.toContain(apiKey.secret);

        // Another user sees no subscription.
        const omar = await get(`/v1/services/${GPT}`, OMAR);
        expect(omar.body.service.subscription).toBeNull();
        expect(omar.body.service.keys).toEqual([]);
        expect(omar.body.service.owned).toBe(false);
      });

      it('answers 404 for an unknown service', async () => {
        const res = await get('/v1/services/no-such-model');
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');
        expect(res.body.error.message).toContain('no-such-model');
      });

      it('answers 400 for a name that cannot be a service', async () => {
        for (const name of ['-leading-dash', 'bad!name', 'x'.repeat(64)]) {
          const res = await get(`/v1/services/${name}`);
          expect(res).toMatchObject(badRequest('is not a service name'));
        }
      });
    });

    describe('POST /v1/services/:name/subscribe', () => {
      it('creates a subscription and shows the key once, with the endpoint', async () => {
        const before = Date.now();
        const res = await post(`/v1/services/${GPT}/subscribe`, {});
        expect(res.status).toBe(201);
        const { subscription, apiKey, endpoint } = res.body;

        expect(subscription).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          serviceRef: `modelservice:default/${GPT}`,
          model: GPT,
          userRef: LENA,
          teamRef: null,
          status: 'active',
          spendCapMicros: null,
          trialTokensGranted: 250000,
          trialTokensUsed: 0,
          trialExpiresAt: expect.any(String),
          month: new Date(before).toISOString().slice(0, 7),
          monthSpendMicros: 0,
          monthTokens: 0,
          createdAt: expect.any(String),
          cancelledAt: null,
        });
        expect(
          Date.parse(subscription.trialExpiresAt) -
            Date.parse(subscription.createdAt),
        ).toBe(30 * DAY_MS);
        expect(Date.parse(subscription.createdAt)).toBeGreaterThanOrEqual(
          before - 1000,
        );

        expect(apiKey).toEqual({
          id: expect.any(String),
          subscriptionId: subscription.id,
          prefix: apiKey.secret.slice(0, 11),
          createdAt: subscription.createdAt,
          lastUsedAt: null,
          revokedAt: null,
          secret: expect.stringMatching(SECRET_PATTERN),
        });
        expect(endpoint).toEqual({
          baseUrl: expect.stringMatching(/\/api\/marketplace\/gateway\/v1$/),
          model: GPT,
        });

        // Only a hash of the secret is stored, nowhere the secret itself.
        const keys = await knex('api_keys').select();
        expect(keys).toHaveLength(1);
        expect(keys[0].secret_hash).toMatch(/^[0-9a-f]{64}$/);
        expect(keys[0].secret_hash).toBe(sha256(apiKey.secret));
        expect(keys[0].prefix).toBe(apiKey.prefix);
        for (const table of ['api_keys', 'subscriptions']) {
          const rows = await knex(table).select();
          expect(JSON.stringify(rows)).not.toContain(apiKey.secret);
        }
        const [row] = await knex('subscriptions').select();
        expect(row.active_slot).toBe(`${LENA}|modelservice:default/${GPT}`);
      });

      it('accepts an empty request without a body', async () => {
        const res = await post(`/v1/services/${GPT41}/subscribe`);
        expect(res.status).toBe(201);
        // No trial on this service.
        expect(res.body.subscription.trialTokensGranted).toBe(0);
        expect(res.body.subscription.trialExpiresAt).toBeNull();
      });

      it('takes the trial from the entity (no end when it has no duration)', async () => {
        const { subscription } = await subscribe(LLAMA);
        expect(subscription.trialTokensGranted).toBe(5_000_000);
        expect(subscription.trialTokensUsed).toBe(0);
        expect(subscription.trialExpiresAt).toBeNull();
      });

      it('stores a spend cap (0 = trial only)', async () => {
        const capped = await subscribe(GPT, { spendCapMicros: 25_000_000 });
        expect(capped.subscription.spendCapMicros).toBe(25_000_000);
        const trialOnly = await subscribe(LLAMA, {
          spendCapMicros: 0,
          teamRef: null,
        });
        expect(trialOnly.subscription.spendCapMicros).toBe(0);
        const rows = await knex('subscriptions')
          .select('spend_cap_micros')
          .orderBy('spend_cap_micros');
        expect(rows.map(r => Number(r.spend_cap_micros))).toEqual([
          0, 25_000_000,
        ]);
      });

      it('answers 409 for a second active subscription', async () => {
        await subscribe(GPT);
        const res = await post(`/v1/services/${GPT}/subscribe`, {});
        expect(res.status).toBe(409);
        expect(res.body.error.name).toBe('ConflictError');
        expect(await count('subscriptions')).toBe(1);
        expect(await count('api_keys')).toBe(1);

        // Other users are not affected.
        await subscribe(GPT, {}, OMAR);
        expect(await count('subscriptions')).toBe(2);
      });

      it('lets exactly one of several concurrent subscribes win', async () => {
        const results = await Promise.all(
          Array.from({ length: 5 }, () =>
            post(`/v1/services/${GPT}/subscribe`, {}),
          ),
        );
        expect(results.map(r => r.status).sort()).toEqual([
          201, 409, 409, 409, 409,
        ]);
        expect(await count('subscriptions')).toBe(1);
        expect(await count('api_keys')).toBe(1);
      });

      it.each([
        ['-1', { spendCapMicros: -1 }, 'spendCapMicros'],
        ['1.5', { spendCapMicros: 1.5 }, 'spendCapMicros'],
        ['"x"', { spendCapMicros: 'x' }, 'spendCapMicros'],
        ['2^53', { spendCapMicros: 2 ** 53 }, 'spendCapMicros'],
        ['an empty teamRef', { teamRef: '' }, 'teamRef'],
        ['a numeric teamRef', { teamRef: 7 }, 'teamRef'],
        ['an unknown field', { plan: 'gold' }, 'plan'],
      ])(
        'answers 400 for %s, naming the field, and creates nothing',
        async (_what, body, field) => {
          const res = await post(`/v1/services/${GPT}/subscribe`, body);
          expect(res).toMatchObject(badRequest(field));
          expect(res.body.error.message).toMatch(/^Invalid body/);
          expect(await count('subscriptions')).toBe(0);
          expect(await count('api_keys')).toBe(0);
        },
      );

      it('answers 400 for a body that is not a JSON object', async () => {
        const array = await post(`/v1/services/${GPT}/subscribe`, [1, 2]);
        expect(array.status).toBe(400);
        const broken = await request(backend.server)
          .post(`${API}/v1/services/${GPT}/subscribe`)
          .set('Authorization', as(LENA))
          .set('content-type', 'application/json')
          .send('{"spendCapMicros": ');
        expect(broken.status).toBe(400);
        expect(await count('subscriptions')).toBe(0);
      });

      it('answers 400 for a teamRef that is not an entity ref', async () => {
        for (const teamRef of ['group:', 'group:default/', ':x']) {
          const res = await post(`/v1/services/${GPT}/subscribe`, { teamRef });
          expect(res).toMatchObject(badRequest("field 'teamRef'"));
        }
        expect(await count('subscriptions')).toBe(0);
      });

      it('answers 403 for a teamRef the user is not a member of', async () => {
        for (const teamRef of [
          'group:default/research-llm-team',
          'research-llm-team',
          // a user is not a team, even the caller
          LENA,
        ]) {
          const res = await post(`/v1/services/${GPT}/subscribe`, { teamRef });
          expect(res.status).toBe(403);
          expect(res.body.error.name).toBe('NotAllowedError');
          expect(res.body.error.message).toContain('teamRef');
        }
        expect(await count('subscriptions')).toBe(0);
      });

      it('accepts a teamRef of the user’s own group, normalized', async () => {
        const short = await subscribe(GPT, { teamRef: 'checkout-team' });
        expect(short.subscription.teamRef).toBe('group:default/checkout-team');

        const full = await subscribe(LLAMA, {
          teamRef: 'Group:default/AI-Platform-Team',
        });
        expect(full.subscription.teamRef).toBe(
          'group:default/ai-platform-team',
        );
        const rows = await knex('subscriptions')
          .select('team_ref')
          .orderBy('team_ref');
        expect(rows.map(r => r.team_ref)).toEqual([
          'group:default/ai-platform-team',
          'group:default/checkout-team',
        ]);
      });

      it('answers 400 for a deprecated service and creates nothing', async () => {
        const res = await post(`/v1/services/${MIXTRAL}/subscribe`, {});
        expect(res).toMatchObject(badRequest('deprecated'));
        expect(await count('subscriptions')).toBe(0);
        expect(await count('api_keys')).toBe(0);
      });

      it('answers 404 for an unknown service and 400 for a bad name', async () => {
        const unknown = await post('/v1/services/no-such-model/subscribe', {});
        expect(unknown.status).toBe(404);
        const bad = await post('/v1/services/bad!name/subscribe', {});
        expect(bad).toMatchObject(badRequest('is not a service name'));
        expect(await count('subscriptions')).toBe(0);
      });
    });

    it('never shows a secret again after it was issued', async () => {
      const first = await subscribe(GPT, { teamRef: 'checkout-team' });
      const rotated = await post(`/v1/keys/${first.apiKey.id}/rotate`);
      expect(rotated.status).toBe(201);
      const second = await subscribe(LLAMA);
      const secrets = [
        first.apiKey.secret,
        rotated.body.apiKey.secret,
        second.apiKey.secret,
      ];
      await recordUsage(second.apiKey.secret, 'req_secret_check', Date.now());

      const responses = await Promise.all([
        get('/v1/keys'),
        get('/v1/subscriptions'),
        get('/v1/subscriptions?status=active'),
        get(`/v1/services/${GPT}`),
        get(`/v1/services/${LLAMA}`),
        get('/v1/services'),
        get('/v1/services?scope=subscribed'),
        get(`/v1/subscriptions/${second.subscription.id}/usage`),
        get('/v1/usage/req_secret_check'),
        get('/v1/me'),
      ]);
      for (const res of responses) {
        expect(res.status).toBe(200);
        const text = JSON.stringify(res.body);
        for (const secret of secrets) {
          expect(text).not.toContain(secret);
        }
        expect(text).not.toContain('"secret"');
        expect(text).not.toMatch(/secret_?hash/i);
      }

      const revoked = await del(`/v1/keys/${rotated.body.apiKey.id}`);
      expect(revoked.status).toBe(200);
      expect(revoked.body.apiKey.secret).toBeUndefined();
      const cancelled = await del(`/v1/services/${LLAMA}/subscribe`);
      expect(JSON.stringify(cancelled.body)).not.toContain(
        second.apiKey.secret,
      );

      const keys = await knex('api_keys').select();
      expect(keys).toHaveLength(3);
      for (const key of keys) {
        expect(key.secret_hash).toMatch(/^[0-9a-f]{64}$/);
      }
      expect(keys.map(k => k.secret_hash).sort()).toEqual(
        secrets.map(sha256).sort(),
      );
      const everything = JSON.stringify([
        keys,
        await knex('subscriptions').select(),
        await knex('usage_ledger').select(),
      ]);
      for (const secret of secrets) {
        expect(everything).not.toContain(secret);
      }
    });

    describe('DELETE /v1/services/:name/subscribe', () => {
      it('cancels the subscription and revokes its keys', async () => {
        const { subscription, apiKey } = await subscribe(GPT);
        const rotated = await post(`/v1/keys/${apiKey.id}/rotate`);
        expect(rotated.status).toBe(201);
        const other = await subscribe(LLAMA);

        const res = await del(`/v1/services/${GPT}/subscribe`);
        expect(res.status).toBe(200);
        expect(res.body.subscription).toEqual(
          expect.objectContaining({
            id: subscription.id,
            status: 'cancelled',
            cancelledAt: expect.any(String),
          }),
        );

        const keys = await get('/v1/keys');
        const byId = Object.fromEntries(
          keys.body.keys.map((k: any) => [k.id, k]),
        );
        expect(byId[apiKey.id].revokedAt).not.toBeNull();
        expect(byId[rotated.body.apiKey.id].revokedAt).toEqual(
          res.body.subscription.cancelledAt,
        );
        // The other subscription's key is untouched.
        expect(byId[other.apiKey.id].revokedAt).toBeNull();

        const store = new DatabaseSubscriptionStore(knex);
        const grant = await store.findGrant(rotated.body.apiKey.secret);
        expect(grant).toEqual(
          expect.objectContaining({
            keyRevoked: true,
            subscriptionActive: false,
          }),
        );
        const [row] = await knex('subscriptions').where({
          id: subscription.id,
        });
        expect(row.status).toBe('cancelled');
        expect(row.active_slot).toBeNull();

        const detail = await get(`/v1/services/${GPT}`);
        expect(detail.body.service.subscription).toBeNull();
        expect(detail.body.service.keys).toEqual([]);

        // Subscribing again starts a new subscription with a new key.
        const again = await subscribe(GPT);
        expect(again.subscription.id).not.toBe(subscription.id);
        expect(again.apiKey.secret).not.toBe(apiKey.secret);
      });

      it('answers 404 when the caller is not subscribed', async () => {
        await subscribe(GPT, {}, OMAR);
        const res = await del(`/v1/services/${GPT}/subscribe`);
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');

        await subscribe(GPT);
        expect((await del(`/v1/services/${GPT}/subscribe`)).status).toBe(200);
        expect((await del(`/v1/services/${GPT}/subscribe`)).status).toBe(404);

        // Omar's subscription is untouched.
        const omar = await get('/v1/subscriptions?status=active', OMAR);
        expect(omar.body.subscriptions).toHaveLength(1);
      });

      it('answers 404 for an unknown service and 400 for a bad name', async () => {
        expect((await del('/v1/services/no-such-model/subscribe')).status).toBe(
          404,
        );
        expect(await del('/v1/services/bad!name/subscribe')).toMatchObject(
          badRequest('is not a service name'),
        );
      });
    });

    describe('GET /v1/subscriptions', () => {
      it('lists the caller’s subscriptions with keys, title and endpoint', async () => {
        const gpt = await subscribe(GPT, { teamRef: 'checkout-team' });
        const llama = await subscribe(LLAMA, { spendCapMicros: 0 });
        await del(`/v1/services/${LLAMA}/subscribe`);
        await subscribe(GPT41, {}, OMAR);

        const res = await get('/v1/subscriptions');
        expect(res.status).toBe(200);
        expect(res.body.subscriptions).toHaveLength(2);
        const byModel = Object.fromEntries(
          res.body.subscriptions.map((s: any) => [s.model, s]),
        );
        expect(byModel[GPT]).toEqual({
          ...gpt.subscription,
          keys: [
            expect.objectContaining({
              id: gpt.apiKey.id,
              prefix: gpt.apiKey.prefix,
              revokedAt: null,
            }),
          ],
          serviceTitle: entityOf(GPT).metadata.title,
          endpoint: gpt.endpoint,
        });
        expect(byModel[LLAMA]).toEqual(
          expect.objectContaining({
            id: llama.subscription.id,
            status: 'cancelled',
            spendCapMicros: 0,
            keys: [
              expect.objectContaining({
                id: llama.apiKey.id,
                revokedAt: expect.any(String),
              }),
            ],
            serviceTitle: entityOf(LLAMA).metadata.title,
          }),
        );
      });

      it('filters by status', async () => {
        await subscribe(GPT);
        await subscribe(LLAMA);
        await del(`/v1/services/${LLAMA}/subscribe`);

        const active = await get('/v1/subscriptions?status=active');
        expect(active.status).toBe(200);
        expect(active.body.subscriptions.map((s: any) => s.model)).toEqual([
          GPT,
        ]);
        const cancelled = await get('/v1/subscriptions?status=cancelled');
        expect(cancelled.body.subscriptions.map((s: any) => s.model)).toEqual([
          LLAMA,
        ]);
        const none = await get('/v1/subscriptions', NOBODY);
        expect(none.body.subscriptions).toEqual([]);
      });

      it('answers 400 for an unknown status, naming the field', async () => {
        expect(await get('/v1/subscriptions?status=paused')).toMatchObject(
          badRequest("field 'status'"),
        );
        expect(await get('/v1/subscriptions?sort=desc')).toMatchObject(
          badRequest('sort'),
        );
      });
    });

    describe('GET /v1/subscriptions/:id/usage', () => {
      it('lists the ledger rows of the subscription, newest first', async () => {
        const { subscription, apiKey } = await subscribe(GPT);
        const other = await subscribe(LLAMA);
        const t0 = Date.now();
        await recordUsage(apiKey.secret, 'req_first', t0);
        await recordUsage(apiKey.secret, 'req_second', t0 + 1000, {
          prompt: 10,
          completion: 5,
        });
        await recordUsage(other.apiKey.secret, 'req_other', t0 + 2000);

        const res = await get(`/v1/subscriptions/${subscription.id}/usage`);
        expect(res.status).toBe(200);
        expect(res.body.usage.map((u: any) => u.requestId)).toEqual([
          'req_second',
          'req_first',
        ]);
        expect(res.body.usage[1]).toEqual({
          requestId: 'req_first',
          subscriptionId: subscription.id,
          keyId: apiKey.id,
          userRef: LENA,
          teamRef: null,
          serviceRef: `modelservice:default/${GPT}`,
          providerRef: 'provider:default/northwind-cloud-ai',
          model: GPT,
          stream: false,
          status: 'ok',
          httpStatus: 200,
          errorCode: null,
          promptTokens: 120,
          completionTokens: 30,
          // all inside the 250k trial
          trialTokens: 150,
          tokenSource: 'upstream',
          costMicros: 0,
          platformFeeMicros: 0,
          upstreamLatencyMs: 42,
          timeToFirstTokenMs: null,
          waitMs: null, // not measured for rows settled outside the gateway
          startedAt: new Date(t0).toISOString(),
          finishedAt: new Date(t0 + 500).toISOString(),
          usageClamped: false,
          routeRef: null,
          routeAttempt: null,
          // Reserved without a protocol: Chat Completions, the default.
          protocol: 'openai-chat',
          cachedPromptTokens: null,
        });

        const limited = await get(
          `/v1/subscriptions/${subscription.id}/usage?limit=1`,
        );
        expect(limited.body.usage.map((u: any) => u.requestId)).toEqual([
          'req_second',
        ]);

        const sub = await get('/v1/subscriptions');
        const gpt = sub.body.subscriptions.find((s: any) => s.model === GPT);
        expect(gpt.trialTokensUsed).toBe(165);
        expect(gpt.monthTokens).toBe(165);
      });

      it('answers 404 for another user’s or an unknown subscription', async () => {
        const { subscription, apiKey } = await subscribe(GPT, {}, OMAR);
        await recordUsage(apiKey.secret, 'req_omar', Date.now());

        const res = await get(`/v1/subscriptions/${subscription.id}/usage`);
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');
        expect(JSON.stringify(res.body)).not.toContain('req_omar');

        const unknown = await get(
          '/v1/subscriptions/00000000-0000-0000-0000-000000000000/usage',
        );
        expect(unknown.status).toBe(404);

        const own = await get(
          `/v1/subscriptions/${subscription.id}/usage`,
          OMAR,
        );
        expect(own.status).toBe(200);
        expect(own.body.usage).toHaveLength(1);
      });

      it.each(['0', '501', '1.5', 'abc', ''])(
        'answers 400 for limit=%p',
        async limit => {
          const { subscription } = await subscribe(GPT);
          expect(
            await get(
              `/v1/subscriptions/${subscription.id}/usage?limit=${limit}`,
            ),
          ).toMatchObject(badRequest("field 'limit'"));
        },
      );

      it('accepts limits between 1 and 500 and rejects a bad id', async () => {
        const { subscription } = await subscribe(GPT);
        for (const limit of ['1', '500']) {
          const res = await get(
            `/v1/subscriptions/${subscription.id}/usage?limit=${limit}`,
          );
          expect(res.status).toBe(200);
        }
        expect(
          await get(`/v1/subscriptions/${subscription.id}/usage?offset=2`),
        ).toMatchObject(badRequest('offset'));
        expect(
          await get(`/v1/subscriptions/${'a'.repeat(65)}/usage`),
        ).toMatchObject(badRequest('path parameter'));
      });
    });

    describe('GET /v1/usage/:requestId', () => {
      it('returns the ledger row of one of the caller’s requests', async () => {
        const { apiKey, subscription } = await subscribe(GPT41, {
          teamRef: 'checkout-team',
        });
        const at = Date.now();
        await recordUsage(apiKey.secret, 'req_gpt41', at, {
          prompt: 1000,
          completion: 1000,
        });
        const res = await get('/v1/usage/req_gpt41');
        expect(res.status).toBe(200);
        const { pricing } = entityOf(GPT41).spec;
        const cost = Math.ceil(
          (1000 * pricing.promptPer1kMicros +
            1000 * pricing.completionPer1kMicros) /
            1000,
        );
        expect(res.body.usage).toEqual(
          expect.objectContaining({
            requestId: 'req_gpt41',
            subscriptionId: subscription.id,
            teamRef: 'group:default/checkout-team',
            trialTokens: 0,
            costMicros: cost,
            platformFeeMicros: Math.floor((cost * 1000 + 5000) / 10000),
          }),
        );
      });

      it('answers 404 for another user’s or an unknown request', async () => {
        const { apiKey } = await subscribe(GPT, {}, OMAR);
        await recordUsage(apiKey.secret, 'req_of_omar', Date.now());
        const res = await get('/v1/usage/req_of_omar');
        expect(res.status).toBe(404);
        expect(res.body.error.name).toBe('NotFoundError');
        expect((await get('/v1/usage/req_of_omar', OMAR)).status).toBe(200);
        expect((await get('/v1/usage/req_nope')).status).toBe(404);
        expect(await get(`/v1/usage/${'r'.repeat(65)}`)).toMatchObject(
          badRequest('path parameter'),
        );
      });
    });

    describe('keys', () => {
      it('GET /v1/keys lists the caller’s keys only', async () => {
        const gpt = await subscribe(GPT);
        const llama = await subscribe(LLAMA);
        await subscribe(GPT, {}, OMAR);

        const res = await get('/v1/keys');
        expect(res.status).toBe(200);
        expect(res.body.keys.map((k: any) => k.id).sort()).toEqual(
          [gpt.apiKey.id, llama.apiKey.id].sort(),
        );
        for (const key of res.body.keys) {
          expect(Object.keys(key).sort()).toEqual([
            'createdAt',
            'id',
            'lastUsedAt',
            'prefix',
            'revokedAt',
            'subscriptionId',
          ]);
        }
        expect((await get('/v1/keys', NOBODY)).body.keys).toEqual([]);
      });

      it('rotates a key: new secret, old key revoked', async () => {
        const { subscription, apiKey } = await subscribe(GPT);
        const res = await post(`/v1/keys/${apiKey.id}/rotate`);
        expect(res.status).toBe(201);
        const rotated = res.body.apiKey;
        expect(rotated).toEqual({
          id: expect.any(String),
          subscriptionId: subscription.id,
          prefix: rotated.secret.slice(0, 11),
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: null,
          secret: expect.stringMatching(SECRET_PATTERN),
        });
        expect(rotated.id).not.toBe(apiKey.id);
        expect(rotated.secret).not.toBe(apiKey.secret);

        const keys = await get('/v1/keys');
        const byId = Object.fromEntries(
          keys.body.keys.map((k: any) => [k.id, k]),
        );
        expect(byId[apiKey.id].revokedAt).toEqual(expect.any(String));
        expect(byId[rotated.id].revokedAt).toBeNull();

        const store = new DatabaseSubscriptionStore(knex);
        expect(await store.findGrant(apiKey.secret)).toEqual(
          expect.objectContaining({ keyRevoked: true }),
        );
        expect(await store.findGrant(rotated.secret)).toEqual(
          expect.objectContaining({
            keyRevoked: false,
            subscriptionActive: true,
            subscriptionId: subscription.id,
          }),
        );
        const [row] = await knex('api_keys').where({ id: rotated.id });
        expect(row.secret_hash).toBe(sha256(rotated.secret));
      });

      it('answers 409 when rotating or revoking a revoked key', async () => {
        const { apiKey } = await subscribe(GPT);
        expect((await post(`/v1/keys/${apiKey.id}/rotate`)).status).toBe(201);

        const rotate = await post(`/v1/keys/${apiKey.id}/rotate`);
        expect(rotate.status).toBe(409);
        expect(rotate.body.error.name).toBe('ConflictError');
        const revoke = await del(`/v1/keys/${apiKey.id}`);
        expect(revoke.status).toBe(409);
        expect(await count('api_keys')).toBe(2);

        // Keys of a cancelled subscription are revoked: nothing to rotate.
        const llama = await subscribe(LLAMA);
        await del(`/v1/services/${LLAMA}/subscribe`);
        expect((await post(`/v1/keys/${llama.apiKey.id}/rotate`)).status).toBe(
          409,
        );
        expect(await count('api_keys')).toBe(3);
      });

      it('answers 404 for another user’s or an unknown key', async () => {
        const { apiKey } = await subscribe(GPT, {}, OMAR);
        const rotate = await post(`/v1/keys/${apiKey.id}/rotate`);
        expect(rotate.status).toBe(404);
        expect(rotate.body.error.name).toBe('NotFoundError');
        const revoke = await del(`/v1/keys/${apiKey.id}`);
        expect(revoke.status).toBe(404);
        expect((await post('/v1/keys/no-such-key/rotate')).status).toBe(404);
        expect((await del('/v1/keys/no-such-key')).status).toBe(404);
        expect(await post(`/v1/keys/${'k'.repeat(65)}/rotate`)).toMatchObject(
          badRequest('path parameter'),
        );

        // Omar's key still works.
        const [row] = await knex('api_keys').where({ id: apiKey.id });
        expect(row.revoked_at).toBeNull();
      });

      it('issues a new key for an active subscription after its last key was revoked', async () => {
        const { subscription, apiKey } = await subscribe(GPT);
        expect((await del(`/v1/keys/${apiKey.id}`)).status).toBe(200);

        const res = await post(`/v1/subscriptions/${subscription.id}/keys`);
        expect(res.status).toBe(201);
        const issued = res.body.apiKey;
        expect(issued).toEqual({
          id: expect.any(String),
          subscriptionId: subscription.id,
          prefix: issued.secret.slice(0, 11),
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: null,
          secret: expect.stringMatching(SECRET_PATTERN),
        });
        const store = new DatabaseSubscriptionStore(knex);
        expect(await store.findGrant(issued.secret)).toEqual(
          expect.objectContaining({
            keyRevoked: false,
            subscriptionActive: true,
            subscriptionId: subscription.id,
          }),
        );
        const [row] = await knex('api_keys').where({ id: issued.id });
        expect(row.secret_hash).toBe(sha256(issued.secret));
        // Shown once: the list never carries the secret.
        const keys = await get('/v1/keys');
        expect(JSON.stringify(keys.body)).not.toContain(issued.secret);
        expect(keys.body.keys).toHaveLength(2);
      });

      it('refuses a new key for others, cancelled subscriptions, suspended users and past the limit', async () => {
        const omar = await subscribe(GPT, {}, OMAR);
        const stranger = await post(
          `/v1/subscriptions/${omar.subscription.id}/keys`,
        );
        expect(stranger.status).toBe(404);
        expect((await post('/v1/subscriptions/no-such-id/keys')).status).toBe(
          404,
        );
        expect(
          await post(`/v1/subscriptions/${'s'.repeat(65)}/keys`),
        ).toMatchObject(badRequest('path parameter'));

        const llama = await subscribe(LLAMA);
        await del(`/v1/services/${LLAMA}/subscribe`);
        const cancelled = await post(
          `/v1/subscriptions/${llama.subscription.id}/keys`,
        );
        expect(cancelled.status).toBe(409);
        expect(cancelled.body.error.message).toMatch(/cancelled/);

        const gpt = await subscribe(GPT);
        for (let i = 1; i < 5; i++) {
          expect(
            (await post(`/v1/subscriptions/${gpt.subscription.id}/keys`))
              .status,
          ).toBe(201);
        }
        const sixth = await post(
          `/v1/subscriptions/${gpt.subscription.id}/keys`,
        );
        expect(sixth.status).toBe(409);
        expect(sixth.body.error.message).toMatch(/5 active API keys/);

        await knex('user_suspensions').insert({
          user_ref: LENA,
          reason: 'leaked key',
          suspended_by: 'user:default/admin',
          suspended_at: Date.now(),
        });
        await del(`/v1/keys/${gpt.apiKey.id}`);
        const suspended = await post(
          `/v1/subscriptions/${gpt.subscription.id}/keys`,
        );
        await knex('user_suspensions').delete();
        expect(suspended.status).toBe(403);
        expect(suspended.body.error.message).toMatch(/suspended: leaked key/);
        // 1 of Omar's, 1 of the cancelled Llama, 5 of GPT's.
        expect(await count('api_keys')).toBe(7);
      });

      it('revokes a key', async () => {
        const { apiKey } = await subscribe(GPT);
        const res = await del(`/v1/keys/${apiKey.id}`);
        expect(res.status).toBe(200);
        expect(res.body.apiKey).toEqual({
          id: apiKey.id,
          subscriptionId: expect.any(String),
          prefix: apiKey.prefix,
          createdAt: expect.any(String),
          lastUsedAt: null,
          revokedAt: expect.any(String),
        });
        const store = new DatabaseSubscriptionStore(knex);
        expect(await store.findGrant(apiKey.secret)).toEqual(
          expect.objectContaining({
            keyRevoked: true,
            subscriptionActive: true,
          }),
        );
        // The subscription stays active (only the key is gone).
        const subs = await get('/v1/subscriptions?status=active');
        expect(subs.body.subscriptions).toHaveLength(1);
      });
    });

    describe('GET /v1/me', () => {
      it('returns the user and their teams, titled from the catalog', async () => {
        const res = await get('/v1/me');
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          userRef: LENA,
          // The mock permissions allow everything: an admin.
          role: 'admin',
          suspension: null,
          teams: [
            // spec.profile.displayName wins over metadata.title
            { ref: 'group:default/ai-platform-team', title: 'AI Platform' },
            {
              ref: 'group:default/checkout-team',
              title: 'Checkout Engineering',
            },
            // not in the catalog: the name
            { ref: 'group:default/ghost-team', title: 'ghost-team' },
          ],
        });

        const omar = await get('/v1/me', OMAR);
        expect(omar.body).toEqual({
          userRef: OMAR,
          role: 'admin',
          suspension: null,
          // no title at all: the name
          teams: [
            {
              ref: 'group:default/research-llm-team',
              title: 'research-llm-team',
            },
          ],
        });

        const nobody = await get('/v1/me', NOBODY);
        expect(nobody.body).toEqual({
          userRef: NOBODY,
          role: 'admin',
          suspension: null,
          teams: [],
        });
      });
    });

    describe('authentication', () => {
      const routes: Array<[string, string]> = [
        ['get', '/v1/services'],
        ['get', `/v1/services/${GPT}`],
        ['post', `/v1/services/${GPT}/subscribe`],
        ['delete', `/v1/services/${GPT}/subscribe`],
        ['get', '/v1/subscriptions'],
        ['get', '/v1/subscriptions/some-id/usage'],
        ['get', '/v1/usage/req_x'],
        ['get', '/v1/keys'],
        ['post', '/v1/keys/some-id/rotate'],
        ['delete', '/v1/keys/some-id'],
        ['get', '/v1/me'],
      ];

      it.each(routes)(
        'answers 401 to %s %s without credentials',
        async (method, url) => {
          const res = await (request(backend.server) as any)
            [method](`${API}${url}`)
            .send(method === 'post' ? {} : undefined);
          expect(res.status).toBe(401);
          expect(res.body.error.name).toBe('AuthenticationError');
          expect(await count('subscriptions')).toBe(0);
        },
      );

      it.each(routes)(
        'answers 403 to %s %s from a service',
        async (method, url) => {
          const res = await (request(backend.server) as any)
            [method](`${API}${url}`)
            .set('Authorization', mockCredentials.service.header());
          expect(res.status).toBe(403);
          expect(res.body.error.name).toBe('NotAllowedError');
        },
      );

      it('answers 401 for an invalid token', async () => {
        const res = await request(backend.server)
          .get(`${API}/v1/services`)
          .set('Authorization', mockCredentials.user.invalidHeader());
        expect(res.status).toBe(401);
      });
    });
  },
);
