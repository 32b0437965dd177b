import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import {
  mockServices,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
// `yaml` resolves from the workspace root (hoisted from other packages).
import { parse } from 'yaml';
import {
  AVAILABILITY_FILTERS,
  BROWSE_SORTS,
  COMPLIANCE_CERTIFICATIONS,
  CONTEXT_BUCKETS,
  FINDER_NEEDS,
  GEO_REGIONS,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  PERFORMANCE_FILTERS,
  PRICE_RANGES,
  SERVICE_LIFECYCLES,
} from '@internal/plugin-marketplace-common';
import { marketplacePlugin } from '../plugin';
import { spec as generatedSpec } from './openapi/generated/router';

/*
 * The REST API is spec-first: its routers are built on the router generated from
 * this document (src/schema/openapi/generated/router.ts), which validates every
 * request against it, and its handlers are typed from it (the build fails when a
 * handler answers something else). What is left to check here:
 *   - the generated router and types are what the document generates (they
 *     were regenerated after an edit);
 *   - every REST operation has a handler, and every handler an operation;
 *   - the gateway, which keeps its own router and protocol validation, is
 *     documented: its routes, error codes and statuses are read from its sources.
 * The API types of @internal/plugin-marketplace-common are aliases of the
 * generated ones, so they cannot drift from the document.
 */

const SRC = path.resolve(__dirname, '..');
function read(file: string): string {
  return fs.readFileSync(path.resolve(SRC, file), 'utf8');
}

const doc = parse(read('schema/openapi.yaml'));

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';
interface Route {
  method: Method;
  /** OpenAPI form: `/v1/services/{name}`. */
  path: string;
  /** The source of the handler, up to the next route. */
  handler: string;
}

/** The gateway's pipeline and HTTP surface (@internal/plugin-marketplace-gateway-node). */
const GATEWAY_NODE = path.resolve(
  __dirname,
  '../../../marketplace-gateway-node/src',
);
function readGatewayNode(file: string): string {
  return fs.readFileSync(path.resolve(GATEWAY_NODE, file), 'utf8');
}
const gatewayProtocols = fs
  .readdirSync(path.resolve(GATEWAY_NODE, 'protocols'))
  .filter(file => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map(file => readGatewayNode(`protocols/${file}`));
/**
 * The gateway's routes: `GET .../v1/models` in the node:http handler, and the
 * POST route of every protocol adapter (its `path`).
 */
function gatewayRoutesOf(prefix: string): Route[] {
  const handler = readGatewayNode('http/handler.ts');
  const routes: Route[] = [];
  const models = /const modelsPath = `\$\{basePath\}([^`]+)`/.exec(handler);
  if (models) {
    routes.push({ method: 'get', path: `${prefix}${models[1]}`, handler });
  }
  for (const source of gatewayProtocols) {
    // Each adapter's `path`, and the keys of its `extraRoutes`.
    for (const m of source.matchAll(
      /^\s*(?:path: )?'(\/v1\/[^']+)'(?:,|: )/gm,
    )) {
      routes.push({
        method: 'post',
        path: `${prefix}${m[1]}`,
        handler: source,
      });
    }
  }
  return routes;
}
const gatewayRoutes = gatewayRoutesOf('/gateway');
// The pipeline's steps, one file each (pipeline/Gateway.ts composes them).
const gatewayPipeline = fs
  .readdirSync(path.resolve(GATEWAY_NODE, 'pipeline'))
  .filter(file => file.endsWith('.ts') && !file.endsWith('.test.ts'))
  .map(file => readGatewayNode(`pipeline/${file}`));
const gatewaySources = [
  read('gateway/router.ts'),
  read('gateway/TestApiGateway.ts'),
  ...gatewayPipeline,
  readGatewayNode('http/handler.ts'),
  ...gatewayProtocols,
  // Route selection and fallback (issue 24), part of the gateway.
  read('routing/routeGateway.ts'),
];

/** Resolves a local `$ref` (`#/components/...`). */
function resolveRef(ref: string): any {
  if (!ref.startsWith('#/')) {
    throw new Error(`Only local $refs are expected, got ${ref}`);
  }
  return ref
    .slice(2)
    .split('/')
    .reduce((node: any, key) => node?.[key], doc);
}

/** The value with every `$ref` replaced by its target (refs are not recursive). */
function deref(value: any, depth = 0): any {
  if (depth > 40) {
    throw new Error('$refs nest too deep');
  }
  if (Array.isArray(value)) {
    return value.map(v => deref(v, depth + 1));
  }
  if (value && typeof value === 'object') {
    if (typeof value.$ref === 'string') {
      return deref(resolveRef(value.$ref), depth + 1);
    }
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, deref(v, depth + 1)]),
    );
  }
  return value;
}

