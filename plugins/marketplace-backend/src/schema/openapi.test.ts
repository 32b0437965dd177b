import fs from 'fs';
import path from 'path';
// `yaml` resolves from the workspace root (hoisted from other packages).
import { parse } from 'yaml';

/*
 * Keeps src/schema/openapi.yaml in step with the code: every route registered in
 * the REST router and the gateway router is documented (and nothing else), every
 * error code and status the gateway answers with is documented, and the schemas
 * have exactly the fields of the API types in @internal/plugin-marketplace-common.
 * Routes, codes and fields are read from the source files, so adding one without
 * documenting it fails here.
 */

const SRC = path.resolve(__dirname, '..');
const COMMON_TYPES = [
  'types.ts',
  'reviews.ts',
  'monitoring.ts',
  'admin.ts',
  'analytics.ts',
  'providers.ts',
  'budgets.ts',
].map(file =>
  path.resolve(__dirname, '../../../marketplace-common/src/api', file),
);

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

/** The routes an express router file registers: `router.get('/path', ...)`. */
function routesOf(source: string, prefix: string): Route[] {
  const pattern =
    /\brouter\.(get|post|put|patch|delete)\(\s*(['"`])([^'"`]+)\2/g;
  const found = [...source.matchAll(pattern)];
  return found.map((m, i) => ({
    method: m[1] as Method,
    path: `${prefix}${m[3]}`.replace(/:([A-Za-z0-9_]+)/g, '{$1}'),
    handler: source.slice(m.index, found[i + 1]?.index ?? source.length),
  }));
}

const plugin = read('plugin.ts') + read('mountRoutes.ts');
const gatewayMount =
  /router\.use\(\s*'([^']+)',\s*(?:gateway\b|createGatewayRouter\()/.exec(
    plugin,
  )?.[1];
const restRoutes = [
  ...routesOf(read('service/router.ts'), ''),
  // Mounted by createRouter at the same root.
  ...routesOf(read('service/publishingRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/reviewsRouter.ts'), ''),
  ...routesOf(read('service/metricsRouter.ts'), ''),
  ...routesOf(read('service/finderRouter.ts'), ''),
  ...routesOf(read('service/routesRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/adminRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/analyticsRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/credentialsRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/providersRouter.ts'), ''),
  // Mounted by the plugin at the same root.
  ...routesOf(read('service/budgetsRouter.ts'), ''),
  ...routesOf(read('service/priceChangesRouter.ts'), ''),
];
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
const gatewayRoutes = gatewayRoutesOf(gatewayMount ?? '?');
/** Public routes (no token): the kinds' JSON Schemas. */
const publicRoutes = routesOf(read('service/schemasRouter.ts'), '');
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

/** Properties and required fields of an object schema, through `$ref` and `allOf`. */
function flatten(schema: any): {
  properties: Record<string, any>;
  required: string[];
} {
  const resolved = schema.$ref ? resolveRef(schema.$ref) : schema;
  const result = {
    properties: { ...(resolved.properties ?? {}) },
    required: [...(resolved.required ?? [])],
  };
  for (const part of resolved.allOf ?? []) {
    const inner = flatten(part);
    Object.assign(result.properties, inner.properties);
    result.required.push(...inner.required);
  }
  return result;
}

function operation(route: Route) {
  return doc.paths?.[route.path]?.[route.method];
}

/** Path and operation parameters of an operation. */
function parametersOf(route: Route): any[] {
  return [
    ...(doc.paths[route.path].parameters ?? []),
    ...(operation(route).parameters ?? []),
  ].map(p => deref(p));
}

/** Fields of the exported interfaces and string unions of the API types. */
function parseApiTypes(source: string) {
  const interfaces = new Map<
    string,
    { fields: Map<string, boolean>; parent?: string }
  >();
  const interfacePattern =
    /^export interface (\w+)(?:\s+extends\s+(\w+))?\s*\{([\s\S]*?)^\}/gm;
  for (const [, name, parent, body] of source.matchAll(interfacePattern)) {
    const fields = new Map<string, boolean>();
    for (const [, field, optional] of body.matchAll(/^ {2}(\w+)(\?)?:/gm)) {
      fields.set(field, !optional);
    }
    interfaces.set(name, { fields, parent });
  }
  const unions = new Map<string, string[]>();
  const unionPattern = /^export type (\w+) =([^;]+);/gm;
  for (const [, name, body] of source.matchAll(unionPattern)) {
    const members = [...body.matchAll(/'([^']+)'/g)].map(m => m[1]);
    if (members.length > 0) {
      unions.set(name, members);
    }
  }
  const fieldsOf = (name: string): Map<string, boolean> => {
    const entry = interfaces.get(name)!;
    return new Map([
      ...(entry.parent ? fieldsOf(entry.parent) : []),
      ...entry.fields,
    ]);
  };
  return { interfaces, unions, fieldsOf };
}

describe('openapi.yaml', () => {
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

  it('finds the routes in the source files', () => {
    // Guards the extraction itself: the REST router is mounted at the plugin's
    // root and the gateway under /gateway.
    expect(plugin).toMatch(/router\.use\(\s*await createRouter\(/);
    expect(plugin).toMatch(/publishingRouter: await createPublishingRouter\(/);
    expect(plugin).toMatch(/router\.use\(\s*createReviewsRouter\(/);
    expect(plugin).toMatch(/router\.use\(\s*createMetricsRouter\(/);
    expect(plugin).toMatch(/router\.use\(\s*createAdminRouter\(/);
    expect(plugin).toMatch(/router\.use\(\s*createAnalyticsRouter\(/);
    expect(read('service/router.ts')).toMatch(
      /router\.use\(options\.publishingRouter\)/,
    );
    expect(gatewayMount).toBe('/gateway');
    expect(restRoutes.length).toBeGreaterThanOrEqual(11);
    expect(gatewayRoutes.map(r => `${r.method} ${r.path}`)).toEqual(
      expect.arrayContaining([
        'get /gateway/v1/models',
        'post /gateway/v1/chat/completions',
      ]),
    );
  });

  describe.each(
    restRoutes.map(route => ({
      name: `${route.method.toUpperCase()} ${route.path}`,
      route,
    })),
  )('REST route $name', ({ route }) => {
    it('is documented, with its parameters and errors', () => {
      const op = operation(route);
      expect(op).toBeDefined();
      expect(op.operationId).toBeTruthy();
      // Backstage token (the document's default), never the gateway key.
      expect(op.security).toBeUndefined();

      const { handler } = route;
      const success = /res\s*\.status\(201\)/.test(handler) ? '201' : '200';
      expect(Object.keys(op.responses)).toContain(success);
      // CSV downloads answer text/csv; everything else JSON.
      const type = /\bsendCsv\(res,/.test(handler)
        ? 'text/csv'
        : 'application/json';
      expect(deref(op.responses[success]).content[type].schema).toBeDefined();

      const expected = ['401', '403', '500'];
      if (/parse\(|service\(req\.params/.test(handler)) {
        expected.push('400');
      }
      if (
        /NotFoundError|service\(req\.params|\.cancel\(|rotateKey\(|revokeKey\(|issueKey\(/.test(
          handler,
        )
      ) {
        expected.push('404');
      }
      if (
        /subscriptions\.create\(|rotateKey\(|revokeKey\(|issueKey\(|ConflictError/.test(
          handler,
        )
      ) {
        expected.push('409');
      }
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(expected),
      );
      for (const status of Object.keys(op.responses).filter(s =>
        s.startsWith('4'),
      )) {
        // The Test API route runs the gateway's pipeline: its own errors are in
        // OpenAI's shape, the framework's (401, unknown service) in Backstage's.
        const schema = deref(op.responses[status]).content?.['application/json']
          ?.schema;
        const allowed = [deref({ $ref: '#/components/schemas/ErrorResponse' })];
        if (/completeChat\(/.test(handler)) {
          allowed.push(
            deref({ $ref: '#/components/schemas/GatewayErrorResponse' }),
          );
        }
        expect(allowed).toContainEqual(schema);
      }

      const params = parametersOf(route);
      for (const [, name] of route.path.matchAll(/\{(\w+)\}/g)) {
        expect(params).toContainEqual(
          expect.objectContaining({ name, in: 'path', required: true }),
        );
      }
      // Query parameters the handler validates are documented.
      for (const [, name] of handler.matchAll(/req\.query\.(\w+)/g)) {
        expect(params).toContainEqual(
          expect.objectContaining({ name, in: 'query' }),
        );
      }
    });
  });

  it('documents the query parameters of the REST API', () => {
    const query = (p: string, m: Method) =>
      parametersOf({ path: p, method: m, handler: '' })
        .filter(x => x.in === 'query')
        .map(x => x.name);
    expect(query('/v1/services', 'get')).toEqual(['scope']);
    expect(query('/v1/subscriptions', 'get')).toEqual(['status']);
    expect(query('/v1/subscriptions/{id}/usage', 'get')).toEqual(['limit']);
    expect(query('/v1/budgets', 'get')).toEqual(['scope', 'all']);
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

  describe.each(
    publicRoutes.map(route => ({
      name: `${route.method.toUpperCase()} ${route.path}`,
      route,
    })),
  )('public route $name', ({ route }) => {
    it('is documented as needing no token, with its answers', () => {
      expect(plugin).toMatch(/router\.use\(createSchemasRouter\(\)\)/);
      expect(plugin).toMatch(
        /addAuthPolicy\(\{\s*path: '\/schemas',\s*allow: 'unauthenticated'/,
      );
      const op = operation(route);
      expect(op).toBeDefined();
      expect(op.operationId).toBeTruthy();
      expect(op.security).toEqual([]);
      expect(
        deref(op.responses['200']).content['application/schema+json'].schema,
      ).toBeDefined();
      expect(Object.keys(op.responses)).toEqual(
        expect.arrayContaining(['200', '404', '500']),
      );
    });
  });

  it('documents no route that does not exist', () => {
    const registered = new Set(
      [...restRoutes, ...gatewayRoutes, ...publicRoutes].map(
        r => `${r.method} ${r.path}`,
      ),
    );
    const documented = Object.entries<any>(doc.paths).flatMap(([p, item]) =>
      Object.keys(item)
        .filter(k => ['get', 'post', 'put', 'patch', 'delete'].includes(k))
        .map(m => `${m} ${p}`),
    );
    expect(documented.sort()).toEqual([...registered].sort());
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

  it('has exactly the fields of the API types', () => {
    const { interfaces, unions, fieldsOf } = parseApiTypes(
      COMMON_TYPES.map(file => fs.readFileSync(file, 'utf8')).join('\n'),
    );
    expect([...interfaces.keys()]).toEqual(
      expect.arrayContaining([
        'Subscription',
        'UsageRecord',
        'ServiceDetail',
        'ServiceQualityMetrics',
      ]),
    );
    for (const name of interfaces.keys()) {
      const schema = doc.components.schemas[name];
      expect({ name, documented: schema !== undefined }).toEqual({
        name,
        documented: true,
      });
      const flat = flatten(schema);
      const fields = fieldsOf(name);
      expect({ name, fields: Object.keys(flat.properties).sort() }).toEqual({
        name,
        fields: [...fields.keys()].sort(),
      });
      const required = [...fields].filter(([, r]) => r).map(([f]) => f);
      expect({ name, required: [...new Set(flat.required)].sort() }).toEqual({
        name,
        required: required.sort(),
      });
    }
    for (const [name, members] of unions) {
      expect({ name, values: doc.components.schemas[name]?.enum }).toEqual({
        name,
        values: members,
      });
    }
    expect([...unions.keys()]).toEqual(
      expect.arrayContaining([
        'ServiceScope',
        'SubscriptionStatus',
        'UsageStatus',
      ]),
    );
    for (const name of ['ServiceScope', 'SubscriptionStatus', 'UsageStatus']) {
      expect(doc.components.schemas[name]).toBeDefined();
    }
  });
});
