// The suite's checks, each against a running portal.
import fs from 'node:fs';
import net from 'node:net';
import { call, json, sleep } from './lib.mjs';
import { chat, subscribe } from './gateway.mjs';

const GW = '/api/marketplace/gateway/v1/chat/completions';

function expect(checker, ok, kind, detail) {
  if (!ok) checker.fail(kind, detail);
  return ok;
}

/** OpenAI's error shape with the code the gateway documents. */
function openAiError(res, code) {
  const e = res.body?.error;
  return (
    e &&
    typeof e.message === 'string' &&
    e.message.length > 0 &&
    e.type &&
    (!code || e.code === code)
  );
}

// --- upstream faults -----------------------------------------------------------

export async function upstreamFaults({ portal, checker, keys, db }) {
  const expected = {
    hang: { status: 504, code: 'upstream_timeout' },
    storm: { status: 502, code: 'upstream_error' },
    badjson: { status: 502, code: 'upstream_error' },
    cut: { status: 502, code: 'upstream_broken' },
    refused: { status: 502, code: 'upstream_unreachable' },
  };
  const results = {};
  await Promise.all(
    Object.entries(expected).map(async ([fault, want]) => {
      const key = keys[`fault-${fault}`];
      // Non-streaming: the status and error shape.
      const [res, s] = await Promise.all([
        chat(portal.base, key, `fault-${fault}`, { maxTokens: 16 }),
        chat(portal.base, key, `fault-${fault}`, {
          stream: true,
          maxTokens: 16,
        }),
      ]);
      checker.check(`fault ${fault}`, res.status, res.text, { allow5xx: true });
      expect(
        checker,
        res.status === want.status && openAiError(res, want.code),
        `upstream fault ${fault}: status/shape`,
        {
          got: res.status,
          body: res.text.slice(0, 200),
          want,
        },
      );
      // Streaming: before the first byte the same error; after it, an error event.
      checker.check(`fault ${fault} stream`, s.status, s.text, {
        allow5xx: true,
      });
      // Invalid JSON to a streaming request is not an event stream: the
      // egress policy refuses to relay it (upstream_invalid_response).
      const streamCodes =
        fault === 'badjson'
          ? [want.code, 'upstream_invalid_response']
          : [want.code];
      const streamOk =
        fault === 'cut'
          ? (s.status === 200 && /"error"/.test(s.text)) ||
            (s.status === want.status && openAiError(s, want.code))
          : s.status === want.status &&
            streamCodes.some(code => openAiError(s, code));
      expect(
        checker,
        streamOk,
        `upstream fault ${fault} (stream): status/shape or error event`,
        {
          got: s.status,
          body: s.text.slice(0, 300),
        },
      );
      results[fault] = { plain: res.status, stream: s.status };
    }),
  );
  // A 500 storm: many requests at once, each answered 502, none charged.
  const storm = await Promise.all(
    Array.from({ length: 40 }, () =>
      chat(portal.base, keys['fault-storm'], 'fault-storm', { maxTokens: 8 }),
    ),
  );
  expect(
    checker,
    storm.every(r => r.status === 502),
    'upstream 500 storm: every request 502',
    {
      statuses: [...new Set(storm.map(r => r.status))],
    },
  );
  // Nothing charged that was not delivered.
  await sleep(2_500); // settlements are written in batches
  const rows = await db.query(
    `SELECT status, COUNT(*) AS n, SUM(cost_micros) AS cost, SUM(trial_tokens) AS trial FROM usage_ledger WHERE service_ref LIKE 'modelservice:default/fault-%' GROUP BY status`,
  );
  const charged = rows.reduce(
    (a, r) => a + Number(r.cost ?? 0) + Number(r.trial ?? 0),
    0,
  );
  expect(checker, charged === 0, 'upstream faults: something was charged', {
    rows,
  });
  const spend = await db.query(
    `SELECT SUM(month_spend_micros) AS s, SUM(trial_tokens_used) AS t FROM subscriptions WHERE service_ref LIKE 'modelservice:default/fault-%'`,
  );
  expect(
    checker,
    Number(spend[0].s ?? 0) === 0 && Number(spend[0].t ?? 0) === 0,
    'upstream faults: subscription counters charged',
    { spend },
  );
  // The quality data and the prober record the failures.
  const metrics = await call(
    `${portal.base}/api/marketplace/marketplace/services/fault-storm/metrics`,
    {
      headers: { authorization: `Bearer ${portal.tokens.consumer}` },
    },
  );
  const m = json(metrics.text);
  expect(
    checker,
    metrics.status === 200 &&
      (m?.metrics?.traffic?.errors ?? m?.traffic?.errors ?? 0) > 0,
    'quality data: fault errors not recorded',
    {
      status: metrics.status,
      body: metrics.text.slice(0, 400),
    },
  );
  let probe;
  for (let i = 0; i < 20; i++) {
    const r = await call(
      `${portal.base}/api/marketplace/marketplace/services/fault-refused/metrics`,
      {
        headers: { authorization: `Bearer ${portal.tokens.consumer}` },
      },
    );
    const body = json(r.text);
    probe = body?.metrics?.lastProbe ?? body?.lastProbe;
    if (probe) break;
    await sleep(1_000);
  }
  expect(
    checker,
    probe && probe.outcome === 'down',
    'prober: a refused upstream not recorded down',
    { probe },
  );
  return { ...results, ledger: rows, lastProbeOfRefused: probe };
}

