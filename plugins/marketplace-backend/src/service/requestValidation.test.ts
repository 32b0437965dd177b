import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  ADMIN,
  CONSUMER,
  loadExamples,
  permissionsFactory,
  sampleUserInfo,
  startMarketplaceTestBackend,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(60_000);

const API = '/api/marketplace';
const SERVICE = 'northwind-gpt-4o';

/*
 * Bad input to the budgets and price-changes routers, whose requests are
 * checked against the OpenAPI document (types, bounds, unknown fields) and by
 * their handlers (the rules across a list's items): a 400 naming the field,
 * and nothing changed.
 */
describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('request validation of budgets and price changes on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startMarketplaceTestBackend>>;

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    backend = await startMarketplaceTestBackend({
      knex,
      entities: [
        ...loadExamples('org.yaml'),
        ...loadExamples('providers.yaml'),
        ...loadExamples('services.yaml'),
      ],
      features: [permissionsFactory, sampleUserInfo().factory],
    });
  });
  afterAll(() => backend?.stop());

  const as = (user: string) => ({
    get: (path: string) =>
      request(backend.server)
        .get(`${API}${path}`)
        .set('Authorization', mockCredentials.user.header(user)),
    send: (method: 'put' | 'post', path: string, body: object) =>
      request(backend.server)
        [method](`${API}${path}`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(body),
  });

  it('budgets: a bad body field or query parameter is a 400 naming it, changing nothing', async () => {
    const me = as(CONSUMER);
    const path = `/v1/budgets/user/${encodeURIComponent(CONSUMER)}`;
    const before = await me.get('/v1/budgets');
    expect(before.status).toBe(200);
    for (const [body, message] of [
      [
        { amountMicros: 1_000_000, mode: 'hard', thresholds: [80, 50] },
        "Invalid body field 'thresholds': must be sorted ascending, without repeats",
      ],
      [
        { amountMicros: 1.5, mode: 'hard' },
        "Invalid body field 'amountMicros': must be integer",
      ],
      [
        { amountMicros: 2 ** 60, mode: 'hard' },
        "Invalid body field 'amountMicros': must be <= 9007199254740991",
      ],
      [
        { amountMicros: 1_000_000, mode: 'strict' },
        "Invalid body field 'mode'",
      ],
    ] as const) {
      const res = await me.send('put', path, body);
      expect({ body, status: res.status }).toEqual({ body, status: 400 });
      expect(res.body.error.message).toContain(message);
    }
    const badQuery = await me.get('/v1/budgets?scope=galaxy');
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.message).toContain("query field 'scope'");
    expect((await me.get('/v1/budgets')).body.items).toEqual(before.body.items);
  });

  it('price changes: a bad body field or query parameter is a 400 naming it, changing nothing', async () => {
    const admin = as(ADMIN);
    const before = await admin.get(`/v1/services/${SERVICE}/price-changes`);
    expect(before.status).toBe(200);
    const { current } = before.body;
    const tier = (fromMonthlyTokens: number) => ({
      fromMonthlyTokens,
      promptPer1kMicros: 1,
      completionPer1kMicros: 1,
    });
    for (const [pricing, message] of [
      [
        { ...current, tiers: [tier(2_000_000), tier(1_000_000)] },
        "Invalid body field 'pricing.tiers': must be sorted by fromMonthlyTokens, without repeats",
      ],
      [
        { ...current, currency: 'EUR' },
        "Invalid body field 'pricing.currency'",
      ],
      [
        { ...current, promptPer1kMicros: -1 },
        "Invalid body field 'pricing.promptPer1kMicros': must be >= 0",
      ],
    ] as const) {
      const res = await admin.send(
        'post',
        `/v1/provider/services/${SERVICE}/price-changes`,
        { pricing },
      );
      expect({ pricing, status: res.status }).toEqual({ pricing, status: 400 });
      expect(res.body.error.message).toContain(message);
    }
    const badDate = await admin.send(
      'post',
      `/v1/provider/services/${SERVICE}/price-changes`,
      { pricing: current, effectiveAt: 'next week' },
    );
    expect(badDate.status).toBe(400);
    expect(badDate.body.error.message).toContain("body field 'effectiveAt'");
    const badQuery = await admin.get(
      `/v1/services/${SERVICE}/price-changes?window=all`,
    );
    expect(badQuery.status).toBe(400);
    expect(badQuery.body.error.message).toContain(
      "Invalid query field 'window': is not a known parameter",
    );
    const badName = await admin.get('/v1/services/no%20such/price-changes');
    expect(badName.status).toBe(400);
    expect(badName.body.error.message).toContain(
      "Invalid path parameter 'name': is not a service name",
    );
    expect(
      (await admin.get(`/v1/services/${SERVICE}/price-changes`)).body,
    ).toEqual(before.body);
  });
});
