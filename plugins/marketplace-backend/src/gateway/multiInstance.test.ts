import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import {
  EgressPolicy,
  createRedisConnection,
  RedisRateLimiter,
  redisReady,
} from '@internal/plugin-marketplace-gateway-node';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { randomBytes } from 'crypto';
import express from 'express';
import http from 'http';
import knexFactory, { Knex } from 'knex';
import { AddressInfo } from 'net';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import { DatabaseAuditLog } from '../stores/AuditLog';
import { DatabaseBudgetStore } from '../stores/BudgetStore';
import { connectDatabase } from '../stores/migrate';
import {
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from '../stores/SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from '../stores/ledger/UsageLedger';
import { createGatewayRouter } from './router';
import { SecretResolver } from './secrets';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';

/*
 * Two gateway instances on one database and one Redis, behind one port (a
 * round-robin proxy): the trial and the per-minute limits hold for the
 * subscription as a whole, exactly as with one instance. Needs the Redis of
 * `source scripts/redis-test-server.sh start` (scripts/test.sh starts it).
 */

jest.setTimeout(180_000);

const REDIS_URL = process.env.MARKETPLACE_TEST_REDIS_URL;
const describeWithRedis = REDIS_URL ? describe : describe.skip;
const REDIS_NOTE = REDIS_URL
  ? ''
  : ' (skipped: MARKETPLACE_TEST_REDIS_URL is not set; source scripts/redis-test-server.sh start)';

function listen(server: http.Server): Promise<string> {
  // A backlog for 1,000 connections opened at once.
  return new Promise(resolve =>
    server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () =>
      resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    ),
  );
}

function close(server: http.Server): Promise<void> {
  return new Promise(resolve => {
    server.closeAllConnections?.();
    server.close(() => resolve());
  });
}

/** The upstream: answers with the completion budget it was given, all used. */
const upstream = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    const completion = body.max_tokens ?? body.max_completion_tokens ?? 16;
    res.setHeader('content-type', 'application/json');
    res.end(
      JSON.stringify({
        id: 'x',
        object: 'chat.completion',
        choices: [{ index: 0, message: { role: 'assistant', content: 'ok' } }],
        usage: {
          prompt_tokens: 8,
          completion_tokens: completion,
          total_tokens: 8 + completion,
        },
      }),
    );
  });
});
let upstreamBase: string;

beforeAll(async () => {
  upstreamBase = `${await listen(upstream)}/v1`;
});
afterAll(() => close(upstream));

function service(rateLimits: {
  requestsPerMinute: number;
  tokensPerMinute: number;
}): DirectoryService {
  const entity = {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name: 'svc', namespace: 'default' },
    spec: {
      owner: 'group:default/team',
      providedBy: 'provider:default/p',
      lifecycle: 'active',
      family: 'other',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 1000,
        completionPer1kMicros: 2000,
      },
      contextWindow: 1000,
      maxOutputTokens: 200,
      features: {},
      apiCompatibility: ['openai'],
      endpoint: { baseUrl: upstreamBase, auth: { type: 'none' } },
      geographic: { country: 'DE', region: 'europe', dataCenters: ['fra'] },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 1, p95: 2, p99: 3 },
        uptimePercent: 99,
        throughput: { requestsPerSecond: 1, tokensPerSecond: 1 },
        rateLimits,
      },
    },
  } as unknown as ModelServiceEntityV1alpha1;
  return {
    name: 'svc',
    ref: 'modelservice:default/svc',
    providerRef: 'provider:default/p',
    entity,
    status: 'approved',
  };
}

