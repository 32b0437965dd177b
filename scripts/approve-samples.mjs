#!/usr/bin/env node
// Approves the sample ModelServices (examples/services.yaml) as the platform admin `ada`
// through the marketplace's admin API, so a fresh portal (marketplace.publishing.requireApproval
// is on by default) shows them in browse and the gateway serves them. Services an admin
// already approved or rejected are left alone. Waits until the marketplace knows every sample
// service; with --wait-catalog-as <user>, also until that (non-admin) user sees them all in the
// catalog (their approval-status annotation is `approved`).
//
// Usage: node scripts/approve-samples.mjs [--backend http://localhost:7007] [--wait-catalog-as lena.fischer]
// Also imported by scripts/seed.mjs.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/** The names of the ModelServices in examples/services.yaml. */
export function sampleServiceNames() {
  const text = readFileSync(join(root, 'examples', 'services.yaml'), 'utf8');
  return text
    .split(/^---\s*$/m)
    .filter(doc => /^kind:\s*ModelService\s*$/m.test(doc))
    .map(doc => /^metadata:\s*\n(?:\s+.*\n)*?\s+name:\s*(\S+)/m.exec(doc)?.[1])
    .filter(Boolean);
}

/** A Backstage token of a sample user (the dev `sampleUsers` sign-in). */
export async function tokenFor(backend, user) {
  const res = await fetch(`${backend}/api/auth/sampleUsers/refresh`, {
    method: 'POST',
    headers: {
      'x-marketplace-sample-user': user,
      'x-requested-with': 'XMLHttpRequest',
    },
  });
  if (!res.ok) {
    throw new Error(
      `sign-in as ${user} failed: ${res.status} ${await res.text()}`,
    );
  }
  return (await res.json()).backstageIdentity.token;
}

const sleep = ms => new Promise(r => setTimeout(r, ms));

export async function approveSampleServices({
  backend = 'http://localhost:7007',
  admin = 'ada',
  waitCatalogAs,
  timeoutMs = 300_000,
  log = console.log,
} = {}) {
  const names = sampleServiceNames();
  const deadline = Date.now() + timeoutMs;
  // Right after start the catalog may not have ingested the sample users yet
  // (sign-in answers 404 "User not found" until it has): wait for it.
  let token;
  for (;;) {
    try {
      token = await tokenFor(backend, admin);
      break;
    } catch (error) {
      if (!/failed: 404/.test(String(error)) || Date.now() > deadline) {
        throw error;
      }
      await sleep(2_000);
    }
  }
  const api = async (method, path) => {
    const res = await fetch(`${backend}/api/marketplace${path}`, {
      method,
      headers: { authorization: `Bearer ${token}` },
    });
    const body = await res.json().catch(() => ({}));
    if (!res.ok) {
      throw new Error(
        `${method} ${path}: ${res.status} ${JSON.stringify(body)}`,
      );
    }
    return body;
  };

  let approved = 0;
  for (;;) {
    const { approvals } = await api('GET', '/v1/admin/approvals');
    const byName = new Map(approvals.map(a => [a.name, a.status]));
    for (const name of names.filter(n => byName.get(n) === 'pending')) {
      await api(
        'POST',
        `/v1/admin/approvals/${encodeURIComponent(name)}/approve`,
      );
      byName.set(name, 'approved');
      approved++;
    }
    // The marketplace queues a service once it sees it in the catalog.
    const unseen = names.filter(n => !byName.has(n));
    if (unseen.length === 0) {
      break;
    }
    if (Date.now() > deadline) {
      throw new Error(`the marketplace never saw: ${unseen.join(', ')}`);
    }
    await sleep(2000);
    token = await tokenFor(backend, admin);
  }
  log(
    `[approve] ${approved} sample service(s) approved as ${admin}; ${names.length} sample services reviewed`,
  );

  if (waitCatalogAs) {
    for (;;) {
      const userToken = await tokenFor(backend, waitCatalogAs);
      const res = await fetch(
        `${backend}/api/catalog/entities/by-query?filter=kind=modelservice&limit=1000&fields=metadata.name`,
        { headers: { authorization: `Bearer ${userToken}` } },
      );
      const visible = new Set(
        ((await res.json()).items ?? []).map(e => e.metadata.name),
      );
      const missing = names.filter(n => !visible.has(n));
      if (missing.length === 0) {
        log(
          `[approve] ${waitCatalogAs} sees all ${names.length} sample services in the catalog`,
        );
        break;
      }
      if (Date.now() > deadline) {
        throw new Error(
          `${waitCatalogAs} does not see in the catalog: ${missing.join(', ')}`,
        );
      }
      await sleep(2000);
    }
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const arg = name =>
    args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
  approveSampleServices({
    backend: arg('--backend') ?? 'http://localhost:7007',
    waitCatalogAs: arg('--wait-catalog-as'),
  }).catch(error => {
    console.error(`[approve] ${error.message}`);
    process.exit(1);
  });
}
