import {
  coreServices,
  createServiceFactory,
  LoggerService,
} from '@backstage/backend-plugin-api';
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
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { randomBytes } from 'crypto';
import http from 'http';
import { Knex } from 'knex';
import { AddressInfo } from 'net';
import request from 'supertest';
import { connectDatabase } from '../stores/migrate';
import { DatabaseSubscriptionStore } from '../stores/SubscriptionStore';
import { marketplacePlugin } from '../plugin';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import {
  ADMIN,
  CONSUMER,
  loadExamples,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(120_000);

/*
 * Upstream credentials belong to a provider. Through the whole plugin in a test
 * backend (real permission policy) on SQLite and PostgreSQL: a service of one
 * provider naming another provider's credential is refused at publish, and one
 * written straight to the database (past every check) is refused by the
 * gateway without any request reaching its upstream. Providers manage their own
 * credentials write-only; rotation applies to the next request. No value ever
 * appears in an answer, the audit log or the logs.
 */

const API = '/api/marketplace';
const ACME = 'provider:default/acme-ai-platform'; // owned by ai-platform-team (OWNER)
const RESEARCH = 'provider:default/acme-research-llm'; // research-llm-team (OTHER)
const ACME_CONFIG_KEY = `acme-config-${randomBytes(12).toString('hex')}`;
const DEMO_KEY = `demo-${randomBytes(12).toString('hex')}`;

const template = loadExamples('services.yaml').find(
  e => e.kind === MODEL_SERVICE_KIND,
) as ModelServiceEntityV1alpha1;
const providers = loadExamples('providers.yaml').filter(
  e => e.kind === PROVIDER_KIND,
);

/** Every request an upstream received (method, path and headers). */
interface Received {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
}

function service(
  name: string,
  opts: {
    providedBy: string;
    owner: string;
    baseUrl: string;
    secretRef: string;
  },
): ModelServiceEntityV1alpha1 {
  const e = structuredClone(template);
  return {
    apiVersion: e.apiVersion,
    kind: e.kind,
    metadata: { name, title: name, description: 'Credential scope test' },
    spec: {
      ...e.spec,
      owner: opts.owner,
      providedBy: opts.providedBy,
      lifecycle: 'active',
      endpoint: {
        baseUrl: opts.baseUrl,
        upstreamModel: 'gpt-4o',
        auth: { type: 'bearer', secretRef: opts.secretRef },
      },
    },
  };
}

/** A logger that keeps every message and its fields. */
function capturingLogger(lines: string[]): LoggerService {
  const logger: LoggerService = {
    error: (m, meta) => void lines.push(`${m} ${JSON.stringify(meta ?? {})}`),
    warn: (m, meta) => void lines.push(`${m} ${JSON.stringify(meta ?? {})}`),
    info: (m, meta) => void lines.push(`${m} ${JSON.stringify(meta ?? {})}`),
    debug: (m, meta) => void lines.push(`${m} ${JSON.stringify(meta ?? {})}`),
    child: () => logger,
  };
  return logger;
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'provider credentials on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;
    let upstream: http.Server;
    let upstreamBase: string;
    const received: Received[] = [];
    const logs: string[] = [];
    /** Everything that must never contain a credential value. */
    const answers: string[] = [];
    let attackerKey: string;
    let attackerStoredKey: string;
    let acmeKey: string;
    let borrowerKey: string;
    /** ACME's stored credential as first added, then rotated. */
    let storedValue = '';
    let rotatedValue = '';
    // Tasks (the health probes) run only when a test triggers them.
    const scheduler = mockServices.scheduler();

    beforeAll(async () => {
      upstream = http.createServer((req, res) => {
        received.push({
          method: req.method ?? '',
          url: req.url ?? '',
          headers: req.headers,
        });
        req.resume();
        res.setHeader('content-type', 'application/json');
        if (req.method === 'GET' && req.url?.endsWith('/models')) {
          // The health probe's model list.
          res.end(
            JSON.stringify({
              object: 'list',
              data: [{ id: 'gpt-4o', object: 'model', owned_by: 'acme' }],
            }),
          );
          return;
        }
        res.end(
          JSON.stringify({
            id: 'c1',
            object: 'chat.completion',
            created: 1,
            model: 'gpt-4o',
            choices: [
              {
                index: 0,
                message: { role: 'assistant', content: 'hi' },
                finish_reason: 'stop',
              },
            ],
            usage: { prompt_tokens: 3, completion_tokens: 1, total_tokens: 4 },
          }),
        );
      });
      await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()));
      upstreamBase = `http://127.0.0.1:${
        (upstream.address() as AddressInfo).port
      }/v1`;

      knex = await databases.init(databaseId);
      // Forged entities, written straight to the database: they never passed
      // the publish check, and are approved.
      const db = await connectDatabase(mockServices.database({ knex }));
      const forge = async (entity: ModelServiceEntityV1alpha1) => {
        const now = Date.now();
        await db('published_services').insert({
          id: `00000000-0000-4000-8000-${randomBytes(6).toString('hex')}`,
          name: entity.metadata.name,
          entity_json: JSON.stringify(entity),
          owner: entity.spec.owner,
          provider_ref: entity.spec.providedBy,
          created_by: OTHER,
          idempotency_key: null,
          created_at: now,
          updated_at: now,
        });
        await db('service_approvals').insert({
          service_ref: `modelservice:default/${entity.metadata.name}`,
          status: 'approved',
          reason: null,
          submitted_at: now,
          decided_by: ADMIN,
          decided_at: now,
        });
        const subs = new DatabaseSubscriptionStore(db);
        const { apiKey } = await subs.create({
          serviceRef: `modelservice:default/${entity.metadata.name}`,
          userRef: CONSUMER,
          teamRef: null,
          spendCapMicros: null,
          trialTokens: 0,
        });
        return apiKey.secret;
      };
      // Research's service, pointed at the attacker's server, naming ACME's
      // config credential and (below) ACME's stored one.
      attackerKey = await forge(
        service('forged-config-key', {
          providedBy: RESEARCH,
          owner: 'group:default/research-llm-team',
          baseUrl: upstreamBase,
          secretRef: 'ACME_UPSTREAM_KEY',
        }),
      );
      attackerStoredKey = await forge(
        service('forged-stored-key', {
          providedBy: RESEARCH,
          owner: 'group:default/research-llm-team',
          baseUrl: upstreamBase,
          secretRef: 'ACME_STORED_KEY',
        }),
      );
      // ACME's own service using its stored credential.
      acmeKey = await forge(
        service('acme-own', {
          providedBy: ACME,
          owner: 'group:default/ai-platform-team',
          baseUrl: upstreamBase,
          secretRef: 'ACME_STORED_KEY',
        }),
      );

      // Research's catalog YAML service naming ACME's Provider (so that ACME's
      // credential is bound to it), pointed at Research's server; its approval
      // and a subscription forged straight into the store.
      await db('service_approvals').insert({
        service_ref: 'modelservice:default/research-borrows-acme',
        status: 'approved',
        reason: null,
        submitted_at: Date.now(),
        decided_by: ADMIN,
        decided_at: Date.now(),
      });
      borrowerKey = (
        await new DatabaseSubscriptionStore(db).create({
          serviceRef: 'modelservice:default/research-borrows-acme',
          userRef: CONSUMER,
          teamRef: null,
          spendCapMicros: null,
          trialTokens: 0,
        })
      ).apiKey.secret;

      backend = await startTestBackend({
        features: [
          marketplacePlugin,
          mockServices.database.factory({ knex }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () =>
              catalogServiceMock({
                entities: [
                  ...providers,
                  {
                    ...service('research-borrows-acme', {
                      providedBy: ACME,
                      owner: 'group:default/research-llm-team',
                      baseUrl: upstreamBase,
                      secretRef: 'ACME_UPSTREAM_KEY',
                    }),
                    metadata: {
                      name: 'research-borrows-acme',
                      namespace: 'default',
                      title: 'research-borrows-acme',
                      annotations: {
                        'backstage.io/managed-by-location':
                          'url:https://git.research.example/catalog-info.yaml',
                      },
                    },
                  },
                  // The owner groups a published service must name.
                  ...['ai-platform-team', 'research-llm-team'].map(name => ({
                    apiVersion: 'backstage.io/v1alpha1',
                    kind: 'Group',
                    metadata: { name, namespace: 'default' },
                    spec: { type: 'team', children: [] },
                  })),
                ],
              }),
          }),
          createServiceFactory({
            service: coreServices.scheduler,
            deps: {},
            factory: () => scheduler,
          }),
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({ send: jest.fn() }),
          }),
          createServiceFactory({
            service: coreServices.logger,
            deps: {},
            factory: () => capturingLogger(logs),
          }),
          mockServices.events.factory(),
          permissionsFactory,
          mockServices.rootConfig.factory({
            data: {
              marketplace: {
                publishing: { requireApproval: true },
                // Both teams may publish (as in app-config.yaml), each for its own Providers.
                roles: {
                  providerGroups: [
                    'group:default/ai-platform-team',
                    'group:default/research-llm-team',
                  ],
                },
                // The test upstreams run on this machine: allowed explicitly.
                egress: { allowedHosts: ['localhost', '127.0.0.1'] },
                // Probes run when a test triggers them (the scheduler above).
                monitoring: { enabled: true },
                credentials: {
                  encryptionKeys: [randomBytes(32).toString('base64')],
                },
                secrets: {
                  ACME_UPSTREAM_KEY: {
                    value: ACME_CONFIG_KEY,
                    providers: [ACME],
                  },
                  DEMO_UPSTREAM_API_KEY: {
                    value: DEMO_KEY,
                    providers: [ACME, RESEARCH],
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
      await new Promise(r => upstream.close(r));
    });

    // The requests these tests send through the gateway are billed exactly once.
    afterEach(async () => {
      await expectLedgerInvariants(knex);
    });

    /** Runs the health probes once, as the scheduler would; the new probe rows. */
    async function probe() {
      const since = Number(
        (await knex('service_probes').max({ m: 'id' }).first())?.m ?? 0,
      );
      await scheduler.triggerTask('marketplace-monitoring-probe');
      return knex('service_probes')
        .where('id', '>', since)
        .select('service_ref', 'outcome', 'error_kind', 'http_status');
    }

    function call(
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      user?: string,
    ) {
      const req = request(backend.server)[method](`${API}${path}`);
      return user
        ? req.set('authorization', mockCredentials.user.header(user))
        : req;
    }

    async function chat(key: string, model: string) {
      const res = await request(backend.server)
        .post(`${API}/gateway/v1/chat/completions`)
        .set('authorization', `Bearer ${key}`)
        .send({ model, messages: [{ role: 'user', content: 'hello' }] });
      answers.push(JSON.stringify(res.body), JSON.stringify(res.headers));
      return res;
    }

    function record(res: request.Response) {
      answers.push(res.text ?? '', JSON.stringify(res.headers));
      return res;
    }

    it('refuses to publish a service naming another provider’s config credential, naming the field', async () => {
      const res = record(
        await call('post', '/v1/provider/services', OTHER).send({
          entity: service('research-steals', {
            providedBy: RESEARCH,
            owner: 'group:default/research-llm-team',
            baseUrl: 'https://attacker.example/v1',
            secretRef: 'ACME_UPSTREAM_KEY',
          }),
        }),
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'spec.endpoint.auth.secretRef cannot be used: ',
      );
      expect(res.body.error.message).toContain(ACME);
      expect(
        await knex('published_services').where({ name: 'research-steals' }),
      ).toHaveLength(0);

      // The same name is fine for its own provider.
      const own = record(
        await call('post', '/v1/provider/services', OWNER).send({
          entity: service('acme-publishes', {
            providedBy: ACME,
            owner: 'group:default/ai-platform-team',
            baseUrl: 'https://api.acme.example/v1',
            secretRef: 'ACME_UPSTREAM_KEY',
          }),
        }),
      );
      expect(own.status).toBe(201);
      // A shared binding (the demo key) works for every provider it names.
      const shared = record(
        await call('post', '/v1/provider/services', OTHER).send({
          entity: service('research-demo', {
            providedBy: RESEARCH,
            owner: 'group:default/research-llm-team',
            baseUrl: 'https://api.research.example/v1',
            secretRef: 'DEMO_UPSTREAM_API_KEY',
          }),
        }),
      );
      expect(shared.status).toBe(201);

      // Nor can an update switch Research's service to ACME's credential.
      const switched = record(
        await call('put', '/v1/provider/services/research-demo', OTHER).send({
          entity: service('research-demo', {
            providedBy: RESEARCH,
            owner: 'group:default/research-llm-team',
            baseUrl: 'https://api.research.example/v1',
            secretRef: 'ACME_UPSTREAM_KEY',
          }),
        }),
      );
      expect(switched.status).toBe(400);
      expect(switched.body.error.message).toContain(
        'spec.endpoint.auth.secretRef cannot be used: ',
      );
      const stored = await knex('published_services')
        .where({ name: 'research-demo' })
        .first();
      expect(JSON.parse(stored.entity_json).spec.endpoint.auth.secretRef).toBe(
        'DEMO_UPSTREAM_API_KEY',
      );
    });

    it('the gateway refuses a forged service naming another provider’s credential: 502, nothing sent upstream', async () => {
      received.length = 0;
      const res = await chat(attackerKey, 'forged-config-key');
      expect(res.status).toBe(502);
      expect(res.body.error).toMatchObject({
        type: 'api_error',
        code: 'upstream_credential_not_allowed',
      });
      expect(res.body.error.message).toContain(RESEARCH);
      expect(received).toEqual([]);
      // Nothing charged: the request was refused before any reservation.
      expect(
        await knex('usage_reservations').where({
          service_ref: 'modelservice:default/forged-config-key',
        }),
      ).toHaveLength(0);
    });

    it('the prober refuses the forged services too: they are down, their listening upstream received nothing', async () => {
      received.length = 0;
      const probes = await probe();
      const byRef = (name: string) =>
        probes.filter(p => p.service_ref === `modelservice:default/${name}`);
      // Research naming ACME's config credential: refused, never called.
      expect(byRef('forged-config-key')).toEqual([
        {
          service_ref: 'modelservice:default/forged-config-key',
          outcome: 'down',
          error_kind: 'credentials_missing',
          http_status: null,
        },
      ]);
      // No stored credential by that name yet: nothing to send either.
      expect(byRef('forged-stored-key')).toMatchObject([
        { outcome: 'down', error_kind: 'credentials_missing' },
      ]);
      expect(byRef('acme-own')).toMatchObject([
        { outcome: 'down', error_kind: 'credentials_missing' },
      ]);
      expect(received).toEqual([]);
      expect(logs.join('\n')).toContain(
        'Cannot probe modelservice:default/forged-config-key',
      );
    });

    it('a YAML service of another team naming ACME’s Provider, to use its credential, is neither served, probed nor approvable, even with an approval forged into the store', async () => {
      received.length = 0;
      const res = await chat(borrowerKey, 'research-borrows-acme');
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(received).toEqual([]);
      const probes = await probe();
      expect(
        probes.filter(
          p => p.service_ref === 'modelservice:default/research-borrows-acme',
        ),
      ).toEqual([]);
      expect(received).toEqual([]);

      // The admins see why, and cannot approve it.
      const queue = record(
        await call('get', '/v1/admin/approvals?status=approved', ADMIN),
      );
      const item = queue.body.approvals.find(
        (a: any) => a.name === 'research-borrows-acme',
      );
      expect(item.credential).toMatchObject({
        name: 'ACME_UPSTREAM_KEY',
        usable: false,
        problem: expect.stringContaining(
          'which belongs to group:default/ai-platform-team',
        ),
      });
      const approve = record(
        await call(
          'post',
          '/v1/admin/approvals/research-borrows-acme/approve',
          ADMIN,
        ).send({}),
      );
      expect(approve.status).toBe(409);
      expect(approve.body.error.message).toContain(
        'A service may only name a Provider of its own team',
      );
      received.length = 0;
      expect(
        (await chat(borrowerKey, 'research-borrows-acme')).status,
      ).toBeGreaterThanOrEqual(400);
      expect(received).toEqual([]);
    });

    it('owners add credentials write-only: 201 with a fingerprint, never the value; others may not', async () => {
      const value = `acme-stored-${randomBytes(12).toString('hex')}`;
      const consumer = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          CONSUMER,
        ).send({ name: 'ACME_STORED_KEY', value }),
      );
      expect(consumer.status).toBe(403);
      const otherTeam = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OTHER,
        ).send({ name: 'ACME_STORED_KEY', value }),
      );
      expect(otherTeam.status).toBe(403);
      const readByOther = record(
        await call('get', '/v1/providers/acme-ai-platform/credentials', OTHER),
      );
      expect(readByOther.status).toBe(403);

      const bad = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OWNER,
        ).send({ name: 'has space', value }),
      );
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain("field 'name'");
      const newline = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OWNER,
        ).send({ name: 'X_KEY', value: `${value}\nx` }),
      );
      expect(newline.status).toBe(400);
      expect(newline.body.error.message).toContain("field 'value'");
      const clash = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OWNER,
        ).send({ name: 'ACME_UPSTREAM_KEY', value }),
      );
      expect(clash.status).toBe(409);

      const created = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OWNER,
        ).send({ name: 'ACME_STORED_KEY', value }),
      );
      expect(created.status).toBe(201);
      expect(created.body.credential).toMatchObject({
        name: 'ACME_STORED_KEY',
        providerRef: ACME,
        version: 1,
        createdBy: OWNER,
        lastUsedAt: null,
        usedBy: ['acme-own'],
      });
      expect(created.body.credential.fingerprint).toMatch(
        /^sha256:[0-9a-f]{12}$/,
      );
      const again = record(
        await call(
          'post',
          '/v1/providers/acme-ai-platform/credentials',
          OWNER,
        ).send({ name: 'ACME_STORED_KEY', value: 'other' }),
      );
      expect(again.status).toBe(409);

      const list = record(
        await call('get', '/v1/providers/acme-ai-platform/credentials', OWNER),
      );
      expect(list.status).toBe(200);
      expect(list.body.storageEnabled).toBe(true);
      expect(list.body.credentials.map((c: any) => c.name)).toEqual([
        'ACME_STORED_KEY',
      ]);
      expect(
        list.body.configCredentials.map((c: any) => c.name).sort(),
      ).toEqual(['ACME_UPSTREAM_KEY', 'DEMO_UPSTREAM_API_KEY']);
      // Admins may read and manage every provider's.
      expect(
        record(
          await call(
            'get',
            '/v1/providers/acme-ai-platform/credentials',
            ADMIN,
          ),
        ).status,
      ).toBe(200);

      // Stored encrypted: the value is nowhere in the row.
      const row = await knex('provider_credentials')
        .where({ name: 'ACME_STORED_KEY' })
        .first();
      expect(JSON.stringify(row)).not.toContain(value);
      expect(JSON.stringify(row)).not.toContain(
        Buffer.from(value).toString('base64'),
      );
      storedValue = value;
    });

    it('ACME’s service uses its stored credential; Research’s forged service naming it is refused with nothing sent', async () => {
      const value = storedValue;
      received.length = 0;
      const ok = await chat(acmeKey, 'acme-own');
      expect(ok.status).toBe(200);
      expect(received).toHaveLength(1);
      expect(received[0].headers.authorization).toBe(`Bearer ${value}`);

      received.length = 0;
      const refused = await chat(attackerStoredKey, 'forged-stored-key');
      expect(refused.status).toBe(502);
      expect(refused.body.error.code).toBe('upstream_credential_not_allowed');
      expect(received).toEqual([]);

      // Publishing one is refused too.
      const publish = record(
        await call('post', '/v1/provider/services', OTHER).send({
          entity: service('research-steals-stored', {
            providedBy: RESEARCH,
            owner: 'group:default/research-llm-team',
            baseUrl: 'https://attacker.example/v1',
            secretRef: 'ACME_STORED_KEY',
          }),
        }),
      );
      expect(publish.status).toBe(400);
      expect(publish.body.error.message).toContain(
        'spec.endpoint.auth.secretRef cannot be used: ',
      );
    });

    it('the prober uses the stored credential for ACME’s service only: the forged service naming it is not called', async () => {
      received.length = 0;
      const probes = await probe();
      const outcome = (name: string) =>
        probes.find(p => p.service_ref === `modelservice:default/${name}`);
      expect(outcome('acme-own')).toMatchObject({ outcome: 'up' });
      expect(outcome('forged-stored-key')).toMatchObject({
        outcome: 'down',
        error_kind: 'credentials_missing',
        http_status: null,
      });
      expect(outcome('forged-config-key')).toMatchObject({
        outcome: 'down',
        error_kind: 'credentials_missing',
      });
      // One call (ACME's own), with ACME's value; the upstream saw no other.
      expect(received).toHaveLength(1);
      expect(received[0].headers.authorization).toBe(`Bearer ${storedValue}`);
    });

    it('rotation applies to the next request; deletion stops the calls', async () => {
      rotatedValue = `acme-rotated-${randomBytes(12).toString('hex')}`;
      const before = record(
        await call('get', '/v1/providers/acme-ai-platform/credentials', OWNER),
      ).body.credentials[0];
      expect(before.lastUsedAt).not.toBeNull();

      // Another team (and a consumer) can neither rotate nor delete it.
      for (const user of [OTHER, CONSUMER]) {
        expect(
          record(
            await call(
              'put',
              '/v1/providers/acme-ai-platform/credentials/ACME_STORED_KEY',
              user,
            ).send({ value: `stolen-${randomBytes(4).toString('hex')}` }),
          ).status,
        ).toBe(403);
        expect(
          record(
            await call(
              'delete',
              '/v1/providers/acme-ai-platform/credentials/ACME_STORED_KEY',
              user,
            ),
          ).status,
        ).toBe(403);
      }
      const untouched = await knex('provider_credentials')
        .where({ name: 'ACME_STORED_KEY' })
        .first();
      expect(untouched.fingerprint).toBe(before.fingerprint);
      expect(Number(untouched.version)).toBe(1);

      const rotated = record(
        await call(
          'put',
          '/v1/providers/acme-ai-platform/credentials/ACME_STORED_KEY',
          OWNER,
        ).send({ value: rotatedValue }),
      );
      expect(rotated.status).toBe(200);
      expect(rotated.body.credential.version).toBe(2);
      expect(rotated.body.credential.fingerprint).not.toBe(before.fingerprint);

      received.length = 0;
      expect((await chat(acmeKey, 'acme-own')).status).toBe(200);
      expect(received[0].headers.authorization).toBe(`Bearer ${rotatedValue}`);

      const missing = record(
        await call(
          'put',
          '/v1/providers/acme-ai-platform/credentials/NOPE',
          OWNER,
        ).send({ value: 'x' }),
      );
      expect(missing.status).toBe(404);

      const deleted = record(
        await call(
          'delete',
          '/v1/providers/acme-ai-platform/credentials/ACME_STORED_KEY',
          OWNER,
        ),
      );
      expect(deleted.status).toBe(200);
      expect(deleted.body.credential.name).toBe('ACME_STORED_KEY');
      received.length = 0;
      const after = await chat(acmeKey, 'acme-own');
      expect(after.status).toBe(502);
      expect(after.body.error.code).toBe('upstream_credentials_missing');
      expect(received).toEqual([]);

      // Audited without the value: who, what, fingerprints and versions.
      const audit = record(
        await call(
          'get',
          `/v1/admin/audit?target=${encodeURIComponent(
            `${ACME}#ACME_STORED_KEY`,
          )}`,
          ADMIN,
        ),
      );
      expect(audit.status).toBe(200);
      expect(audit.body.items.map((e: any) => e.action)).toEqual([
        'credential.deleted',
        'credential.rotated',
        'credential.created',
      ]);
      expect(audit.body.items[1]).toMatchObject({
        actor: OWNER,
        targetType: 'credential',
        before: { version: 1 },
        after: { version: 2 },
      });
    });

    it('the approval queue shows the endpoint host and the credential (owner, fingerprint), never the value', async () => {
      const res = record(await call('get', '/v1/admin/approvals', ADMIN));
      expect(res.status).toBe(200);
      const forged = res.body.approvals.find(
        (a: any) => a.name === 'forged-config-key',
      );
      expect(forged.endpoint).toMatchObject({
        host: new URL(upstreamBase).host,
      });
      expect(forged.credential).toMatchObject({
        name: 'ACME_UPSTREAM_KEY',
        source: 'config',
        owner: ACME,
        usable: false,
      });
      expect(forged.credential.problem).toContain(RESEARCH);
      const published = res.body.approvals.find(
        (a: any) => a.name === 'acme-publishes',
      );
      expect(published.endpoint).toEqual({
        host: 'api.acme.example',
        approvedHost: null,
        changedSinceApproval: null,
      });
      expect(published.credential).toMatchObject({
        owner: ACME,
        usable: true,
        fingerprint: expect.stringMatching(/^sha256:/),
      });

      // Approving records the host; an endpoint moved elsewhere shows as changed.
      expect(
        record(
          await call(
            'post',
            '/v1/admin/approvals/acme-publishes/approve',
            ADMIN,
          ).send({}),
        ).body.approval.endpoint,
      ).toEqual({
        host: 'api.acme.example',
        approvedHost: 'api.acme.example',
        changedSinceApproval: false,
      });
      const moved = service('acme-publishes', {
        providedBy: ACME,
        owner: 'group:default/ai-platform-team',
        baseUrl: 'https://elsewhere.example/v1',
        secretRef: 'ACME_UPSTREAM_KEY',
      });
      expect(
        record(
          await call('put', '/v1/provider/services/acme-publishes', OWNER).send(
            {
              entity: moved,
            },
          ),
        ).status,
      ).toBe(200);
      const queue = record(
        await call('get', '/v1/admin/approvals?status=pending', ADMIN),
      );
      expect(
        queue.body.approvals.find((a: any) => a.name === 'acme-publishes')
          .endpoint,
      ).toEqual({
        host: 'elsewhere.example',
        approvedHost: 'api.acme.example',
        changedSinceApproval: true,
      });
    });

    it('the bindings for the catalog module answer service principals only', async () => {
      const user = record(
        await call('get', '/v1/internal/credential-bindings', ADMIN),
      );
      expect(user.status).toBe(403);
      const res = record(
        await request(backend.server)
          .get(`${API}/v1/internal/credential-bindings`)
          .set('authorization', mockCredentials.service.header()),
      );
      expect(res.status).toBe(200);
      expect(res.body.bindings).toEqual(
        expect.arrayContaining([
          { name: 'ACME_UPSTREAM_KEY', providers: [ACME] },
          { name: 'DEMO_UPSTREAM_API_KEY', providers: [ACME, RESEARCH] },
        ]),
      );
    });

    it('no credential value appears in any answer or log line', () => {
      const values = [ACME_CONFIG_KEY, DEMO_KEY, storedValue, rotatedValue];
      expect(answers.length).toBeGreaterThan(20);
      expect(logs.length).toBeGreaterThan(0);
      for (const value of values) {
        for (const text of [...answers, ...logs]) {
          expect(text).not.toContain(value);
        }
      }
    });
  },
);
