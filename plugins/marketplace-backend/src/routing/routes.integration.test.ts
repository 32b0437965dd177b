import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { startGatewayTestBackend } from '../__testUtils__/gatewayTestBackend';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import {
  orgEntities,
  simProvider,
  simService,
  UPSTREAM_KEY,
} from '../__testUtils__/simMarketplace';

jest.setTimeout(120_000);

const USER = 'user:default/lena.fischer';

/** A sim service on a demo-upstream model, at a price. */
function member(
  name: string,
  base: string,
  upstreamModel: string,
  promptPer1kMicros: number,
  change: (spec: any) => void = () => {},
): Entity {
  const entity = simService(name, base) as any;
  entity.spec.baseModel = 'sim-llama';
  entity.spec.endpoint.upstreamModel = upstreamModel;
  entity.spec.pricing = {
    currency: 'USD',
    promptPer1kMicros,
    completionPer1kMicros: promptPer1kMicros * 2,
  };
  change(entity.spec);
  return entity;
}

const catalogFactory = createServiceFactory({
  service: catalogServiceRef,
  deps: { discovery: coreServices.discovery },
  async factory({ discovery }) {
    const base = `${await discovery.getBaseUrl('demo-upstream')}/v1`;
    return catalogServiceMock({
      entities: [
        simProvider,
        ...orgEntities,
        member('sim-dear', base, 'sim-fast', 3000),
        member('sim-cheap', base, 'sim-fast', 1000),
        member('sim-500', base, 'sim-500', 100),
        member('sim-503', base, 'sim-503', 100),
        member('sim-429', base, 'sim-429', 100),
        member('sim-400', base, 'sim-fast', 100, spec => {
          // A request too long for this member: refused before forwarding.
          spec.contextWindow = 4;
        }),
        member('sim-hang', base, 'sim-hang', 100),
        // Nothing listens on port 9 of localhost: connection refused.
        member('sim-down', 'http://127.0.0.1:9/v1', 'sim-fast', 100),
        // A fine-tune of the same base model: never in a derived route.
        member('sim-ft', base, 'sim-fast', 1, spec => {
          spec.features = { ...spec.features, fineTuned: true };
        }),
      ],
    });
  },
});

