#!/usr/bin/env node
// Produces the portal's demo data by really running traffic: sample users subscribe to
// sample services through the REST API and call them through the metering gateway, so
// every number on the screens (usage, spend, latency, ratings, revenue) comes from real
// gateway requests and real reviews. Nothing is written to the database directly and no
// timestamp is made up.
//
//  1. waits (bounded, with a progress line every few seconds) until the backend is ready
//     and the catalog has ingested every sample user, group, provider and service;
//  2. approves the sample services as the platform admin `ada`
//     (scripts/approve-samples.mjs; services an admin already decided are left alone);
//  3. every sample user subscribes to a few services (some billed to their team) and calls
//     them, streaming and not, several users at a time; the demo upstream fails a small
//     share of requests on purpose, and those are real failures in the ledger too;
//  4. users who had a successful request review the service; provider teams reply.
// Transient failures (backend restarting, catalog still ingesting) are retried. A second
// run adds traffic; it never duplicates approvals, subscriptions or reviews. The marker
// (DATA_DIR/.seeded) is written only after a run succeeded; scripts/start.sh runs the
// seed when the marker is missing.
//
// One script run top to bottom (over ~400 lines on purpose): waiting for the portal,
// subscribing, calling, reviewing and the summary share its state (keys, totals, the
// deadline); the plan of who calls what is scripts/seed-plan.mjs.
//
// Usage: node scripts/seed.mjs [--backend http://localhost:7007] [--data-dir data]
//                              [--force] [--timeout-s 900]
//        node scripts/seed.mjs --trickle [--interval-s 30]   (a request now and then, forever)
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { approveSampleServices, tokenFor } from './approve-samples.mjs';
import { PLAN, PROMPTS } from './seed-plan.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const arg = (name, fallback) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : fallback;
const backend = arg('--backend', 'http://localhost:7007');
const dataDir = resolve(arg('--data-dir', join(root, 'data')));
const marker = join(dataDir, '.seeded');
const timeoutMs = Number(arg('--timeout-s', '900')) * 1000;
const backendPid = arg('--backend-pid') ? Number(arg('--backend-pid')) : null;
const backendLog = arg('--backend-log');

const sleep = ms => new Promise(r => setTimeout(r, ms));
const log = message => console.log(`[seed] ${message}`);
const started = Date.now();
const seconds = () => `${Math.round((Date.now() - started) / 1000)} s`;

/** A failure worth retrying: the backend is (re)starting or the catalog is catching up. */
class Transient extends Error {}

async function retrying(label, fn, { attempts = 8, delayMs = 2000 } = {}) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      const transient =
        error instanceof Transient ||
        error?.cause?.code === 'ECONNREFUSED' ||
        error?.cause?.code === 'ECONNRESET' ||
        error?.name === 'TypeError'; // fetch failed
      if (!transient || attempt >= attempts) {
        throw new Error(`${label}: ${error.message}`);
      }
      await sleep(delayMs * Math.min(attempt, 4));
    }
  }
}

function assertBackendAlive() {
  if (backendPid === null) return;
  try {
    process.kill(backendPid, 0);
  } catch {
    throw new Error(
      `the backend stopped${backendLog ? ` (see ${backendLog})` : ''}`,
    );
  }
}

/** Calls `check` until it returns true, with a progress line every 5 s. */
async function waitUntil(what, check) {
  const deadline = Date.now() + timeoutMs;
  let lastProgress = 0;
  for (;;) {
    assertBackendAlive();
    const { done, progress } = await check().catch(error => ({
      done: false,
      progress: error.cause?.code ?? error.message,
    }));
    if (done) return;
    if (Date.now() > deadline) {
      throw new Error(
        `gave up waiting for ${what} after ${seconds()}: ${progress}`,
      );
    }
    if (Date.now() - lastProgress >= 5000) {
      log(`waiting for ${what}: ${progress} (${seconds()})`);
      lastProgress = Date.now();
    }
    await sleep(1000);
  }
}

/** Entity names per kind in a sample YAML file (documents separated by ---). */
function sampleEntities(file) {
  const text = readFileSync(join(root, 'examples', file), 'utf8');
  return text
    .split(/^---\s*$/m)
    .map(doc => ({
      kind: /^kind:\s*(\S+)\s*$/m.exec(doc)?.[1],
      name: /^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)/m.exec(doc)?.[1],
    }))
    .filter(e => e.kind && e.name);
}

