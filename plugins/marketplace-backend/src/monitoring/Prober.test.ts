import { EgressPolicy } from '../egress/EgressPolicy';
import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import http from 'http';
import { AddressInfo } from 'net';
import { SecretResolver } from '../gateway/secrets';
import { DirectoryService } from '../catalog/directoryService';
import { isExcusedAt, PROBE_ANNOTATION, Prober } from './Prober';

/*
 * The prober against a real local HTTP server whose behaviour each test sets:
 * an OpenAI-compatible answer, an error status, silence (timeout), garbage, and
 * a closed port; plus maintenance windows and the upstream credential.
 */

type Behaviour = (req: http.IncomingMessage, res: http.ServerResponse) => void;

let behaviour: Behaviour;
const seen: Array<{
  method?: string;
  url?: string;
  auth?: string;
  body: string;
}> = [];
const server = http.createServer((req, res) => {
  let body = '';
  req.on('data', chunk => (body += chunk));
  req.on('end', () => {
    seen.push({
      method: req.method,
      url: req.url,
      auth: req.headers.authorization,
      body,
    });
    behaviour(req, res);
  });
});
let baseUrl: string;

beforeAll(async () => {
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise(resolve => server.close(resolve));
});

beforeEach(() => {
  seen.length = 0;
});

const json =
  (status: number, body: unknown): Behaviour =>
  (_req, res) => {
    res.writeHead(status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  };
const MODELS = { object: 'list', data: [{ id: 'gpt-4o', object: 'model' }] };

const SECRET = 'sk-upstream-secret-1234';
const secrets = new SecretResolver(
  new ConfigReader({
    marketplace: {
      secrets: {
        UPSTREAM_KEY: { value: SECRET, providers: ['provider:default/acme'] },
      },
    },
  }),
  { env: { NODE_ENV: 'production' } },
);

function service(
  spec: Partial<ModelServiceEntityV1alpha1['spec']> = {},
  annotations: Record<string, string> = {},
): DirectoryService {
  const entity = {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name: 'probe-me', annotations },
    spec: {
      lifecycle: 'active',
      baseModel: 'gpt-4o',
      endpoint: {
        baseUrl,
        auth: { type: 'bearer', secretRef: 'UPSTREAM_KEY' },
      },
      availability: { schedule: '24/7', timezone: 'UTC' },
      ...spec,
    },
  } as unknown as ModelServiceEntityV1alpha1;
  return {
    name: 'probe-me',
    ref: 'modelservice:default/probe-me',
    providerRef: 'provider:default/acme',
    entity,
    status: 'approved',
  };
}

// Friday 2026-11-27 10:00 UTC
const NOW = Date.UTC(2026, 10, 27, 10, 0, 0);
const logger = mockServices.logger.mock();

function prober(
  options: { timeoutMs?: number; mode?: 'models' | 'chat' } = {},
) {
  return new Prober({
    secrets,
    logger,
    timeoutMs: options.timeoutMs ?? 2_000,
    concurrency: 4,
    mode: options.mode ?? 'models',
    clock: () => NOW,
    // The scripted upstream runs on this machine: allowed explicitly.
    egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
  });
}

