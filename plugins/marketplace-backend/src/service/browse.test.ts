import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  loadExamples,
  startMarketplaceTestBackend,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(60_000);

const entities = [
  ...loadExamples('providers.yaml'),
  ...loadExamples('services.yaml'),
];
const services = entities.filter((e: any) => e.kind === 'ModelService');

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('GET /marketplace/services on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startMarketplaceTestBackend>>;
  const auth = mockCredentials.user.header('user:default/lena');

  beforeAll(async () => {
    const knex = await databases.init(databaseId);
    backend = await startMarketplaceTestBackend({ knex, entities });
  });
  afterAll(() => backend?.stop());

  const get = (query: string) =>
    request(backend.server)
      .get(`/api/marketplace/marketplace/services${query}`)
      .set('Authorization', auth);

  it('lists services with facets and totals', async () => {
    const res = await get('?limit=100');
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(services.length);
    expect(res.body.items).toHaveLength(services.length);
    const families = Object.values(
      res.body.facets.family as Record<string, number>,
    ).reduce((a, b) => a + b, 0);
    expect(families).toBe(services.length);
    const card = res.body.items[0];
    expect(card).toMatchObject({
      name: expect.any(String),
      provider: { name: expect.any(String), verified: expect.any(Boolean) },
      pricing: { promptPer1kMicros: expect.any(Number) },
      blendedPer1kMicros: expect.any(Number),
      createdAt: expect.any(String),
      updatedAt: expect.any(String),
      metrics: {
        uptimePercent: null,
        uptimeDays: null,
        latencyP95Ms: null,
        tokensPerSecond: null,
        lastProbeUp: null,
        rating: null,
        requests30d: 0,
        tokensTotal: 0,
        activeUsers30d: 0,
      },
    });
    // The provider's own claim does not make it verified.
    expect(res.body.facets.verified.true ?? 0).toBe(0);
  });

  it('filters (repeated and comma-separated), searches and sorts', async () => {
    const res = await get(
      '?family=gpt&family=claude&feature=vision,functionCalling&sort=price-desc&limit=100',
    );
    expect(res.status).toBe(200);
    const expected = services.filter(
      (s: any) =>
        ['gpt', 'claude'].includes(s.spec.family) &&
        s.spec.features.vision &&
        s.spec.features.functionCalling,
    );
    expect(res.body.total).toBe(expected.length);
    const prices = res.body.items.map((i: any) => i.blendedPer1kMicros);
    expect(prices).toEqual([...prices].sort((a: number, b: number) => b - a));
    const search = await get('?q=mistral');
    expect(search.body.items.length).toBeGreaterThan(0);
    expect(search.body.items[0].name).toContain('mistral');
  });

  it.each([
    ['?family=palm', "'family[0]'"],
    ['?limit=10000', "'limit'"],
    ['?sort=cheapest', "'sort'"],
    ['?country=usa', "'country[0]'"],
    ['?verified=yes', "'verified'"],
    ['?colour=red', 'colour'],
  ])('answers %s with a 400 naming the parameter', async (query, name) => {
    const res = await get(query);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(name);
  });

  it('needs a signed-in user', async () => {
    const res = await request(backend.server).get(
      '/api/marketplace/marketplace/services',
    );
    expect(res.status).toBe(401);
  });
});
