#!/usr/bin/env node
// Checks, against a running portal, that the first start left what a newcomer should see
// (run by scripts/first-start-check.sh after scripts/start.sh on an empty data folder):
//  - the browse API lists every active sample service as a consumer sees it;
//  - every service the seed plan called reports requests and tokens, and every reviewed
//    one a rating and a review count (all read from the database: ledger and reviews);
//  - the consumer's subscriptions show spend, and a provider team sees revenue;
//  - the frontend is the production build: hashed scripts with long-lived cache headers,
//    compressed, on the backend's port.
// Exits non-zero naming every problem found.
//
// Usage: node scripts/check-demo-data.mjs [--backend http://localhost:7007]
import { tokenFor } from './approve-samples.mjs';
import { PLAN } from './seed-plan.mjs';

const args = process.argv.slice(2);
const backend = args.includes('--backend')
  ? args[args.indexOf('--backend') + 1]
  : 'http://localhost:7007';
const problems = [];
const check = (ok, problem) => {
  if (!ok) problems.push(problem);
};

async function getJson(token, path) {
  const res = await fetch(`${backend}${path}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  if (!res.ok)
    throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return res.json();
}

async function main() {
  const lena = await tokenFor(backend, 'lena.fischer');
  const browse = await getJson(
    lena,
    '/api/marketplace/marketplace/services?limit=100',
  );
  const byName = new Map(browse.items.map(item => [item.name, item]));
  check(browse.total >= 19, `browse lists ${browse.total} services`);
  for (const entry of PLAN) {
    const card = byName.get(entry.service);
    if (!card) {
      problems.push(`${entry.service} is not in browse`);
      continue;
    }
    check(
      card.metrics.requests30d > 0 && card.metrics.tokens30d > 0,
      `${entry.service}: no requests or tokens on its card (${JSON.stringify(
        card.metrics,
      )})`,
    );
    if (entry.review) {
      check(
        card.metrics.rating > 0 && card.metrics.reviewCount > 0,
        `${entry.service}: no rating on its card (${JSON.stringify(
          card.metrics,
        )})`,
      );
    }
  }

  const subs = await getJson(lena, '/api/marketplace/v1/subscriptions');
  const planned = PLAN.filter(e => e.user === 'lena.fischer').length;
  check(
    (subs.subscriptions ?? []).length >= planned,
    `lena.fischer has ${
      (subs.subscriptions ?? []).length
    } subscriptions, expected ${planned}`,
  );

  const samira = await tokenFor(backend, 'samira.haddad');
  const analytics = await getJson(
    samira,
    '/api/marketplace/v1/provider/analytics?team=group%3Adefault%2Fai-platform-team',
  ).catch(error => ({ error: error.message }));
  check(
    analytics.totals?.netMicros > 0 && analytics.totals?.requests > 0,
    `the AI Platform team sees no revenue: ${JSON.stringify(
      analytics.totals ?? analytics,
    ).slice(0, 300)}`,
  );

  const html = await (await fetch(`${backend}/marketplace`)).text();
  const script = /src="\/?(static\/[^"]+\.[0-9a-f]{8,}\.js)"/.exec(html)?.[1];
  check(script, 'the page has no hashed script: not the production build');
  if (script) {
    const res = await fetch(`${backend}/${script}`, {
      headers: { 'accept-encoding': 'br, gzip' },
    });
    check(res.ok, `${script}: ${res.status}`);
    check(
      /max-age=\d{6,}/.test(res.headers.get('cache-control') ?? ''),
      `${script} is served with cache-control '${res.headers.get(
        'cache-control',
      )}'`,
    );
    check(
      /br|gzip/.test(res.headers.get('content-encoding') ?? ''),
      `${script} is not compressed (content-encoding '${res.headers.get(
        'content-encoding',
      )}')`,
    );
  }

  if (problems.length > 0) {
    console.error(`[check] FAILED:\n  - ${problems.join('\n  - ')}`);
    process.exit(1);
  }
  console.log(
    `[check] the first start left a populated portal: ${
      browse.total
    } services in browse, ${PLAN.length} seeded uses with requests, ${
      PLAN.filter(e => e.review).length
    } rated, revenue for the provider team, production build cached and compressed`,
  );
}

main().catch(error => {
  console.error(`[check] FAILED: ${error.message}`);
  process.exit(1);
});