const EXPECTED = [
  ...sampleEntities('org.yaml'),
  ...sampleEntities('providers.yaml'),
  ...sampleEntities('services.yaml'),
];

/** The plan may only use sample users, teams, and services that take subscriptions. */
function checkPlan() {
  const names = kind =>
    new Set(EXPECTED.filter(e => e.kind === kind).map(e => e.name));
  const users = names('User');
  const groups = names('Group');
  const text = readFileSync(join(root, 'examples', 'services.yaml'), 'utf8');
  const active = new Set(
    text
      .split(/^---\s*$/m)
      .filter(doc => /^\s+lifecycle:\s*active\s*$/m.test(doc))
      .map(
        doc => /^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)/m.exec(doc)?.[1],
      ),
  );
  const problems = [];
  for (const e of PLAN) {
    if (!users.has(e.user)) problems.push(`${e.user} is not a sample user`);
    if (!active.has(e.service)) {
      problems.push(`${e.service} is not an active sample service`);
    }
    if (e.team && !groups.has(e.team.replace(/^group:default\//, ''))) {
      problems.push(`${e.team} is not a sample group`);
    }
    if (e.reply && !users.has(e.reply.by)) {
      problems.push(`${e.reply.by} is not a sample user`);
    }
  }
  if (problems.length > 0) {
    throw new Error(
      `the seed plan is out of date with examples/: ${problems.join('; ')}`,
    );
  }
}

async function waitForBackend() {
  await waitUntil('the backend', async () => {
    const res = await fetch(`${backend}/.backstage/health/v1/readiness`);
    return { done: res.ok, progress: `readiness ${res.status}` };
  });
}

/** Until the catalog holds every sample user, group, provider and service. */
async function waitForCatalog() {
  await waitUntil('the catalog to ingest the samples', async () => {
    let token;
    try {
      token = await tokenFor(backend, 'ada');
    } catch (error) {
      return { done: false, progress: 'the sample users are not in yet' };
    }
    const res = await fetch(`${backend}/api/catalog/entities/by-refs`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        entityRefs: EXPECTED.map(
          e => `${e.kind.toLocaleLowerCase('en-US')}:default/${e.name}`,
        ),
        fields: ['kind', 'metadata.name'],
      }),
    });
    if (!res.ok) return { done: false, progress: `catalog ${res.status}` };
    const { items } = await res.json();
    const counts = {};
    for (const [i, e] of EXPECTED.entries()) {
      const c = (counts[e.kind] ??= { have: 0, want: 0 });
      c.want++;
      if (items[i]) c.have++;
    }
    const progress = Object.entries(counts)
      .map(([kind, c]) => `${c.have}/${c.want} ${kind}`)
      .join(', ');
    return { done: items.every(Boolean), progress };
  });
}

