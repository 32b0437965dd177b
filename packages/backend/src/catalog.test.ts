import path from 'node:path';
import fs from 'node:fs';
import os from 'node:os';
import request from 'supertest';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessed from '@backstage/plugin-catalog-backend-module-unprocessed';
import catalogModuleMarketplace from '@internal/plugin-catalog-backend-module-marketplace';

jest.setTimeout(120_000);

const examples = path.resolve(__dirname, '../../../examples');

const BAD_SERVICE = `
apiVersion: marketplace.acme.io/v1alpha1
kind: ModelService
metadata:
  name: broken-context-window
spec:
  owner: group:default/ai-platform-team
  providedBy: provider:default/acme-ai-platform
  lifecycle: active
  family: gpt
  pricing: { currency: USD, promptPer1kMicros: 100, completionPer1kMicros: 200 }
  contextWindow: lots
  maxOutputTokens: 1024
  features: { streaming: true }
  apiCompatibility: [openai]
  endpoint: { baseUrl: 'http://localhost:7007/api/demo-upstream/v1', auth: { type: none } }
  geographic: { country: US, region: north-america, dataCenters: [us-east-1] }
  compliance: []
  availability: { schedule: '24/7' }
  sla:
    latencyMs: { p50: 100, p95: 200, p99: 300 }
    uptimePercent: 99
    throughput: { requestsPerSecond: 1, tokensPerSecond: 100 }
    rateLimits: { requestsPerMinute: 60, tokensPerMinute: 10000 }
`;

async function waitFor<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  timeoutMs = 60_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await fn();
    if (value !== undefined) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`Timed out waiting for ${what}`);
    }
    await new Promise(r => setTimeout(r, 250));
  }
}

describe('catalog with the marketplace kinds', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

  it.each(databases.eachSupportedId())(
    'ingests the sample catalog and reports an invalid entity with file and field, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'catalog-test-'));
      const badFile = path.join(dir, 'bad-service.yaml');
      fs.writeFileSync(badFile, BAD_SERVICE);

      const backend = await startTestBackend({
        features: [
          catalogBackend,
          catalogModuleMarketplace,
          catalogModuleUnprocessed,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                processingInterval: { seconds: 1 },
                rules: [
                  {
                    allow: [
                      'User',
                      'Group',
                      'ModelService',
                      'Provider',
                      'Location',
                    ],
                  },
                ],
                locations: [
                  { type: 'file', target: path.join(examples, 'org.yaml') },
                  {
                    type: 'file',
                    target: path.join(examples, 'providers.yaml'),
                  },
                  {
                    type: 'file',
                    target: path.join(examples, 'services.yaml'),
                  },
                  { type: 'file', target: badFile },
                ],
              },
            },
          }),
        ],
      });

      try {
        const auth = mockCredentials.user.header('user:default/guest');
        const services = await waitFor(async () => {
          const res = await request(backend.server)
            .get('/api/catalog/entities/by-query')
            .query({ filter: 'kind=modelservice', limit: 500 })
            .set('Authorization', auth);
          const items = res.body.items ?? [];
          return items.length >= 18 ? items : undefined;
        }, 'the sample services');

        // Every sample service was ingested, the broken one was not.
        const names = services.map((e: any) => e.metadata.name);
        expect(names).not.toContain('broken-context-window');

        // Relations are emitted both ways.
        const withRelations = await waitFor(async () => {
          const res = await request(backend.server)
            .get(
              `/api/catalog/entities/by-name/modelservice/default/${names[0]}`,
            )
            .set('Authorization', auth);
          const types = (res.body.relations ?? []).map((r: any) => r.type);
          return types.includes('providedBy') && types.includes('ownedBy')
            ? res.body
            : undefined;
        }, 'relations on a service');
        const providerRef = withRelations.relations.find(
          (r: any) => r.type === 'providedBy',
        ).targetRef;
        const [, providerName] = /^provider:default\/(.+)$/.exec(providerRef)!;
        const provider = await waitFor(async () => {
          const res = await request(backend.server)
            .get(
              `/api/catalog/entities/by-name/provider/default/${providerName}`,
            )
            .set('Authorization', auth);
          const provides = (res.body.relations ?? []).filter(
            (r: any) => r.type === 'provides',
          );
          return provides.length > 0 ? res.body : undefined;
        }, 'provides relations on the provider');
        expect(provider.relations.map((r: any) => r.targetRef)).toContain(
          `modelservice:default/${names[0]}`,
        );

        // The broken entity never makes it into the catalog; the catalog's unprocessed
        // entities view (what the UI shows) lists it with an error naming file and field.
        const failed = await waitFor(async () => {
          const res = await request(backend.server)
            .get('/api/catalog/entities/unprocessed/pending')
            .set('Authorization', auth);
          const hit = (res.body.entities ?? []).find(
            (e: any) =>
              e.unprocessed_entity?.metadata?.name === 'broken-context-window',
          );
          return hit?.errors?.length ? hit : undefined;
        }, 'the processing error of the broken service');
        const message = JSON.stringify(failed.errors);
        expect(message).toContain(badFile);
        expect(message).toContain('spec.contextWindow must be integer');
      } finally {
        await backend.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );
});