const ROUTES = [
  { name: 'r-price', members: ['sim-dear', 'sim-cheap'], policy: 'price' },
  { name: 'r-order', members: ['sim-dear', 'sim-cheap'], policy: 'order' },
  { name: 'r-500', members: ['sim-500', 'sim-cheap'], policy: 'order' },
  { name: 'r-503', members: ['sim-503', 'sim-cheap'], policy: 'order' },
  { name: 'r-429', members: ['sim-429', 'sim-cheap'], policy: 'order' },
  { name: 'r-timeout', members: ['sim-hang', 'sim-cheap'], policy: 'order' },
  { name: 'r-down', members: ['sim-down', 'sim-cheap'], policy: 'order' },
  { name: 'r-all-fail', members: ['sim-500', 'sim-down'], policy: 'order' },
  { name: 'r-400', members: ['sim-400', 'sim-cheap'], policy: 'order' },
];

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('routes through the gateway on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let knex: any;
  const auth = mockCredentials.user.header(USER);

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ backend } = await startGatewayTestBackend({
      knex,
      catalog: catalogFactory,
      marketplace: {
        gateway: { upstreamTimeoutMs: 800, instanceId: 'routes-1' },
        secrets: {
          SIM_UPSTREAM_KEY: {
            value: UPSTREAM_KEY,
            providers: ['provider:default/sim'],
          },
        },
        routes: ROUTES,
      },
      demoModels: [
        {
          id: 'sim-fast',
          timeToFirstTokenMs: 0,
          tokensPerSecond: 100000,
        },
        { id: 'sim-500', failureRate: 1, failureStatus: 500 },
        { id: 'sim-503', failureRate: 1, failureStatus: 503 },
        { id: 'sim-429', failureRate: 1, failureStatus: 429 },
        {
          id: 'sim-hang',
          timeToFirstTokenMs: 10000,
          tokensPerSecond: 100,
        },
      ],
    }));
  });

  afterAll(async () => {
    await backend?.stop();
  });

  afterEach(async () => {
    await expectLedgerInvariants(knex);
  });

  /** A key for the route: subscribes once, then issues a new key. */
  async function keyFor(route: string): Promise<string> {
    const sub = await knex('subscriptions')
      .where({ service_ref: `route:default/${route}`, user_ref: USER })
      .andWhere({ status: 'active' })
      .first();
    if (!sub) {
      return subscribe(route);
    }
    const issued = await request(backend.server)
      .post(`/api/marketplace/v1/subscriptions/${sub.id}/keys`)
      .set('Authorization', auth);
    expect(issued.status).toBe(201);
    return issued.body.apiKey.secret;
  }

  async function subscribe(route: string) {
    const res = await request(backend.server)
      .post(`/api/marketplace/v1/routes/${route}/subscribe`)
      .set('Authorization', auth)
      .send({});
    expect(res.status).toBe(201);
    expect(res.body.endpoint.model).toBe(route);
    return res.body.apiKey.secret as string;
  }

  function chat(key: string, model: string, extra: object = {}) {
    return request(backend.server)
      .post('/api/marketplace/gateway/v1/chat/completions')
      .set('Authorization', `Bearer ${key}`)
      .send({
        model,
        messages: [{ role: 'user', content: 'Say hi' }],
        max_tokens: 5,
        ...extra,
      });
  }

  /** The ledger rows of one client request (its attempts), oldest first. */
  async function rowsOf(requestId: string) {
    const base = requestId.replace(/\.\d+$/, '');
    await request(backend.server)
      .get(`/api/marketplace/v1/usage/${requestId}`)
      .set('Authorization', auth); // flushes the queued settlements
    const rows = await knex('usage_ledger')
      .where('request_id', base)
      .orWhere('request_id', 'like', `${base}.%`)
      .orderBy('route_attempt');
    return rows.map((r: any) => ({
      requestId: r.request_id,
      service: r.service_ref,
      route: r.route_ref,
      attempt: Number(r.route_attempt),
      status: r.status,
      cost: Number(r.cost_micros),
    }));
  }

  it('lists declared and derived routes with their members', async () => {
    const res = await request(backend.server)
      .get('/api/marketplace/v1/routes')
      .set('Authorization', auth);
    expect(res.status).toBe(200);
    const names = res.body.routes.map((r: any) => r.name);
    expect(names).toEqual(
      expect.arrayContaining([...ROUTES.map(r => r.name), 'sim-llama']),
    );
    const derived = res.body.routes.find((r: any) => r.name === 'sim-llama');
    expect(derived.source).toBe('derived');
    expect(derived.members.map((m: any) => m.name)).not.toContain('sim-ft');
    const price = res.body.routes.find((r: any) => r.name === 'r-price');
    expect(price.members.map((m: any) => m.name)).toEqual([
      'sim-cheap',
      'sim-dear',
    ]);
    expect(price.members[0]).toMatchObject({
      blendedPer1kMicros: 1250,
      timeToFirstTokenP95Ms: null,
      healthy: true,
    });
    const one = await request(backend.server)
      .get('/api/marketplace/v1/routes/r-price')
      .set('Authorization', auth);
    expect(one.status).toBe(200);
    expect(one.body.endpoint.model).toBe('r-price');
    expect(
      (
        await request(backend.server)
          .get('/api/marketplace/v1/routes/nope')
          .set('Authorization', auth)
      ).status,
    ).toBe(404);
    expect(
      (
        await request(backend.server)
          .get('/api/marketplace/v1/routes/Bad%20Name')
          .set('Authorization', auth)
      ).status,
    ).toBe(400);
  });

  it('refuses a bad subscribe body or route name, naming the field and changing nothing', async () => {
    const subscription = async () =>
      (
        await request(backend.server)
          .get('/api/marketplace/v1/routes/r-price')
          .set('Authorization', auth)
      ).body.subscription;
    const before = await subscription();
    for (const [route, body, field] of [
      ['r-price', { spendCapMicros: -1 }, "body field 'spendCapMicros'"],
      ['r-price', { teamRef: '' }, "body field 'teamRef'"],
      ['r-price', { plan: 'gold' }, "body field 'plan'"],
      ['Bad%20Name', {}, "path parameter 'name': is not a route name"],
    ] as const) {
      const res = await request(backend.server)
        .post(`/api/marketplace/v1/routes/${route}/subscribe`)
        .set('Authorization', auth)
        .send(body);
      expect({ route, body, status: res.status }).toEqual({
        route,
        body,
        status: 400,
      });
      expect(res.body.error.message).toContain(field);
    }
    expect(await subscription()).toEqual(before);
  });

  it.each([
    ['r-price', 'sim-cheap'],
    ['r-order', 'sim-dear'],
  ])(
    '%s: one key, the member the policy picks answers and is billed at its price',
    async (route, expected) => {
      const key = await subscribe(route);
      const models = await request(backend.server)
        .get('/api/marketplace/gateway/v1/models')
        .set('Authorization', `Bearer ${key}`);
      expect(models.body.data.map((m: any) => m.id)).toEqual([route]);

      const res = await chat(key, route);
      expect(res.status).toBe(200);
      expect(res.headers['x-marketplace-service']).toBe(expected);
      expect(res.headers['x-marketplace-route']).toBe(route);
      expect(res.body.model).toBe(expected);
      const rows = await rowsOf(res.headers['x-request-id']);
      expect(rows).toEqual([
        {
          requestId: res.headers['x-request-id'],
          service: `modelservice:default/${expected}`,
          route: `route:default/${route}`,
          attempt: 1,
          status: 'ok',
          cost: expect.any(Number),
        },
      ]);
      const usage = res.body.usage;
      const prompt = expected === 'sim-cheap' ? 1000 : 3000;
      expect(rows[0].cost).toBe(
        Math.ceil(
          (usage.prompt_tokens * prompt +
            usage.completion_tokens * prompt * 2) /
            1000,
        ),
      );
    },
  );

  it.each([
    ['r-500', 'a 500', 'upstream_error'],
    ['r-503', 'a 503', 'upstream_error'],
    ['r-429', 'a 429', 'upstream_rejected'],
    ['r-timeout', 'a timeout before the first byte', 'timeout'],
    ['r-down', 'a connection error', 'upstream_error'],
  ])(
    '%s: falls back on %s, records the failed attempt free and charges once',
    async (route, _kind, failedStatus) => {
      const key = await subscribe(route);
      const res = await chat(key, route);
      expect(res.status).toBe(200);
      expect(res.headers['x-marketplace-service']).toBe('sim-cheap');
      expect(res.headers['x-marketplace-attempts']).toBe('2');
      expect(res.body.model).toBe('sim-cheap');
      const rows = await rowsOf(res.headers['x-request-id']);
      expect(rows).toHaveLength(2);
      expect(rows[0]).toMatchObject({
        attempt: 1,
        status: failedStatus,
        cost: 0,
        route: `route:default/${route}`,
      });
      expect(rows[1]).toMatchObject({
        requestId: res.headers['x-request-id'],
        attempt: 2,
        status: 'ok',
        service: 'modelservice:default/sim-cheap',
      });
      expect(rows[1].cost).toBeGreaterThan(0);
      // No double charge: the subscription paid exactly the answering row.
      const sub = await knex('subscriptions')
        .where({ service_ref: `route:default/${route}`, user_ref: USER })
        .andWhere({ status: 'active' })
        .first();
      expect(Number(sub.total_spend_micros)).toBe(rows[1].cost);
      // The failed member is now tried last.
      const listed = await request(backend.server)
        .get(`/api/marketplace/v1/routes/${route}`)
        .set('Authorization', auth);
      const failing = ROUTES.find(r => r.name === route)!.members[0];
      expect(listed.body.route.members.map((m: any) => m.name)).toEqual([
        'sim-cheap',
        failing,
      ]);
      expect(listed.body.route.members[1].healthy).toBe(false);
    },
  );

  it('falls back while streaming, before the first byte, and names the member in every chunk', async () => {
    const key = await keyFor('r-503');
    const res = await chat(key, 'r-503', { stream: true });
    expect(res.status).toBe(200);
    expect(res.headers['x-marketplace-service']).toBe('sim-cheap');
    const chunks = res.text
      .split('\n\n')
      .filter(e => e.startsWith('data: {'))
      .map(e => JSON.parse(e.slice(6)));
    expect(chunks.length).toBeGreaterThan(0);
    expect(new Set(chunks.map(c => c.model))).toEqual(new Set(['sim-cheap']));
  });

  it('answers the last failure when every member fails, charging nothing', async () => {
    const res = await chat(await keyFor('r-all-fail'), 'r-all-fail');
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_unreachable');
    const rows = await rowsOf(res.headers['x-request-id']);
    expect(rows.map((r: any) => [r.attempt, r.status, r.cost])).toEqual([
      [1, 'upstream_error', 0],
      [2, 'upstream_error', 0],
    ]);
  });

  it('skips a member whose context is too small, without a ledger row for it', async () => {
    const res = await chat(await keyFor('r-400'), 'r-400');
    expect(res.status).toBe(200);
    expect(res.headers['x-marketplace-service']).toBe('sim-cheap');
    const rows = await rowsOf(res.headers['x-request-id']);
    expect(rows.map((r: any) => [r.attempt, r.status])).toEqual([[2, 'ok']]);
  });

  it('shows the providers the traffic that reached their services through routes', async () => {
    const res = await request(backend.server)
      .get('/api/marketplace/v1/provider/analytics')
      .set('Authorization', auth);
    expect(res.status).toBe(200);
    const rows = res.body.routeTraffic as any[];
    const of = (route: string, service: string) =>
      rows.find(
        r =>
          r.routeRef === `route:default/${route}` &&
          r.serviceRef === `modelservice:default/${service}`,
      );
    // r-500: one failed attempt at sim-500, answered by sim-cheap.
    expect(of('r-500', 'sim-500')).toMatchObject({
      okRequests: 0,
      grossMicros: 0,
    });
    expect(of('r-500', 'sim-500').requests).toBeGreaterThanOrEqual(1);
    expect(of('r-500', 'sim-cheap').okRequests).toBeGreaterThanOrEqual(1);
    expect(of('r-500', 'sim-cheap').grossMicros).toBeGreaterThan(0);
  });

  it('refuses a route key for a service and a service name for a route key', async () => {
    const key = await subscribe('sim-llama');
    const res = await chat(key, 'sim-cheap');
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('model_not_subscribed');
    const other = await chat(key, 'r-price');
    expect(other.status).toBe(403);
    expect(other.body.error.code).toBe('model_not_subscribed');
    const service = await request(backend.server)
      .post('/api/marketplace/v1/services/sim-cheap/subscribe')
      .set('Authorization', auth)
      .send({});
    const byService = await chat(service.body.apiKey.secret, 'sim-llama');
    expect(byService.status).toBe(403);
  });
});
