import http from 'node:http';
import { AddressInfo } from 'node:net';
import { EgressPolicy } from '../egress/EgressPolicy';
import { GatewayError } from '../errors';
import { createGatewayHttpHandler } from '../http/handler';
import { ProtocolAdapter } from '../protocols/types';
import { Gateway } from './Gateway';
import { GatewayReservation, ReserveRequest, Settlement } from './ports';

/*
 * The pipeline is the same for every wire protocol: a toy protocol (plain text
 * in, plain text out, its own error shape) goes through the same steps, on
 * in-memory ports, with nothing of the backend.
 */

const upstream = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const { text, model } = JSON.parse(Buffer.concat(chunks).toString());
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ echo: `${model}: ${text}`, used: 3 }));
  });
});

/** `POST /v1/echo {"say":"...","to":"<model>"}` → `text/plain`. */
const echo: ProtocolAdapter = {
  id: 'test.echo',
  path: '/v1/echo',
  parse(body: any) {
    if (typeof body?.say !== 'string') {
      throw new GatewayError({
        status: 400,
        message: 'say what?',
        param: 'say',
        code: 'invalid_value',
      });
    }
    return {
      model: body.to,
      stream: false,
      promptTokens: 2,
      requestedMaxTokens: 5,
      body,
    };
  },
  upstreamRequest(call, { upstreamModel }) {
    return {
      path: '/echo',
      body: JSON.stringify({ text: call.body.say, model: upstreamModel }),
      accept: 'application/json',
    };
  },
  readAnswer(raw) {
    const answer = JSON.parse(raw.toString());
    return {
      usage: { promptTokens: 2, completionTokens: answer.used },
      text: answer.echo,
      body: Buffer.from(answer.echo),
    };
  },
  streamMeter() {
    throw new Error('no streams');
  },
  errorBody: error => ({ problem: error.message, code: error.code }),
};

let base: string;
let server: http.Server;
const settled: Array<{
  reservation: GatewayReservation;
  settlement: Settlement;
}> = [];
const reserved: ReserveRequest[] = [];

beforeAll(async () => {
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()));
  const upstreamBase = `http://127.0.0.1:${
    (upstream.address() as AddressInfo).port
  }`;
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
          baseUrl: upstreamBase,
          upstreamModel: 'parrot-v2',
          auth: { type: 'none' },
        },
        sla: { rateLimits: { requestsPerMinute: 2, tokensPerMinute: 1000 } },
      },
    } as any,
  };
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
  const gateway = new Gateway({
    logger,
    // The toy upstream runs on this machine: allowed explicitly.
    egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
    grants: {
      findGrant: async secret =>
        secret === 'mk_good'
          ? {
              keyId: 'k',
              subscriptionId: 's',
              userRef: 'user:default/u',
              teamRef: null,
              serviceRef: service.ref,
              keyRevoked: false,
              subscriptionActive: true,
            }
          : undefined,
      touchKey: async () => undefined,
      getSuspension: async () => undefined,
    },
    ledger: {
      reserve: async request => {
        reserved.push(request);
        return {
          ok: true,
          reservation: {
            requestId: request.requestId,
            maxCompletionTokens: request.maxCompletionTokens,
          },
        };
      },
      settle: async (reservation, settlement) => {
        settled.push({ reservation, settlement });
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

const say = (body: object, key = 'mk_good') =>
  fetch(`${base}/v1/echo`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify(body),
  });

describe('the gateway pipeline with another protocol', () => {
  it('authenticates, admits, reserves, forwards and meters a call of any protocol adapter', async () => {
    const res = await say({ say: 'hello', to: 'parrot' });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('parrot-v2: hello');
    const id = res.headers.get('x-request-id');
    expect(reserved).toEqual([
      expect.objectContaining({
        requestId: id,
        model: 'parrot',
        promptTokens: 2,
        maxCompletionTokens: 5,
      }),
    ]);
    expect(settled).toEqual([
      {
        reservation: { requestId: id, maxCompletionTokens: 5 },
        settlement: expect.objectContaining({
          status: 'ok',
          promptTokens: 2,
          completionTokens: 3,
          tokenSource: 'upstream',
          charge: true,
        }),
      },
    ]);
  });

  it("answers every refusal in the adapter's error shape, and reserves nothing for it", async () => {
    reserved.length = 0;
    const bad = await say({ to: 'parrot' });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toEqual({
      problem: 'say what?',
      code: 'invalid_value',
    });
    const wrongKey = await say({ say: 'x', to: 'parrot' }, 'mk_bad');
    expect(wrongKey.status).toBe(401);
    expect((await wrongKey.json()).code).toBe('invalid_api_key');
    const unknown = await say({ say: 'x', to: 'nobody' });
    expect(unknown.status).toBe(404);
    expect((await unknown.json()).code).toBe('model_not_found');
    // The rate limit (2 per minute) counts the call of the first test.
    expect((await say({ say: 'x', to: 'parrot' })).status).toBe(200);
    const limited = await say({ say: 'x', to: 'parrot' });
    expect(limited.status).toBe(429);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await limited.json()).code).toBe('rate_limit_exceeded');
    expect(reserved).toHaveLength(1);
  });
});
