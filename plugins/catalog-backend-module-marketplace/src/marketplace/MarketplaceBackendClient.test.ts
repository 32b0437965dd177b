import http from 'node:http';
import { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { ResponseError } from '@backstage/errors';
import { MarketplaceBackendClient } from './MarketplaceBackendClient';

/** A real HTTP server standing in for the marketplace backend's internal routes. */
async function fakeMarketplace(
  answers: Record<string, { status: number; body: unknown }>,
) {
  const received: { url?: string; authorization?: string }[] = [];
  const server = http.createServer((req, res) => {
    received.push({ url: req.url, authorization: req.headers.authorization });
    const answer = answers[req.url ?? ''] ?? { status: 404, body: {} };
    res.writeHead(answer.status, { 'content-type': 'application/json' });
    res.end(JSON.stringify(answer.body));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    received,
    baseUrl: `http://127.0.0.1:${port}/api/marketplace`,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('MarketplaceBackendClient', () => {
  it('reads the internal routes with a service token for the marketplace', async () => {
    const server = await fakeMarketplace({
      '/api/marketplace/v1/internal/approvals': {
        status: 200,
        body: { approvals: { 'modelservice:default/a': 'pending' } },
      },
      '/api/marketplace/v1/internal/credential-bindings': {
        status: 200,
        body: {
          bindings: [{ name: 'KEY', providers: ['provider:default/p'] }],
        },
      },
    });
    try {
      const auth = mockServices.auth();
      const client = new MarketplaceBackendClient({
        discovery: { getBaseUrl: async () => server.baseUrl } as any,
        auth,
      });
      await expect(client.getApprovals()).resolves.toEqual({
        'modelservice:default/a': 'pending',
      });
      await expect(client.getCredentialBindings()).resolves.toEqual([
        { name: 'KEY', providers: ['provider:default/p'] },
      ]);
      expect(server.received.map(r => r.url)).toEqual([
        '/api/marketplace/v1/internal/approvals',
        '/api/marketplace/v1/internal/credential-bindings',
      ]);
      const token = mockCredentials.service.token({
        onBehalfOf: await auth.getOwnServiceCredentials(),
        targetPluginId: 'marketplace',
      });
      for (const request of server.received) {
        expect(request.authorization).toBe(`Bearer ${token}`);
      }
    } finally {
      await server.close();
    }
  });

  it("throws the backend's refusal as a ResponseError", async () => {
    const server = await fakeMarketplace({
      '/api/marketplace/v1/internal/published-entities': {
        status: 401,
        body: {
          error: { name: 'AuthenticationError', message: 'No token' },
          response: { statusCode: 401 },
        },
      },
    });
    try {
      const client = new MarketplaceBackendClient({
        discovery: { getBaseUrl: async () => server.baseUrl } as any,
        auth: mockServices.auth(),
      });
      const error = await client.getPublishedEntities().catch(e => e);
      expect(error).toBeInstanceOf(ResponseError);
      expect(error.statusCode).toBe(401);
      expect(error.cause.message).toBe('No token');
    } finally {
      await server.close();
    }
  });
});
