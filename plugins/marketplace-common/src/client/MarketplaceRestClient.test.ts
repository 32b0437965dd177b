import http from 'node:http';
import { AddressInfo } from 'node:net';
import { ResponseError } from '@backstage/errors';
import { MarketplaceRestClient, toQueryString } from './MarketplaceRestClient';

type Received = {
  method?: string;
  url?: string;
  headers: http.IncomingHttpHeaders;
  body: string;
};

type Answer = {
  status: number;
  headers?: Record<string, string>;
  body?: string;
};

/** A real HTTP server standing in for the marketplace backend. */
async function startServer() {
  const received: Received[] = [];
  let answer: Answer = { status: 200, body: '{}' };
  const server = http.createServer((req, res) => {
    let body = '';
    req.on('data', chunk => (body += chunk));
    req.on('end', () => {
      received.push({
        method: req.method,
        url: req.url,
        headers: req.headers,
        body,
      });
      res.writeHead(answer.status, {
        'content-type': 'application/json; charset=utf-8',
        ...answer.headers,
      });
      res.end(answer.body);
    });
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const baseUrl = `http://127.0.0.1:${port}/api/marketplace`;
  const discovered: string[] = [];
  const client = new MarketplaceRestClient({
    discoveryApi: {
      getBaseUrl: async pluginId => {
        discovered.push(pluginId);
        return baseUrl;
      },
    },
  });
  return {
    client,
    received,
    discovered,
    answer: (next: Answer) => {
      answer = next;
    },
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('MarketplaceRestClient', () => {
  let server: Awaited<ReturnType<typeof startServer>>;
  beforeEach(async () => {
    server = await startServer();
  });
  afterEach(async () => {
    await server.close();
  });

  it('fills encoded path parameters into the path of the marketplace plugin', async () => {
    server.answer({ status: 200, body: JSON.stringify({ service: { a: 1 } }) });
    await expect(
      server.client.request('get', '/v1/services/{name}', {
        path: { name: 'a/b c?#%' },
      }),
    ).resolves.toEqual({ service: { a: 1 } });
    expect(server.discovered).toEqual(['marketplace']);
    expect(server.received).toEqual([
      expect.objectContaining({
        method: 'GET',
        url: '/api/marketplace/v1/services/a%2Fb%20c%3F%23%25',
        body: '',
      }),
    ]);
    // Nothing to send: no body, no content type, no token.
    expect(server.received[0].headers['content-type']).toBeUndefined();
    expect(server.received[0].headers.authorization).toBeUndefined();
  });

  it('sends arrays as repeated query parameters and leaves out missing ones', async () => {
    server.answer({ status: 200, body: '{"items":[]}' });
    await server.client.request('get', '/marketplace/services', {
      query: {
        family: ['gpt', 'claude'],
        q: 'fast & cheap',
        verified: 'true',
        country: [],
        sort: undefined,
        limit: 0,
      },
    });
    expect(server.received[0].url).toBe(
      '/api/marketplace/marketplace/services?family=gpt&family=claude&q=fast+%26+cheap&verified=true&limit=0',
    );

    await server.client.request('get', '/marketplace/services');
    expect(server.received[1].url).toBe(
      '/api/marketplace/marketplace/services',
    );
  });

  it('sends the body as JSON, the token and extra headers', async () => {
    server.answer({ status: 201, body: '{"subscription":{"id":"s1"}}' });
    const answer = await server.client.request(
      'post',
      '/v1/services/{name}/subscribe',
      {
        path: { name: 'acme-gpt-4o' },
        body: { teamRef: 'group:default/checkout', spendCapMicros: 0 },
      },
      { token: 'service-token', headers: { 'idempotency-key': 'k-1' } },
    );
    expect(answer).toEqual({ subscription: { id: 's1' } });
    const [request] = server.received;
    expect(request.method).toBe('POST');
    expect(request.url).toBe(
      '/api/marketplace/v1/services/acme-gpt-4o/subscribe',
    );
    expect(request.headers['content-type']).toBe('application/json');
    expect(request.headers.authorization).toBe('Bearer service-token');
    expect(request.headers['idempotency-key']).toBe('k-1');
    expect(JSON.parse(request.body)).toEqual({
      teamRef: 'group:default/checkout',
      spendCapMicros: 0,
    });
  });

  it('answers undefined for a 204', async () => {
    server.answer({ status: 204 });
    await expect(
      server.client.request('delete', '/v1/budgets/{scope}/{ref}', {
        path: { scope: 'user', ref: 'user:default/lena' },
      }),
    ).resolves.toBeUndefined();
    expect(server.received[0]).toMatchObject({
      method: 'DELETE',
      url: '/api/marketplace/v1/budgets/user/user%3Adefault%2Flena',
    });
  });

  it("turns the backend's error body into a ResponseError with its status and message", async () => {
    server.answer({
      status: 409,
      body: JSON.stringify({
        error: {
          name: 'ConflictError',
          message: 'Already subscribed to acme-gpt-4o',
        },
        request: { method: 'POST', url: '/v1/services/acme-gpt-4o/subscribe' },
        response: { statusCode: 409 },
      }),
    });
    const error = await server.client
      .request('post', '/v1/services/{name}/subscribe', {
        path: { name: 'acme-gpt-4o' },
        body: {},
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    const responseError = error as ResponseError;
    expect(responseError.statusCode).toBe(409);
    expect(responseError.cause.name).toBe('ConflictError');
    expect(responseError.cause.message).toBe(
      'Already subscribed to acme-gpt-4o',
    );
  });

  it('turns a failure that is not JSON into a ResponseError too', async () => {
    server.answer({
      status: 502,
      headers: { 'content-type': 'text/plain' },
      body: 'Bad gateway',
    });
    const error = await server.client
      .request('get', '/v1/me')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).statusCode).toBe(502);
    expect((error as ResponseError).cause.message).toContain('Bad gateway');
  });

  it('gives the response itself for answers that are not JSON', async () => {
    server.answer({
      status: 200,
      headers: {
        'content-type': 'text/csv',
        'content-disposition': 'attachment; filename="statement-2026-11.csv"',
      },
      body: 'service,costMicros\r\nTOTAL,0\r\n',
    });
    const response = await server.client.fetch(
      'get',
      '/v1/statements/{month}/csv',
      { path: { month: '2026-11' }, query: { team: 'group:default/a' } },
    );
    expect(server.received[0].url).toBe(
      '/api/marketplace/v1/statements/2026-11/csv?team=group%3Adefault%2Fa',
    );
    expect(response.headers.get('content-disposition')).toContain(
      'statement-2026-11.csv',
    );
    await expect(response.text()).resolves.toBe(
      'service,costMicros\r\nTOTAL,0\r\n',
    );
  });

  it('refuses a call without a path parameter, before sending it', async () => {
    await expect(
      server.client.request('get', '/v1/services/{name}', {
        path: {},
      } as any),
    ).rejects.toThrow("Missing path parameter 'name' of /v1/services/{name}");
    expect(server.received).toHaveLength(0);
  });
});

describe('toQueryString', () => {
  it('is empty without values', () => {
    expect(toQueryString(undefined)).toBe('');
    expect(toQueryString({ a: undefined, b: null, c: '' })).toBe('');
  });

  it('keeps zero and false', () => {
    expect(toQueryString({ offset: 0, verified: false })).toBe(
      '?offset=0&verified=false',
    );
  });
});
