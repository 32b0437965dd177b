import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  MARKETPLACE_JSON_SCHEMAS,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { marketplacePlugin } from '../plugin';
import {
  ADMIN,
  ANONYMOUS,
  CONSUMER,
  loadExamples,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(120_000);

/*
 * Publishing through the portal, approvals, unpublishing and the providers,
 * through the whole plugin in a test backend with the real permission policy:
 * every route for an owner, a provider of another team, an admin, a consumer and
 * an anonymous caller; on SQLite and PostgreSQL 15. New services need approval.
 */

const GPT = 'northwind-gpt-4o'; // YAML, ai-platform-team, provider northwind-cloud-ai
const LLAMA = 'research-llama-3-1-8b'; // YAML, research-llm-team
const yamlServices = loadExamples('services.yaml').filter(
  e => e.kind === MODEL_SERVICE_KIND && [GPT, LLAMA].includes(e.metadata.name),
) as ModelServiceEntityV1alpha1[];
// As the catalog has them: with their location.
for (const e of yamlServices) {
  e.metadata.annotations = {
    'backstage.io/managed-by-location':
      'url:https://git.acme.io/ai/catalog-info.yaml',
    'backstage.io/managed-by-origin-location':
      'url:https://git.acme.io/ai/catalog-info.yaml',
  };
}
const providers = loadExamples('providers.yaml').filter(
  e => e.kind === PROVIDER_KIND,
);
const gptEntity = yamlServices.find(e => e.metadata.name === GPT)!;
// Groups and users: notifications name people and teams by display name.
const groups = loadExamples('org.yaml').filter(
  e => e.kind === 'Group' || e.kind === 'User',
);

const API = '/api/marketplace';
const DAY_MS = 86_400_000;

/** A new ModelService for the portal, based on the GPT sample. */
function newService(
  name: string,
  spec: Partial<ModelServiceEntityV1alpha1['spec']> = {},
): ModelServiceEntityV1alpha1 {
  const e = structuredClone(gptEntity);
  return {
    apiVersion: e.apiVersion,
    kind: e.kind,
    metadata: {
      name,
      title: `${name} title`,
      description: 'Published through the portal',
      tags: ['portal'],
      links: [{ url: 'https://docs.acme.io/models', title: 'Docs' }],
    },
    spec: { ...e.spec, ...spec },
  };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'publishing and approvals on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;
    const notifications = { send: jest.fn() };
    const events = mockServices.events.mock();
    const catalog = catalogServiceMock({
      entities: [...yamlServices, ...providers, ...groups],
    });
    const refreshEntity = jest.spyOn(catalog, 'refreshEntity');

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          marketplacePlugin,
          mockServices.database.factory({ knex }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () => catalog,
          }),
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => notifications,
          }),
          events.factory,
          permissionsFactory,
          mockServices.rootConfig.factory({
            data: {
              marketplace: {
                publishing: { requireApproval: true, sunsetDays: 14 },
                // The test upstreams run on this machine: allowed explicitly.
                egress: { allowedHosts: ['127.0.0.1'] },
                // As in app-config.yaml: the teams that own the sample services.
                roles: {
                  providerGroups: [
                    'group:default/ai-platform-team',
                    'group:default/research-llm-team',
                  ],
                },
                secrets: {
                  DEMO_UPSTREAM_API_KEY: {
                    value: 'demo-upstream-key',
                    providers: providers.map(
                      p => `provider:default/${p.metadata.name}`,
                    ),
                  },
                },
              },
            },
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

    beforeEach(() => {
      notifications.send.mockClear();
      events.publish.mockClear();
      refreshEntity.mockClear();
    });

    function call(
      method: 'get' | 'post' | 'put' | 'delete',
      url: string,
      user: string,
      body?: unknown,
    ) {
      let req = request(backend.server)[method](`${API}${url}`);
      if (user !== ANONYMOUS) {
        req = req.set('Authorization', mockCredentials.user.header(user));
      }
      return body === undefined ? req : req.send(body as object);
    }
    const get = (url: string, user: string) => call('get', url, user);

    async function publish(
      name: string,
      user = OWNER,
      spec: Partial<ModelServiceEntityV1alpha1['spec']> = {},
    ) {
      const res = await call('post', '/v1/provider/services', user, {
        entity: newService(name, spec),
      });
      expect(res.status).toBe(201);
      return res.body as { id: string; entityRef: string; status: string };
    }
    async function approve(name: string) {
      const res = await call(
        'post',
        `/v1/admin/approvals/${name}/approve`,
        ADMIN,
      );
      expect(res.status).toBe(200);
    }
    async function count(table: string, where: object = {}) {
      const [{ n }] = await knex(table).where(where).count({ n: '*' });
      return Number(n);
    }
    /** Review states of services (Providers have their own, issue 16). */
    async function countServiceApprovals(status: string) {
      const [{ n }] = await knex('service_approvals')
        .where({ status })
        .andWhere('service_ref', 'like', 'modelservice:%')
        .count({ n: '*' });
      return Number(n);
    }
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
    async function browseNames(user = CONSUMER) {
      const res = await get('/marketplace/services?limit=100', user);
      expect(res.status).toBe(200);
      return res.body.items.map((i: any) => i.name);
    }

    describe('catalog YAML services under review', () => {
      it('start pending: not in browse, lists or the gateway; visible to owners and admins only', async () => {
        // The directory queued them on start.
        expect(
          (
            await knex('service_approvals')
              .where('service_ref', 'like', 'modelservice:%')
              .orderBy('service_ref')
          ).map(r => [r.service_ref, r.status]),
        ).toEqual([
          [`modelservice:default/${GPT}`, 'pending'],
          [`modelservice:default/${LLAMA}`, 'pending'],
        ]);
        expect(await browseNames()).toEqual([]);
        expect((await get('/v1/services', CONSUMER)).body.services).toEqual([]);
        expect((await get(`/v1/services/${GPT}`, CONSUMER)).status).toBe(404);
        expect((await get(`/v1/services/${GPT}`, OTHER)).status).toBe(404);
        for (const user of [OWNER, ADMIN]) {
          const res = await get(`/v1/services/${GPT}`, user);
          expect(res.status).toBe(200);
          expect(res.body.service.publication).toEqual({
            status: 'pending',
            reason: null,
            submittedAt: expect.any(String),
            decidedBy: null,
            decidedAt: null,
            source: 'catalog',
            unpublishedAt: null,
            sunsetAt: null,
            successor: null,
          });
        }
        // Owners see it among their own, with the status.
        const owned = await get('/v1/services?scope=owned', OWNER);
        expect(
          owned.body.services.map((s: any) => s.entity.metadata.name),
        ).toEqual([GPT]);
        // Nobody subscribes to a service under review.
        const ownerSub = await call(
          'post',
          `/v1/services/${GPT}/subscribe`,
          OWNER,
          {},
        );
        expect(ownerSub.status).toBe(409);
        expect(ownerSub.body.error.message).toContain('approval');
        const consumerSub = await call(
          'post',
          `/v1/services/${GPT}/subscribe`,
          CONSUMER,
          {},
        );
        expect(consumerSub.status).toBe(404);
        expect(await count('subscriptions')).toBe(0);
        // Recorded their first price.
        expect(
          await count('service_price_history', {
            service_ref: `modelservice:default/${GPT}`,
          }),
        ).toBe(1);
      });

      it('GET /v1/admin/approvals: admins only, filtered by status', async () => {
        const res = await get('/v1/admin/approvals?status=pending', ADMIN);
        expect(res.status).toBe(200);
        const gpt = res.body.approvals.find(
          (a: any) => a.serviceRef === `modelservice:default/${GPT}`,
        );
        expect(gpt).toEqual({
          serviceRef: `modelservice:default/${GPT}`,
          name: GPT,
          title: gptEntity.metadata.title,
          owner: 'group:default/ai-platform-team',
          providerRef: 'provider:default/northwind-cloud-ai',
          source: 'catalog',
          status: 'pending',
          reason: null,
          changeRejected: false,
          approvedVersionServed: false,
          submittedAt: expect.any(String),
          decidedBy: null,
          decidedAt: null,
          entity: expect.objectContaining({ kind: 'ModelService' }),
          // What the admin must see: where it sends requests, with whose credential.
          endpoint: {
            host: new URL(gptEntity.spec.endpoint.baseUrl).host,
            approvedHost: null,
            changedSinceApproval: null,
          },
          credential: {
            name: 'DEMO_UPSTREAM_API_KEY',
            source: 'config',
            owner: 'provider:default/northwind-cloud-ai',
            fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{12}$/),
            usable: true,
            problem: null,
          },
        });
        expect(
          (await get('/v1/admin/approvals?status=approved', ADMIN)).body
            .approvals,
        ).toEqual([]);
        for (const user of [OWNER, OTHER, CONSUMER]) {
          const denied = await get('/v1/admin/approvals', user);
          expect(denied.status).toBe(403);
          expect(denied.body.error.name).toBe('NotAllowedError');
        }
        expect((await get('/v1/admin/approvals', ANONYMOUS)).status).toBe(401);
        expect(
          await get('/v1/admin/approvals?status=maybe', ADMIN),
        ).toMatchObject(badRequest("field 'status'"));
        expect(await get('/v1/admin/approvals?sort=asc', ADMIN)).toMatchObject(
          badRequest('sort'),
        );
      });

      it('approve: admins only; the service goes live at once, the owners are notified', async () => {
        for (const [user, status] of [
          [OWNER, 403],
          [OTHER, 403],
          [CONSUMER, 403],
          [ANONYMOUS, 401],
        ] as const) {
          const res = await call(
            'post',
            `/v1/admin/approvals/${GPT}/approve`,
            user,
          );
          expect({ user, status: res.status }).toEqual({ user, status });
        }
        expect(await countServiceApprovals('approved')).toBe(0);
        expect(notifications.send).not.toHaveBeenCalled();

        const res = await call(
          'post',
          `/v1/admin/approvals/${GPT}/approve`,
          ADMIN,
        );
        expect(res.status).toBe(200);
        expect(res.body.approval).toMatchObject({
          serviceRef: `modelservice:default/${GPT}`,
          status: 'approved',
          decidedBy: ADMIN,
          decidedAt: expect.any(String),
        });
        // Live for everyone, right away.
        expect(await browseNames()).toEqual([GPT]);
        expect((await get(`/v1/services/${GPT}`, CONSUMER)).status).toBe(200);
        const sub = await call(
          'post',
          `/v1/services/${GPT}/subscribe`,
          CONSUMER,
          {},
        );
        expect(sub.status).toBe(201);
        // The owning group is told; the catalog refreshes the entity's annotation.
        expect(notifications.send).toHaveBeenCalledTimes(1);
        expect(notifications.send).toHaveBeenCalledWith({
          recipients: {
            type: 'entity',
            entityRef: 'group:default/ai-platform-team',
          },
          payload: expect.objectContaining({
            title: expect.stringContaining('approved'),
            // Who approved: the admin's display name, not the ref.
            description: expect.stringMatching(/^Ada Okafor approved /),
            link: `/catalog/default/modelservice/${GPT}`,
          }),
        });
        expect(refreshEntity).toHaveBeenCalledWith(
          `modelservice:default/${GPT}`,
          expect.anything(),
        );
        expect(events.publish).toHaveBeenCalledWith({
          topic: 'marketplace.service.changed',
          eventPayload: {
            serviceRef: `modelservice:default/${GPT}`,
            approvalStatus: 'approved',
          },
        });
        // Approving again changes nothing and notifies nobody.
        notifications.send.mockClear();
        await approve(GPT);
        expect(notifications.send).not.toHaveBeenCalled();
      });

      it('reject: a reason of 1 to 1000 characters; the service leaves browse, the owners see why', async () => {
        for (const body of [
          {},
          { reason: '' },
          { reason: '   ' },
          { reason: 7 },
        ]) {
          const res = await call(
            'post',
            `/v1/admin/approvals/${LLAMA}/reject`,
            ADMIN,
            body,
          );
          expect(res).toMatchObject(badRequest("field 'reason'"));
        }
        expect(
          await call('post', `/v1/admin/approvals/${LLAMA}/reject`, ADMIN, {
            reason: 'x'.repeat(1001),
          }),
        ).toMatchObject(badRequest("field 'reason'"));
        expect(
          await call('post', `/v1/admin/approvals/${LLAMA}/reject`, ADMIN, {
            reason: 'no',
            extra: true,
          }),
        ).toMatchObject(badRequest('extra'));
        expect(
          await call('post', `/v1/admin/approvals/${LLAMA}/approve`, ADMIN, {
            reason: 'no',
          }),
        ).toMatchObject(badRequest('reason'));
        for (const [user, status] of [
          [OTHER, 403],
          [CONSUMER, 403],
          [ANONYMOUS, 401],
        ] as const) {
          const res = await call(
            'post',
            `/v1/admin/approvals/${LLAMA}/reject`,
            user,
            { reason: 'Not reachable' },
          );
          expect({ user, status: res.status }).toEqual({ user, status });
        }
        expect(await countServiceApprovals('rejected')).toBe(0);

        // An approved service can be rejected too: it leaves browse at once.
        await approve(LLAMA);
        expect(await browseNames()).toContain(LLAMA);
        notifications.send.mockClear();
        const res = await call(
          'post',
          `/v1/admin/approvals/${LLAMA}/reject`,
          ADMIN,
          { reason: '  The endpoint is not reachable from our network.  ' },
        );
        expect(res.status).toBe(200);
        expect(res.body.approval).toMatchObject({
          status: 'rejected',
          reason: 'The endpoint is not reachable from our network.',
        });
        expect(await browseNames()).not.toContain(LLAMA);
        expect((await get(`/v1/services/${LLAMA}`, CONSUMER)).status).toBe(404);
        const owner = await get(`/v1/services/${LLAMA}`, OTHER);
        expect(owner.body.service.publication).toMatchObject({
          status: 'rejected',
          reason: 'The endpoint is not reachable from our network.',
        });
        expect(notifications.send).toHaveBeenCalledWith({
          recipients: {
            type: 'entity',
            entityRef: 'group:default/research-llm-team',
          },
          payload: expect.objectContaining({
            title: expect.stringContaining('rejected'),
            description: `Ada Okafor rejected ${LLAMA}: The endpoint is not reachable from our network.`,
          }),
        });
      });

      it('answers 404 for a service it never saw and 400 for a bad name', async () => {
        const unknown = await call(
          'post',
          '/v1/admin/approvals/no-such-model/approve',
          ADMIN,
        );
        expect(unknown.status).toBe(404);
        const bad = await call(
          'post',
          '/v1/admin/approvals/bad!name/approve',
          ADMIN,
        );
        expect(bad).toMatchObject(badRequest('is not a service name'));
      });
    });

    describe('POST /v1/provider/services', () => {
      it('publishes a service for the caller’s group: pending, stored, announced', async () => {
        const entity = newService('acme-portal-one');
        const res = await call('post', '/v1/provider/services', OWNER, {
          entity,
        });
        expect(res.status).toBe(201);
        expect(res.body).toEqual({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          entityRef: 'modelservice:default/acme-portal-one',
          status: 'pending',
          service: {
            changeInReview: false,
            changeRejected: null,
            id: res.body.id,
            name: 'acme-portal-one',
            entityRef: 'modelservice:default/acme-portal-one',
            location: null,
            createdBy: OWNER,
            createdAt: expect.any(String),
            updatedAt: expect.any(String),
            publication: expect.objectContaining({
              status: 'pending',
              source: 'portal',
            }),
            entity: {
              ...entity,
              metadata: { ...entity.metadata, namespace: 'default' },
            },
          },
        });
        const [row] = await knex('published_services').where({
          name: 'acme-portal-one',
        });
        expect(row).toMatchObject({
          owner: 'group:default/ai-platform-team',
          provider_ref: 'provider:default/northwind-cloud-ai',
          created_by: OWNER,
        });
        expect(JSON.parse(row.entity_json)).toEqual(res.body.service.entity);
        expect(
          await count('service_price_history', {
            service_ref: 'modelservice:default/acme-portal-one',
          }),
        ).toBe(1);
        expect(events.publish).toHaveBeenCalledWith({
          topic: 'marketplace.service.changed',
          eventPayload: {
            serviceRef: 'modelservice:default/acme-portal-one',
            entity: res.body.service.entity,
            approvalStatus: 'pending',
          },
        });
        // Under review: the owners see it, the others do not.
        expect((await get('/v1/services/acme-portal-one', OWNER)).status).toBe(
          200,
        );
        expect(
          (await get('/v1/services/acme-portal-one', CONSUMER)).status,
        ).toBe(404);
        expect(await browseNames()).not.toContain('acme-portal-one');
        // Once approved it is live like a YAML service.
        await approve('acme-portal-one');
        expect(await browseNames()).toContain('acme-portal-one');
      });

      it('takes bodies up to its own limit: a router mounted before it does not cap them at a smaller one', async () => {
        // 40 kB of JSON (whitespace counts): over the budgets router's 16 kB,
        // under publishing's 256 kB.
        const body = `${JSON.stringify({
          entity: newService('acme-big-body'),
        })}${' '.repeat(40_000)}`;
        const res = await request(backend.server)
          .post(`${API}/v1/provider/services`)
          .set('Authorization', mockCredentials.user.header(OWNER))
          .set('content-type', 'application/json')
          .send(body);
        expect(res.status).toBe(201);
        // The budgets router keeps its own, smaller limit.
        const budget = await request(backend.server)
          .put(`${API}/v1/budgets/user/${encodeURIComponent(OWNER)}`)
          .set('Authorization', mockCredentials.user.header(OWNER))
          .set('content-type', 'application/json')
          .send(
            `${JSON.stringify({ amountMicros: 1_000_000 })}${' '.repeat(
              20_000,
            )}`,
          );
        expect(budget.status).toBe(413);
      });

      it('answers a repeated request with the service it created (same body, or Idempotency-Key)', async () => {
        const body = { entity: newService('acme-portal-repeat') };
        const first = await call('post', '/v1/provider/services', OWNER, body);
        expect(first.status).toBe(201);
        const again = await call('post', '/v1/provider/services', OWNER, body);
        expect(again.status).toBe(200);
        expect(again.body.id).toBe(first.body.id);
        expect(again.body.status).toBe('pending');
        // The same body from someone else is a conflict.
        const admin = await call('post', '/v1/provider/services', ADMIN, body);
        expect(admin.status).toBe(409);

        const keyed = (key: string, entity: object) =>
          call('post', '/v1/provider/services', OWNER, { entity }).set(
            'Idempotency-Key',
            key,
          );
        const k1 = await keyed('tmpl-run-42', newService('acme-portal-keyed'));
        expect(k1.status).toBe(201);
        // Same key: the original answer, even if the body changed meanwhile.
        const k2 = await keyed(
          'tmpl-run-42',
          newService('acme-portal-keyed', { contextWindow: 64000 }),
        );
        expect(k2.status).toBe(200);
        expect(k2.body.id).toBe(k1.body.id);
        // Same key for another service: conflict.
        const k3 = await keyed('tmpl-run-42', newService('acme-portal-other'));
        expect(k3.status).toBe(409);
        expect(k3.body.error.message).toContain('Idempotency-Key');
        const badKey = await keyed('has space', newService('acme-portal-x'));
        expect(badKey).toMatchObject(badRequest('Idempotency-Key'));
        expect(
          await count('published_services', { name: 'acme-portal-other' }),
        ).toBe(0);
      });

      it('answers 409 for a name taken in the catalog or the portal', async () => {
        const yaml = await call('post', '/v1/provider/services', OWNER, {
          entity: newService(GPT),
        });
        expect(yaml.status).toBe(409);
        expect(yaml.body.error.name).toBe('ConflictError');
        await publish('acme-portal-taken');
        const taken = await call('post', '/v1/provider/services', OWNER, {
          entity: newService('acme-portal-taken', { baseModel: 'other' }),
        });
        expect(taken.status).toBe(409);
        expect(
          await count('published_services', { name: 'acme-portal-taken' }),
        ).toBe(1);
      });

      it('GET /v1/provider/service-names/:name says whether a name is free, pending ones included', async () => {
        await publish('acme-portal-pending-name');
        // Another team's pending service is hidden from OTHER, but its name is taken.
        expect(
          (await get('/v1/services/acme-portal-pending-name', OTHER)).status,
        ).toBe(404);
        for (const name of [GPT, 'acme-portal-pending-name']) {
          const res = await get(`/v1/provider/service-names/${name}`, OTHER);
          expect(res.status).toBe(200);
          expect(res.body).toEqual({
            name,
            available: false,
            reason: `A model service named '${name}' already exists: choose another name`,
          });
        }
        expect(
          (await get('/v1/provider/service-names/brand-new-name', CONSUMER))
            .body,
        ).toEqual({ name: 'brand-new-name', available: true });
        expect(
          (await get('/v1/provider/service-names/Brand-New', OTHER)).body,
        ).toMatchObject({ available: false, reason: /lowercase/ });
        expect(
          await get('/v1/provider/service-names/bad%20name', OTHER),
        ).toMatchObject(badRequest("path parameter 'name'"));
        expect(
          (await get('/v1/provider/service-names/brand-new-name', ANONYMOUS))
            .status,
        ).toBe(401);
      });

      it.each([
        ['no entity', {}, "field 'entity'"],
        ['an entity that is not an object', { entity: 'x' }, "field 'entity'"],
        [
          'an unknown body field',
          { entity: newService('acme-portal-bad'), extra: 1 },
          'extra',
        ],
        [
          'a context window that is no integer',
          {
            entity: newService('acme-portal-bad', {
              contextWindow: 'lots' as any,
            }),
          },
          'Invalid body field \'entity\': ModelService spec.contextWindow must be an integer (a whole number), got "lots"',
        ],
        [
          'a missing spec field',
          {
            entity: (() => {
              const e = newService('acme-portal-bad') as any;
              delete e.spec.pricing;
              return e;
            })(),
          },
          'ModelService spec.pricing is required',
        ],
        [
          'an uppercase name',
          { entity: newService('Acme-Portal-Bad') },
          'metadata.name must be lowercase',
        ],
        [
          'another kind',
          { entity: { ...newService('acme-portal-bad'), kind: 'Component' } },
          'kind',
        ],
        [
          'relations',
          { entity: { ...newService('acme-portal-bad'), relations: [] } },
          'relations',
        ],
        [
          'a managed annotation',
          {
            entity: (() => {
              const e = newService('acme-portal-bad');
              e.metadata.annotations = {
                'marketplace.acme.io/approval-status': 'approved',
              };
              return e;
            })(),
          },
          'marketplace.acme.io/approval-status',
        ],
        [
          'another namespace',
          {
            entity: (() => {
              const e = newService('acme-portal-bad');
              e.metadata.namespace = 'team-a';
              return e;
            })(),
          },
          'metadata.namespace',
        ],
        [
          'an owner that is no group',
          { entity: newService('acme-portal-bad', { owner: OWNER }) },
          'spec.owner must be a group',
        ],
        [
          'an unknown provider',
          {
            entity: newService('acme-portal-bad', {
              providedBy: 'provider:default/nobody',
            }),
          },
          'spec.providedBy',
        ],
      ])(
        'answers 400 for %s, naming the field, and stores nothing',
        async (_what, body, message) => {
          const res = await call('post', '/v1/provider/services', OWNER, body);
          expect(res).toMatchObject(badRequest(message));
          expect(
            await count('published_services', { name: 'acme-portal-bad' }),
          ).toBe(0);
        },
      );

      it('serves the JSON Schemas of the kinds without a token', async () => {
        const res = await request(backend.server).get(
          `${API}/schemas/model-service.json`,
        );
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toContain(
          'application/schema+json',
        );
        expect(JSON.parse(res.text)).toEqual(
          MARKETPLACE_JSON_SCHEMAS['model-service.json'],
        );
        const all = await request(backend.server).get(
          `${API}/schemas/catalog-info.json`,
        );
        expect(JSON.parse(all.text).allOf).toHaveLength(2);
        const unknown = await request(backend.server).get(
          `${API}/schemas/secrets.json`,
        );
        expect(unknown.status).toBe(404);
        expect(unknown.body.error.message).toContain('model-service.json');
      });

      it('answers one 400 naming every problem, unresolved references included', async () => {
        const entity = newService('acme-portal-bad', {
          owner: 'group:default/no-such-team',
          providedBy: 'provider:default/nobody',
          contextWindow: 'lots' as any,
          endpoint: {
            baseUrl: 'http://localhost:7007/api/demo-upstream/v1',
            auth: { type: 'bearer', secretRef: 'NOT_CONFIGURED' },
          },
        }) as any;
        delete entity.spec.lifecycle;
        const res = await call('post', '/v1/provider/services', OWNER, {
          entity,
        });
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(
          "Invalid body field 'entity': ModelService spec.lifecycle is required; " +
            'spec.contextWindow must be an integer (a whole number), got "lots"; ' +
            'spec.providedBy names provider:default/nobody, but there is no such Provider in the catalog; ' +
            'spec.owner names group:default/no-such-team, but there is no such group in the catalog; ' +
            "spec.endpoint.auth.secretRef cannot be used: provider:default/nobody has no credential named 'NOT_CONFIGURED'. Add it on the page of provider:default/nobody (Upstream credentials), or ask the platform team to bind it to provider:default/nobody in marketplace.secrets.",
        );
        expect(
          await count('published_services', { name: 'acme-portal-bad' }),
        ).toBe(0);
      });

      it('lets only providers publish, for their own groups and providers (admins: any)', async () => {
        const consumer = await call('post', '/v1/provider/services', CONSUMER, {
          entity: newService('acme-portal-consumer', {
            owner: 'group:default/checkout-team',
          }),
        });
        expect(consumer.status).toBe(403);
        expect(consumer.body.error.message).toContain('provider role');

        const otherTeam = await call('post', '/v1/provider/services', OTHER, {
          entity: newService('acme-portal-other-team'),
        });
        expect(otherTeam.status).toBe(403);
        expect(otherTeam.body.error.message).toContain('spec.owner');

        const otherProvider = await call(
          'post',
          '/v1/provider/services',
          OTHER,
          {
            entity: newService('acme-portal-other-provider', {
              owner: 'group:default/research-llm-team',
            }),
          },
        );
        expect(otherProvider.status).toBe(403);
        expect(otherProvider.body.error.message).toContain('spec.providedBy');

        const anonymous = await call(
          'post',
          '/v1/provider/services',
          ANONYMOUS,
          {
            entity: newService('acme-portal-anon'),
          },
        );
        expect(anonymous.status).toBe(401);
        expect(
          await count('published_services', { created_by: CONSUMER }),
        ).toBe(0);
        expect(await count('published_services', { created_by: OTHER })).toBe(
          0,
        );

        // Wei publishes for his own team under his own provider; Ada for anyone.
        await publish('research-portal-own', OTHER, {
          owner: 'group:default/research-llm-team',
          providedBy: 'provider:default/acme-research-llm',
        });
        await publish('acme-portal-by-admin', ADMIN);
      });
    });

    describe('managing a published service', () => {
      /** A portal service of ai-platform-team, approved when asked. */
      async function fixture(
        name: string,
        live = true,
        spec: Partial<ModelServiceEntityV1alpha1['spec']> = {},
      ) {
        const { id } = await publish(name, OWNER, spec);
        if (live) {
          await approve(name);
        }
        return id;
      }

      /** An OpenAI-compatible upstream on this machine that answers `content`. */
      async function chatUpstream(content: string) {
        const state = { calls: 0 };
        const server = http.createServer((req, res) => {
          req.resume();
          req.on('end', () => {
            state.calls++;
            res.setHeader('content-type', 'application/json');
            res.end(
              JSON.stringify({
                id: 'chatcmpl-1',
                object: 'chat.completion',
                created: 1,
                model: 'up',
                choices: [
                  {
                    index: 0,
                    message: { role: 'assistant', content },
                    finish_reason: 'stop',
                  },
                ],
                usage: {
                  prompt_tokens: 1000,
                  completion_tokens: 1000,
                  total_tokens: 2000,
                },
              }),
            );
          });
        });
        await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
        const { port } = server.address() as AddressInfo;
        return {
          baseUrl: `http://127.0.0.1:${port}/v1`,
          get calls() {
            return state.calls;
          },
          close: () => new Promise(r => server.close(r)),
        };
      }

      /** A key of the admin's (the consumer's subscriptions are counted below). */
      async function subscribeKey(name: string) {
        const res = await call(
          'post',
          `/v1/services/${name}/subscribe`,
          ADMIN,
          {},
        );
        expect(res.status).toBe(201);
        return res.body.apiKey.secret as string;
      }

      /** One call through the gateway: what it answered and what it cost. */
      async function chat(key: string, model: string) {
        const res = await request(backend.server)
          .post(`${API}/gateway/v1/chat/completions`)
          .set('Authorization', `Bearer ${key}`)
          .send({ model, messages: [{ role: 'user', content: 'hi' }] });
        expect(res.status).toBe(200);
        const usage = await get(
          `/v1/usage/${res.headers['x-request-id']}`,
          ADMIN,
        );
        expect(usage.status).toBe(200);
        return {
          text: res.body.choices[0].message.content as string,
          costMicros: usage.body.usage.costMicros as number,
        };
      }

      it('GET /v1/provider/services lists what the caller may manage', async () => {
        await fixture('acme-list-a', false);
        const names = async (user: string) => {
          const res = await get('/v1/provider/services', user);
          expect(res.status).toBe(200);
          return res.body.services.map((s: any) => s.name);
        };
        const owner = await names(OWNER);
        expect(owner).toContain('acme-list-a');
        expect(owner).toContain(GPT); // YAML ones too
        expect(owner).not.toContain(LLAMA);
        const other = await names(OTHER);
        expect(other).toContain(LLAMA);
        expect(other).not.toContain('acme-list-a');
        const admin = await names(ADMIN);
        expect(admin).toEqual(
          expect.arrayContaining([GPT, LLAMA, 'acme-list-a']),
        );
        expect(await names(CONSUMER)).toEqual([]);
        expect((await get('/v1/provider/services', ANONYMOUS)).status).toBe(
          401,
        );

        const res = await get('/v1/provider/services', OWNER);
        const yaml = res.body.services.find((s: any) => s.name === GPT);
        expect(yaml).toMatchObject({
          id: GPT,
          location: 'url:https://git.acme.io/ai/catalog-info.yaml',
          createdBy: null,
          publication: { source: 'catalog' },
        });
        const portal = res.body.services.find(
          (s: any) => s.name === 'acme-list-a',
        );
        expect(portal).toMatchObject({
          id: expect.stringMatching(/^[0-9a-f-]{36}$/),
          location: null,
          createdBy: OWNER,
          publication: { source: 'portal', status: 'pending' },
        });
      });

      it('GET /v1/provider/services/:id by id or name, with the price history', async () => {
        const pendingId = await fixture('acme-get-pending', false);
        const liveId = await fixture('acme-get-live');
        for (const id of [pendingId, 'acme-get-pending']) {
          const res = await get(`/v1/provider/services/${id}`, OWNER);
          expect(res.status).toBe(200);
          expect(res.body.service).toMatchObject({
            id: pendingId,
            name: 'acme-get-pending',
            priceHistory: [
              {
                promptPer1kMicros: 2500,
                completionPer1kMicros: 10000,
                tiers: gptEntity.spec.pricing.tiers,
                effectiveFrom: expect.any(String),
              },
            ],
          });
        }
        const matrix: Array<[string, string, number]> = [
          [pendingId, ADMIN, 200],
          [pendingId, OTHER, 404], // under review: does not exist for others
          [pendingId, CONSUMER, 404],
          [pendingId, ANONYMOUS, 401],
          [liveId, OWNER, 200],
          [liveId, ADMIN, 200],
          [liveId, OTHER, 403],
          [liveId, CONSUMER, 403],
          [liveId, ANONYMOUS, 401],
          ['00000000-0000-4000-8000-000000000000', ADMIN, 404],
          ['no-such-model', ADMIN, 404],
        ];
        for (const [id, user, status] of matrix) {
          const res = await get(`/v1/provider/services/${id}`, user);
          expect({ id, user, status: res.status }).toEqual({
            id,
            user,
            status,
          });
        }
        expect(await get('/v1/provider/services/bad!id', OWNER)).toMatchObject(
          badRequest('is not a service name'),
        );
      });

      it('PUT updates a portal service; a price change is reviewed, then recorded; the name stays', async () => {
        const id = await fixture('acme-put');
        const changed = newService('acme-put', {
          pricing: {
            currency: 'USD',
            promptPer1kMicros: 3000,
            completionPer1kMicros: 12000,
          },
        });
        const matrix: Array<[string, number]> = [
          [OTHER, 403],
          [CONSUMER, 403],
          [ANONYMOUS, 401],
        ];
        for (const [user, status] of matrix) {
          const res = await call('put', `/v1/provider/services/${id}`, user, {
            entity: changed,
          });
          expect({ user, status: res.status }).toEqual({ user, status });
        }
        expect(
          await count('service_price_history', {
            service_ref: 'modelservice:default/acme-put',
          }),
        ).toBe(1);

        const res = await call('put', `/v1/provider/services/${id}`, OWNER, {
          entity: changed,
        });
        expect(res.status).toBe(200);
        expect(res.body.service.entity.spec.pricing.promptPer1kMicros).toBe(
          3000,
        );
        // The approved version stays live while the new price waits for review.
        expect(res.body.service).toMatchObject({
          changeInReview: true,
          publication: { status: 'approved' },
        });
        expect(res.body.service.priceHistory).toHaveLength(1);
        expect(events.publish).toHaveBeenCalledWith({
          topic: 'marketplace.service.changed',
          eventPayload: {
            serviceRef: 'modelservice:default/acme-put',
            // The catalog keeps showing the approved version.
            entity: expect.objectContaining({
              spec: expect.objectContaining({
                pricing: gptEntity.spec.pricing,
              }),
            }),
            approvalStatus: 'approved',
          },
        });
        expect(
          (await get('/v1/services/acme-put', CONSUMER)).body.service.entity
            .spec.pricing.promptPer1kMicros,
        ).toBe(2500);
        await approve('acme-put');
        const approved = await get(`/v1/provider/services/${id}`, OWNER);
        expect(
          approved.body.service.priceHistory.map((p: any) => [
            p.promptPer1kMicros,
            p.completionPer1kMicros,
          ]),
        ).toEqual([
          [2500, 10000],
          [3000, 12000],
        ]);
        // Browse and subscribers see the new price once approved.
        const detail = await get('/v1/services/acme-put', CONSUMER);
        expect(detail.body.service.entity.spec.pricing.promptPer1kMicros).toBe(
          3000,
        );

        // Admins may change it too; the same price is not recorded twice.
        const admin = await call(
          'put',
          `/v1/provider/services/acme-put`,
          ADMIN,
          {
            entity: {
              ...changed,
              metadata: { ...changed.metadata, title: 'New title' },
            },
          },
        );
        expect(admin.status).toBe(200);
        expect(admin.body.service.priceHistory).toHaveLength(2);

        const renamed = await call(
          'put',
          `/v1/provider/services/${id}`,
          OWNER,
          {
            entity: newService('acme-put-renamed'),
          },
        );
        expect(renamed).toMatchObject(badRequest("'entity.metadata.name'"));
        const invalid = await call(
          'put',
          `/v1/provider/services/${id}`,
          OWNER,
          {
            entity: newService('acme-put', { maxOutputTokens: -1 }),
          },
        );
        expect(invalid).toMatchObject(badRequest('spec.maxOutputTokens'));
        const toOtherTeam = await call(
          'put',
          `/v1/provider/services/${id}`,
          OWNER,
          {
            entity: newService('acme-put', {
              owner: 'group:default/research-llm-team',
            }),
          },
        );
        expect(toOtherTeam.status).toBe(403);
        const [row] = await knex('published_services').where({ id });
        expect(JSON.parse(row.entity_json).metadata.title).toBe('New title');
        expect(row.owner).toBe('group:default/ai-platform-team');
      });

      it('PUT cannot change what an approval holds for: the gateway serves the approved version until an admin approves the change (issue 16)', async () => {
        // Two upstreams: the approved one, and the one an edit moves to.
        const [approvedUpstream, movedUpstream] = await Promise.all([
          chatUpstream('approved upstream'),
          chatUpstream('moved upstream'),
        ]);
        try {
          const id = await fixture('acme-bound', true, {
            endpoint: {
              ...gptEntity.spec.endpoint,
              baseUrl: approvedUpstream.baseUrl,
            },
          });
          const key = await subscribeKey('acme-bound');
          const first = await chat(key, 'acme-bound');
          expect(first.text).toBe('approved upstream');

          // The owner raises the prices tenfold and moves the endpoint.
          const changed = newService('acme-bound', {
            endpoint: {
              ...gptEntity.spec.endpoint,
              baseUrl: movedUpstream.baseUrl,
            },
            pricing: {
              currency: 'USD',
              promptPer1kMicros: 25_000,
              completionPer1kMicros: 100_000,
            },
          });
          const res = await call('put', `/v1/provider/services/${id}`, OWNER, {
            entity: changed,
          });
          expect(res.status).toBe(200);
          // The owners see their change, waiting for review.
          expect(res.body.service).toMatchObject({
            changeInReview: true,
            publication: { status: 'approved' },
            entity: {
              spec: {
                endpoint: { baseUrl: movedUpstream.baseUrl },
                pricing: { promptPer1kMicros: 25_000 },
              },
            },
          });
          // The price history has only what was served.
          expect(res.body.service.priceHistory).toHaveLength(1);

          // The gateway still calls the approved upstream, at the approved prices.
          const during = await chat(key, 'acme-bound');
          expect(during.text).toBe('approved upstream');
          expect(during.costMicros).toBe(first.costMicros);
          expect(movedUpstream.calls).toBe(0);
          // So do standalone gateways (their snapshot of the services).
          const [snapshot] = await knex('gateway_services').where({
            service_ref: 'modelservice:default/acme-bound',
          });
          expect(
            JSON.parse(snapshot.service_json).entity.spec.endpoint.baseUrl,
          ).toBe(approvedUpstream.baseUrl);
          // Browse and the catalog show the approved version.
          const detail = await get('/v1/services/acme-bound', CONSUMER);
          expect(
            detail.body.service.entity.spec.pricing.promptPer1kMicros,
          ).toBe(2500);
          expect(events.publish).toHaveBeenCalledWith({
            topic: 'marketplace.service.changed',
            eventPayload: expect.objectContaining({
              serviceRef: 'modelservice:default/acme-bound',
              approvalStatus: 'approved',
              entity: expect.objectContaining({
                spec: expect.objectContaining({
                  endpoint: expect.objectContaining({
                    baseUrl: approvedUpstream.baseUrl,
                  }),
                }),
              }),
            }),
          });
          // The admins review the new version.
          const queue = await get('/v1/admin/approvals?status=pending', ADMIN);
          const review = queue.body.approvals.find(
            (a: any) => a.name === 'acme-bound',
          );
          expect(review.entity.spec.endpoint.baseUrl).toBe(
            movedUpstream.baseUrl,
          );
          expect(review.endpoint).toMatchObject({
            changedSinceApproval: true,
          });

          // Once approved, the change is served.
          await approve('acme-bound');
          const after = await chat(key, 'acme-bound');
          expect(after.text).toBe('moved upstream');
          const approved = await get(`/v1/provider/services/${id}`, OWNER);
          expect(approved.body.service.changeInReview).toBe(false);
          expect(
            approved.body.service.priceHistory.map(
              (p: any) => p.promptPer1kMicros,
            ),
          ).toEqual([2500, 25_000]);

          // A price change alone is reviewed too.
          const cheaper = structuredClone(changed);
          cheaper.spec.pricing.promptPer1kMicros = 1;
          const repriced = await call(
            'put',
            `/v1/provider/services/${id}`,
            OWNER,
            { entity: cheaper },
          );
          expect(repriced.body.service.changeInReview).toBe(true);
          expect(
            (await get('/v1/services/acme-bound', CONSUMER)).body.service.entity
              .spec.pricing.promptPer1kMicros,
          ).toBe(25_000);
          // Undoing it is no change at all.
          const undone = await call(
            'put',
            `/v1/provider/services/${id}`,
            OWNER,
            { entity: changed },
          );
          expect(undone.body.service).toMatchObject({
            changeInReview: false,
            publication: { status: 'approved' },
          });
          // A title is not what an approval holds for: it applies at once.
          const retitled = await call(
            'put',
            `/v1/provider/services/${id}`,
            OWNER,
            {
              entity: {
                ...changed,
                metadata: { ...changed.metadata, title: 'Retitled' },
              },
            },
          );
          expect(retitled.body.service.changeInReview).toBe(false);
          expect(
            (await get('/v1/services/acme-bound', CONSUMER)).body.service.entity
              .metadata.title,
          ).toBe('Retitled');
        } finally {
          await approvedUpstream.close();
          await movedUpstream.close();
        }
      });

      it('rejecting a change keeps the approved version served; changing the service again sends it back to review (issue 16)', async () => {
        const [approvedUpstream, movedUpstream] = await Promise.all([
          chatUpstream('approved upstream'),
          chatUpstream('moved upstream'),
        ]);
        try {
          const id = await fixture('acme-kept', true, {
            endpoint: {
              ...gptEntity.spec.endpoint,
              baseUrl: approvedUpstream.baseUrl,
            },
          });
          const key = await subscribeKey('acme-kept');
          const first = await chat(key, 'acme-kept');
          expect(first.text).toBe('approved upstream');
          const moved = newService('acme-kept', {
            endpoint: {
              ...gptEntity.spec.endpoint,
              baseUrl: movedUpstream.baseUrl,
            },
          });
          expect(
            (
              await call('put', `/v1/provider/services/${id}`, OWNER, {
                entity: moved,
              })
            ).body.service.changeInReview,
          ).toBe(true);
          const queued = (
            await get('/v1/admin/approvals?status=pending', ADMIN)
          ).body.approvals.find((a: any) => a.name === 'acme-kept');
          expect(queued).toMatchObject({
            status: 'pending',
            approvedVersionServed: true,
            changeRejected: false,
          });

          // The admin rejects the change: the change only.
          const rejected = await call(
            'post',
            '/v1/admin/approvals/acme-kept/reject',
            ADMIN,
            { reason: 'The new endpoint is outside our network' },
          );
          expect(rejected.status).toBe(200);
          expect(rejected.body.approval).toMatchObject({
            status: 'approved',
            changeRejected: true,
            reason: 'The new endpoint is outside our network',
          });
          // Subscribers keep the approved version, at its prices; browse too.
          const after = await chat(key, 'acme-kept');
          expect(after.text).toBe('approved upstream');
          expect(after.costMicros).toBe(first.costMicros);
          expect(movedUpstream.calls).toBe(0);
          const [snapshot] = await knex('gateway_services').where({
            service_ref: 'modelservice:default/acme-kept',
          });
          expect(
            JSON.parse(snapshot.service_json).entity.spec.endpoint.baseUrl,
          ).toBe(approvedUpstream.baseUrl);
          expect((await get('/v1/services/acme-kept', CONSUMER)).status).toBe(
            200,
          );
          // The owners see the rejected change and why; it is not in review.
          const owners = await get(`/v1/provider/services/${id}`, OWNER);
          expect(owners.body.service).toMatchObject({
            changeInReview: false,
            changeRejected: {
              reason: 'The new endpoint is outside our network',
              decidedBy: ADMIN,
            },
            publication: { status: 'approved', reason: null },
            entity: { spec: { endpoint: { baseUrl: movedUpstream.baseUrl } } },
          });
          expect(notifications.send).toHaveBeenLastCalledWith(
            expect.objectContaining({
              payload: expect.objectContaining({
                title: 'Your change to acme-kept title was rejected',
                severity: 'high',
              }),
            }),
          );
          const [audit] = await knex('audit_log')
            .where({ action: 'service.change_rejected' })
            .orderBy('id', 'desc');
          expect(audit).toMatchObject({
            target: 'modelservice:default/acme-kept',
          });
          // Out of the queue until the owners change it again.
          const pending = await get(
            '/v1/admin/approvals?status=pending',
            ADMIN,
          );
          expect(pending.body.approvals.map((a: any) => a.name)).not.toContain(
            'acme-kept',
          );

          // A new change goes back to review; the approved version still serves.
          const movedAgain = structuredClone(moved);
          movedAgain.spec.endpoint.upstreamModel = 'gpt-4o-2024';
          const again = await call(
            'put',
            `/v1/provider/services/${id}`,
            OWNER,
            { entity: movedAgain },
          );
          expect(again.body.service).toMatchObject({
            changeInReview: true,
            changeRejected: null,
          });
          expect((await chat(key, 'acme-kept')).text).toBe('approved upstream');
          expect(
            (
              await get('/v1/admin/approvals?status=pending', ADMIN)
            ).body.approvals.map((a: any) => a.name),
          ).toContain('acme-kept');

          // Rejecting the approved version itself (no change waits) ends it.
          const undone = await call(
            'put',
            `/v1/provider/services/${id}`,
            OWNER,
            {
              entity: newService('acme-kept', {
                endpoint: {
                  ...gptEntity.spec.endpoint,
                  baseUrl: approvedUpstream.baseUrl,
                },
              }),
            },
          );
          expect(undone.body.service).toMatchObject({
            changeInReview: false,
            changeRejected: null,
            publication: { status: 'approved' },
          });
          const ended = await call(
            'post',
            '/v1/admin/approvals/acme-kept/reject',
            ADMIN,
            { reason: 'Withdrawn after an incident' },
          );
          expect(ended.body.approval).toMatchObject({
            status: 'rejected',
            changeRejected: false,
            approvedVersionServed: false,
          });
          const refused = await request(backend.server)
            .post(`${API}/gateway/v1/chat/completions`)
            .set('Authorization', `Bearer ${key}`)
            .send({
              model: 'acme-kept',
              messages: [{ role: 'user', content: 'hi' }],
            });
          expect(refused.status).toBe(404);
          expect(movedUpstream.calls).toBe(0);
        } finally {
          await approvedUpstream.close();
          await movedUpstream.close();
        }
      });

      it('PUT answers 409 for a catalog YAML service, naming where to edit it', async () => {
        const res = await call('put', `/v1/provider/services/${GPT}`, OWNER, {
          entity: newService(GPT),
        });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toContain(
          'edit the catalog-info.yaml in url:https://git.acme.io/ai/catalog-info.yaml',
        );
      });

      it('DELETE unpublishes: no new subscriptions, subscribers notified, served until the sunset', async () => {
        const id = await fixture('acme-retire');
        const sub = await call(
          'post',
          '/v1/services/acme-retire/subscribe',
          CONSUMER,
          {},
        );
        expect(sub.status).toBe(201);

        const matrix: Array<[string, number]> = [
          [OTHER, 403],
          [CONSUMER, 403],
          [ANONYMOUS, 401],
        ];
        for (const [user, status] of matrix) {
          const res = await call('delete', `/v1/provider/services/${id}`, user);
          expect({ user, status: res.status }).toEqual({ user, status });
        }
        for (const sunsetAt of [
          'tomorrow',
          '2020-01-01',
          new Date(Date.now() + 400 * DAY_MS).toISOString(),
        ]) {
          const res = await call(
            'delete',
            `/v1/provider/services/${id}`,
            OWNER,
            {
              sunsetAt,
            },
          );
          expect(res).toMatchObject(badRequest('sunsetAt'));
        }
        expect(
          await call(
            'delete',
            `/v1/provider/services/${id}?sunsetAt=2020-01-01`,
            OWNER,
          ),
        ).toMatchObject(badRequest('sunsetAt'));
        expect(await count('service_unpublications')).toBe(0);

        const before = Date.now();
        const res = await call('delete', `/v1/provider/services/${id}`, OWNER);
        expect(res.status).toBe(200);
        expect(res.body.notifiedSubscribers).toBe(1);
        const sunsetAt = Date.parse(res.body.service.publication.sunsetAt);
        expect(sunsetAt).toBeGreaterThanOrEqual(before + 14 * DAY_MS - 1000);
        expect(sunsetAt).toBeLessThanOrEqual(Date.now() + 14 * DAY_MS);
        expect(res.body.service.publication.unpublishedAt).toEqual(
          expect.any(String),
        );
        expect(notifications.send).toHaveBeenCalledWith({
          recipients: { type: 'entity', entityRef: [CONSUMER] },
          payload: expect.objectContaining({
            description: expect.stringContaining(
              res.body.service.publication.sunsetAt,
            ),
            link: '/catalog/default/modelservice/acme-retire',
          }),
        });
        // Gone from browse and the list; the subscriber still sees it.
        expect(await browseNames()).not.toContain('acme-retire');
        const all = await get('/v1/services', OTHER);
        expect(
          all.body.services.map((s: any) => s.entity.metadata.name),
        ).not.toContain('acme-retire');
        const mine = await get('/v1/services?scope=subscribed', CONSUMER);
        expect(
          mine.body.services.map((s: any) => s.entity.metadata.name),
        ).toContain('acme-retire');
        const newSub = await call(
          'post',
          '/v1/services/acme-retire/subscribe',
          OTHER,
          {},
        );
        expect(newSub.status).toBe(409);
        expect(newSub.body.error.message).toContain('unpublished');

        const again = await call(
          'delete',
          `/v1/provider/services/${id}`,
          OWNER,
        );
        expect(again.status).toBe(409);
      });

      it('DELETE takes a sunset date, works for YAML services and for admins', async () => {
        await approve(GPT);
        const sunsetAt = new Date(Date.now() + 2 * DAY_MS)
          .toISOString()
          .slice(0, 10);
        const res = await call(
          'delete',
          `/v1/provider/services/${GPT}?sunsetAt=${sunsetAt}`,
          ADMIN,
        );
        expect(res.status).toBe(200);
        expect(res.body.service.publication).toMatchObject({
          source: 'catalog',
          sunsetAt: `${sunsetAt}T00:00:00.000Z`,
        });
        // The consumer subscribed in an earlier test.
        expect(res.body.notifiedSubscribers).toBe(1);
      });

      it('DELETE names a live successor, which the subscribers are told about', async () => {
        const id = await fixture('acme-old');
        await fixture('acme-next');
        const sub = await call(
          'post',
          '/v1/services/acme-old/subscribe',
          CONSUMER,
          {},
        );
        expect(sub.status).toBe(201);
        for (const successor of ['no-such-service', 'acme-old', 'Not A Name']) {
          const res = await call(
            'delete',
            `/v1/provider/services/${id}`,
            OWNER,
            { successor },
          );
          expect(res).toMatchObject(badRequest('successor'));
        }
        expect(
          await knex('service_unpublications')
            .where({ service_ref: 'modelservice:default/acme-old' })
            .first(),
        ).toBeUndefined();
        notifications.send.mockClear();
        const res = await call('delete', `/v1/provider/services/${id}`, OWNER, {
          successor: 'acme-next',
        });
        expect(res.status).toBe(200);
        expect(res.body.service.publication.successor).toBe('acme-next');
        expect(notifications.send).toHaveBeenCalledWith({
          recipients: { type: 'entity', entityRef: [CONSUMER] },
          payload: expect.objectContaining({
            description: expect.stringContaining('as its successor'),
          }),
        });
        // The subscriber sees it on the service.
        const detail = await get('/v1/services/acme-old', CONSUMER);
        expect(detail.body.service.publication.successor).toBe('acme-next');
      });

      it('after the sunset, the gateway answers 410', async () => {
        const id = await fixture('acme-sunset');
        const sub = await call(
          'post',
          '/v1/services/acme-sunset/subscribe',
          CONSUMER,
          {},
        );
        expect(sub.status).toBe(201);
        const sunsetAt = new Date(Date.now() + 1500).toISOString();
        const res = await call('delete', `/v1/provider/services/${id}`, OWNER, {
          sunsetAt,
        });
        expect(res.status).toBe(200);
        await new Promise(r => setTimeout(r, 1600));
        // The Test API runs the gateway's pipeline on the consumer's subscription.
        const test = await call(
          'post',
          '/v1/services/acme-sunset/test',
          CONSUMER,
          {
            messages: [{ role: 'user', content: 'hi' }],
          },
        );
        expect(test.status).toBe(410);
        expect(test.body.error).toMatchObject({
          code: 'model_sunset',
          param: 'model',
        });
        // And the catalog no longer gets it.
        const internal = await request(backend.server)
          .get(`${API}/v1/internal/published-entities`)
          .set('Authorization', mockCredentials.service.header());
        expect(
          internal.body.entities.map((e: any) => e.metadata.name),
        ).not.toContain('acme-sunset');
      });
    });

    describe('providers', () => {
      it('GET /v1/providers lists providers with their live services', async () => {
        const res = await get('/v1/providers', CONSUMER);
        expect(res.status).toBe(200);
        expect(
          res.body.providers.map((p: any) => p.entity.metadata.name),
        ).toEqual(providers.map(p => p.metadata.name).sort());
        const northwind = res.body.providers.find(
          (p: any) => p.ref === 'provider:default/northwind-cloud-ai',
        );
        const live = (
          await get('/marketplace/services?limit=100', CONSUMER)
        ).body.items.filter(
          (i: any) => i.provider.ref === 'provider:default/northwind-cloud-ai',
        );
        expect(northwind.serviceCount).toBe(live.length);
        expect((await get('/v1/providers', ANONYMOUS)).status).toBe(401);
      });

      it('GET /v1/providers/:id returns the provider and its live services', async () => {
        await publish('acme-provider-pending');
        const res = await get('/v1/providers/northwind-cloud-ai', CONSUMER);
        expect(res.status).toBe(200);
        expect(res.body.provider).toMatchObject({
          ref: 'provider:default/northwind-cloud-ai',
          entity: expect.objectContaining({ kind: 'Provider' }),
        });
        const names = res.body.services.map((s: any) => s.entity.metadata.name);
        expect(names).not.toContain('acme-provider-pending');
        expect(res.body.services.length).toBe(res.body.provider.serviceCount);
        expect(res.body.services[0]).toEqual({
          entity: expect.any(Object),
          subscription: null,
          owned: false,
          publication: expect.objectContaining({ status: 'approved' }),
        });
        expect((await get('/v1/providers/nobody', CONSUMER)).status).toBe(404);
        expect(await get('/v1/providers/bad!id', CONSUMER)).toMatchObject(
          badRequest('is not a provider name'),
        );
        expect(
          (await get('/v1/providers/northwind-cloud-ai', ANONYMOUS)).status,
        ).toBe(401);
      });
    });

    describe('internal routes for the catalog module', () => {
      it('answer service principals only', async () => {
        await publish('acme-internal');
        for (const url of [
          '/v1/internal/published-entities',
          '/v1/internal/approvals',
        ]) {
          const service = await request(backend.server)
            .get(`${API}${url}`)
            .set('Authorization', mockCredentials.service.header());
          expect(service.status).toBe(200);
          for (const user of [ADMIN, OWNER]) {
            const res = await get(url, user);
            expect({ url, user, status: res.status }).toEqual({
              url,
              user,
              status: 403,
            });
          }
          expect((await get(url, ANONYMOUS)).status).toBe(401);
        }
        const entities = await request(backend.server)
          .get(`${API}/v1/internal/published-entities`)
          .set('Authorization', mockCredentials.service.header());
        const published = entities.body.entities.find(
          (e: any) => e.metadata.name === 'acme-internal',
        );
        expect(published).toMatchObject({
          kind: 'ModelService',
          metadata: { name: 'acme-internal', namespace: 'default' },
        });
        // Only portal-published services.
        expect(
          entities.body.entities.map((e: any) => e.metadata.name),
        ).not.toContain(LLAMA);
        const approvals = await request(backend.server)
          .get(`${API}/v1/internal/approvals`)
          .set('Authorization', mockCredentials.service.header());
        expect(approvals.body.approvals).toMatchObject({
          'modelservice:default/acme-internal': 'pending',
          [`modelservice:default/${LLAMA}`]: 'rejected',
        });
      });
    });
  },
);