describeWithRedis(
  `two gateway instances on one database and Redis${REDIS_NOTE}`,
  () => {
    describe.each(
      TestDatabases.create({
        ids: ['SQLITE_3', 'POSTGRES_15'],
      }).eachSupportedId(),
    )('on %p', databaseId => {
      const databases = TestDatabases.create({ ids: [databaseId] });
      let knexA: Knex;
      let knexB: Knex;
      let subs: SubscriptionStore;
      let ledgers: UsageLedger[];
      let servers: http.Server[];
      let redisConnections: ReturnType<typeof createRedisConnection>[];
      let url: string;

      async function start(svc: DirectoryService) {
        const base = await databases.init(databaseId);
        knexA = await connectDatabase(mockServices.database({ knex: base }));
        // PostgreSQL: the second instance has a connection pool of its own. An
        // in-memory SQLite database lives in one connection: both share it.
        knexB =
          databaseId === 'POSTGRES_15'
            ? knexFactory((base as any).client.config)
            : knexA;
        subs = new DatabaseSubscriptionStore(knexA);
        const directory = {
          get: async (n: string) => (n === svc.name ? svc : undefined),
          getByRef: (r: string) => (r === svc.ref ? svc : undefined),
        } as unknown as ServiceDirectory;
        const keyPrefix = `test:${randomBytes(6).toString('hex')}:`;
        ledgers = [];
        servers = [];
        redisConnections = [];
        const backends: string[] = [];
        for (const [i, db] of [knexA, knexB].entries()) {
          const ledger = new DatabaseUsageLedger(db, {
            instanceId: `instance-${i}`,
            platformFeeBasisPoints: 0,
            batchDelayMs: 1,
          });
          const redis = createRedisConnection(
            { url: REDIS_URL! },
            { logger: mockServices.logger.mock() },
          );
          await redisReady(redis, 5_000);
          redisConnections.push(redis);
          const app = express();
          app.use(
            createGatewayRouter({
              logger: mockServices.logger.mock(),
              subscriptions: new DatabaseSubscriptionStore(db),
              ledger,
              directory,
              secrets: new SecretResolver(new ConfigReader({}), {}),
              // The test upstream runs on this machine: allowed explicitly.
              egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
              rateLimiter: new RedisRateLimiter({
                redis,
                logger: mockServices.logger.mock(),
                keyPrefix,
              }),
            }),
          );
          const server = http.createServer(app);
          backends.push(await listen(server));
          ledgers.push(ledger);
          servers.push(server);
        }
        // One port, round robin over the two instances.
        const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
        let next = 0;
        const proxy = http.createServer((req, res) => {
          const target = new URL(req.url!, backends[next++ % backends.length]);
          const out = http.request(
            target,
            { method: req.method, headers: req.headers, agent },
            answer => {
              res.writeHead(answer.statusCode!, answer.headers);
              answer.pipe(res);
            },
          );
          out.on('error', () => res.destroy());
          req.pipe(out);
        });
        url = await listen(proxy);
        servers.push(proxy);
      }

      afterEach(async () => {
        for (const ledger of ledgers) {
          await ledger.flush();
        }
        await expectLedgerInvariants(knexA);
        for (const server of servers) {
          await close(server);
        }
        for (const redis of redisConnections) {
          redis.disconnect();
        }
        if (knexB !== knexA) {
          await knexB.destroy();
        }
      });

      async function subscribe(options: {
        trialTokens: number;
        spendCapMicros: number | null;
      }) {
        const { apiKey, subscription } = await subs.create({
          serviceRef: 'modelservice:default/svc',
          userRef: 'user:default/u',
          teamRef: null,
          ...options,
        });
        return { key: apiKey.secret, subscriptionId: subscription.id };
      }

      async function call(key: string, maxTokens = 16) {
        const res = await fetch(`${url}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${key}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            model: 'svc',
            messages: [{ role: 'user', content: 'hello' }],
            max_tokens: maxTokens,
          }),
        });
        const body = await res.json();
        return {
          status: res.status,
          id: res.headers.get('x-request-id')!,
          error: body.error,
        };
      }

      it('1,000 concurrent calls on one trial never spend past the trial', async () => {
        await start(
          service({ requestsPerMinute: 1_000_000, tokensPerMinute: 1e9 }),
        );
        const trial = 2_000;
        const { key, subscriptionId } = await subscribe({
          trialTokens: trial,
          spendCapMicros: 0,
        });
        const results = await Promise.all(
          Array.from({ length: 1000 }, () => call(key)),
        );
        const ok = results.filter(r => r.status === 200);
        const refused = results.filter(r => r.status === 429);
        expect(
          results
            .filter(r => r.status !== 200 && r.status !== 429)
            .map(r => ({ status: r.status, error: r.error })),
        ).toEqual([]);
        expect(ok.length + refused.length).toBe(1000);
        expect(ok.length).toBeGreaterThan(0);
        for (const ledger of ledgers) {
          await ledger.flush();
        }
        const row = await knexA('subscriptions')
          .where({ id: subscriptionId })
          .first();
        // Reservations hold the worst case: the trial is never overspent, and
        // nothing is billed beyond it (spend cap 0).
        expect(Number(row.trial_tokens_used)).toBeLessThanOrEqual(trial);
        expect(Number(row.total_spend_micros)).toBe(0);
        // Every forwarded request has exactly one ledger row; refusals none.
        const rows = await knexA('usage_ledger').select('request_id', 'status');
        expect(rows).toHaveLength(ok.length);
        expect(new Set(rows.map(r => r.request_id))).toEqual(
          new Set(ok.map(r => r.id)),
        );
        expect(rows.every(r => r.status === 'ok')).toBe(true);
      });

      it('500 concurrent calls on two instances never spend past a hard user budget', async () => {
        await start(
          service({ requestsPerMinute: 1_000_000, tokensPerMinute: 1e9 }),
        );
        const { key } = await subscribe({
          trialTokens: 0,
          spendCapMicros: null,
        });
        // Each call holds at most (prompt + 16 completion tokens) worth: about 40-50.
        const amount = 2_000;
        await new DatabaseBudgetStore(knexA, new DatabaseAuditLog(knexA)).put(
          'user',
          'user:default/u',
          { amountMicros: amount, mode: 'hard', thresholds: [100] },
          'user:default/admin',
        );
        const results = await Promise.all(
          Array.from({ length: 500 }, () => call(key)),
        );
        for (const ledger of ledgers) {
          await ledger.flush();
        }
        const ok = results.filter(r => r.status === 200);
        const refused = results.filter(r => r.status === 402);
        expect(ok.length + refused.length).toBe(500);
        expect(ok.length).toBeGreaterThan(0);
        expect(refused.length).toBeGreaterThan(0);
        expect(refused[0].error).toMatchObject({
          type: 'insufficient_quota',
          code: 'budget_exceeded',
          param: 'user',
        });
        expect(refused[0].error.message).toMatch(
          /^The user budget of user:default\/u for \d{4}-\d{2} \(\$0\.002\) is used up\./,
        );
        const rows = await knexA('usage_ledger').select('cost_micros');
        const spent = rows.reduce((sum, r) => sum + Number(r.cost_micros), 0);
        expect(rows).toHaveLength(ok.length);
        expect(spent).toBeLessThanOrEqual(amount);
        // Used up: not even the cheapest call's worth is left.
        const cheapest = Math.min(...rows.map(r => Number(r.cost_micros)));
        expect(spent).toBeGreaterThan(amount - 2 * cheapest);
      });

      it('a limit of N requests per minute lets N through in total, not N per instance', async () => {
        await start(service({ requestsPerMinute: 20, tokensPerMinute: 1e9 }));
        const { key } = await subscribe({
          trialTokens: 0,
          spendCapMicros: null,
        });
        const results = [];
        for (let i = 0; i < 60; i++) {
          results.push(await call(key));
        }
        expect(results.filter(r => r.status === 200)).toHaveLength(20);
        expect(results.filter(r => r.status === 429)).toHaveLength(40);
        expect(results.slice(0, 20).every(r => r.status === 200)).toBe(true);
      });
    });
  },
);
