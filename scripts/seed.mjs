#!/usr/bin/env node
// Produces the portal's demo data by really running traffic: sample users subscribe to
// sample services through the REST API and call them through the metering gateway, so
// every number on the screens (usage, spend, latency) comes from real gateway requests.
// New services wait for an admin's approval (marketplace.publishing.requireApproval), so
// first the platform admin `ada` approves the sample services (scripts/approve-samples.mjs).
//
// Usage: node scripts/seed.mjs [--backend http://localhost:7007] [--force]
// Runs once per data/ folder (marker: data/.seeded) unless --force.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { approveSampleServices } from './approve-samples.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const args = process.argv.slice(2);
const backend = args.includes('--backend')
  ? args[args.indexOf('--backend') + 1]
  : 'http://localhost:7007';
const force = args.includes('--force');
const marker = join(root, 'data', '.seeded');

// Who uses what, and how much (requests per run). Services come from examples/services.yaml.
const PLAN = [
  {
    user: 'lena.fischer',
    service: 'acme-claude-sonnet-4',
    // Billed to her team: the team's chargeback statement and the provider's
    // top teams show it.
    team: 'checkout-team',
    requests: 14,
    stream: true,
    review: {
      rating: 5,
      title: 'Great for summarising incident logs',
      text: 'Streaming starts quickly and the summaries are accurate. We use it in the on-call bot.',
    },
  },
  {
    user: 'lena.fischer',
    service: 'northwind-gpt-4o-mini',
    requests: 20,
    review: {
      rating: 4,
      title: 'Cheap and good enough for tests',
      text: 'Fine for generating test data; occasionally slow in the afternoon.',
    },
  },
  {
    user: 'kenji.nakamura',
    service: 'acme-gpt-4-1',
    team: 'checkout-team',
    requests: 10,
    review: {
      rating: 3,
      title: 'Strong model, pricey for bulk jobs',
      text: '',
    },
  },
  {
    user: 'kenji.nakamura',
    service: 'research-llama-3-3-70b',
    requests: 12,
    stream: true,
  },
  { user: 'guest', service: 'helvetia-mistral-large-2', requests: 6 },
  { user: 'diego.alvarez', service: 'sakura-gemini-2-5-flash', requests: 8 },
];

const PROMPTS = [
  'Summarise the checkout error logs from last night in three bullet points.',
  'Write a unit test for a function that parses ISO 8601 durations.',
  'Explain the difference between optimistic and pessimistic locking.',
  'Draft a friendly release note for the new payment retry feature.',
  'Translate "your order has shipped" into German, French and Japanese.',
  'Suggest names for an internal service that routes LLM requests.',
];

async function waitForBackend() {
  for (let i = 0; i < 180; i++) {
    try {
      const res = await fetch(`${backend}/.backstage/health/v1/readiness`);
      if (res.ok) return;
    } catch {
      // not up yet
    }
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`The backend at ${backend} did not become ready`);
}

async function tokenFor(user) {
  const res = await fetch(`${backend}/api/auth/sampleUsers/refresh`, {
    method: 'POST',
    headers: {
      'x-marketplace-sample-user': user,
      'x-requested-with': 'XMLHttpRequest',
    },
  });
  if (!res.ok)
    throw new Error(
      `sign-in as ${user} failed: ${res.status} ${await res.text()}`,
    );
  return (await res.json()).backstageIdentity.token;
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
  return { status: res.status, json };
}

/** Subscribes (or, if already subscribed, rotates the key to get a usable secret). */
async function keyFor(token, service, team) {
  for (let attempt = 0; attempt < 60; attempt++) {
    const sub = await api(
      token,
      'POST',
      `/v1/services/${service}/subscribe`,
      team ? { teamRef: team } : {},
    );
    if (sub.status === 201)
      return { key: sub.json.apiKey.secret, endpoint: sub.json.endpoint };
    if (sub.status === 409) {
      const detail = await api(token, 'GET', `/v1/services/${service}`);
      const active = detail.json.service.keys.find(k => !k.revokedAt);
      const rotated = await api(token, 'POST', `/v1/keys/${active.id}/rotate`);
      return {
        key: rotated.json.apiKey.secret,
        endpoint: detail.json.service.endpoint,
      };
    }
    if (sub.status === 404) {
      // The catalog may still be ingesting the sample services right after start.
      await new Promise(r => setTimeout(r, 2000));
      continue;
    }
    throw new Error(
      `subscribe to ${service}: ${sub.status} ${JSON.stringify(sub.json)}`,
    );
  }
  throw new Error(`${service} never appeared in the catalog`);
}

async function call(endpoint, key, prompt, stream, maxTokens) {
  const res = await fetch(`${endpoint.baseUrl}/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: endpoint.model,
      messages: [{ role: 'user', content: prompt }],
      max_tokens: maxTokens,
      stream,
    }),
  });
  await res.text();
  return res.status;
}

async function main() {
  if (existsSync(marker) && !force) {
    console.log(
      '[seed] demo traffic already recorded (data/.seeded); use --force to add more',
    );
    return;
  }
  await waitForBackend();
  await approveSampleServices({
    backend,
    log: message => console.log(message.replace('[approve]', '[seed]')),
  });
  let ok = 0;
  let failed = 0;
  for (const [i, entry] of PLAN.entries()) {
    const token = await tokenFor(entry.user);
    const { key, endpoint } = await keyFor(token, entry.service, entry.team);
    for (let r = 0; r < entry.requests; r++) {
      const status = await call(
        endpoint,
        key,
        PROMPTS[(i + r) % PROMPTS.length],
        !!entry.stream && r % 2 === 0,
        40 + ((r * 37) % 160),
      );
      if (status === 200) ok++;
      else failed++;
    }
    console.log(
      `[seed] ${entry.user} -> ${entry.service}: ${entry.requests} requests`,
    );
    if (entry.review) {
      // Through the reviews API, which accepts it because the requests above
      // succeeded (verified usage).
      const res = await fetch(
        `${backend}/api/marketplace/marketplace/services/${entry.service}/reviews`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify(entry.review),
        },
      );
      console.log(
        `[seed] ${entry.user} reviewed ${entry.service}: HTTP ${res.status}`,
      );
    }
  }
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(
    marker,
    `${new Date().toISOString()} ${ok} ok, ${failed} failed\n`,
  );
  console.log(
    `[seed] done: ${ok} answered, ${failed} failed (simulated upstream failures are real errors too)`,
  );
}

main().catch(error => {
  console.error(`[seed] ${error.message}`);
  process.exit(1);
});
