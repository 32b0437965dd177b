import http from 'node:http';
import { AddressInfo } from 'node:net';
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
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';
import catalogBackend from '@backstage/plugin-catalog-backend';
import catalogModuleUnprocessed from '@backstage/plugin-catalog-backend-module-unprocessed';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import catalogModuleMarketplace from '@internal/plugin-catalog-backend-module-marketplace';
import marketplaceBackend from '@internal/plugin-marketplace-backend';
import { parseAllDocuments, stringify } from 'yaml';

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
        expect(message).toContain('spec.contextWindow must be an integer');
      } finally {
        await backend.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'shows services published through the portal as ModelService entities with their approval status, on %p',
    async databaseId => {
      // A database per plugin, as in production.
      const knexes: Record<string, Knex> = {
        catalog: await databases.init(databaseId),
        marketplace: await databases.init(databaseId),
      };
      // One events service for both plugins, like the events backend provides.
      const events = mockServices.events();
      const backend = await startTestBackend({
        features: [
          catalogBackend,
          catalogModuleMarketplace,
          marketplaceBackend,
          createServiceFactory({
            service: coreServices.database,
            deps: { plugin: coreServices.pluginMetadata },
            factory: ({ plugin }) =>
              mockServices.database({ knex: knexes[plugin.getId()] }),
          }),
          createServiceFactory({
            service: eventsServiceRef,
            deps: {},
            factory: () => events,
          }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                processingInterval: { seconds: 1 },
                rules: [
                  { allow: ['User', 'Group', 'ModelService', 'Provider'] },
                ],
                locations: [
                  { type: 'file', target: path.join(examples, 'org.yaml') },
                  {
                    type: 'file',
                    target: path.join(examples, 'providers.yaml'),
                  },
                ],
              },
              marketplace: {
                publishing: { requireApproval: true },
                // The credential the sample names; publishing checks it exists.
                secrets: { DEMO_UPSTREAM_API_KEY: 'upstream-key' },
              },
            },
          }),
        ],
      });

      try {
        const auth = mockCredentials.user.header('user:default/samira.haddad');
        const catalogEntity = async () => {
          const res = await request(backend.server)
            .get(
              '/api/catalog/entities/by-name/modelservice/default/acme-portal-e2e',
            )
            .set('Authorization', auth);
          return res.status === 200 ? res.body : undefined;
        };
        // The directory reads the providers from the catalog.
        await waitFor(async () => {
          const res = await request(backend.server)
            .get('/api/marketplace/v1/providers')
            .set('Authorization', auth);
          return res.body.providers?.length > 0 ? true : undefined;
        }, 'the providers in the marketplace');

        const sample = parseAllDocuments(
          fs.readFileSync(path.join(examples, 'services.yaml'), 'utf8'),
        )
          .map(d => d.toJS())
          .find(e => e?.metadata?.name === 'northwind-gpt-4o');
        const entity = {
          ...sample,
          metadata: {
            name: 'acme-portal-e2e',
            title: 'Published in the portal',
          },
        };
        const published = await request(backend.server)
          .post('/api/marketplace/v1/provider/services')
          .set('Authorization', auth)
          .send({ entity });
        expect(published.body).toEqual(
          expect.objectContaining({ status: 'pending' }),
        );
        expect(published.status).toBe(201);

        const pending = await waitFor(async () => {
          const e = await catalogEntity();
          return e?.metadata.annotations?.[
            'marketplace.acme.io/approval-status'
          ] === 'pending' &&
            e.relations?.some((r: any) => r.type === 'providedBy')
            ? e
            : undefined;
        }, 'the published service in the catalog, pending');
        expect(pending.metadata.annotations).toMatchObject({
          'backstage.io/managed-by-location': 'marketplace:acme-portal-e2e',
          'backstage.io/managed-by-origin-location':
            'marketplace:acme-portal-e2e',
        });
        expect(pending.spec).toEqual(sample.spec);
        expect(
          pending.relations.map((r: any) => `${r.type} ${r.targetRef}`).sort(),
        ).toEqual([
          'ownedBy group:default/ai-platform-team',
          'providedBy provider:default/northwind-cloud-ai',
        ]);

        const approved = await request(backend.server)
          .post('/api/marketplace/v1/admin/approvals/acme-portal-e2e/approve')
          .set(
            'Authorization',
            mockCredentials.user.header('user:default/ada'),
          );
        expect(approved.status).toBe(200);
        await waitFor(async () => {
          const e = await catalogEntity();
          return e?.metadata.annotations?.[
            'marketplace.acme.io/approval-status'
          ] === 'approved'
            ? e
            : undefined;
        }, 'the approval in the catalog');
      } finally {
        await backend.stop();
      }
    },
  );

  it.each(databases.eachSupportedId())(
    'checks a file registered by URL: every problem at once, unresolved references included; entities of the same file count, on %p',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const sample = parseAllDocuments(
        fs.readFileSync(
          path.join(examples, 'sample-team-repo/catalog-info.yaml'),
          'utf8',
        ),
      )[0].toJS();
      // A stand-in repository host, as a team's would serve its files.
      const files: Record<string, string> = {
        // A new Provider and its service in one file.
        '/team/catalog-info.yaml': [
          stringify({
            apiVersion: 'marketplace.acme.io/v1alpha1',
            kind: 'Provider',
            metadata: { name: 'team-ai' },
            spec: {
              owner: 'group:default/ai-platform-team',
              displayName: 'Team AI',
              verification: { status: 'pending' },
              headquarters: { country: 'DE', region: 'europe' },
              compliance: [],
              contact: { email: 'team-ai@acme.io' },
            },
          }),
          stringify({
            ...sample,
            metadata: { name: 'team-ai-assistant' },
            spec: { ...sample.spec, providedBy: 'provider:default/team-ai' },
          }),
        ].join('---\n'),
        '/broken/catalog-info.yaml': stringify({
          ...sample,
          metadata: { name: 'team-broken' },
          spec: {
            ...sample.spec,
            owner: 'group:default/ghost-team',
            providedBy: 'provider:default/nobody',
            contextWindow: 'lots',
            endpoint: {
              ...sample.spec.endpoint,
              auth: { type: 'bearer', secretRef: 'NOPE_KEY' },
            },
          },
        }),
      };
      const host = http.createServer((req, res) => {
        const body = files[req.url ?? ''];
        res.writeHead(body ? 200 : 404, { 'content-type': 'text/yaml' });
        res.end(body ?? 'not found');
      });
      await new Promise<void>(resolve =>
        host.listen(0, '127.0.0.1', () => resolve()),
      );
      const origin = `127.0.0.1:${(host.address() as AddressInfo).port}`;

      const backend = await startTestBackend({
        features: [
          catalogBackend,
          catalogModuleMarketplace,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              backend: { reading: { allow: [{ host: origin }] } },
              catalog: {
                processingInterval: { seconds: 1 },
                rules: [
                  { allow: ['User', 'Group', 'ModelService', 'Provider'] },
                ],
                locations: [
                  { type: 'file', target: path.join(examples, 'org.yaml') },
                  {
                    type: 'file',
                    target: path.join(examples, 'providers.yaml'),
                  },
                ],
              },
              marketplace: {
                secrets: { DEMO_UPSTREAM_API_KEY: 'upstream-key' },
              },
            },
          }),
        ],
      });

      try {
        const auth = mockCredentials.user.header('user:default/samira.haddad');
        await waitFor(async () => {
          const res = await request(backend.server)
            .get(
              '/api/catalog/entities/by-name/provider/default/acme-ai-platform',
            )
            .set('Authorization', auth);
          return res.status === 200 ? true : undefined;
        }, 'the sample providers');
        const register = (file: string) =>
          request(backend.server)
            .post('/api/catalog/locations')
            .query({ dryRun: 'true' })
            .set('Authorization', auth)
            .send({ type: 'url', target: `http://${origin}${file}` });

        const broken = await register('/broken/catalog-info.yaml');
        expect(broken.status).toBe(400);
        const message: string = broken.body.error.message;
        expect(message).toContain(
          `Invalid ModelService 'team-broken' in url:http://${origin}/broken/catalog-info.yaml: ModelService spec.contextWindow must be an integer (a whole number), got "lots"; ` +
            'spec.owner names group:default/ghost-team, but there is no such group in the catalog; ' +
            // No marketplace backend runs in this test, so the credential bindings
            // are unknown and the secretRef is left to the gateway's own check
            // (the processor's credential check is in its own tests).
            'spec.providedBy names provider:default/nobody, but there is no such Provider in the catalog',
        );

        const team = await register('/team/catalog-info.yaml');
        expect(team.body.error).toBeUndefined();
        expect(team.status).toBe(201);
        expect(
          team.body.entities.map((e: any) => `${e.kind}:${e.metadata.name}`),
        ).toEqual(
          expect.arrayContaining([
            'Provider:team-ai',
            'ModelService:team-ai-assistant',
          ]),
        );
      } finally {
        await backend.stop();
        await new Promise(resolve => host.close(resolve));
      }
    },
  );
});
