/*
 * Long on purpose (over ~400 lines): the whole system under test in one
 * child process (backends, catalog, statistics, the ledger check, profiling),
 * read top to bottom.
 *
 * The system under test of `bench/gateway/run.ts`, run in a child process of it
 * (so that the load generator never shares an event loop with the server).
 *
 * Starts, with `startTestBackend`:
 *   1. the demo upstream (`demo-upstream` plugin) serving ONE model with zero
 *      latency (timeToFirstTokenMs 0, tokensPerSecond 1e9, failureRate 0);
 *   2. the marketplace backend (`marketplace` plugin) with the catalog served by
 *      `catalogServiceMock`, holding one valid ModelService that points at the
 *      demo upstream's real (random) port, and its own SQLite file (or PostgreSQL).
 * Both are in this process unless BENCH_SERVER.upstreamUrl is set (the run's
 * `--split` mode starts the upstream in a process of its own).
 *
 * Then it subscribes the mock user through the REST API, and tells the parent
 * (IPC) the URLs and keys. The parent then asks it, over IPC, for CPU / event
 * loop statistics around each measurement, for the ledger check at the end,
 * for an optional CPU profile, and to stop.
 */
import {
  coreServices,
  createServiceFactory,
  DatabaseService,
} from '@backstage/backend-plugin-api';
import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import {
  modelServiceEntityV1alpha1Validator,
  providerEntityV1alpha1Validator,
} from '@internal/plugin-marketplace-common';
import {
  UsageLedger,
  SubscriptionStore,
} from '@internal/plugin-marketplace-backend/testUtils';
import fs from 'node:fs';
import { Session } from 'node:inspector/promises';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import marketplacePlugin, {
  embeddedGatewayLane,
} from '@internal/plugin-marketplace-backend';
import demoUpstreamPlugin from '@internal/plugin-marketplace-demo-upstream-backend';
import Database from 'better-sqlite3';
import knexFactory, { Knex } from 'knex';

/** What the parent passes in the BENCH_SERVER environment variable (JSON). */
export interface ServerOptions {
  role: 'all' | 'upstream';
  /** PostgreSQL connection string; SQLite in a temp dir when absent. */
  pg?: string;
  /** Keep the SQLite dir / PostgreSQL database after the run. */
  keepDb?: boolean;
  /** Upstream base URL (up to /v1) when the upstream runs elsewhere. */
  upstreamUrl?: string;
  /** Wrap the ledger / store methods and knex queries with timers. */
  timing?: boolean;
  /**
   * What-if experiment (changes no project code): SQLite statements are
   * prepared once per SQL text and reused, instead of knex preparing every
   * query anew.
   */
  stmtCache?: boolean;
  /** false: the embedded gateway behind express, without the fast lane. */
  lane?: boolean;
}

/** Messages from the server to the parent. */
export type ServerMessage =
  | {
      type: 'ready';
      upstreamUrl: string;
      gatewayUrl?: string;
      upstreamKey: string;
      apiKey?: string;
      subscriptionId?: string;
      model: string;
      database: string;
      /** backend.database of the marketplace (for a standalone gateway on the same database). */
      databaseConfig?: object;
      pid: number;
    }
  | { type: 'ack'; id: number }
  | { type: 'stats'; id: number; stats: PhaseStats }
  | { type: 'ledger'; id: number; ledger: LedgerCheck }
  | { type: 'profile'; id: number; file: string }
  | { type: 'error'; message: string };

/** Messages from the parent to the server. */
export type ParentMessage =
  | { type: 'phase-start'; id: number }
  | { type: 'phase-end'; id: number }
  | { type: 'ledger'; id: number }
  | { type: 'profile-start'; id: number }
  | { type: 'profile-stop'; id: number; file: string }
  | { type: 'stop' };

export interface PhaseStats {
  /** CPU time of this process (user + system), microseconds. */
  cpuMicros: number;
  wallMs: number;
  /** Event loop utilization over the phase, 0..1. */
  elu: number;
  /** Event loop delay, ms. */
  loopDelayP50: number;
  loopDelayP99: number;
  loopDelayMax: number;
  /** Gateway responses delivered during the phase, by status. */
  gatewayResponses: Record<string, number>;
  /** With --timing: per-operation durations (ms) and knex queries. */
  timing?: Record<
    string,
    { count: number; p50: number; p99: number; mean: number }
  >;
  knexQueries?: number;
}

