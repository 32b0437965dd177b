import { ResponseError } from '@backstage/errors';
import { MarketplaceClient } from './MarketplaceClient';
import { errorMessage, errorStatus } from './errors';

const BASE = 'http://localhost:7007/api/marketplace';

function jsonResponse(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), {
    status,
    statusText: status === 200 ? 'OK' : 'Error',
    headers: { 'Content-Type': 'application/json' },
  });
}

function setup(response: () => Response = () => jsonResponse(200, {})) {
  const fetch = jest.fn(async (_url: string, _init?: RequestInit) =>
    response(),
  );
  const discoveryApi = {
    getBaseUrl: jest.fn(async (_pluginId: string) => BASE),
  };
  const client = new MarketplaceClient({
    discoveryApi,
    fetchApi: { fetch: fetch as unknown as typeof globalThis.fetch },
  });
  return { client, fetch, discoveryApi };
}

describe('MarketplaceClient', () => {
  it('lists services of a scope from the marketplace plugin base URL', async () => {
    const { client, fetch, discoveryApi } = setup(() =>
      jsonResponse(200, { services: [{ owned: true }] }),
    );
    await expect(client.listServices({ scope: 'subscribed' })).resolves.toEqual(
      [{ owned: true }],
    );
    expect(discoveryApi.getBaseUrl).toHaveBeenCalledWith('marketplace');
    expect(fetch).toHaveBeenCalledWith(`${BASE}/v1/services?scope=subscribed`, {
      method: 'GET',
    });

    await client.listServices();
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/services`, {
      method: 'GET',
    });
  });

  it('asks the finder with the needs as repeated query parameters', async () => {
    const body = { needs: {}, matches: [], excluded: [] };
    const { client, fetch } = setup(() => jsonResponse(200, body));
    await expect(
      client.getRecommendations({
        feature: ['vision', 'jsonMode'],
        region: ['europe'],
        maxTtftMs: 500,
        requestsPerMonth: 20000,
      }),
    ).resolves.toEqual(body);
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/marketplace/recommendations?feature=vision&feature=jsonMode&region=europe&maxTtftMs=500&requestsPerMonth=20000`,
      { method: 'GET' },
    );
  });

  it('lists routes and subscribes to and from a route by its encoded name', async () => {
    const { client, fetch } = setup(() =>
      jsonResponse(200, { routes: [{ name: 'llama-3.3' }], subscription: {} }),
    );
    await expect(client.listRoutes()).resolves.toEqual([{ name: 'llama-3.3' }]);
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/routes`, {
      method: 'GET',
    });
    await client.subscribeRoute('a b', {});
    expect(fetch.mock.calls[1][0]).toBe(`${BASE}/v1/routes/a%20b/subscribe`);
    expect(fetch.mock.calls[1][1]?.method).toBe('POST');
    await client.unsubscribeRoute('llama-3.3');
    expect(fetch.mock.calls[2][0]).toBe(
      `${BASE}/v1/routes/llama-3.3/subscribe`,
    );
    expect(fetch.mock.calls[2][1]?.method).toBe('DELETE');
  });

  it('browses services with repeated query parameters', async () => {
    const body = { items: [], total: 0, offset: 0, limit: 24, facets: {} };
    const { client, fetch } = setup(() => jsonResponse(200, body));
    await expect(
      client.browseServices({
        family: ['gpt', 'claude'],
        feature: ['vision'],
        q: 'fast & cheap',
        verified: true,
        sort: 'price-asc',
        offset: 0,
        limit: 24,
      }),
    ).resolves.toEqual(body);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/marketplace/services?family=gpt&family=claude&feature=vision&q=fast+%26+cheap&verified=true&sort=price-asc&offset=0&limit=24`,
      { method: 'GET' },
    );

    await client.browseServices({});
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/marketplace/services`, {
      method: 'GET',
    });
  });

  it('answers the first browse of a prefetched query with the prefetch, once', async () => {
    let served = 0;
    const { client, fetch } = setup(() =>
      jsonResponse(200, { items: [], total: (served += 1) }),
    );
    client.prefetchBrowseServices({ limit: 24 });
    await expect(client.browseServices({ limit: 24 })).resolves.toMatchObject({
      total: 1,
    });
    expect(fetch).toHaveBeenCalledTimes(1);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/marketplace/services?limit=24`,
      { method: 'GET' },
    );

    // Used once: the next browse asks the backend again.
    await expect(client.browseServices({ limit: 24 })).resolves.toMatchObject({
      total: 2,
    });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('does not answer another query, or a late one, with a prefetch', async () => {
    const { client, fetch } = setup(() =>
      jsonResponse(200, { items: [], total: 0 }),
    );
    client.prefetchBrowseServices({ limit: 24 });
    await client.browseServices({ limit: 24, q: 'gpt' });
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/marketplace/services?limit=24&q=gpt`,
      { method: 'GET' },
    );

    const now = jest.spyOn(Date, 'now');
    try {
      now.mockReturnValue(1_000_000);
      client.prefetchBrowseServices({ limit: 24 });
      now.mockReturnValue(1_000_000 + 60_000);
      await client.browseServices({ limit: 24 });
      expect(fetch).toHaveBeenCalledTimes(4);
    } finally {
      now.mockRestore();
    }
  });

  it('asks again when the prefetch failed', async () => {
    let calls = 0;
    const { client, fetch } = setup(() => {
      calls += 1;
      return calls === 1
        ? jsonResponse(503, { error: { name: 'Error', message: 'busy' } })
        : jsonResponse(200, { items: [], total: 3 });
    });
    client.prefetchBrowseServices({ limit: 24 });
    await expect(client.browseServices({ limit: 24 })).resolves.toMatchObject({
      total: 3,
    });
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('encodes path parameters', async () => {
    const { client, fetch } = setup(() =>
      jsonResponse(200, {
        service: {},
        subscription: {},
        apiKey: {},
        usage: [],
      }),
    );
    await client.getService('a/b c');
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/services/a%2Fb%20c`, {
      method: 'GET',
    });
    await client.unsubscribe('x?y');
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/v1/services/x%3Fy/subscribe`,
      { method: 'DELETE' },
    );
    await client.getUsage('sub/1#', { limit: 20 });
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/v1/subscriptions/sub%2F1%23/usage?limit=20`,
      { method: 'GET' },
    );
    await client.rotateKey('k/1');
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/keys/k%2F1/rotate`, {
      method: 'POST',
    });
    await client.revokeKey('k/1');
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/keys/k%2F1`, {
      method: 'DELETE',
    });
  });

  it('posts the subscribe request as JSON and returns the issued key', async () => {
    const response = {
      subscription: { id: 's' },
      apiKey: { secret: 'mk_x' },
      endpoint: { baseUrl: 'b', model: 'm' },
    };
    const { client, fetch } = setup(() => jsonResponse(201, response));
    await expect(
      client.subscribe('acme-gpt-4o', {
        teamRef: 'group:default/checkout',
        spendCapMicros: 0,
      }),
    ).resolves.toEqual(response);
    expect(fetch).toHaveBeenCalledWith(
      `${BASE}/v1/services/acme-gpt-4o/subscribe`,
      {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          teamRef: 'group:default/checkout',
          spendCapMicros: 0,
        }),
      },
    );
  });

  it('unwraps the response bodies', async () => {
    const { client, fetch } = setup();
    fetch.mockResolvedValueOnce(
      jsonResponse(200, { subscriptions: [{ id: 's1' }] }),
    );
    await expect(
      client.listSubscriptions({ status: 'cancelled' }),
    ).resolves.toEqual([{ id: 's1' }]);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/v1/subscriptions?status=cancelled`,
      { method: 'GET' },
    );

    fetch.mockResolvedValueOnce(jsonResponse(200, { usage: [{ a: 1 }] }));
    await expect(client.getUsage('s1')).resolves.toEqual([{ a: 1 }]);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/v1/subscriptions/s1/usage`,
      {
        method: 'GET',
      },
    );

    fetch.mockResolvedValueOnce(
      jsonResponse(200, { apiKey: { id: 'k', secret: 'mk_new' } }),
    );
    await expect(client.rotateKey('k')).resolves.toEqual({
      id: 'k',
      secret: 'mk_new',
    });

    const me = { userRef: 'user:default/a', teams: [] };
    fetch.mockResolvedValueOnce(jsonResponse(200, me));
    await expect(client.getMe()).resolves.toEqual(me);
    expect(fetch).toHaveBeenLastCalledWith(`${BASE}/v1/me`, { method: 'GET' });
  });

  it('throws a ResponseError carrying the server message on failure', async () => {
    const { client } = setup(() =>
      jsonResponse(409, {
        error: {
          name: 'ConflictError',
          message: 'Already subscribed to acme-gpt-4o',
        },
        request: { method: 'POST', url: '/v1/services/acme-gpt-4o/subscribe' },
        response: { statusCode: 409 },
      }),
    );
    const error = await client
      .subscribe('acme-gpt-4o', {})
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect((error as ResponseError).statusCode).toBe(409);
    expect(errorStatus(error)).toBe(409);
    expect(errorMessage(error)).toBe('Already subscribed to acme-gpt-4o');
  });

  it('throws a ResponseError for non-JSON failures too', async () => {
    const { client } = setup(
      () =>
        new Response('Bad gateway', { status: 502, statusText: 'Bad Gateway' }),
    );
    const error = await client.getMe().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ResponseError);
    expect(errorStatus(error)).toBe(502);
  });

  it('gets the measured quality of a service, for a window', async () => {
    const metrics = { serviceRef: 'modelservice:default/a b', window: '7d' };
    const { client, fetch } = setup(() => jsonResponse(200, { metrics }));
    await expect(
      client.getServiceMetrics('a b', { window: '7d' }),
    ).resolves.toEqual(metrics);
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/marketplace/services/a%20b/metrics?window=7d`,
      { method: 'GET' },
    );
    fetch.mockResolvedValueOnce(jsonResponse(200, { metrics }));
    await client.getServiceMetrics('a');
    expect(fetch).toHaveBeenLastCalledWith(
      `${BASE}/marketplace/services/a/metrics`,
      { method: 'GET' },
    );
  });
});