describe('Prober', () => {
  it('records up for an OpenAI model list, with the upstream credential', async () => {
    behaviour = json(200, MODELS);
    const result = await prober().probe(service());
    expect(result).toEqual({
      serviceRef: 'modelservice:default/probe-me',
      probedAt: NOW,
      outcome: 'up',
      httpStatus: 200,
      errorKind: null,
      latencyMs: expect.any(Number),
    });
    expect(seen).toEqual([
      {
        method: 'GET',
        url: '/v1/models',
        auth: `Bearer ${SECRET}`,
        body: '',
      },
    ]);
  });

  it('records down with bad_status for a 5xx or 401 answer', async () => {
    behaviour = json(503, { error: { message: 'overloaded' } });
    expect(await prober().probe(service())).toMatchObject({
      outcome: 'down',
      httpStatus: 503,
      errorKind: 'bad_status',
    });
    behaviour = json(401, { error: { message: 'bad key' } });
    expect(await prober().probe(service())).toMatchObject({
      outcome: 'down',
      httpStatus: 401,
      errorKind: 'bad_status',
    });
  });

  it('records down with timeout when the upstream does not answer in time', async () => {
    behaviour = () => {
      // never answers
    };
    expect(await prober({ timeoutMs: 200 }).probe(service())).toMatchObject({
      outcome: 'down',
      httpStatus: null,
      errorKind: 'timeout',
    });
  });

  it('records a timeout also when the body stalls after the headers', async () => {
    behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.write('{"object":"list","data":[');
    };
    expect(await prober({ timeoutMs: 200 }).probe(service())).toMatchObject({
      outcome: 'down',
      httpStatus: 200,
      errorKind: 'timeout',
    });
  });

  it.each([
    ['not JSON', 'text/html', '<html>Bad gateway</html>'],
    ['JSON without a model list', 'application/json', '{"status":"ok"}'],
    ['a list of the wrong things', 'application/json', '{"data":[1,2]}'],
  ])('records down with bad_response for %s', async (_what, type, body) => {
    behaviour = (_req, res) => {
      res.writeHead(200, { 'content-type': type });
      res.end(body);
    };
    expect(await prober().probe(service())).toMatchObject({
      outcome: 'down',
      httpStatus: 200,
      errorKind: 'bad_response',
    });
  });

  it('records down with connection when nothing listens', async () => {
    const closed = http.createServer();
    await new Promise<void>(resolve => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise(resolve => closed.close(resolve));
    const result = await prober().probe(
      service({
        endpoint: {
          baseUrl: `http://127.0.0.1:${port}/v1`,
          auth: { type: 'none' },
        },
      }),
    );
    expect(result).toMatchObject({
      outcome: 'down',
      httpStatus: null,
      errorKind: 'connection',
    });
  });

  it('never probes a loopback, private or link-local upstream that is not allowed, and tells no status or latency', async () => {
    behaviour = json(200, MODELS);
    const port = new URL(baseUrl).port;
    for (const url of [
      // The allow list names 127.0.0.1: other names and forms of it are not on it.
      `http://localhost:${port}/v1`,
      `http://2130706434:${port}/v1`,
      `http://[::ffff:127.0.0.1]:${port}/v1`,
      'http://169.254.169.254/latest/meta-data',
      `http://127.0.0.1:${port}/v1#`,
    ]) {
      const result = await prober().probe(
        service({ endpoint: { baseUrl: url, auth: { type: 'none' } } }),
      );
      expect({ url, result }).toMatchObject({
        url,
        result: {
          outcome: 'down',
          httpStatus: null,
          errorKind: 'connection',
          latencyMs: null,
        },
      });
    }
    expect(seen).toEqual([]);
  });

  it('records maintenance, not down, inside a maintenance window (in the service time zone)', async () => {
    behaviour = json(503, { error: { message: 'maintenance' } });
    // Friday 10:00 UTC is 11:00 in Berlin: inside Fri 10:30-11:30 local.
    const weekly = service({
      availability: {
        schedule: '24/7',
        timezone: 'Europe/Berlin',
        weeklyMaintenance: [{ days: ['fri'], start: '10:30', end: '11:30' }],
      },
    });
    expect(await prober().probe(weekly)).toMatchObject({
      outcome: 'maintenance',
      httpStatus: 503,
      errorKind: 'bad_status',
    });
    const oneOff = service({
      availability: {
        schedule: '24/7',
        timezone: 'UTC',
        maintenanceWindows: [
          { start: '2026-11-27T09:00:00Z', end: '2026-11-27T11:00:00Z' },
        ],
      },
    });
    expect((await prober().probe(oneOff)).outcome).toBe('maintenance');
    // Just outside the window (ended at 10:00 UTC): down.
    const over = service({
      availability: {
        schedule: '24/7',
        timezone: 'UTC',
        maintenanceWindows: [
          { start: '2026-11-27T09:00:00Z', end: '2026-11-27T10:00:00Z' },
        ],
      },
    });
    expect((await prober().probe(over)).outcome).toBe('down');
  });

  it('treats outside service hours and lifecycle maintenance as excused', () => {
    const at = new Date(NOW);
    // Business hours in Tokyo: 19:00 local on a Friday is after hours.
    expect(
      isExcusedAt(
        service({
          availability: { schedule: 'business_hours', timezone: 'Asia/Tokyo' },
        }).entity,
        at,
      ),
    ).toBe(true);
    expect(
      isExcusedAt(
        service({
          availability: {
            schedule: 'business_hours',
            timezone: 'Europe/Berlin',
          },
        }).entity,
        at,
      ),
    ).toBe(false);
    expect(isExcusedAt(service({ lifecycle: 'maintenance' }).entity, at)).toBe(
      true,
    );
    expect(isExcusedAt(service().entity, at)).toBe(false);
  });

  it('records credentials_missing without calling the upstream, and never logs the secret', async () => {
    behaviour = json(200, MODELS);
    const result = await prober().probe(
      service({
        endpoint: {
          baseUrl,
          auth: { type: 'bearer', secretRef: 'MARKETPLACE_SECRET_UNSET' },
        },
      }),
    );
    expect(result).toMatchObject({
      outcome: 'down',
      errorKind: 'credentials_missing',
    });
    expect(seen).toEqual([]);
    const logged = JSON.stringify([
      logger.warn.mock.calls,
      logger.info.mock.calls,
      logger.debug.mock.calls,
      logger.error.mock.calls,
    ]);
    expect(logged).toContain('MARKETPLACE_SECRET_UNSET');
    expect(logged).not.toContain(SECRET);
  });

  it('never sends another provider’s credential: a forged service naming it is not called', async () => {
    behaviour = json(200, MODELS);
    // Provided by team-x, naming the credential bound to acme, pointing at a
    // server that would record it.
    const forged: DirectoryService = {
      ...service(),
      ref: 'modelservice:default/forged',
      providerRef: 'provider:default/team-x',
    };
    const result = await prober().probe(forged);
    expect(result).toMatchObject({
      outcome: 'down',
      errorKind: 'credentials_missing',
      httpStatus: null,
    });
    expect(seen).toEqual([]);
    const logged = JSON.stringify([
      logger.warn.mock.calls,
      logger.info.mock.calls,
      logger.debug.mock.calls,
      logger.error.mock.calls,
    ]);
    expect(logged).toContain('provider:default/team-x');
    expect(logged).not.toContain(SECRET);
    // Its own provider's service is checked with it.
    expect((await prober().probe(service())).outcome).toBe('up');
    expect(seen[0].auth).toBe(`Bearer ${SECRET}`);
  });

  it('sends a one-token completion in chat mode (annotation or default)', async () => {
    behaviour = json(200, {
      id: 'x',
      object: 'chat.completion',
      choices: [{ index: 0, message: { role: 'assistant', content: 'p' } }],
    });
    const annotated = service(
      {
        endpoint: {
          baseUrl,
          upstreamModel: 'gpt-4o-2024',
          auth: { type: 'bearer', secretRef: 'UPSTREAM_KEY' },
        },
      },
      { [PROBE_ANNOTATION]: 'chat' },
    );
    expect((await prober().probe(annotated)).outcome).toBe('up');
    expect(seen[0].method).toBe('POST');
    expect(seen[0].url).toBe('/v1/chat/completions');
    expect(JSON.parse(seen[0].body)).toEqual({
      model: 'gpt-4o-2024',
      messages: [{ role: 'user', content: 'ping' }],
      max_tokens: 1,
    });
    // A model list is not a completion.
    behaviour = json(200, MODELS);
    expect(await prober({ mode: 'chat' }).probe(service())).toMatchObject({
      outcome: 'down',
      errorKind: 'bad_response',
    });
  });

  it('probes many services with bounded concurrency', async () => {
    let inFlight = 0;
    let most = 0;
    const waiting: Array<() => void> = [];
    behaviour = (_req, res) => {
      inFlight++;
      most = Math.max(most, inFlight);
      waiting.push(() => {
        inFlight--;
        json(200, MODELS)(_req, res);
      });
      // Answer in batches: all requests wait until the pool is full.
      if (waiting.length === 4) {
        waiting.splice(0).forEach(answer => answer());
      }
    };
    const services = Array.from({ length: 12 }, (_, i) => ({
      ...service(),
      ref: `modelservice:default/s${i}`,
    }));
    const results = await prober().probeAll(services);
    expect(results.map(r => r.serviceRef)).toEqual(services.map(s => s.ref));
    expect(results.every(r => r.outcome === 'up')).toBe(true);
    expect(most).toBe(4);
  });
});