export interface LedgerCheck {
  /** Gateway requests answered 200 (res.end before the connection closed). */
  answered200: number;
  /** ... of which the socket took the whole response. */
  delivered200: number;
  /** Gateway responses ended before the connection closed, by status. */
  answeredByStatus: Record<string, number>;
  /** Answered-200 requests with exactly one ledger row, status ok. */
  answered200WithOkRow: number;
  /** Answered-200 requests without a row, or with a row that is not ok. */
  answered200Mismatched: number;
  /** ok rows of requests whose client had gone before the gateway answered. */
  okRowsClientGoneBeforeAnswer: number;
  /** ok rows matching no request seen by the HTTP server. */
  okRowsUnexplained: number;
  rowsByStatus: Record<string, number>;
  rows: number;
  duplicateRequestIds: number;
  openReservations: number;
  /** How long the check waited for stragglers (requests cut off at a run's end). */
  settledAfterMs: number;
  subscription: {
    monthTokens: number;
    totalSpendMicros: number;
    reservedMicros: number;
  };
  ledgerSums: { tokens: number; costMicros: number };
}

const MODEL = 'bench-model';
const UPSTREAM_KEY = 'sk-bench-upstream';
const SECRET_REF = 'BENCH_UPSTREAM_KEY';

function send(message: ServerMessage) {
  process.send?.(message);
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) {
    return 0;
  }
  const i = Math.min(
    sorted.length - 1,
    Math.ceil((p / 100) * sorted.length) - 1,
  );
  return sorted[Math.max(0, i)];
}

/** Durations (ms) of wrapped operations, for --timing. */
const timings = new Map<string, number[]>();
function record(name: string, ms: number) {
  let list = timings.get(name);
  if (!list) {
    list = [];
    timings.set(name, list);
  }
  list.push(ms);
}

function wrapAsync(target: any, method: string, name: string) {
  const original = target[method];
  target[method] = async function wrapped(this: unknown, ...args: unknown[]) {
    const t0 = performance.now();
    try {
      return await original.apply(this, args);
    } finally {
      record(name, performance.now() - t0);
    }
  };
}

/** See ServerOptions.stmtCache. */
function cacheSqliteStatements() {
  const proto = (Database as any).prototype;
  const prepare = proto.prepare;
  const caches = new WeakMap<object, Map<string, unknown>>();
  proto.prepare = function cachedPrepare(this: object, sql: string) {
    let cache = caches.get(this);
    if (!cache) {
      cache = new Map();
      caches.set(this, cache);
    }
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= 1000) {
        cache.clear();
      }
      statement = prepare.call(this, sql);
      cache.set(sql, statement);
    }
    return statement;
  };
}

function sqliteDatabaseConfig(dir: string) {
  return { client: 'better-sqlite3', connection: { directory: dir } };
}

/** The ModelService the bench calls, and its provider. Both pass validation. */
function catalogEntities(upstreamUrl: string) {
  const provider = {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'Provider',
    metadata: { name: 'bench-provider', namespace: 'default' },
    spec: {
      owner: 'group:default/bench-team',
      displayName: 'Bench Provider',
      verification: { status: 'verified', verifiedAt: '2026-01-01' },
      headquarters: { country: 'US', region: 'north-america' },
      compliance: [],
      contact: { email: 'bench@example.com' },
    },
  };
  const service = {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: {
      name: MODEL,
      namespace: 'default',
      title: 'Gateway benchmark model',
    },
    spec: {
      owner: 'group:default/bench-team',
      providedBy: 'provider:default/bench-provider',
      lifecycle: 'active',
      family: 'gpt',
      baseModel: MODEL,
      // Paid (no trial, no spend cap): every request is priced and charged.
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 150,
        completionPer1kMicros: 600,
      },
      contextWindow: 128000,
      maxOutputTokens: 16384,
      features: { streaming: true },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl: upstreamUrl,
        upstreamModel: MODEL,
        auth: { type: 'bearer', secretRef: SECRET_REF },
      },
      geographic: {
        country: 'US',
        region: 'north-america',
        dataCenters: ['loopback'],
      },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 1, p95: 2, p99: 5 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 100000, tokensPerSecond: 100000000 },
        // Far above what one machine can send: the limiter admits everything.
        rateLimits: {
          requestsPerMinute: 1000000000,
          tokensPerMinute: 1000000000000,
        },
      },
    },
  };
  if (!modelServiceEntityV1alpha1Validator(service)) {
    throw new Error('The bench ModelService is not a ModelService');
  }
  if (!providerEntityV1alpha1Validator(provider)) {
    throw new Error('The bench Provider is not a Provider');
  }
  return [provider, service];
}

