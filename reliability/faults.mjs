// How the gateway answers an upstream that hangs, fails, answers broken JSON,
// cuts its stream or refuses connections: the status and error shape it documents.
import { call, expect, json, sleep } from './lib.mjs';
import { chat, openAiError } from './gateway.mjs';

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
