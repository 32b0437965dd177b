// Starts what the suite tests: the demo upstream in a process of its own, and the
// real backend (packages/backend, every plugin) with NODE_ENV=production, on ports
// of its own, on SQLite or PostgreSQL.
import fs from 'node:fs';
import path from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';
import {
  NODE_TRANSFORM,
  ROOT,
  call,
  json,
  say,
  startProcess,
  stopProcess,
  waitFor,
} from './lib.mjs';

export const FAULTS = ['hang', 'storm', 'badjson', 'cut', 'refused'];
/** The sample users the suite signs in as (app-config.development.yaml). */
export const USERS = {
  consumer: 'lena.fischer',
  consumer2: 'kenji.nakamura',
  provider: 'samira.haddad',
  admin: 'ada',
};

/** The demo upstream's models, fast and without injected failures. */
function upstreamModels() {
  const config = parse(
    fs.readFileSync(path.join(ROOT, 'app-config.yaml'), 'utf8'),
  );
  return config.marketplace.demoUpstream.models.map(m => ({
    ...m,
    timeToFirstTokenMs: 5,
    // Slow enough that streams are in flight when the crash test kills the backend.
    tokensPerSecond: m.id === 'llama-3.1-8b' ? 40 : 4000,
    failureRate: 0,
  }));
}