function demoUpstreamConfig() {
  return {
    enabled: true,
    apiKey: UPSTREAM_KEY,
    models: [
      {
        id: MODEL,
        // Zero latency: the config allows timeToFirstTokenMs >= 0 and
        // tokensPerSecond <= 1e9.
        timeToFirstTokenMs: 0,
        tokensPerSecond: 1_000_000_000,
        failureRate: 0,
      },
    ],
  };
}

async function startUpstream() {
  const backend = await startTestBackend({
    features: [
      demoUpstreamPlugin,
      mockServices.rootConfig.factory({
        data: { marketplace: { demoUpstream: demoUpstreamConfig() } },
      }),
    ],
  });
  const port = (backend.server.address() as AddressInfo).port;
  return {
    backend,
    url: `http://127.0.0.1:${port}/api/demo-upstream/v1`,
  };
}

async function main() {
  const options: ServerOptions = JSON.parse(process.env.BENCH_SERVER ?? '{}');
  const stoppers: Array<() => Promise<void>> = [];
  const cleanups: Array<() => Promise<void>> = [];

  // --- the upstream ---------------------------------------------------------
  let upstreamUrl = options.upstreamUrl;
  if (!upstreamUrl) {
    const upstream = await startUpstream();
    upstreamUrl = upstream.url;
    stoppers.push(() => upstream.backend.stop());
  }
  if (options.role === 'upstream') {
    send({
      type: 'ready',
      upstreamUrl,
      upstreamKey: UPSTREAM_KEY,
      model: MODEL,
      database: 'none',
      pid: process.pid,
    });
    await waitForStop(stoppers, cleanups, undefined);
    return;
  }

  // --- the database ---------------------------------------------------------
  let databaseConfig: object;
  let databaseLabel: string;
  if (options.pg) {
    // A database of our own per run: name prefix + plugin id.
    const prefix = `bench_gw_${Date.now()}_`;
    databaseConfig = { client: 'pg', connection: options.pg, prefix };
    databaseLabel = `PostgreSQL (database ${prefix}marketplace)`;
    if (!options.keepDb) {
      cleanups.push(async () => {
        const admin = knexFactory({ client: 'pg', connection: options.pg });
        try {
          await admin.raw(
            `DROP DATABASE IF EXISTS "${prefix}marketplace" WITH (FORCE)`,
          );
        } finally {
          await admin.destroy();
        }
      });
    }
  } else {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-'));
    databaseConfig = sqliteDatabaseConfig(dir);
    databaseLabel = `SQLite (better-sqlite3) ${path.join(
      dir,
      'marketplace.sqlite',
    )}`;
    if (!options.keepDb) {
      cleanups.push(async () =>
        fs.rmSync(dir, { recursive: true, force: true }),
      );
    }
  }

  // The default database service factory, except that it keeps the marketplace
  // plugin's DatabaseService so that the ledger check can query the same DB.
  let marketplaceDatabase: DatabaseService | undefined;
  const databaseFactory = createServiceFactory({
    service: coreServices.database,
    deps: {
      config: coreServices.rootConfig,
      lifecycle: coreServices.lifecycle,
      logger: coreServices.logger,
      pluginMetadata: coreServices.pluginMetadata,
      rootLifecycle: coreServices.rootLifecycle,
      rootLogger: coreServices.rootLogger,
    },
    async createRootContext({ config, rootLifecycle, rootLogger }) {
      return DatabaseManager.fromConfig(config, { rootLifecycle, rootLogger });
    },
    async factory({ pluginMetadata, lifecycle, logger }, manager) {
      const database = manager.forPlugin(pluginMetadata.getId(), {
        lifecycle,
        logger,
      });
      if (pluginMetadata.getId() === 'marketplace') {
        marketplaceDatabase = database;
      }
      return database;
    },
  });

  if (options.stmtCache) {
    cacheSqliteStatements();
  }
  if (options.timing) {
    wrapAsync(UsageLedger.prototype, 'reserve', 'ledger.reserve');
    wrapAsync(UsageLedger.prototype, 'writeBatch', 'ledger.writeBatch');
    wrapAsync(SubscriptionStore.prototype, 'findGrant', 'store.findGrant');
    const originalWriteBatch = (UsageLedger.prototype as any).writeBatch;
    (UsageLedger.prototype as any).writeBatch = function writeBatch(
      this: unknown,
      batch: unknown[],
    ) {
      record('ledger.batchSize', batch.length);
      return originalWriteBatch.call(this, batch);
    };
  }

  // --- the gateway backend --------------------------------------------------
  const gateway = await startTestBackend({
    features: [
      marketplacePlugin,
      databaseFactory,
      catalogServiceMock.factory({ entities: catalogEntities(upstreamUrl) }),
      mockServices.rootConfig.factory({
        data: {
          backend: { database: databaseConfig },
          marketplace: {
            // The benchmark's services are live at once, no admin review.
            publishing: { requireApproval: false },
            // Its Provider's group is a provider group: the Provider is trusted
            // at once (an unknown group's Provider waits for an admin whatever
            // requireApproval says).
            roles: { providerGroups: ['group:default/bench-team'] },
            // Bound to the bench provider: the server runs with NODE_ENV=production,
            // where an unbound plain string is refused.
            secrets: {
              [SECRET_REF]: {
                value: UPSTREAM_KEY,
                providers: ['provider:default/bench-provider'],
              },
            },
            gateway: { instanceId: `bench-${process.pid}` },
            // The bench's upstream runs on a loopback port of its own.
            egress: { allowedHosts: ['127.0.0.1'] },
          },
        },
      }),
    ],
  });
  stoppers.unshift(() => gateway.stop());
  // As the portal backend serves it (packages/backend's root HTTP router):
  // gateway calls on the fast lane, ahead of express. BENCH_SERVER={"lane":false}
  // measures the express path instead.
  if (options.lane !== false) {
    embeddedGatewayLane.attach(gateway.server);
  }
  const gatewayPort = (gateway.server.address() as AddressInfo).port;
  const base = `http://127.0.0.1:${gatewayPort}/api/marketplace`;

  // Watch gateway responses on the server, by the x-request-id the gateway
  // sets first thing. `answered`: the gateway ended the response before the
  // connection closed; `delivered`: the socket also took all of it. A request
  // whose client went away first (the load generator drops its connections
  // when a run stops) is `gone` instead.
  const answered: Record<string, number> = {};
  const delivered: Record<string, number> = {};
  const answered200Ids = new Set<string>();
  const goneIds = new Set<string>();
  let phaseByStatus: Record<string, number> = {};
  gateway.server.prependListener('request', (req, res) => {
    // Every forwarding route: Chat, and Responses and Messages (translated).
    if (
      /^\/api\/marketplace\/gateway\/v1\/(chat\/completions|responses|messages)(\?|$)/.test(
        req.url ?? '',
      )
    ) {
      res.once('close', () => {
        const key = String(res.statusCode);
        const requestId = res.getHeader('x-request-id');
        if (res.writableEnded) {
          answered[key] = (answered[key] ?? 0) + 1;
          if (res.statusCode === 200 && typeof requestId === 'string') {
            answered200Ids.add(requestId);
          }
        } else if (typeof requestId === 'string') {
          goneIds.add(requestId);
        }
        if (res.writableFinished) {
          delivered[key] = (delivered[key] ?? 0) + 1;
          phaseByStatus[key] = (phaseByStatus[key] ?? 0) + 1;
        }
      });
    }
  });

  const db: Knex = await marketplaceDatabase!.getClient();
  let knexQueries = 0;
  if (options.timing) {
    const started = new Map<string, number>();
    db.on('query', (q: { __knexQueryUid: string }) => {
      knexQueries++;
      started.set(q.__knexQueryUid, performance.now());
    });
    const done = (_r: unknown, q: { __knexQueryUid: string; sql: string }) => {
      const t0 = started.get(q.__knexQueryUid);
      if (t0 !== undefined) {
        started.delete(q.__knexQueryUid);
        const verb = q.sql.trim().split(/\s+/)[0].toLowerCase();
        record(`knex.${verb}`, performance.now() - t0);
      }
    };
    db.on('query-response', done);
    db.on('query-error', (_e: unknown, q: any) => done(undefined, q));
  }

  // --- subscribe the mock user through the REST API -------------------------
  const subscribed = await fetch(`${base}/v1/services/${MODEL}/subscribe`, {
    method: 'POST',
    headers: {
      authorization: mockCredentials.user.header(),
      'content-type': 'application/json',
    },
    body: JSON.stringify({}),
  });
  if (subscribed.status !== 201) {
    throw new Error(
      `Subscribing failed: HTTP ${
        subscribed.status
      } ${await subscribed.text()}`,
    );
  }
  const { subscription, apiKey } = (await subscribed.json()) as {
    subscription: { id: string };
    apiKey: { secret: string };
  };

  // --- statistics, the ledger check, profiling ------------------------------
  const loopDelay = monitorEventLoopDelay({ resolution: 1 });
  loopDelay.enable();
  let phase:
    | {
        cpu: NodeJS.CpuUsage;
        wall: number;
        elu: ReturnType<typeof performance.eventLoopUtilization>;
      }
    | undefined;
  let session: Session | undefined;

  const handlers = async (message: ParentMessage): Promise<boolean> => {
    switch (message.type) {
      case 'phase-start':
        loopDelay.reset();
        timings.clear();
        knexQueries = 0;
        phaseByStatus = {};
        phase = {
          cpu: process.cpuUsage(),
          wall: performance.now(),
          elu: performance.eventLoopUtilization(),
        };
        send({ type: 'ack', id: message.id });
        return false;
      case 'phase-end': {
        const cpu = process.cpuUsage(phase!.cpu);
        const stats: PhaseStats = {
          cpuMicros: cpu.user + cpu.system,
          wallMs: performance.now() - phase!.wall,
          elu: performance.eventLoopUtilization(phase!.elu).utilization,
          loopDelayP50: loopDelay.percentile(50) / 1e6,
          loopDelayP99: loopDelay.percentile(99) / 1e6,
          loopDelayMax: loopDelay.max / 1e6,
          gatewayResponses: phaseByStatus,
        };
        if (options.timing) {
          stats.knexQueries = knexQueries;
          stats.timing = {};
          for (const [name, list] of timings) {
            const sorted = [...list].sort((a, b) => a - b);
            stats.timing[name] = {
              count: list.length,
              p50: percentile(sorted, 50),
              p99: percentile(sorted, 99),
              mean: list.reduce((a, b) => a + b, 0) / list.length,
            };
          }
        }
        send({ type: 'stats', id: message.id, stats });
        return false;
      }
      case 'ledger': {
        // Requests cut off when a run stopped may still be in the gateway:
        // wait until no reservation is open and the ledger stops growing.
        // Reading usage through the REST API flushes the ledger's queue.
        const t0 = Date.now();
        let last = -1;
        for (;;) {
          const usage = await fetch(
            `${base}/v1/subscriptions/${subscription.id}/usage?limit=1`,
            { headers: { authorization: mockCredentials.user.header() } },
          );
          if (usage.status !== 200) {
            throw new Error(`Reading usage failed: HTTP ${usage.status}`);
          }
          const [{ open }] = await db('usage_reservations').count({
            open: '*',
          });
          const [{ rows }] = await db('usage_ledger').count({ rows: '*' });
          if (
            (Number(open) === 0 && Number(rows) === last) ||
            Date.now() - t0 > 30_000
          ) {
            break;
          }
          last = Number(rows);
          await new Promise(r => setTimeout(r, 500));
        }
        const settledAfterMs = Date.now() - t0;

        const all: Array<{ request_id: string; status: string }> = await db(
          'usage_ledger',
        ).select('request_id', 'status');
        const rowsByStatus: Record<string, number> = {};
        const statusById = new Map<string, string[]>();
        for (const r of all) {
          rowsByStatus[r.status] = (rowsByStatus[r.status] ?? 0) + 1;
          const list = statusById.get(r.request_id) ?? [];
          list.push(r.status);
          statusById.set(r.request_id, list);
        }
        let answered200WithOkRow = 0;
        for (const id of answered200Ids) {
          const statuses = statusById.get(id);
          if (statuses?.length === 1 && statuses[0] === 'ok') {
            answered200WithOkRow++;
          }
        }
        let okRowsClientGoneBeforeAnswer = 0;
        let okRowsUnexplained = 0;
        for (const r of all) {
          if (r.status === 'ok' && !answered200Ids.has(r.request_id)) {
            if (goneIds.has(r.request_id)) {
              okRowsClientGoneBeforeAnswer++;
            } else {
              okRowsUnexplained++;
            }
          }
        }
        const [{ open }] = await db('usage_reservations').count({ open: '*' });
        const sub = await db('subscriptions')
          .where({ id: subscription.id })
          .first();
        const [sums] = await db('usage_ledger')
          .where({ subscription_id: subscription.id })
          .select(
            db.raw(
              'COALESCE(SUM(prompt_tokens + completion_tokens), 0) as tokens',
            ),
            db.raw('COALESCE(SUM(cost_micros), 0) as cost'),
          );
        const ledger: LedgerCheck = {
          answered200: answered200Ids.size,
          delivered200: delivered['200'] ?? 0,
          answeredByStatus: { ...answered },
          answered200WithOkRow,
          answered200Mismatched: answered200Ids.size - answered200WithOkRow,
          okRowsClientGoneBeforeAnswer,
          okRowsUnexplained,
          rowsByStatus,
          rows: all.length,
          duplicateRequestIds: all.length - statusById.size,
          openReservations: Number(open),
          settledAfterMs,
          subscription: {
            monthTokens: Number(sub.month_tokens),
            totalSpendMicros: Number(sub.total_spend_micros),
            reservedMicros: Number(sub.reserved_micros),
          },
          ledgerSums: {
            tokens: Number((sums as any).tokens),
            costMicros: Number((sums as any).cost),
          },
        };
        send({ type: 'ledger', id: message.id, ledger });
        return false;
      }
      case 'profile-start':
        session = new Session();
        session.connect();
        await session.post('Profiler.enable');
        await session.post('Profiler.setSamplingInterval', { interval: 200 });
        await session.post('Profiler.start');
        send({ type: 'ack', id: message.id });
        return false;
      case 'profile-stop': {
        const { profile } = await session!.post('Profiler.stop');
        session!.disconnect();
        session = undefined;
        fs.writeFileSync(message.file, JSON.stringify(profile));
        send({ type: 'profile', id: message.id, file: message.file });
        return false;
      }
      case 'stop':
        return true;
      default:
        return false;
    }
  };

  send({
    type: 'ready',
    upstreamUrl,
    gatewayUrl: `${base}/gateway/v1`,
    upstreamKey: UPSTREAM_KEY,
    apiKey: apiKey.secret,
    subscriptionId: subscription.id,
    model: MODEL,
    database: databaseLabel,
    databaseConfig,
    pid: process.pid,
  });
  await waitForStop(stoppers, cleanups, handlers);
}

async function waitForStop(
  stoppers: Array<() => Promise<void>>,
  cleanups: Array<() => Promise<void>>,
  handlers: ((m: ParentMessage) => Promise<boolean>) | undefined,
) {
  await new Promise<void>(resolve => {
    const onMessage = (message: ParentMessage) => {
      if (message?.type === 'stop') {
        resolve();
        return;
      }
      handlers?.(message).catch(error =>
        send({ type: 'error', message: String(error?.stack ?? error) }),
      );
    };
    process.on('message', onMessage);
    // The parent went away: stop too.
    process.on('disconnect', () => resolve());
  });
  for (const stop of stoppers) {
    await stop().catch(() => undefined);
  }
  for (const cleanup of cleanups) {
    await cleanup().catch(error =>
      console.error(`[bench server] cleanup failed: ${error}`),
    );
  }
  process.exit(0);
}

main().catch(error => {
  send({ type: 'error', message: String(error?.stack ?? error) });
  console.error(error);
  process.exit(1);
});