async function api(token, method, path, body) {
  const res = await fetch(`${backend}/api/marketplace${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const json = await res.json().catch(() => ({}));
  if (res.status >= 500) {
    throw new Transient(`${method} ${path}: ${res.status}`);
  }
  return { status: res.status, json };
}

/**
 * A key for the user's subscription: subscribes, or, when already subscribed (a second
 * run), rotates the active key (the old secret is never stored anywhere to reuse).
 */
async function keyFor(token, entry) {
  return retrying(
    `subscribe ${entry.user} to ${entry.service}`,
    async () => {
      const sub = await api(
        token,
        'POST',
        `/v1/services/${entry.service}/subscribe`,
        entry.team ? { teamRef: entry.team } : {},
      );
      if (sub.status === 201) {
        return { key: sub.json.apiKey.secret, endpoint: sub.json.endpoint };
      }
      if (sub.status === 409) {
        const detail = await api(token, 'GET', `/v1/services/${entry.service}`);
        const active = detail.json.service?.keys?.find(k => !k.revokedAt);
        if (!active) {
          throw new Error(
            'already subscribed and every key is revoked: revoke the subscription in My subscriptions, then run the seed again',
          );
        }
        const rotated = await api(
          token,
          'POST',
          `/v1/keys/${active.id}/rotate`,
        );
        if (rotated.status !== 200 && rotated.status !== 201) {
          throw new Error(
            `rotate key: ${rotated.status} ${JSON.stringify(rotated.json)}`,
          );
        }
        return {
          key: rotated.json.apiKey.secret,
          endpoint: detail.json.service.endpoint,
        };
      }
      if (sub.status === 404) {
        // The marketplace's view of the catalog catches up a few seconds after approval.
        throw new Transient('the service is not visible yet');
      }
      throw new Error(`${sub.status} ${JSON.stringify(sub.json)}`);
    },
    { attempts: 45 },
  );
}

/** The route, headers and body of one request in a protocol the gateway serves. */
function requestOf(protocol, endpoint, key, prompt, stream, maxTokens) {
  const bearer = { authorization: `Bearer ${key}` };
  switch (protocol) {
    case 'embeddings':
      return {
        path: '/embeddings',
        headers: bearer,
        body: { model: endpoint.model, input: [prompt] },
        stream: false,
      };
    case 'responses':
      return {
        path: '/responses',
        headers: bearer,
        body: {
          model: endpoint.model,
          input: prompt,
          max_output_tokens: maxTokens,
          stream,
        },
        stream,
      };
    case 'messages':
      return {
        path: '/messages',
        headers: { 'x-api-key': key, 'anthropic-version': '2023-06-01' },
        body: {
          model: endpoint.model,
          max_tokens: maxTokens,
          messages: [{ role: 'user', content: prompt }],
          stream,
        },
        stream,
      };
    default:
      return {
        path: '/chat/completions',
        headers: bearer,
        body: {
          model: endpoint.model,
          messages: [{ role: 'user', content: prompt }],
          max_tokens: maxTokens,
          stream,
        },
        stream,
      };
  }
}

/** One request through the gateway (chat by default); resolves to its HTTP status. */
async function call(endpoint, key, prompt, stream, maxTokens, protocol) {
  const request = requestOf(protocol, endpoint, key, prompt, stream, maxTokens);
  stream = request.stream;
  return retrying(`call ${endpoint.model}`, async () => {
    const res = await fetch(`${endpoint.baseUrl}${request.path}`, {
      method: 'POST',
      headers: { ...request.headers, 'content-type': 'application/json' },
      body: JSON.stringify(request.body),
    });
    await res.text();
    return { status: res.status, stream };
  });
}

const streamed = (entry, r) =>
  entry.stream === 'all' || (entry.stream === 'mixed' && r % 2 === 0);

async function runEntry(entry, index, totals) {
  const token = await retrying(`sign in as ${entry.user}`, async () => {
    try {
      return await tokenFor(backend, entry.user);
    } catch (error) {
      throw new Transient(error.message);
    }
  });
  const { key, endpoint } = await keyFor(token, entry);
  let ok = 0;
  for (let r = 0; r < entry.requests; r++) {
    const { status, stream } = await call(
      endpoint,
      key,
      PROMPTS[(index + r) % PROMPTS.length],
      streamed(entry, r),
      40 + ((index * 13 + r * 37) % 200),
      entry.protocol,
    );
    if (status === 200) {
      ok++;
      totals.ok++;
      if (stream) totals.streamed++;
    } else {
      totals.failed++;
      totals.statuses[status] = (totals.statuses[status] ?? 0) + 1;
    }
  }
  log(
    `${entry.user} -> ${entry.service}${
      entry.team
        ? ` (billed to ${entry.team.replace(/^group:default\//, '')})`
        : ''
    }: ${ok} of ${entry.requests} answered`,
  );
  if (!entry.review || ok === 0) return;
  // Through the reviews API, which accepts it because requests above succeeded
  // (verified usage); a second run edits the same review.
  const review = await retrying(`review by ${entry.user}`, () =>
    api(
      token,
      'POST',
      `/marketplace/services/${entry.service}/reviews`,
      entry.review,
    ),
  );
  if (review.status !== 200 && review.status !== 201) {
    throw new Error(
      `review of ${entry.service} by ${entry.user}: ${
        review.status
      } ${JSON.stringify(review.json)}`,
    );
  }
  totals.reviews++;
  if (entry.reply) {
    const providerToken = await tokenFor(backend, entry.reply.by);
    const reply = await retrying(`reply by ${entry.reply.by}`, () =>
      api(
        providerToken,
        'PUT',
        `/marketplace/services/${entry.service}/reviews/${review.json.review.id}/reply`,
        { text: entry.reply.text },
      ),
    );
    if (reply.status !== 200) {
      throw new Error(
        `reply to the review of ${entry.service}: ${
          reply.status
        } ${JSON.stringify(reply.json)}`,
      );
    }
    totals.replies++;
  }
}

/** Runs the plan, at most `concurrency` entries at a time. */
async function runPlan(concurrency = 6) {
  const queue = [...PLAN.entries()];
  const totals = {
    ok: 0,
    failed: 0,
    streamed: 0,
    reviews: 0,
    replies: 0,
    statuses: {},
  };
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      for (let work = queue.shift(); work; work = queue.shift()) {
        const [i, entry] = work;
        await runEntry(entry, i, totals);
      }
    }),
  );
  return totals;
}

async function seed() {
  checkPlan();
  if (existsSync(marker) && !args.includes('--force')) {
    await waitForBackend();
    log(
      `demo data already recorded (${marker}); node scripts/seed.mjs --force adds more`,
    );
    return;
  }
  log(`recording demo data through the gateway of ${backend}`);
  await waitForBackend();
  log(`the backend is ready (${seconds()})`);
  await waitForCatalog();
  log(`the catalog has all ${EXPECTED.length} sample entities (${seconds()})`);
  await retrying(
    'approve the sample services',
    async () => {
      try {
        await approveSampleServices({
          backend,
          timeoutMs,
          log: message => console.log(message.replace('[approve]', '[seed]')),
        });
      } catch (error) {
        throw new Transient(error.message);
      }
    },
    { attempts: 3 },
  );
  const totals = await runPlan();
  const users = new Set(PLAN.map(e => e.user)).size;
  const services = new Set(PLAN.map(e => e.service)).size;
  const failures = Object.entries(totals.statuses)
    .map(([status, n]) => `${n} x HTTP ${status}`)
    .join(', ');
  const summary =
    `${
      totals.ok + totals.failed
    } requests by ${users} users to ${services} services: ` +
    `${totals.ok} answered (${totals.streamed} streamed), ${totals.failed} failed` +
    `${failures ? ` (${failures}, simulated upstream failures)` : ''}; ` +
    `${totals.reviews} reviews, ${
      totals.replies
    } provider replies; in ${seconds()}`;
  if (totals.ok === 0) {
    throw new Error(`no request was answered: ${summary}`);
  }
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, `${new Date().toISOString()} ${summary}\n`);
  log(`done: ${summary}`);
}

/** Every `interval` seconds (on average), one sample user calls one of their services. */
async function trickle() {
  const intervalMs = Number(arg('--interval-s', '30')) * 1000;
  await waitForBackend();
  const keys = new Map();
  log(`sending a request every ~${intervalMs / 1000} s; stop with Ctrl-C`);
  for (let n = 0; ; n++) {
    await sleep(intervalMs * (0.5 + Math.random()));
    const entry = PLAN[Math.floor(Math.random() * PLAN.length)];
    try {
      if (!keys.has(entry.service + entry.user)) {
        const token = await tokenFor(backend, entry.user);
        keys.set(entry.service + entry.user, await keyFor(token, entry));
      }
      const { key, endpoint } = keys.get(entry.service + entry.user);
      const { status } = await call(
        endpoint,
        key,
        PROMPTS[n % PROMPTS.length],
        streamed(entry, n),
        40 + ((n * 37) % 200),
      );
      log(
        `${new Date().toISOString()} ${entry.user} -> ${
          entry.service
        }: ${status}`,
      );
    } catch (error) {
      log(
        `${new Date().toISOString()} ${entry.user} -> ${entry.service}: ${
          error.message
        }`,
      );
      keys.delete(entry.service + entry.user);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  (args.includes('--trickle') ? trickle() : seed()).catch(error => {
    console.error(`[seed] FAILED: ${error.message}`);
    process.exit(1);
  });
}