function operation(route: Route) {
  return doc.paths?.[route.path]?.[route.method];
}

describe('openapi.yaml', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });

  it('is an OpenAPI 3.0 document with both security schemes', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d+$/);
    expect(doc.info.title).toBeTruthy();
    expect(doc.info.version).toBeTruthy();
    expect(doc.servers[0].url).toContain('/api/marketplace');
    expect(doc.components.securitySchemes.backstageToken).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    expect(doc.components.securitySchemes.marketplaceApiKey).toEqual(
      expect.objectContaining({ type: 'http', scheme: 'bearer' }),
    );
    // The REST API is the default; the gateway overrides it per operation.
    expect(doc.security).toEqual([{ backstageToken: [] }]);
  });

  it('is what the generated router validates against', () => {
    // `yarn generate:openapi` after editing a part of the document.
    const restPaths = Object.fromEntries(
      Object.entries(doc.paths).filter(([p]) => !p.startsWith('/gateway/')),
    );
    expect(JSON.parse(JSON.stringify(generatedSpec))).toEqual({
      ...doc,
      servers: [{ url: '/' }],
      paths: restPaths,
    });
  });

  it('generated the committed router and types (`yarn generate:openapi`)', () => {
    // Writes nothing; fails with the stale files' names.
    expect(() =>
      execFileSync(
        process.execPath,
        [
          path.resolve(__dirname, '../../../../scripts/generate-openapi.mjs'),
          '--check',
        ],
        { stdio: 'pipe', encoding: 'utf8' },
      ),
    ).not.toThrow();
  }, 120_000);

  it('has a handler for every REST operation and an operation for every handler', async () => {
    const mounted: any[] = [];
    const knex = await databases.init('SQLITE_3');
    const backend = await startTestBackend({
      features: [
        marketplacePlugin,
        catalogServiceMock.factory({ entities: [] }),
        mockServices.database.factory({ knex }),
        // Keeps the plugin's root router instead of serving it.
        createServiceFactory({
          service: coreServices.httpRouter,
          deps: { plugin: coreServices.pluginMetadata },
          factory: ({ plugin }) => ({
            use: (handler: any) => {
              if (plugin.getId() === 'marketplace') {
                mounted.push(handler);
              }
            },
            addAuthPolicy: () => {},
          }),
        }),
      ],
    });
    try {
      const handlers = new Set<string>();
      const walk = (router: any, prefix: string) => {
        for (const layer of router.stack ?? []) {
          if (layer.route) {
            for (const method of Object.keys(layer.route.methods)) {
              handlers.add(`${method} ${prefix}${layer.route.path}`);
            }
          } else if (layer.handle?.stack) {
            // Flat mounts only, except the gateway (its own router).
            const gateway =
              layer.regexp?.test('/gateway/v1/models') &&
              !layer.regexp?.test('/v1/services');
            if (!gateway) {
              walk(layer.handle, prefix);
            }
          }
        }
      };
      expect(mounted.length).toBeGreaterThan(0);
      for (const router of mounted) {
        walk(router, '');
      }
      // backend-openapi-utils serves the document itself, and the permissions
      // registry its own integration routes.
      handlers.delete('get /openapi.json');
      for (const handler of handlers) {
        if (handler.includes(' /.well-known/backstage/')) {
          handlers.delete(handler);
        }
      }

      const documented = Object.entries<any>(doc.paths)
        .filter(([p]) => !p.startsWith('/gateway/'))
        .flatMap(([p, item]) =>
          Object.keys(item)
            .filter(k => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
            .map(m => `${m} ${p.replace(/\{(\w+)\}/g, ':$1')}`),
        );
      expect(documented.length).toBeGreaterThan(60);
      expect([...handlers].sort()).toEqual(documented.sort());
    } finally {
      await backend.stop();
    }
  });

  it('documents the REST errors in the Backstage shape', () => {
    for (const [p, item] of Object.entries<any>(doc.paths)) {
      if (p.startsWith('/gateway/')) {
        continue;
      }
      for (const [method, op] of Object.entries<any>(item)) {
        if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) {
          continue;
        }
        expect({
          op: op.operationId,
          has: op.operationId !== undefined,
        }).toEqual({ op: op.operationId, has: true });
        const statuses = Object.keys(op.responses);
        // Every route needs a token (but the public kinds' schemas) and may fail.
        const expected = op.security?.length === 0 ? ['500'] : ['401', '500'];
        expect({ op: op.operationId, statuses }).toEqual({
          op: op.operationId,
          statuses: expect.arrayContaining(expected),
        });
        for (const status of statuses.filter(s => s.startsWith('4'))) {
          const schema = deref(op.responses[status]).content?.[
            'application/json'
          ]?.schema;
          // The Test API runs the gateway's pipeline: its own errors are in
          // OpenAI's shape, the framework's in Backstage's.
          const allowed = [
            deref({ $ref: '#/components/schemas/ErrorResponse' }),
            deref({ $ref: '#/components/schemas/GatewayErrorResponse' }),
          ];
          expect(allowed).toContainEqual(schema);
        }
      }
    }
  });

  describe.each(
    gatewayRoutes.map(route => ({
      name: `${route.method.toUpperCase()} ${route.path}`,
      route,
    })),
  )('gateway route $name', ({ route }) => {
    it('is documented with the API key scheme and OpenAI errors', () => {
      const op = operation(route);
      expect(op).toBeDefined();
      expect(op.security).toEqual([{ marketplaceApiKey: [] }]);
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(['200', '401', '500']),
      );
      const errors = Object.entries<any>(op.responses).filter(([status]) =>
        /^[45]\d\d$/.test(status),
      );
      expect(errors.length).toBeGreaterThan(0);
      // Anthropic's routes answer errors in Anthropic's shape.
      const shape = route.path.includes('/v1/messages')
        ? 'AnthropicErrorResponse'
        : 'GatewayErrorResponse';
      for (const [, response] of errors) {
        expect(deref(response).content['application/json'].schema).toEqual(
          deref({ $ref: `#/components/schemas/${shape}` }),
        );
      }
    });
  });

  it('documents every error code the gateway answers with', () => {
    const codes = new Set<string>();
    for (const source of gatewaySources) {
      for (const [, expression] of source.matchAll(/\bcode:\s*([^,\n]+)/g)) {
        for (const [, code] of expression.matchAll(/'([a-z_]+)'/g)) {
          codes.add(code);
        }
      }
    }
    // The brief's list must all be there (guards the extraction).
    expect([...codes]).toEqual(
      expect.arrayContaining([
        'invalid_json',
        'invalid_value',
        'missing_required_parameter',
        'context_length_exceeded',
        'invalid_api_key',
        'key_revoked',
        'subscription_inactive',
        'user_suspended',
        'model_not_subscribed',
        'service_deprecated',
        'model_not_found',
        'request_too_large',
        'rate_limit_exceeded',
        'trial_exhausted',
        'budget_exceeded',
        'upstream_error',
        'upstream_unreachable',
        'upstream_credentials_missing',
        'service_in_maintenance',
        'upstream_timeout',
      ]),
    );
    const enumCodes = doc.components.schemas.GatewayErrorCode.enum;
    const documentedText = JSON.stringify(
      deref({
        models: doc.paths['/gateway/v1/models'],
        chat: doc.paths['/gateway/v1/chat/completions'],
        responses: doc.paths['/gateway/v1/responses'],
        messages: doc.paths['/gateway/v1/messages'],
        embeddings: doc.paths['/gateway/v1/embeddings'],
      }),
    );
    for (const code of codes) {
      expect({ code, inEnum: enumCodes.includes(code) }).toEqual({
        code,
        inEnum: true,
      });
      expect({ code, described: documentedText.includes(code) }).toEqual({
        code,
        described: true,
      });
    }
    // and the enum has no code the gateway never sends
    expect(enumCodes.filter((c: string | null) => c !== null).sort()).toEqual(
      [...codes].sort(),
    );
  });

  it('documents every status the gateway answers with, and its headers', () => {
    const statuses = new Set<string>();
    for (const source of gatewaySources) {
      for (const [, expression] of source.matchAll(/\bstatus:\s*([^,\n]+)/g)) {
        for (const [, status] of expression.matchAll(/\b([1-5]\d\d)\b/g)) {
          statuses.add(status);
        }
      }
    }
    expect([...statuses]).toEqual(
      expect.arrayContaining(['400', '401', '403', '404', '413', '429']),
    );
    const chat = doc.paths['/gateway/v1/chat/completions'].post.responses;
    const models = doc.paths['/gateway/v1/models'].get.responses;
    for (const status of statuses) {
      expect({
        status,
        documented: status in chat || status in models,
      }).toEqual({ status, documented: true });
    }

    const chatResponses = deref(chat);
    expect(chatResponses['200'].headers['x-request-id']).toBeDefined();
    expect(chatResponses['200'].content['text/event-stream']).toBeDefined();
    expect(chatResponses['429'].headers['retry-after']).toBeDefined();
    expect(chatResponses['503'].headers['retry-after']).toBeDefined();
    for (const status of ['401', '403', '404', '429', '502', '503', '504']) {
      expect(chatResponses[status].headers['x-request-id']).toBeDefined();
    }
  });

  it('offers every value of the kind and of browse in its query filters (validation refuses what an enum lacks)', () => {
    const constants: Record<string, readonly string[]> = {
      family: MODEL_FAMILIES,
      feature: MODEL_FEATURES,
      context: CONTEXT_BUCKETS,
      price: PRICE_RANGES,
      region: GEO_REGIONS,
      compliance: COMPLIANCE_CERTIFICATIONS,
      performance: PERFORMANCE_FILTERS,
      availability: AVAILABILITY_FILTERS,
    };
    const documented: Array<{
      route: string;
      param: string;
      values: string[];
    }> = [];
    const wanted: typeof documented = [];
    for (const [route, item] of Object.entries<any>(doc.paths)) {
      for (const op of Object.values<any>(item)) {
        for (const param of op?.parameters ?? []) {
          const values = param.schema?.items?.enum ?? param.schema?.enum;
          const expected =
            route === '/marketplace/services' && param.name === 'sort'
              ? BROWSE_SORTS
              : constants[param.name];
          if (param.in === 'query' && values && expected) {
            documented.push({
              route,
              param: param.name,
              values: [...values].sort(),
            });
            wanted.push({
              route,
              param: param.name,
              values: [...expected].sort(),
            });
          }
        }
      }
    }
    expect(documented).toEqual(wanted);
    expect([...new Set(documented.map(d => d.param))].sort()).toEqual(
      [...Object.keys(constants), 'sort'].sort(),
    );
  });

  it('answers with the enums of the kind and of the finder (the client takes them as the TypeScript types)', () => {
    const schemas = doc.components.schemas;
    const enumOf = (name: string) => [...schemas[name].enum].sort();
    expect({
      ModelFamily: enumOf('ModelFamily'),
      ModelFeature: enumOf('ModelFeature'),
      GeoRegion: enumOf('GeoRegion'),
      ComplianceCertification: enumOf('ComplianceCertification'),
      ServiceLifecycle: enumOf('ServiceLifecycle'),
      FinderNeed: enumOf('FinderNeed'),
    }).toEqual({
      ModelFamily: [...MODEL_FAMILIES].sort(),
      ModelFeature: [...MODEL_FEATURES].sort(),
      GeoRegion: [...GEO_REGIONS].sort(),
      ComplianceCertification: [...COMPLIANCE_CERTIFICATIONS].sort(),
      ServiceLifecycle: [...SERVICE_LIFECYCLES].sort(),
      FinderNeed: [...FINDER_NEEDS].sort(),
    });
  });

  it('resolves every $ref', () => {
    const refs = [...JSON.stringify(doc).matchAll(/"\$ref":"([^"]+)"/g)].map(
      m => m[1],
    );
    expect(refs.length).toBeGreaterThan(50);
    for (const ref of new Set(refs)) {
      expect({ ref, target: resolveRef(ref) !== undefined }).toEqual({
        ref,
        target: true,
      });
    }
  });
});
