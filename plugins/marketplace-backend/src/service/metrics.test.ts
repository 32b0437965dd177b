import {
  BackstageCredentials,
  BackstageUserPrincipal,
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { AuthorizeResult } from '@backstage/plugin-permission-common';
import {
  MARKETPLACE_SERVICE_RESOURCE_TYPE,
  isAvailableAt,
} from '@internal/plugin-marketplace-common';
import http from 'http';
import { Knex } from 'knex';
import { AddressInfo } from 'net';
import request from 'supertest';
import { bucketOf, representativeOf } from '../stores/monitoring/histogram';
import {
  loadExamples,
  sampleUserInfo,
  startMarketplaceTestBackend,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(120_000);

/*
 * GET /marketplace/services/:name/metrics through the whole plugin, on SQLite and
 * PostgreSQL: who may see what, bad queries, and real measurements: the prober's
 * task (run by the test scheduler) checks a local fake upstream, ledger rows
 * come from the gateway's table, the rollup task feeds browse.
 */

const GPT = 'northwind-gpt-4o'; // ai-platform-team
const LLAMA = 'research-llama-3-1-8b'; // research-llm-team, stays under review

const ADMIN = 'user:default/ada';
const CONSUMER = 'user:default/lena.fischer';
const LLAMA_OWNER = 'user:default/wei.chen';
const OWNERSHIP: Record<string, string[]> = {
  [ADMIN]: [ADMIN, 'group:default/platform-admins'],
  [CONSUMER]: [CONSUMER, 'group:default/checkout-team'],
  [LLAMA_OWNER]: [LLAMA_OWNER, 'group:default/research-llm-team'],
};
const API = '/api/marketplace';
const UPSTREAM_KEY = 'demo-upstream-key';

// A fake upstream: an OpenAI model list for the right key (503 while `down`).
const upstreamCalls: string[] = [];
let upstreamDown = false;
const upstream = http.createServer((req, res) => {
  upstreamCalls.push(`${req.method} ${req.url}`);
  if (upstreamDown) {
    res.writeHead(503, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"overloaded"}}');
    return;
  }
  if (req.headers.authorization !== `Bearer ${UPSTREAM_KEY}`) {
    res.writeHead(401, { 'content-type': 'application/json' });
    res.end('{"error":{"message":"bad key"}}');
    return;
  }
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end('{"object":"list","data":[{"id":"gpt-4o","object":"model"}]}');
});

/** Admins may do everything; owners manage their services (the policy's rule, simplified). */
const permissionsFactory = createServiceFactory({
  service: coreServices.permissions,
  deps: {},
  async factory() {
    const decide = (credentials: BackstageCredentials) => {
      const ref = (credentials as BackstageCredentials<BackstageUserPrincipal>)
        .principal.userEntityRef;
      return {
        result: ref === ADMIN ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      } as const;
    };
    return {
      async authorize(requests: any[], { credentials }: any) {
        return requests.map(() => decide(credentials));
      },
      async authorizeConditional(requests: any[], { credentials }: any) {
        const ref = credentials.principal.userEntityRef;
        return requests.map(() =>
          ref === ADMIN
            ? { result: AuthorizeResult.ALLOW }
            : {
                result: AuthorizeResult.CONDITIONAL,
                pluginId: 'marketplace',
                resourceType: MARKETPLACE_SERVICE_RESOURCE_TYPE,
                conditions: {
                  rule: 'IS_SERVICE_OWNER',
                  resourceType: MARKETPLACE_SERVICE_RESOURCE_TYPE,
                  params: { claims: OWNERSHIP[ref] ?? [ref] },
                },
              },
        );
      },
    } as any;
  },
});

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'GET /marketplace/services/:name/metrics on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;
    const scheduler = mockServices.scheduler();

    beforeAll(async () => {
      await new Promise<void>(resolve =>
        upstream.listen(0, '127.0.0.1', resolve),
      );
      const baseUrl = `http://127.0.0.1:${
        (upstream.address() as AddressInfo).port
      }/v1`;
      const entities = [
        ...loadExamples('providers.yaml').filter(e => e.kind === 'Provider'),
        ...loadExamples('services.yaml')
          .filter(e => [GPT, LLAMA].includes(e.metadata.name))
          .map(e => {
            const spec = e.spec as any;
            return {
              ...e,
              spec: { ...spec, endpoint: { ...spec.endpoint, baseUrl } },
            };
          }),
      ];
      knex = await databases.init(databaseId);
      backend = await startMarketplaceTestBackend({
        knex,
        entities,
        marketplace: {
          publishing: { requireApproval: true },
          // The test upstreams run on this machine: allowed explicitly.
          egress: { allowedHosts: ['localhost', '127.0.0.1'] },
          secrets: { DEMO_UPSTREAM_API_KEY: UPSTREAM_KEY },
          monitoring: { probeTimeoutMs: 5000 },
        },
        features: [
          // Tasks run only when a test triggers them.
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
          permissionsFactory,
          sampleUserInfo(OWNERSHIP).factory,
        ],
      });
      const approved = await request(backend.server)
        .post(`${API}/v1/admin/approvals/${GPT}/approve`)
        .set('Authorization', mockCredentials.user.header(ADMIN))
        .send({});
      if (approved.status !== 200) {
        throw new Error(`Could not approve ${GPT}: ${approved.status}`);
      }
    });

    afterAll(async () => {
      await backend?.stop();
      upstream.closeAllConnections();
      await new Promise(resolve => upstream.close(resolve));
    });

    const get = (url: string, user?: string) => {
      const req = request(backend.server).get(`${API}${url}`);
      return user
        ? req.set('Authorization', mockCredentials.user.header(user))
        : req;
    };

    it('needs a signed-in user', async () => {
      const res = await get(`/marketplace/services/${GPT}/metrics`);
      expect(res.status).toBe(401);
    });

    it('hides services under review from everyone but their owners and admins', async () => {
      const url = `/marketplace/services/${LLAMA}/metrics`;
      expect((await get(url, CONSUMER)).status).toBe(404);
      expect((await get(url, LLAMA_OWNER)).status).toBe(200);
      expect((await get(url, ADMIN)).status).toBe(200);
      expect(
        (await get('/marketplace/services/no-such-model/metrics', CONSUMER))
          .status,
      ).toBe(404);
    });

    it('answers 400 naming the parameter for a bad query or name', async () => {
      const bad = async (url: string, field: string) => {
        const res = await get(url, CONSUMER);
        expect(res.status).toBe(400);
        expect(res.body.error.name).toBe('InputError');
        expect(res.body.error.message).toContain(field);
      };
      await bad(`/marketplace/services/${GPT}/metrics?window=2h`, "'window'");
      await bad(
        `/marketplace/services/${GPT}/metrics?window=1h&window=24h`,
        "'window'",
      );
      await bad(`/marketplace/services/${GPT}/metrics?from=yesterday`, 'from');
      await bad(`/marketplace/services/bad%20name/metrics`, 'path parameter');
    });

    it('shows nothing measured before any probe or request', async () => {
      const res = await get(`/marketplace/services/${GPT}/metrics`, CONSUMER);
      expect(res.status).toBe(200);
      const m = res.body.metrics;
      expect(m).toMatchObject({
        serviceRef: `modelservice:default/${GPT}`,
        window: '24h',
        committed: {
          latencyP50Ms: 450,
          latencyP95Ms: 1300,
          latencyP99Ms: 2600,
          uptimePercent: 99.9,
          requestsPerSecond: 200,
          tokensPerSecond: 40000,
        },
        uptime: {
          last7d: { percent: null, days: 0, periodDays: 7, probes: 0 },
          last30d: { percent: null, days: 0, periodDays: 30, requests: 0 },
        },
        traffic: {
          requests: 0,
          latencyP95Ms: null,
          durationP95Ms: null,
          tokensPerSecondP50: null,
          waitP95Ms: null,
          errorRatePercent: null,
          requestsPerSecond: 0,
        },
        capacity: {
          inFlightNow: 0,
          peakInFlight: 0,
          peakRequestsPerMinute: 0,
          committedRequestsPerMinute: 12000,
          hourly: [],
        },
        usage: { totalTokens: 0, activeUsers30d: 0, requests30d: 0 },
        latencyHistory: [],
        incidents: [],
        breaches: [],
        lastProbe: null,
      });
      expect(m.uptime.daily).toHaveLength(30);
      expect(m.sla.map((r: any) => r.status)).toEqual([
        'no_data',
        'no_data',
        'no_data',
        'no_data',
      ]);
    });

    it('measures uptime from the probe task and latency from ledger rows; browse gets them from the rollup', async () => {
      upstreamCalls.length = 0;
      await scheduler.triggerTask('marketplace-monitoring-probe');
      await scheduler.triggerTask('marketplace-monitoring-probe');
      // Only the live service was checked, with the provider's credential.
      expect(upstreamCalls).toEqual(['GET /v1/models', 'GET /v1/models']);
      const now = Date.now();
      // Streamed: the first token after a quarter of the whole duration.
      const rows = [100, 200, 300, 400, 5000].map((latency, i) => ({
        request_id: `req_metrics_${databaseId}_${i}`,
        subscription_id: 'sub-1',
        key_id: 'key-1',
        user_ref: CONSUMER,
        team_ref: null,
        service_ref: `modelservice:default/${GPT}`,
        provider_ref: 'provider:default/northwind-cloud-ai',
        model: GPT,
        stream: true,
        status: i === 4 ? 'upstream_error' : 'ok',
        http_status: i === 4 ? 502 : 200,
        error_code: null,
        prompt_tokens: 10,
        completion_tokens: 100,
        trial_tokens: 0,
        token_source: 'upstream',
        cost_micros: 0,
        platform_fee_micros: 0,
        upstream_latency_ms: latency,
        ttft_ms: latency / 4,
        wait_ms: 3,
        started_at: now - 60_000 + i,
        finished_at: now - 60_000 + i + latency,
      }));
      await knex('usage_ledger').insert(rows);

      const res = await get(
        `/marketplace/services/${GPT}/metrics?window=1h`,
        CONSUMER,
      );
      expect(res.status).toBe(200);
      const m = res.body.metrics;
      // 2 probes up, 4 requests served and 1 failed by the upstream: the
      // failure counts, over the under-a-day of data there is.
      expect(m.uptime.last7d).toEqual({
        percent: 85.714,
        days: 0,
        periodDays: 7,
        probes: 2,
        requests: 5,
        probePercent: 100,
        trafficPercent: 80,
      });
      expect(m.uptime.last30d).toMatchObject({ percent: 85.714, days: 0 });
      expect(m.uptime.daily[29]).toMatchObject({
        upProbes: 2,
        downProbes: 0,
        okRequests: 4,
        failedRequests: 1,
        uptimePercent: 85.714,
      });
      expect(m.lastProbe).toMatchObject({
        outcome: 'up',
        httpStatus: 200,
        errorKind: null,
      });
      // Four successful requests of 100..400 ms (nearest rank), one error;
      // latency is the time to the first token: 25..100 ms.
      const read = (ms: number) => representativeOf(bucketOf(ms));
      expect(m.traffic).toMatchObject({
        requests: 5,
        errors: 1,
        errorRatePercent: 20,
        latencyP50Ms: read(50),
        latencyP95Ms: read(100),
        durationP50Ms: 198, // 200 ms, read from its bucket
        durationP95Ms: 386, // 400 ms
        // 100 tokens after the first token: in 75, 150, 225 and 300 ms, so
        // 1333, 666, 444 and 333 tokens/s; the median (nearest rank) is 444.
        tokensPerSecondP50: read(444),
        tokensPerSecondP95: read(1333),
        tokensPerSecond: 533.3, // 400 tokens in 750 ms
        waitP50Ms: read(3),
      });
      expect(m.capacity).toMatchObject({
        inFlightNow: 0,
        peakInFlight: 5, // all five start within 5 ms and run 100 ms or more
        peakRequestsPerMinute: expect.any(Number),
      });
      expect(m.sla.find((r: any) => r.metric === 'uptime')).toEqual({
        metric: 'uptime',
        unit: 'percent',
        committed: 99.9,
        measured: 85.714,
        // Measured, but 7 checks cannot judge a 99.9% commitment (1,000 can).
        status: 'no_data',
        samples: 7,
        windowDays: 30,
        coverageDays: 0,
      });
      expect(m.latencyHistory).toEqual([
        expect.objectContaining({ requests: 5, p50Ms: read(50) }),
      ]);

      // Browse reads the rollups.
      await scheduler.triggerTask('marketplace-monitoring-rollup');
      const browse = await get('/marketplace/services?limit=100', CONSUMER);
      expect(browse.status).toBe(200);
      const card = browse.body.items.find((i: any) => i.name === GPT);
      expect(card.metrics).toMatchObject({
        uptimePercent: 85.714,
        uptimeDays: 0,
        latencyP95Ms: read(100),
        lastProbeUp: true,
      });
      // The failed request keeps it out of the uptime filters.
      const filtered = await get(
        '/marketplace/services?performance=uptime-99',
        CONSUMER,
      );
      expect(filtered.body.total).toBe(0);
    });

    it('is not available now while its last probe fails, inside its schedule', async () => {
      const nowOpen = isAvailableAt(
        (
          loadExamples('services.yaml').find(e => e.metadata.name === GPT)!
            .spec as any
        ).availability,
        new Date(),
      );
      const availableNow = async () =>
        (
          await get(
            '/marketplace/services?availability=available-now&limit=100',
            CONSUMER,
          )
        ).body.items.map((i: any) => i.name);
      upstreamDown = true;
      try {
        await scheduler.triggerTask('marketplace-monitoring-probe');
      } finally {
        upstreamDown = false;
      }
      await scheduler.triggerTask('marketplace-monitoring-rollup');
      const down = (
        await get(`/marketplace/services/${GPT}/metrics?window=1h`, CONSUMER)
      ).body.metrics;
      expect(down.lastProbe).toMatchObject({
        outcome: 'down',
        httpStatus: 503,
      });
      expect(down.uptime.availableNow).toBe(false);
      expect(down.incidents).toEqual([
        expect.objectContaining({ endedAt: null, downProbes: 1 }),
      ]);
      expect(await availableNow()).toEqual([]);

      // Up again: back in "available now" (if inside its schedule now).
      await scheduler.triggerTask('marketplace-monitoring-probe');
      await scheduler.triggerTask('marketplace-monitoring-rollup');
      const up = (
        await get(`/marketplace/services/${GPT}/metrics?window=1h`, CONSUMER)
      ).body.metrics;
      expect(up.uptime.availableNow).toBe(nowOpen);
      expect(await availableNow()).toEqual(nowOpen ? [GPT] : []);
    });

    it('shows a provider profile with its live services, and verification as an audited admin decision', async () => {
      const PROVIDER = 'northwind-cloud-ai';
      const profile = await get(`/marketplace/providers/${PROVIDER}`, CONSUMER);
      expect(profile.status).toBe(200);
      expect(profile.body.provider).toMatchObject({
        ref: `provider:default/${PROVIDER}`,
        // The entity says "verified": only a claim until an admin decides.
        verification: {
          verified: false,
          claimed: 'verified',
          decidedBy: null,
        },
        quality: {
          services: 1,
          measuredServices: 1,
          uptimeDays: 0,
          requests30d: expect.any(Number),
        },
      });
      // Only live services: the one under review is not listed.
      expect(profile.body.services.map((c: any) => c.name)).toEqual([GPT]);
      expect(profile.body.services[0]).toMatchObject({
        createdAt: expect.any(String),
        updatedAt: expect.any(String),
        provider: { verified: false },
      });
      const verifiedOnly = async () =>
        (
          await get('/marketplace/services?verified=true', CONSUMER)
        ).body.items.map((i: any) => i.name);
      expect(await verifiedOnly()).toEqual([]);

      const put = (id: string, body: unknown, user: string) =>
        request(backend.server)
          .put(`${API}/marketplace/admin/providers/${id}/verification`)
          .set('Authorization', mockCredentials.user.header(user))
          .send(body as object);
      expect((await put(PROVIDER, { verified: true }, CONSUMER)).status).toBe(
        403,
      );
      const bad = await put(PROVIDER, { verified: 'yes' }, ADMIN);
      expect(bad.status).toBe(400);
      expect(bad.body.error.message).toContain("'verified'");
      const long = await put(
        PROVIDER,
        { verified: true, note: 'x'.repeat(501) },
        ADMIN,
      );
      expect(long.status).toBe(400);
      expect(long.body.error.message).toContain("'note'");
      expect(
        (await put('no-such-provider', { verified: true }, ADMIN)).status,
      ).toBe(404);
      // Refusals changed nothing.
      expect(await verifiedOnly()).toEqual([]);

      const ok = await put(
        PROVIDER,
        { verified: true, note: 'Contract and security review done' },
        ADMIN,
      );
      expect(ok.status).toBe(200);
      expect(ok.body.verification).toMatchObject({
        verified: true,
        claimed: 'verified',
        decidedBy: ADMIN,
        note: 'Contract and security review done',
      });
      expect(await verifiedOnly()).toEqual([GPT]);
      const after = await get(`/marketplace/providers/${PROVIDER}`, CONSUMER);
      expect(after.body.provider.verification).toMatchObject({
        verified: true,
        decidedBy: ADMIN,
        decidedAt: expect.any(String),
      });
      const audit = await get(
        '/v1/admin/audit?action=provider.verified',
        ADMIN,
      );
      expect(audit.body.items).toEqual([
        expect.objectContaining({
          actor: ADMIN,
          targetType: 'provider',
          target: `provider:default/${PROVIDER}`,
          before: null,
          after: { verified: true, note: 'Contract and security review done' },
        }),
      ]);
      // Withdrawn again: out of the filter at once.
      expect((await put(PROVIDER, { verified: false }, ADMIN)).status).toBe(
        200,
      );
      expect(await verifiedOnly()).toEqual([]);
      expect(
        (await get('/marketplace/providers/nobody', CONSUMER)).status,
      ).toBe(404);
    });
  },
);