// --- oversized and slow inputs -------------------------------------------------

function rawRequest(port, writer, { timeoutMs = 30_000 } = {}) {
  return new Promise(resolve => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let done = false;
    const finish = how => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ how, received, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('still open'), timeoutMs);
    socket.on('data', d => (received += d.toString('latin1')));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('closed'));
    socket.on('connect', () => writer(socket, () => done));
  });
}

export async function oversizedAndSlow({ portal, checker, keys, pid }) {
  const out = {};
  // A body over the gateway's 4 MB limit: 413 in OpenAI's shape.
  const big = JSON.stringify({
    model: 'northwind-gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }],
  });
  const r413 = await call(`${portal.base}${GW}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys['northwind-gpt-4o-mini']}`,
      'content-type': 'application/json',
    },
    body: big,
  });
  const b413 = json(r413.text);
  expect(
    checker,
    r413.status === 413 &&
      b413?.error?.code === 'request_too_large' &&
      b413?.error?.type,
    'gateway: oversized body not 413 in OpenAI shape',
    {
      status: r413.status,
      body: r413.text.slice(0, 200),
    },
  );
  checker.check('gateway oversized', r413.status, r413.text);
  // The same on a REST route: 413 with a message.
  const rest413 = await call(
    `${portal.base}/api/marketplace/v1/services/northwind-gpt-4o/subscribe`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${portal.tokens.consumer}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ teamRef: 'x'.repeat(5 * 1024 * 1024) }),
    },
  );
  expect(checker, rest413.status === 413, 'REST: oversized body not 413', {
    status: rest413.status,
    body: rest413.text.slice(0, 200),
  });
  checker.check('REST oversized', rest413.status, rest413.text);
  // A prompt with a base64 image of 3 MB, within the limit, works.
  const image = Buffer.alloc(3 * 1024 * 1024 * 0.75, 7).toString('base64');
  const withImage = await call(`${portal.base}${GW}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys['northwind-gpt-4o-mini']}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'northwind-gpt-4o-mini',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${image}` },
            },
          ],
        },
      ],
    }),
  });
  checker.check('gateway 3 MB image', withImage.status, withImage.text);
  expect(
    checker,
    withImage.status === 200,
    'gateway: a 3 MB image prompt within the limit failed',
    {
      status: withImage.status,
      body: withImage.text.slice(0, 300),
    },
  );
  out.limits = {
    gateway: r413.status,
    rest: rest413.status,
    image3MB: withImage.status,
  };

  // Slow loris: headers one byte a second, and a body one byte a second, are cut
  // off (backend.server.headersTimeout / requestTimeout; Node checks them every
  // 30 s at most).
  const headers = `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(
    80,
  )}\r\n`;
  const dripHeaders = (socket, isDone) => {
    let i = 0;
    const tick = () => {
      if (isDone() || i >= headers.length) return;
      socket.write(headers[i++]);
      setTimeout(tick, 1_000);
    };
    tick();
  };
  const dripBody = (socket, isDone) => {
    socket.write(
      `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${keys['northwind-gpt-4o-mini']}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
    );
    const tick = () => {
      if (isDone()) return;
      socket.write('{');
      setTimeout(tick, 1_000);
    };
    tick();
  };
  const [loris, slowBody] = await Promise.all([
    rawRequest(portal.port, dripHeaders, { timeoutMs: 50_000 }),
    rawRequest(portal.port, dripBody, { timeoutMs: 50_000 }),
  ]);
  const cutOff = x => x.how === 'closed' || /^HTTP\/1.1 408/.test(x.received);
  expect(
    checker,
    cutOff(loris) && loris.ms < 45_000,
    'slow loris (headers): connection not cut off',
    { how: loris.how, ms: loris.ms },
  );
  expect(
    checker,
    cutOff(slowBody) && slowBody.ms < 45_000,
    'slow body: connection not cut off',
    { how: slowBody.how, ms: slowBody.ms },
  );
  for (const x of [loris, slowBody]) {
    const [head, body = ''] = x.received.split('\r\n\r\n');
    if (head) checker.check('slow client', Number(head.split(' ')[1]), body);
  }
  out.slowLoris = {
    headersCutAfterMs: loris.ms,
    headersAnswer: loris.received.split('\r\n')[0],
    bodyCutAfterMs: slowBody.ms,
    bodyAnswer: slowBody.received.split('\r\n')[0],
  };

  // Clients that never read a stream do not pin memory: 20 of them, each asking
  // for a long answer; the backend's memory stays bounded and it keeps answering.
  const rss = () => {
    try {
      return (
        Number(
          /VmRSS:\s+(\d+)/.exec(
            fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
          )[1],
        ) * 1024
      );
    } catch {
      return NaN;
    }
  };
  const before = rss();
  const sockets = [];
  const body = JSON.stringify({
    model: 'northwind-gpt-4o-mini',
    stream: true,
    max_tokens: 16_000,
    messages: [{ role: 'user', content: 'Write a very long story.' }],
  });
  for (let i = 0; i < 20; i++) {
    const socket = net.connect(portal.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(
        `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${
          keys['northwind-gpt-4o-mini']
        }\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(
          body,
        )}\r\n\r\n${body}`,
      );
      socket.pause(); // never read
    });
    sockets.push(socket);
  }
  await sleep(8_000);
  const during = rss();
  const started = Date.now();
  const health = await call(`${portal.base}/.backstage/health/v1/liveness`, {
    timeoutMs: 10_000,
  }).catch(() => ({ status: 0 }));
  const healthMs = Date.now() - started;
  for (const s of sockets) s.destroy();
  const grewMb = (during - before) / 1024 / 1024;
  expect(
    checker,
    health.status === 200 && healthMs < 5_000,
    'never-reading stream clients: backend unresponsive',
    { healthMs },
  );
  expect(
    checker,
    !(grewMb > 200),
    'never-reading stream clients: memory grew by more than 200 MB',
    { grewMb },
  );
  out.neverReading = {
    clients: 20,
    rssGrowthMb: Math.round(grewMb),
    livenessMs: healthMs,
  };
  return out;
}

// --- budgets under concurrency -------------------------------------------------

/**
 * 1,000 concurrent calls against a trial (spend cap 0) and against a spend cap:
 * the counters never pass the limit by more than one request's worth.
 */
export async function budgets({
  bases,
  checker,
  api,
  db,
  role = 'consumer2',
  label,
  trialService = 'northwind-gpt-4o',
  capService = 'acme-gpt-4-1',
  concurrent = 1000,
}) {
  const out = {};
  const trial = await subscribe(api, checker, role, trialService, {
    spendCapMicros: 0,
  });
  const cap = await subscribe(api, checker, role, capService, {
    spendCapMicros: 20_000,
  });
  const fire = async (key, model, maxTokens) => {
    let i = 0;
    const results = await Promise.all(
      Array.from({ length: concurrent }, () =>
        chat(bases[i++ % bases.length], key, model, {
          maxTokens,
          timeoutMs: 240_000,
        }).catch(e => ({ status: 0, text: String(e) })),
      ),
    );
    const statuses = {};
    for (const r of results) {
      statuses[r.status] = (statuses[r.status] ?? 0) + 1;
      // Under this load a request may time out at the upstream: a 502/504 in
      // OpenAI's shape (never charged) is an answer, not a failure of the budget.
      const upstreamFailure =
        (r.status === 502 || r.status === 504) &&
        /"code":"upstream_/.test(r.text);
      checker.check(`${label} budget ${model}`, r.status, r.text, {
        allow5xx: upstreamFailure,
      });
    }
    return statuses;
  };
  const trialStatuses = await fire(trial.key, trialService, 500);
  const capStatuses = await fire(cap.key, capService, 100);
  await sleep(3_000);
  const [t] = await db.query(
    `SELECT * FROM subscriptions WHERE id = '${trial.subscription.id}'`,
  );
  const [c] = await db.query(
    `SELECT * FROM subscriptions WHERE id = '${cap.subscription.id}'`,
  );
  // One request's worth: its prompt (a few tokens) plus its completion budget.
  const trialSlack = 500 + 64;
  const capSlack = Math.ceil((64 * 2000 + 100 * 8000) / 1000);
  const granted = Number(t.trial_tokens_granted);
  const used = Number(t.trial_tokens_used);
  expect(
    checker,
    used <= granted + trialSlack && Number(t.month_spend_micros) === 0,
    `${label}: trial overspent`,
    {
      granted,
      used,
      spend: t.month_spend_micros,
    },
  );
  expect(
    checker,
    Number(c.month_spend_micros) <= 20_000 + capSlack,
    `${label}: spend cap overspent`,
    {
      cap: 20_000,
      spend: c.month_spend_micros,
    },
  );
  expect(
    checker,
    Number(t.trial_tokens_reserved) === 0 && Number(c.reserved_micros) === 0,
    `${label}: reservations left after the burst`,
    {
      trialReserved: t.trial_tokens_reserved,
      capReserved: c.reserved_micros,
    },
  );
  out.trial = { concurrent, statuses: trialStatuses, granted, used };
  out.spendCap = {
    concurrent,
    statuses: capStatuses,
    cap: 20_000,
    spend: Number(c.month_spend_micros),
  };
  return out;
}

// --- ledger invariants ---------------------------------------------------------

/** Counters equal to the ledger sums, no open reservation. */
export async function ledgerInvariants({ db, checker, label }) {
  const open = await db.query(`SELECT COUNT(*) AS n FROM usage_reservations`);
  expect(checker, Number(open[0].n) === 0, `${label}: open reservations`, {
    open: open[0].n,
  });
  const subs = await db.query(
    `SELECT s.id, s.total_spend_micros, s.month, s.month_spend_micros, s.trial_tokens_used, s.trial_tokens_reserved, s.reserved_micros,
            (SELECT COALESCE(SUM(cost_micros),0) FROM usage_ledger l WHERE l.subscription_id = s.id) AS ledger_cost,
            (SELECT COALESCE(SUM(trial_tokens),0) FROM usage_ledger l WHERE l.subscription_id = s.id) AS ledger_trial
       FROM subscriptions s`,
  );
  let mismatches = 0;
  for (const s of subs) {
    const ok =
      Number(s.total_spend_micros) === Number(s.ledger_cost) &&
      Number(s.trial_tokens_used) === Number(s.ledger_trial) &&
      Number(s.trial_tokens_reserved) === 0 &&
      Number(s.reserved_micros) === 0;
    if (!ok) {
      mismatches++;
      checker.fail(`${label}: subscription counters differ from the ledger`, {
        subscription: s,
      });
    }
  }
  return {
    subscriptions: subs.length,
    mismatches,
    openReservations: Number(open[0].n),
  };
}

// --- crash consistency -----------------------------------------------------------

export async function crashLoad({ portal, keys, upstream }) {
  const before = upstream.requests().length;
  const calls = [];
  for (let i = 0; i < 80; i++) {
    const slow = i % 4 !== 3;
    calls.push(
      chat(
        portal.base,
        slow ? keys['research-llama-3-1-8b'] : keys['northwind-gpt-4o-mini'],
        slow ? 'research-llama-3-1-8b' : 'northwind-gpt-4o-mini',
        { stream: i % 2 === 0, maxTokens: slow ? 120 : 32, timeoutMs: 60_000 },
      ).catch(e => ({ status: 0, text: String(e) })),
    );
    if (i % 10 === 9) await sleep(150);
  }
  return { before, calls };
}

export async function crashCheck({ db, checker, upstream, before, label }) {
  await sleep(1_000);
  const seen = upstream
    .requests()
    .slice(before)
    .filter(r => r.requestId);
  const ids = [...new Set(seen.map(r => r.requestId))];
  expect(
    checker,
    ids.length === seen.length,
    `${label}: the upstream saw a request id twice`,
    {},
  );
  const rows = ids.length
    ? await db.query(
        `SELECT request_id, status, cost_micros FROM usage_ledger WHERE request_id IN (${ids
          .map(i => `'${i.replace(/'/g, '')}'`)
          .join(',')})`,
      )
    : [];
  const byId = new Map();
  for (const r of rows)
    byId.set(r.request_id, (byId.get(r.request_id) ?? 0) + 1);
  const missing = ids.filter(i => !byId.has(i));
  const dup = [...byId.values()].filter(n => n > 1).length;
  expect(
    checker,
    missing.length === 0 && dup === 0,
    `${label}: upstream requests without exactly one ledger row`,
    {
      missing: missing.slice(0, 5),
      missingCount: missing.length,
      duplicates: dup,
    },
  );
  const statuses = {};
  for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
  const outcomes = {};
  for (const r of seen) outcomes[r.outcome] = (outcomes[r.outcome] ?? 0) + 1;
  return {
    upstreamSaw: ids.length,
    upstreamOutcomes: outcomes,
    ledgerRows: rows.length,
    ledgerStatuses: statuses,
  };
}

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
