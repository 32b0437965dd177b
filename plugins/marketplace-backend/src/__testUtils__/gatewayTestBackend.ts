import {
  coreServices,
  createServiceFactory,
  ServiceFactory,
} from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
// The demo upstream is a dev dependency: a real model simulator for these tests.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import demoUpstreamPlugin from '@internal/plugin-marketplace-demo-upstream-backend';
import { Server } from 'http';
import request from 'supertest';
import { marketplacePlugin } from '../plugin';
import { simProvider, simService } from './simMarketplace';

/*
 * The shared set-up of the gateway's integration tests (the gateway with the
 * official SDKs, the protocols, an upstream lying about usage, routes): the
 * whole marketplace plugin on a test database, with a catalog of the test's
 * entities and, where asked, the demo upstream in the same backend.
 */

/** The upstream key the demo upstream expects and the tests' secrets hold. */
export const GATEWAY_TEST_UPSTREAM_KEY = 'upstream-secret-for-tests';

/** The `sim` Provider of ai-platform-team. */
export const gatewayTestProvider: Entity = {
  ...simProvider,
  metadata: { name: 'sim', namespace: 'default' },
};

/** A ModelService of the `sim` Provider on an upstream model, its spec overridden where given. */
export function gatewayTestService(
  name: string,
  upstreamModel: string,
  baseUrl: string,
  overrides: Record<string, any> = {},
): Entity {
  const entity = simService(name, baseUrl) as any;
  entity.spec.endpoint.upstreamModel = upstreamModel;
  return { ...entity, spec: { ...entity.spec, ...overrides } };
}

/** The demo upstream's fastest model: no wait, no failures. */
export const SIM_FAST_MODEL = {
  id: 'sim-fast',
  timeToFirstTokenMs: 0,
  tokensPerSecond: 100000,
  failureRate: 0,
};

/**
 * A catalog of a test's entities (`demoBase` is the demo upstream's `/v1` URL
 * in the test backend): listed by kind; of the rest, only the owner group
 * ai-platform-team exists (publishing checks it).
 */
export function gatewayTestCatalog(entitiesOf: (demoBase: string) => Entity[]) {
  return createServiceFactory({
    service: catalogServiceRef,
    deps: { discovery: coreServices.discovery },
    async factory({ discovery }) {
      const entities = entitiesOf(
        `${await discovery.getBaseUrl('demo-upstream')}/v1`,
      );
      const kindsOf = (filter: any): string[] =>
        (Array.isArray(filter) ? filter : [filter]).map((f: any) =>
          String(f?.kind ?? '').toLowerCase(),
        );
      return {
        async getEntities(req: any) {
          const kinds = req?.filter ? kindsOf(req.filter) : undefined;
          return {
            items: entities.filter(
              e => !kinds || kinds.includes(e.kind.toLowerCase()),
            ),
          };
        },
        async getEntitiesByRefs(req: any) {
          return { items: req.entityRefs.map(() => undefined) };
        },
        async getEntityByRef(ref: string) {
          return ref === 'group:default/ai-platform-team'
            ? { kind: 'Group', metadata: { name: 'ai-platform-team' } }
            : undefined;
        },
        async refreshEntity() {},
      } as any;
    },
  });
}

export interface GatewayTestBackendOptions {
  knex: any;
  catalog: ServiceFactory;
  /** Serves the demo upstream in the backend, with these models. */
  demoModels?: object[];
  /**
   * The test's marketplace config (at least `gateway` and `secrets`), over
   * the defaults: no approvals, the provider teams of app-config.yaml, the
   * loopback upstreams allowed, a 10 % platform fee.
   */
  marketplace: Record<string, unknown>;
}

/** The backend a gateway test runs against, and the gateway's URLs in it. */
export interface GatewayTestBackend {
  backend: Awaited<ReturnType<typeof startTestBackend>>;
  /** The gateway's root (`.../api/marketplace/gateway`), where Anthropic's SDK appends `/v1/messages`. */
  root: string;
  /** The gateway's OpenAI base URL (`<root>/v1`). */
  baseURL: string;
}

export async function startGatewayTestBackend(
  options: GatewayTestBackendOptions,
): Promise<GatewayTestBackend> {
  const backend = await startTestBackend({
    features: [
      marketplacePlugin,
      ...(options.demoModels ? [demoUpstreamPlugin] : []),
      options.catalog,
      mockServices.database.factory({ knex: options.knex }),
      mockServices.rootConfig.factory({
        data: {
          marketplace: {
            // The test services are live at once (approvals: publishing.test.ts).
            publishing: { requireApproval: false },
            // As in app-config.yaml: the teams that own the sample services.
            roles: {
              providerGroups: [
                'group:default/ai-platform-team',
                'group:default/research-llm-team',
              ],
            },
            // The test upstreams run on this machine: allowed explicitly.
            egress: { allowedHosts: ['localhost', '127.0.0.1'] },
            platformFeePercent: 10,
            ...(options.demoModels
              ? {
                  demoUpstream: {
                    enabled: true,
                    apiKey: GATEWAY_TEST_UPSTREAM_KEY,
                    models: options.demoModels,
                  },
                }
              : {}),
            ...options.marketplace,
          },
        },
      }),
    ],
  });
  const address = backend.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  const root = `http://localhost:${port}/api/marketplace/gateway`;
  return { backend, root, baseURL: `${root}/v1` };
}

/** Subscribes a user to a service; resolves to the new API key's secret. */
export async function subscribeForKey(
  server: Server,
  auth: string,
  name: string,
  body: object = {},
) {
  const res = await request(server)
    .post(`/api/marketplace/v1/services/${name}/subscribe`)
    .set('Authorization', auth)
    .send(body);
  expect(res.status).toBe(201);
  return res as typeof res & { body: { apiKey: { secret: string } } };
}

/** The ledger row of a request (`GET /v1/usage/:requestId`). */
export async function usageOf(server: Server, auth: string, requestId: string) {
  const res = await request(server)
    .get(`/api/marketplace/v1/usage/${requestId}`)
    .set('Authorization', auth);
  expect(res.status).toBe(200);
  return res.body.usage;
}
