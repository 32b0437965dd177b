import http from 'node:http';
import { AddressInfo } from 'node:net';
import { EgressPolicy } from '../egress/EgressPolicy';
import { createGatewayHttpHandler } from '../http/handler';
import { ProtocolAdapter } from '../protocols/types';
import { Gateway } from './Gateway';

/*
 * When the ledger cannot write a request's reservation (its database refused
 * it, or a whole group-committed batch failed), the request is not forwarded,
 * nothing is settled, and the client gets a retryable error in the protocol's
 * shape, never the generic internal error.
 */

let upstreamCalls = 0;
const upstream = http.createServer((req, res) => {
  upstreamCalls++;
  req.resume();
  req.on('end', () => {
    res.setHeader('content-type', 'application/json');
    res.end('{"echo":"hi"}');
  });
});

const echo: ProtocolAdapter = {
  id: 'test.echo',
  path: '/v1/echo',
  parse: (body: any) => ({
    model: body.to,
    stream: false,
    promptTokens: 2,
    requestedMaxTokens: 5,
    body,
  }),
  upstreamRequest: () => ({
    path: '/echo',
    body: '{}',
    accept: 'application/json',
  }),
  readAnswer: raw => ({
    usage: { promptTokens: 2, completionTokens: 1 },
    text: 'hi',
    body: raw,
  }),
  streamMeter() {
    throw new Error('no streams');
  },
  errorBody: error => ({ problem: error.message, code: error.code }),
};

let base: string;
let server: http.Server;
const settled: unknown[] = [];
const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };

beforeAll(async () => {
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()));
  const service = {
    name: 'parrot',
    ref: 'modelservice:default/parrot',
    providerRef: 'provider:default/p',
    status: 'approved',
    entity: {
      metadata: { name: 'parrot' },
      spec: {
        lifecycle: 'active',
        contextWindow: 100,
        maxOutputTokens: 10,
        pricing: {
          currency: 'USD',
          promptPer1kMicros: 1,
          completionPer1kMicros: 1,
        },
        endpoint: {
          baseUrl: `http://127.0.0.1:${
            (upstream.address() as AddressInfo).port
          }`,
          auth: { type: 'none' },
        },
        sla: {
          rateLimits: { requestsPerMinute: 1000, tokensPerMinute: 100000 },
        },
      },
    } as any,
  };
  const gateway = new Gateway({
    logger,
    egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
    grants: {
      findGrant: async () => ({
        keyId: 'k',
        subscriptionId: 's',
        userRef: 'user:default/u',
        teamRef: null,
        serviceRef: service.ref,
        keyRevoked: false,
        subscriptionActive: true,
      }),
      touchKey: async () => undefined,
      getSuspension: async () => undefined,
    },
    ledger: {
      reserve: async () => {
        throw new Error('SQLITE_IOERR: disk I/O error');
      },
      settle: async (...args) => {
        settled.push(args);
      },
    },
    services: {
      get: async name => (name === 'parrot' ? service : undefined),
      getByRef: ref => (ref === service.ref ? service : undefined),
    },
    credentials: async () => ({ ok: true, headers: {} }),
  });
  server = http.createServer(
    createGatewayHttpHandler({ gateway, protocols: [echo], logger }),
  );
  await new Promise<void>(r => server.listen(0, '127.0.0.1', () => r()));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise(r => server.close(r));
  await new Promise(r => upstream.close(r));
});

it('a reservation the ledger cannot write is answered as retryable, not forwarded and not settled', async () => {
  const res = await fetch(`${base}/v1/echo`, {
    method: 'POST',
    headers: {
      authorization: 'Bearer mk_any',
      'content-type': 'application/json',
    },
    body: JSON.stringify({ to: 'parrot' }),
  });
  expect(res.status).toBe(503);
  expect(res.headers.get('retry-after')).toBe('1');
  const body = await res.json();
  expect(body.code).toBe('ledger_unavailable');
  // The database's message stays in the log, not in the answer.
  expect(body.problem).not.toMatch(/SQLITE/);
  expect(body.problem).toMatch(/Nothing was charged/);
  expect(upstreamCalls).toBe(0);
  expect(settled).toEqual([]);
  expect(logger.error).toHaveBeenCalledWith(
    expect.stringContaining('SQLITE_IOERR'),
  );
});
