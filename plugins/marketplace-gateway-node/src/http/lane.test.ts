import http, { IncomingMessage, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { GatewayLane } from './lane';

/** A server whose own listener (the host's express app) answers 'host <url>'. */
async function serverWith(lane: GatewayLane) {
  const server = http.createServer((req, res) => {
    res.end(`host ${req.url}`);
  });
  lane.attach(server);
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const get = async (path: string, headers: Record<string, string> = {}) => {
    const res = await fetch(`http://127.0.0.1:${port}${path}`, { headers });
    return res.text();
  };
  return { server, get };
}

describe('GatewayLane', () => {
  const servers: http.Server[] = [];
  afterEach(async () => {
    await Promise.all(
      servers.splice(0).map(s => new Promise(resolve => s.close(resolve))),
    );
  });

  const lanes = (lane: GatewayLane) =>
    lane.register(
      '/api/marketplace/gateway/',
      (req: IncomingMessage, res: ServerResponse) => res.end(`lane ${req.url}`),
    );

  it('serves its prefix with the URL below it, and leaves every other path to the host', async () => {
    const lane = new GatewayLane();
    const { server, get } = await serverWith(lane);
    servers.push(server);
    lanes(lane);
    expect(await get('/api/marketplace/gateway/v1/models')).toBe(
      'lane /v1/models',
    );
    expect(await get('/api/marketplace/gateway/v1/models?x=1')).toBe(
      'lane /v1/models?x=1',
    );
    expect(await get('/api/marketplace/gateway')).toBe('lane /');
    expect(await get('/api/marketplace/gateway?x=1')).toBe('lane /?x=1');
    // Not a whole path segment, another plugin, the plugin's REST API.
    expect(await get('/api/marketplace/gatewayx/v1/models')).toBe(
      'host /api/marketplace/gatewayx/v1/models',
    );
    expect(await get('/api/catalog/entities')).toBe(
      'host /api/catalog/entities',
    );
    expect(await get('/api/marketplace/services')).toBe(
      'host /api/marketplace/services',
    );
  });

  it('leaves browsers calling from a page (an Origin header) to the host, for its CORS', async () => {
    const lane = new GatewayLane();
    const { server, get } = await serverWith(lane);
    servers.push(server);
    lanes(lane);
    expect(
      await get('/api/marketplace/gateway/v1/models', {
        origin: 'http://localhost:3000',
      }),
    ).toBe('host /api/marketplace/gateway/v1/models');
  });

  it('takes nothing until it is opened, and nothing after it is closed', async () => {
    const lane = new GatewayLane();
    const { server, get } = await serverWith(lane);
    servers.push(server);
    expect(await get('/api/marketplace/gateway/v1/models')).toBe(
      'host /api/marketplace/gateway/v1/models',
    );
    const close = lanes(lane);
    expect(await get('/api/marketplace/gateway/v1/models')).toBe(
      'lane /v1/models',
    );
    close();
    expect(await get('/api/marketplace/gateway/v1/models')).toBe(
      'host /api/marketplace/gateway/v1/models',
    );
  });

  it('a stale close does not close the lane a newer gateway opened', async () => {
    const lane = new GatewayLane();
    const { server, get } = await serverWith(lane);
    servers.push(server);
    const closeOld = lanes(lane);
    lane.register('/api/marketplace/gateway', (req, res) =>
      res.end(`new ${req.url}`),
    );
    closeOld();
    expect(await get('/api/marketplace/gateway/v1/models')).toBe(
      'new /v1/models',
    );
  });
});
