import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import {
  estimateMonthlyCost,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
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
const services = entities.filter(
  e => e.kind === 'ModelService',
) as ModelServiceEntityV1alpha1[];

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('GET /marketplace/recommendations on %p', databaseId => {
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
      .get(`/api/marketplace/marketplace/recommendations${query}`)
      .set('Authorization', auth);

  it('ranks the services meeting every need by expected monthly cost', async () => {
    const res = await get(
      '?feature=vision&region=north-america&requestsPerMonth=20000&avgPromptTokens=800&avgCompletionTokens=300',
    );
    expect(res.status).toBe(200);
    const wanted = services.filter(
      s =>
        s.spec.lifecycle !== 'deprecated' &&
        s.spec.features.vision === true &&
        s.spec.geographic.region === 'north-america',
    );
    expect(wanted.length).toBeGreaterThan(1);
    const names = res.body.matches.map((m: any) => m.service.name);
    expect([...names].sort()).toEqual(wanted.map(s => s.metadata.name).sort());
    const costs = res.body.matches.map((m: any) => m.expectedMonthlyCostMicros);
    expect(costs).toEqual([...costs].sort((a: number, b: number) => a - b));
    // The cost is the calculator's, volume tiers applied.
    const first = wanted.find(s => s.metadata.name === names[0])!;
    expect(costs[0]).toBe(
      estimateMonthlyCost(first.spec.pricing, {
        requestsPerMonth: 20000,
        avgPromptTokens: 800,
        avgCompletionTokens: 300,
      }).costMicros,
    );
    // Every other service is listed with the needs it fails.
    expect(res.body.excluded).toHaveLength(services.length - wanted.length);
    for (const x of res.body.excluded) {
      expect(x.reasons.length).toBeGreaterThan(0);
      const s = services.find(e => e.metadata.name === x.service.name)!;
      const needs = x.reasons.map((r: any) => r.need);
      expect(needs.includes('feature')).toBe(s.spec.features.vision !== true);
      expect(needs.includes('region')).toBe(
        s.spec.geographic.region !== 'north-america',
      );
    }
    expect(res.body.matches[0].service.metrics).toMatchObject({
      timeToFirstTokenP95Ms: null,
      tokensPerSecond: null,
      uptimePercent: null,
    });
  });

  it('never lets a service without measurements meet a measured need', async () => {
    const res = await get('?maxTtftMs=5000&minUptime=90');
    expect(res.status).toBe(200);
    expect(res.body.matches).toEqual([]);
    expect(res.body.excluded[0].reasons).toEqual([
      { need: 'ttft', message: 'no measured time to first token yet' },
      { need: 'uptime', message: 'no measured uptime yet' },
    ]);
  });

  it('answers 400 naming the field for bad needs', async () => {
    for (const [query, field] of [
      ['?feature=telepathy', 'feature'],
      ['?minUptime=101', 'minUptime'],
      ['?requestsPerMonth=-1', 'requestsPerMonth'],
      ['?maxBlendedPer1kMicros=cheap', 'maxBlendedPer1kMicros'],
      ['?colour=blue', ''],
    ]) {
      const res = await get(query);
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(field);
    }
  });

  it('needs a signed-in user', async () => {
    const res = await request(backend.server).get(
      '/api/marketplace/marketplace/recommendations',
    );
    expect(res.status).toBe(401);
  });
});
