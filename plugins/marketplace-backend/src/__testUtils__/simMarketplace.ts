import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import { Server } from 'http';
import request from 'supertest';
import { ANONYMOUS, loadExamples } from './marketplaceTestBackend';

/*
 * A small marketplace for tests that run the whole plugin with the demo
 * upstream (a real OpenAI-compatible model simulator) in the same test backend:
 * the `sim` Provider and `sim-*` services owned by ai-platform-team, and the
 * sample users and groups of examples/org.yaml.
 */

export const UPSTREAM_KEY = 'upstream-secret-for-tests';

export const simProvider: Entity = {
  apiVersion: 'marketplace.acme.io/v1alpha1',
  kind: 'Provider',
  metadata: { name: 'sim', namespace: 'default', title: 'Simulated' },
  spec: {
    owner: 'group:default/ai-platform-team',
    displayName: 'Simulated Provider',
    verification: { status: 'pending' },
    headquarters: { country: 'US', region: 'north-america' },
    compliance: [],
    contact: { email: 'sim@acme.io' },
  },
};

/** A ModelService of ai-platform-team served by the demo upstream's `sim-fast`. */
export function simService(name: string, baseUrl: string): Entity {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name, namespace: 'default', title: `${name} title` },
    spec: {
      owner: 'group:default/ai-platform-team',
      providedBy: 'provider:default/sim',
      lifecycle: 'active',
      family: 'gpt',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 2000,
        completionPer1kMicros: 8000,
      },
      contextWindow: 128000,
      maxOutputTokens: 4096,
      features: { streaming: true, functionCalling: true },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl,
        upstreamModel: 'sim-fast',
        auth: { type: 'bearer', secretRef: 'SIM_UPSTREAM_KEY' },
      },
      geographic: {
        country: 'US',
        region: 'north-america',
        dataCenters: ['us-1'],
      },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 100, p95: 200, p99: 300 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 100, tokensPerSecond: 10000 },
        rateLimits: { requestsPerMinute: 10000, tokensPerMinute: 10_000_000 },
      },
    },
  };
}

/** The sample users and groups (examples/org.yaml). */
export const orgEntities = loadExamples('org.yaml').filter(e =>
  ['User', 'Group'].includes(e.kind),
);

/**
 * The catalog: `sim-*` services (their upstream is the test server's demo
 * upstream, so the URL needs its port), the sim Provider, the sample org.
 */
export function simCatalogFactory(
  serviceNames: string[],
  extraEntities: Entity[] = [],
) {
  return createServiceFactory({
    service: catalogServiceRef,
    deps: { discovery: coreServices.discovery },
    async factory({ discovery }) {
      const base = `${await discovery.getBaseUrl('demo-upstream')}/v1`;
      return catalogServiceMock({
        entities: [
          simProvider,
          ...serviceNames.map(name => simService(name, base)),
          ...orgEntities,
          ...extraEntities,
        ],
      });
    },
  });
}

/** Marketplace config with the demo upstream serving `sim-fast`. */
export function simConfig(marketplace: Record<string, unknown> = {}) {
  return mockServices.rootConfig.factory({
    data: {
      marketplace: {
        publishing: { requireApproval: false },
        // The test upstreams run on this machine: allowed explicitly.
        egress: { allowedHosts: ['localhost', '127.0.0.1'] },
        // As in app-config.yaml: the provider teams by config (their Providers
        // and catalog services need no further approval of the team).
        roles: {
          providerGroups: [
            'group:default/ai-platform-team',
            'group:default/research-llm-team',
          ],
        },
        platformFeePercent: 10,
        // Bound to the sim Provider: only its services may use it.
        secrets: {
          SIM_UPSTREAM_KEY: {
            value: UPSTREAM_KEY,
            providers: ['provider:default/sim'],
          },
        },
        demoUpstream: {
          enabled: true,
          apiKey: UPSTREAM_KEY,
          models: [
            {
              id: 'sim-fast',
              timeToFirstTokenMs: 0,
              tokensPerSecond: 100000,
              failureRate: 0,
            },
          ],
        },
        ...marketplace,
      },
    },
  });
}

/** Notifications that go nowhere. */
export const notificationsFactory = createServiceFactory({
  service: notificationService,
  deps: {},
  factory: () => ({ send: async () => undefined }),
});

/** A REST call as a user (or `anonymous`) to the marketplace plugin. */
export function callAs(
  server: Server,
  method: 'get' | 'post' | 'put' | 'delete',
  url: string,
  user: string,
  body?: unknown,
) {
  let req = request(server)[method](`/api/marketplace${url}`);
  if (user !== ANONYMOUS) {
    req = req.set('Authorization', mockCredentials.user.header(user));
  }
  return body === undefined ? req : req.send(body as object);
}

/** One chat completion through the gateway with an API key. */
export function chat(server: Server, apiKey: string, model: string) {
  return request(server)
    .post('/api/marketplace/gateway/v1/chat/completions')
    .set('Authorization', `Bearer ${apiKey}`)
    .send({
      model,
      messages: [{ role: 'user', content: 'Say hi' }],
      max_tokens: 5,
    });
}
