import { ConfigReader } from '@backstage/config';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import {
  ledgerInvariantViolations,
  ServiceSnapshotWriter,
  SubscriptionStore,
} from '@internal/plugin-marketplace-backend';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory, { Knex } from 'knex';
import { createLogger } from './logger';
import { GatewayServer, startGatewayServer } from './server';

jest.setTimeout(60_000);

/** The upstream: a JSON answer, or a stream of five events 100 ms apart. */
const upstream = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    if (!body.stream) {
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          choices: [
            { index: 0, message: { role: 'assistant', content: 'hi' } },
          ],
          usage: { prompt_tokens: 8, completion_tokens: 2, total_tokens: 10 },
        }),
      );
      return;
    }
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    const timer = setInterval(() => {
      if (sent < 5) {
        res.write(
          `data: ${JSON.stringify({
            choices: [{ index: 0, delta: { content: `part${sent} ` } }],
          })}\n\n`,
        );
        sent++;
        return;
      }
      clearInterval(timer);
      res.write(
        `data: ${JSON.stringify({
          choices: [],
          usage: { prompt_tokens: 8, completion_tokens: 5, total_tokens: 13 },
        })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    }, 100);
  });
});

let dir: string;
let upstreamBase: string;
let server: GatewayServer | undefined;
let knex: Knex;

beforeAll(async () => {
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()));
  upstreamBase = `http://127.0.0.1:${
    (upstream.address() as AddressInfo).port
  }/v1`;
});

afterAll(async () => {
  upstream.closeAllConnections();
  await new Promise(r => upstream.close(r));
});

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gateway-test-'));
});

afterEach(async () => {
  await server?.stop();
  server = undefined;
  // Every request the gateway settled is billed exactly once: counters equal
  // the ledger sums, nothing both held and settled, nothing negative.
  if (knex) {
    await expectLedgerInvariants(knex);
  }
  await knex?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The ledger's promises hold (see ledgerInvariantViolations). */
async function expectLedgerInvariants(db: Knex) {
  expect(await ledgerInvariantViolations(db)).toEqual([]);
}

/**
 * The databases the gateway runs on here: SQLite always; PostgreSQL when a
 * test server is given (as for the backend's TestDatabases:
 * BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING).
 */
const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const DATABASES = ['SQLITE_3', ...(PG ? ['POSTGRES_15'] : [])] as const;
let databaseId: (typeof DATABASES)[number] = 'SQLITE_3';

/** The gateway's database config, and a connection of the test's own to it. */
function database(): { config: JsonObject; connect: () => Knex } {
  if (databaseId === 'POSTGRES_15') {
    // A database of its own per test: the gateway creates it (plugin division).
    const prefix = `gw_${randomBytes(6).toString('hex')}_`;
    const url = new URL(PG!);
    url.pathname = `/${prefix}marketplace`;
    return {
      config: { client: 'pg', connection: PG!, prefix },
      connect: () => knexFactory({ client: 'pg', connection: url.toString() }),
    };
  }
  return {
    config: { client: 'better-sqlite3', connection: { directory: dir } },
    connect: () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: path.join(dir, 'marketplace.sqlite') },
        useNullAsDefault: true,
      }),
  };
}

function entity(
  name = 'svc',
  baseUrl = upstreamBase,
): ModelServiceEntityV1alpha1 {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:default/team',
      providedBy: 'provider:default/p',
      lifecycle: 'active',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 1000,
        completionPer1kMicros: 2000,
      },
      contextWindow: 1000,
      maxOutputTokens: 200,
      endpoint: { baseUrl, auth: { type: 'none' } },
      sla: {
        rateLimits: { requestsPerMinute: 1000, tokensPerMinute: 1_000_000 },
      },
    },
  } as unknown as ModelServiceEntityV1alpha1;
}

type JsonObject = NonNullable<ConstructorParameters<typeof ConfigReader>[0]>;

/**
 * Starts the gateway on a SQLite database in `dir`, with one service and one
 * key (more config under `marketplace`, and more services, when given).
 */
async function start(
  options: {
    marketplace?: JsonObject;
    app?: JsonObject;
    services?: Parameters<ServiceSnapshotWriter['write']>[0];
  } = {},
) {
  const logger = createLogger('error');
  const db = database();
  server = await startGatewayServer({
    config: new ConfigReader({
      backend: {
        baseUrl: 'http://127.0.0.1:1',
        database: db.config,
      },
      ...(options.app ? { app: options.app } : {}),
      marketplace: {
        // The test upstream runs on this machine: allowed explicitly.
        egress: { allowedHosts: ['127.0.0.1'] },
        ...options.marketplace,
      },
    }),
    logger,
    port: 0,
    host: '127.0.0.1',
    instanceId: 'test-gateway',
  });
  // What the portal backend does on the same database: write the services.
  knex = db.connect();
  await new ServiceSnapshotWriter(knex).write([
    {
      name: 'svc',
      ref: 'modelservice:default/svc',
      providerRef: 'provider:default/p',
      entity: entity(),
      status: 'approved',
    },
    ...(options.services ?? []),
  ]);
  const { apiKey } = await new SubscriptionStore(knex).create({
    serviceRef: 'modelservice:default/svc',
    userRef: 'user:default/u',
    teamRef: null,
    spendCapMicros: null,
    trialTokens: 0,
  });
  return { key: apiKey.secret, url: server.url };
}

const chat = (url: string, key: string, stream = false, model = 'svc') =>
  fetch(`${url}/api/marketplace/gateway/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model,
      messages: [{ role: 'user', content: 'hello' }],
      stream,
    }),
  });