export async function startUpstream({ dir, port, apiKey }) {
  const logFile = path.join(dir, 'upstream-requests.jsonl');
  fs.writeFileSync(logFile, '');
  const child = startProcess(
    'the demo upstream',
    process.execPath,
    ['--require', NODE_TRANSFORM, path.join(ROOT, 'reliability/upstream.ts')],
    {
      cwd: ROOT,
      env: {
        NODE_ENV: 'production',
        RELIABILITY_UPSTREAM: JSON.stringify({
          port,
          apiKey,
          logFile,
          models: upstreamModels(),
        }),
      },
      log: path.join(dir, 'upstream.log'),
    },
  );
  await waitFor(
    'the demo upstream',
    async () =>
      (
        await call(`http://127.0.0.1:${port}/api/demo-upstream/v1/models`)
      ).status === 401,
    { child, timeoutMs: 120_000 },
  );
  return {
    child,
    logFile,
    url: `http://127.0.0.1:${port}`,
    /** The upstream's request log: one entry per chat request it received. */
    requests() {
      return fs
        .readFileSync(logFile, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map(l => JSON.parse(l));
    },
  };
}

/**
 * The sample catalog with every service pointing at the suite's upstream, and one
 * service per upstream fault (no credential: auth none).
 */
export function writeCatalog({ dir, upstreamUrl, refusedPort }) {
  const docs = parseAllDocuments(
    fs.readFileSync(path.join(ROOT, 'examples/services.yaml'), 'utf8'),
  )
    .map(d => d.toJS())
    .filter(Boolean);
  for (const d of docs) {
    d.spec.endpoint.baseUrl = d.spec.endpoint.baseUrl.replace(
      /^http:\/\/localhost:7007\/api\/demo-upstream/,
      `${upstreamUrl}/api/demo-upstream`,
    );
  }
  const template = docs.find(d => d.metadata.name === 'acme-gpt-4-1');
  for (const fault of FAULTS) {
    const d = structuredClone(template);
    d.metadata.name = `fault-${fault}`;
    d.metadata.title = `Fault ${fault}`;
    d.spec.endpoint = {
      ...d.spec.endpoint,
      baseUrl:
        fault === 'refused'
          ? `http://127.0.0.1:${refusedPort}/v1`
          : `${upstreamUrl}/faults/${fault}/v1`,
      // The faults are served as Chat Completions, whatever the template's
      // upstream speaks (acme-gpt-4-1's is OpenAI Responses).
      protocol: 'openai-chat',
      auth: { type: 'none' },
    };
    docs.push(d);
  }
  const file = path.join(dir, 'services.yaml');
  fs.writeFileSync(file, docs.map(d => stringify(d)).join('---\n'));
  return {
    file,
    serviceCount: docs.filter(d => d.spec.lifecycle !== 'deprecated').length,
  };
}

export function backendConfig({ port, db, dir, catalogFile, instanceId }) {
  const base = `http://localhost:${port}`;
  return {
    app: { baseUrl: base },
    backend: {
      baseUrl: base,
      listen: { port },
      cors: { origin: base },
      database: db,
      reading: { allow: [] },
      // Slow clients: the whole request (headers and body) within 10 s.
      server: { requestTimeout: 10_000, headersTimeout: 5_000 },
    },
    auth: {
      providers: {
        // The backend runs with NODE_ENV=production; the suite's sign-in is the
        // development one (auth.environment stays development).
        sampleUsers: { dangerouslyAllowOutsideDevelopment: true },
      },
    },
    catalog: {
      processingInterval: { seconds: 30 },
      locations: [
        {
          type: 'file',
          target: path.join(ROOT, 'examples/providers.yaml'),
          rules: [{ allow: ['Provider'] }],
        },
        {
          type: 'file',
          target: catalogFile,
          rules: [{ allow: ['ModelService'] }],
        },
        {
          type: 'file',
          target: path.join(ROOT, 'examples/org.yaml'),
          rules: [{ allow: ['User', 'Group'] }],
        },
      ],
    },
    marketplace: {
      publishing: { requireApproval: false },
      gateway: { upstreamTimeoutMs: 10_000, instanceId },
      demoUpstream: { enabled: false },
      monitoring: { probeIntervalSeconds: 5, probeTimeoutMs: 2_000 },
      // The suite's upstream and fault servers run on loopback ports of their own.
      egress: { allowedHosts: ['127.0.0.1', 'localhost'] },
    },
    search: {
      collators: {
        catalog: {
          schedule: {
            frequency: { hours: 6 },
            timeout: { minutes: 5 },
            initialDelay: { minutes: 30 },
          },
        },
      },
    },
  };
}

/** The backend process (packages/backend) with the suite's config. */
export async function startBackend({
  name,
  dir,
  port,
  db,
  catalogFile,
  serviceCount,
  instanceId,
  env,
}) {
  const configFile = path.join(dir, `app-config.${name}.yaml`);
  fs.writeFileSync(
    configFile,
    stringify(backendConfig({ port, db, dir, catalogFile, instanceId })),
  );
  const log = path.join(dir, `${name}.log`);
  const child = startProcess(
    name,
    process.execPath,
    [
      '--require',
      NODE_TRANSFORM,
      'src/index.ts',
      '--config',
      '../../app-config.yaml',
      '--config',
      '../../app-config.development.yaml',
      '--config',
      configFile,
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      env: { NODE_ENV: 'production', ...env },
      log,
    },
  );
  const base = `http://localhost:${port}`;
  await waitFor(
    `${name} readiness`,
    async () =>
      (await call(`${base}/.backstage/health/v1/readiness`)).status === 200,
    { child, timeoutMs: 400_000 },
  );
  const portal = { child, base, log, port, tokens: {} };
  for (const [role, user] of Object.entries(USERS)) {
    portal.tokens[role] = await signIn(base, user);
  }
  // The services are in the marketplace once the catalog processed them.
  await waitFor(
    `${name}: ${serviceCount} services in the marketplace`,
    async () => {
      const r = await call(`${base}/api/marketplace/v1/services?scope=all`, {
        headers: { authorization: `Bearer ${portal.tokens.consumer}` },
      });
      const n = json(r.text)?.services?.length ?? 0;
      return n >= serviceCount;
    },
    { child, timeoutMs: 300_000 },
  );
  return portal;
}

export async function signIn(base, user) {
  return waitFor(`sign-in as ${user}`, async () => {
    const r = await call(`${base}/api/auth/sampleUsers/refresh`, {
      method: 'POST',
      headers: {
        'x-marketplace-sample-user': user,
        'x-requested-with': 'XMLHttpRequest',
      },
    });
    return r.status === 200 ? json(r.text).backstageIdentity.token : undefined;
  });
}

export async function stopBackend(portal, signal) {
  if (portal) await stopProcess(portal.child, signal);
}

export { say };
