// The money stays consistent: budgets under concurrency, the ledger's invariants,
// and what a crash in the middle of traffic leaves behind.
import { expect, sleep } from './lib.mjs';
import { chat, subscribe } from './gateway.mjs';

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