describe.each(DATABASES)('the standalone gateway on %s', id => {
  beforeAll(() => {
    databaseId = id;
  });

  it('serves the gateway routes from its own database, with health and readiness', async () => {
    const { key, url } = await start();
    // The service was written after the start: found on the first call.
    await new Promise(r => setTimeout(r, 1_100));
    const res = await chat(url, key);
    expect(res.status).toBe(200);
    expect((await res.json()).usage.total_tokens).toBe(10);
    const requestId = res.headers.get('x-request-id');

    const models = await fetch(`${url}/api/marketplace/gateway/v1/models`, {
      headers: { authorization: `Bearer ${key}` },
    });
    expect((await models.json()).data).toEqual([
      expect.objectContaining({ id: 'svc', object: 'model' }),
    ]);
    const wrongKey = await chat(url, 'mk_wrong');
    expect(wrongKey.status).toBe(401);
    expect((await wrongKey.json()).error.code).toBe('invalid_api_key');

    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({
      status: 'ok',
      draining: false,
      redis: 'off',
      services: 1,
      revision: 1,
    });
    expect((await fetch(`${url}/readyz`)).status).toBe(200);

    await server!.stop();
    server = undefined;
    const rows = await knex('usage_ledger').select('request_id', 'status');
    expect(rows).toEqual([{ request_id: requestId, status: 'ok' }]);
  });

  it('stops gracefully: no new connections, the stream in flight finishes and is settled', async () => {
    const { key, url } = await start();
    await new Promise(r => setTimeout(r, 1_100));
    const streaming = chat(url, key, true).then(async res => ({
      status: res.status,
      text: await res.text(),
      id: res.headers.get('x-request-id'),
    }));
    await new Promise(r => setTimeout(r, 150));
    const stopped = server!.stop();
    server = undefined;
    await new Promise(r => setTimeout(r, 50));
    await expect(fetch(`${url}/readyz`)).rejects.toThrow();
    const done = await streaming;
    await stopped;
    expect(done.status).toBe(200);
    expect(done.text).toContain('part4');
    expect(done.text).toContain('[DONE]');
    const rows = await knex('usage_ledger').select(
      'request_id',
      'status',
      'completion_tokens',
    );
    // (PostgreSQL answers bigint columns as strings.)
    expect(
      rows.map(r => ({ ...r, completion_tokens: Number(r.completion_tokens) })),
    ).toEqual([{ request_id: done.id, status: 'ok', completion_tokens: 5 }]);
    expect(
      Number((await knex('usage_reservations').count({ n: '*' }))[0].n),
    ).toBe(0);
  });

  it("has the embedded gateway's egress policy, stream caps, lifecycle headers, routes and wait", async () => {
    const sunsetAt = Date.now() + 86_400_000;
    const unpublishedAt = Date.now() - 60_000;
    const { port } = new URL(upstreamBase);
    const service = (name: string, baseUrl = upstreamBase) => ({
      name,
      ref: `modelservice:default/${name}`,
      providerRef: 'provider:default/p',
      entity: entity(name, baseUrl),
      status: 'approved' as const,
    });
    const { key, url } = await start({
      app: { baseUrl: 'http://portal.test/' },
      marketplace: {
        gateway: { maxStreamBytes: 200 },
        routes: [{ name: 'any', members: ['down', 'svc'], policy: 'order' }],
      },
      services: [
        // Loopback by name: not on the allow list (127.0.0.1 is).
        service('local', `http://localhost:${port}/v1`),
        // Nothing listens there: a route falls back from it.
        service('down', 'http://127.0.0.1:1/v1'),
        {
          ...service('retiring'),
          unpublication: {
            serviceRef: 'modelservice:default/retiring',
            unpublishedAt,
            sunsetAt,
            unpublishedBy: 'user:default/owner',
            successorRef: 'modelservice:default/svc',
          },
        },
      ],
    });
    const subscriptions = new SubscriptionStore(knex);
    const keyFor = async (serviceRef: string) =>
      (
        await subscriptions.create({
          serviceRef,
          userRef: 'user:default/u',
          teamRef: null,
          spendCapMicros: null,
          trialTokens: 0,
        })
      ).apiKey.secret;
    await new Promise(r => setTimeout(r, 1_100));

    // Egress: the upstream's address is refused, nothing is charged.
    const local = await chat(
      url,
      await keyFor('modelservice:default/local'),
      false,
      'local',
    );
    expect(local.status).toBe(502);
    expect((await local.json()).error.code).toBe('upstream_not_allowed');

    // Lifecycle: Deprecation, Sunset and the successor's page.
    const retiring = await chat(
      url,
      await keyFor('modelservice:default/retiring'),
      false,
      'retiring',
    );
    expect(retiring.status).toBe(200);
    expect(retiring.headers.get('deprecation')).toBe(
      `@${Math.floor(unpublishedAt / 1000)}`,
    );
    expect(retiring.headers.get('sunset')).toBe(
      new Date(sunsetAt).toUTCString(),
    );
    expect(retiring.headers.get('link')).toBe(
      '<http://portal.test/catalog/default/modelservice/svc>; rel="successor-version"',
    );

    // Stream caps: the stream (over 200 bytes in all) ends with an error event.
    const streamed = await chat(url, key, true);
    const text = await streamed.text();
    expect(text).toContain('"code":"upstream_stream_too_large"');
    expect(text).not.toContain('[DONE]');

    // Routes: the first member is down, the second answers.
    const routeKey = await keyFor('route:default/any');
    const routed = await chat(url, routeKey, false, 'any');
    expect(routed.status).toBe(200);
    expect(routed.headers.get('x-marketplace-route')).toBe('any');
    expect(routed.headers.get('x-marketplace-service')).toBe('svc');
    expect(routed.headers.get('x-marketplace-attempts')).toBe('2');
    const models = await fetch(`${url}/api/marketplace/gateway/v1/models`, {
      headers: { authorization: `Bearer ${routeKey}` },
    });
    expect((await models.json()).data).toEqual([
      expect.objectContaining({ id: 'any', owned_by: 'marketplace-route' }),
    ]);

    await server!.stop();
    server = undefined;
    const rows = (
      await knex('usage_ledger')
        .orderBy([
          { column: 'started_at', order: 'asc' },
          { column: 'route_attempt', order: 'asc' },
        ])
        .select(
          'service_ref',
          'status',
          'error_code',
          'cost_micros',
          'route_ref',
          'route_attempt',
          'wait_ms',
        )
    ).map(r => ({
      ...r,
      cost_micros: Number(r.cost_micros),
      wait_ms: r.wait_ms === null ? null : Number(r.wait_ms),
      route_attempt: r.route_attempt === null ? null : Number(r.route_attempt),
    }));
    expect(rows).toEqual([
      expect.objectContaining({
        service_ref: 'modelservice:default/local',
        status: 'upstream_error',
        error_code: 'upstream_not_allowed',
        cost_micros: 0,
      }),
      expect.objectContaining({
        service_ref: 'modelservice:default/retiring',
        status: 'ok',
      }),
      expect.objectContaining({
        service_ref: 'modelservice:default/svc',
        status: 'upstream_error',
        cost_micros: 0,
      }),
      expect.objectContaining({
        service_ref: 'modelservice:default/down',
        status: 'upstream_error',
        route_ref: 'route:default/any',
        route_attempt: 1,
        cost_micros: 0,
      }),
      expect.objectContaining({
        service_ref: 'modelservice:default/svc',
        status: 'ok',
        route_ref: 'route:default/any',
        route_attempt: 2,
      }),
    ]);
    // The wait before going upstream is measured on every forwarded request.
    for (const row of rows) {
      expect(row.wait_ms).toEqual(expect.any(Number));
    }
  });
});
