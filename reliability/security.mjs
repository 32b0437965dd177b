// Security checks: no secret in any log, key checks that take the same time for
// near misses, and what an anonymous caller gets from every operation.
import fs from 'node:fs';
import { call, expect } from './lib.mjs';

// --- security ---------------------------------------------------------------------

/** No secret of the suite in any log; the key check takes the same time for near misses. */
export function secretsInLogs({ checker, files }) {
  const found = [];
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    for (const s of checker.secrets) {
      if (text.includes(s)) found.push({ file, secret: `${s.slice(0, 6)}…` });
    }
  }
  expect(checker, found.length === 0, 'secret in a log', { found });
  return {
    logsSearched: files.length,
    secretsSearched: checker.secrets.size,
    found: found.length,
  };
}

export async function keyTiming({ portal, checker, key }) {
  // Unknown keys that share 0 or all but the last character with a real key:
  // a comparison that stops at the first difference would answer the near
  // misses later. Interleaved, median of each.
  const near = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
  const far = 'mk_' + 'Z'.repeat(key.length - 3);
  const time = async k => {
    const t = process.hrtime.bigint();
    const r = await call(`${portal.base}/api/marketplace/gateway/v1/models`, {
      headers: { authorization: `Bearer ${k}` },
    });
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (r.status !== 401)
      checker.fail('key timing: an unknown key was not refused', {
        status: r.status,
      });
    return ms;
  };
  const a = [];
  const b = [];
  for (let i = 0; i < 300; i++) {
    a.push(await time(near));
    b.push(await time(far));
  }
  const median = xs => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
  const diff = median(a) - median(b);
  // A short-circuit string comparison over ~40 characters is far below a
  // millisecond; the check guards against a lookup that leaks (for example a
  // prefix search answering near misses much later).
  expect(
    checker,
    Math.abs(diff) < Math.max(1, median(b) * 0.25),
    'key timing: near misses answer measurably differently',
    {
      nearMedianMs: median(a),
      farMedianMs: median(b),
    },
  );
  return {
    samples: a.length,
    nearMedianMs: +median(a).toFixed(3),
    farMedianMs: +median(b).toFixed(3),
  };
}

/** Every REST route refuses a caller without a token (401), except the public ones. */
export async function anonymousMatrix({ portal, checker, operations }) {
  const PUBLIC = [/^\/schemas\//];
  const results = {};
  for (const op of operations) {
    const url = op.route.replace(/\{(\w+)\}/g, 'x');
    const r = await call(`${portal.base}/api/marketplace${url}`, {
      method: op.method,
      headers:
        op.method === 'GET' ? {} : { 'content-type': 'application/json' },
      body: op.method === 'GET' ? undefined : '{}',
    });
    checker.check(`anonymous ${op.method} ${op.route}`, r.status, r.text);
    const isPublic = PUBLIC.some(p => p.test(op.route));
    if (!isPublic) {
      expect(
        checker,
        r.status === 401,
        'authorization: a route answers an anonymous caller',
        {
          route: `${op.method} ${op.route}`,
          status: r.status,
        },
      );
    }
    results[`${op.method} ${op.route}`] = r.status;
  }
  return { routes: Object.keys(results).length };
}
