import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import { marketplacePlugin } from '../../plugin';
import { BODY_LIMITS, DEFAULT_BODY_LIMIT } from './bodyLimits';

jest.setTimeout(60_000);

const API = '/api/marketplace';
const USER = 'user:default/lena.fischer';

/*
 * The REST API's root router (createOpenApiRouter): one JSON parse with the
 * limit of the route, then validation against openapi.yaml with messages that
 * name the field. Not a database concern: SQLite only.
 */
describe('the REST root router', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;

  beforeAll(async () => {
    const knex = await databases.init('SQLITE_3');
    backend = await startTestBackend({
      features: [
        marketplacePlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.database.factory({ knex }),
      ],
    });
  });
  afterAll(() => backend?.stop());

  /**
   * A JSON object with a field no route takes, padded with whitespace (still
   * JSON) to exactly `bytes` bytes.
   */
  const paddedBody = (bytes: number) => {
    const json = '{"unknownField":1}';
    return `${json}${' '.repeat(bytes - json.length)}`;
  };
  const send = (method: 'post' | 'put', path: string, body: string) =>
    request(backend.server)
      [method](`${API}${path}`)
      .set('Authorization', mockCredentials.user.header(USER))
      .set('content-type', 'application/json')
      .send(body);

  const KB = 1024;
  it.each([
    {
      what: 'budgets',
      method: 'put',
      path: `/v1/budgets/user/${encodeURIComponent(USER)}`,
      kb: 16,
    },
    {
      what: 'price changes',
      method: 'post',
      path: '/v1/provider/services/acme/price-changes',
      kb: 32,
    },
    {
      what: 'routes',
      method: 'post',
      path: '/v1/routes/acme/subscribe',
      kb: 64,
    },
    {
      what: 'publishing (the default)',
      method: 'post',
      path: '/v1/provider/services',
      kb: 256,
    },
  ] as const)(
    'takes $what bodies up to $kb kB, and answers a larger one with a 413',
    async ({ method, path, kb }) => {
      const over = await send(method, path, paddedBody(kb * KB + 1));
      expect(over.status).toBe(413);
      expect(over.body).toEqual({
        error: expect.objectContaining({
          name: 'PayloadTooLargeError',
          message: 'request entity too large',
        }),
        // Backstage's error body gives the URL below the plugin's base.
        request: { method: method.toUpperCase(), url: path },
        response: { statusCode: 413 },
      });
      // At the limit the body is parsed and validated (it lacks the route's
      // fields and has one no route takes).
      const at = await send(method, path, paddedBody(kb * KB));
      expect(at.status).toBe(400);
      expect(at.body.error.name).toBe('InputError');
      expect(at.body.error.message).toMatch(
        /^Invalid body field '\w+': (is required|is not a known field)$/,
      );
    },
  );

  it('has a limit for every body-taking area, and the default for the rest', () => {
    expect(BODY_LIMITS.map(l => l.limit)).toEqual(
      expect.arrayContaining(['16kb', '32kb', '64kb']),
    );
    expect(DEFAULT_BODY_LIMIT).toBe('256kb');
  });

  it.each([
    // Body: a value out of range, a missing field, an unknown field.
    [
      'put',
      `/v1/budgets/user/${encodeURIComponent(USER)}`,
      { amountMicros: 0, mode: 'soft' },
      "Invalid body field 'amountMicros': must be >= 1",
    ],
    [
      'post',
      '/v1/services/acme/subscribe',
      { spendCapMicros: 'lots' },
      "Invalid body field 'spendCapMicros': must be integer",
    ],
    [
      'post',
      '/v1/services/acme/subscribe',
      { extra: 1 },
      "Invalid body field 'extra': is not a known field",
    ],
  ] as const)(
    '%s %s with a bad body: 400 naming the field',
    async (method, path, body, message) => {
      const res = await send(method, path, JSON.stringify(body));
      expect(res.status).toBe(400);
      expect(res.body.error).toEqual(
        expect.objectContaining({ name: 'InputError', message }),
      );
    },
  );

  it.each([
    ['?limit=1000', "Invalid query field 'limit': must be <= 100"],
    [
      '?family=palm',
      "Invalid query field 'family[0]': must be equal to one of the allowed values",
    ],
    ['?colour=red', "Invalid query field 'colour': is not a known parameter"],
  ])(
    'GET /marketplace/services%s: 400 naming the parameter',
    async (query, message) => {
      const res = await request(backend.server)
        .get(`${API}/marketplace/services${query}`)
        .set('Authorization', mockCredentials.user.header(USER));
      expect(res.status).toBe(400);
      expect(res.body.error.name).toBe('InputError');
      expect(res.body.error.message).toContain(message);
    },
  );

  it('takes list filters repeated, comma-separated, or both', async () => {
    const browse = (query: string) =>
      request(backend.server)
        .get(`${API}/marketplace/services${query}`)
        .set('Authorization', mockCredentials.user.header(USER));
    for (const query of [
      '?family=gpt&family=claude',
      '?family=gpt,claude',
      '?family=gpt%2Cclaude',
      '?feature=vision&family=gpt,claude&region=europe',
    ]) {
      const res = await browse(query);
      expect({ query, status: res.status }).toEqual({ query, status: 200 });
    }
  });

  it('refuses NUL characters anywhere, naming the field', async () => {
    const res = await send(
      'post',
      '/v1/services/acme/subscribe',
      JSON.stringify({ teamRef: 'group:default/a\u0000b' }),
    );
    expect(res.status).toBe(400);
    expect(res.body.error.message).toBe(
      "Invalid body field 'teamRef': must not contain NUL characters",
    );
  });
});
