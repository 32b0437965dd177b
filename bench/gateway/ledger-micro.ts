/*
 * Micro-benchmark of the gateway's per-request database work on SQLite, without
 * HTTP: `reserve` + `settle` of the real UsageLedger (knex), against the same
 * statements run through better-sqlite3 prepared once (what the hot path could
 * cost without knex's per-query builder, compiler and `prepare`). Evidence for
 * the suggestions in docs/performance.md; run by hand:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/gateway/ledger-micro.ts [requests=20000] [concurrency=16]
 */
import Database from 'better-sqlite3';
import knexFactory from 'knex';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import {
  SubscriptionStore,
  KeyGrant,
  UsageLedger,
} from '@internal/plugin-marketplace-backend/testUtils';

const MIGRATIONS = path.resolve(
  __dirname,
  '../../plugins/marketplace-backend/migrations',
);
const PRICING = {
  currency: 'USD' as const,
  promptPer1kMicros: 150,
  completionPer1kMicros: 600,
};

async function setup(dir: string, name: string) {
  const db = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: path.join(dir, `${name}.sqlite`) },
    useNullAsDefault: true,
  });
  await db.migrate.latest({ directory: MIGRATIONS });
  await db.raw('PRAGMA journal_mode = WAL');
  await db.raw('PRAGMA synchronous = NORMAL');
  const store = new SubscriptionStore(db);
  const { apiKey } = await store.create({
    serviceRef: 'modelservice:default/bench-model',
    userRef: 'user:default/mock',
    teamRef: null,
    spendCapMicros: null,
    trialTokens: 0,
  });
  const grant = (await store.findGrant(apiKey.secret))!;
  return { db, grant };
}

function requestId() {
  return `req_${randomBytes(12).toString('base64url')}`;
}

/** Runs `total` requests, `concurrency` at a time; returns CPU µs and wall ms. */
async function drive(
  total: number,
  concurrency: number,
  one: () => Promise<void>,
) {
  let next = 0;
  const cpu = process.cpuUsage();
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        await one();
        // A gateway request goes back to the event loop (network I/O) between
        // reserving and settling: so do we, or the 2 ms batch timer would
        // never get a turn.
        await new Promise(resolve => setImmediate(resolve));
      }
    }),
  );
  const wallMs = performance.now() - t0;
  const used = process.cpuUsage(cpu);
  return { cpuMicros: used.user + used.system, wallMs };
}

async function viaKnex(dir: string, total: number, concurrency: number) {
  const { db, grant } = await setup(dir, 'knex');
  const ledger = new UsageLedger(db, {
    instanceId: 'micro',
    platformFeeBasisPoints: 1000,
    onError: error => console.error(`ledger write failed: ${error}`),
  });
  const result = await drive(total, concurrency, async () => {
    const reserved = await ledger.reserve({
      requestId: requestId(),
      grant,
      providerRef: 'provider:default/bench-provider',
      model: 'bench-model',
      stream: false,
      pricing: PRICING,
      promptTokens: 8,
      maxCompletionTokens: 16,
    });
    if (!reserved.ok) {
      throw new Error(reserved.reason);
    }
    // The gateway does not wait for the settlement either.
    void ledger.settle(reserved.reservation, {
      status: 'ok',
      httpStatus: 200,
      promptTokens: 8,
      completionTokens: 16,
      tokenSource: 'upstream',
      charge: true,
      finishedAt: Date.now(),
    });
  });
  await ledger.flush();
  const [{ n }] = await db('usage_ledger').count({ n: '*' });
  await db.destroy();
  return { ...result, rows: Number(n) };
}

/**
 * The same statements, prepared once, run synchronously in better-sqlite3
 * transactions; settlements batched every 2 ms like the ledger's group commit.
 */
async function viaPrepared(dir: string, total: number, concurrency: number) {
  const { db: knex, grant } = await setup(dir, 'prepared');
  await knex.destroy();
  const db = new Database(path.join(dir, 'prepared.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');

  const selectSub = db.prepare('SELECT * FROM subscriptions WHERE id = ?');
  const reserveUpdate = db.prepare(`
    UPDATE subscriptions
       SET trial_tokens_reserved = trial_tokens_reserved + ?,
           reserved_micros = reserved_micros + ?
     WHERE id = ? AND status = 'active' AND month = ?
       AND trial_tokens_granted - trial_tokens_used - trial_tokens_reserved >= ?
       AND (spend_cap_micros IS NULL OR month_spend_micros + reserved_micros + ? <= spend_cap_micros)
       AND EXISTS (SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL)
       AND NOT EXISTS (SELECT 1 FROM user_suspensions WHERE user_ref = ?)`);
  const insertReservation = db.prepare(`
    INSERT INTO usage_reservations (request_id, subscription_id, key_id, user_ref,
      team_ref, service_ref, provider_ref, model, stream, trial_tokens, cost_micros,
      started_at, instance_id)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
  const insertLedger = db.prepare(`
    INSERT INTO usage_ledger (request_id, subscription_id, key_id, user_ref, team_ref,
      service_ref, provider_ref, model, stream, status, http_status, error_code,
      prompt_tokens, completion_tokens, trial_tokens, token_source, cost_micros,
      platform_fee_micros, upstream_latency_ms, ttft_ms, started_at, finished_at)
    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
    ON CONFLICT (request_id) DO NOTHING`);
  const deleteReservation = db.prepare(
    'DELETE FROM usage_reservations WHERE request_id = ?',
  );
  const settleCounters = db.prepare(`
    UPDATE subscriptions
       SET reserved_micros = reserved_micros - ?,
           total_spend_micros = total_spend_micros + ?,
           month_spend_micros = month_spend_micros + ?,
           month_tokens = month_tokens + ?
     WHERE id = ?`);

  const g: KeyGrant = grant;
  const reserve = db.transaction(
    (id: string, cost: number, month: string, now: number) => {
      const { changes } = reserveUpdate.run(
        0,
        cost,
        g.subscriptionId,
        month,
        0,
        cost,
        g.keyId,
        g.userRef,
      );
      if (changes !== 1) {
        return false;
      }
      insertReservation.run(
        id,
        g.subscriptionId,
        g.keyId,
        g.userRef,
        g.teamRef,
        g.serviceRef,
        'provider:default/bench-provider',
        'bench-model',
        0,
        0,
        cost,
        now,
        'micro',
      );
      return true;
    },
  );
  const writeBatch = db.transaction(
    (batch: Array<{ id: string; cost: number; started: number }>) => {
      let cost = 0;
      for (const b of batch) {
        insertLedger.run(
          b.id,
          g.subscriptionId,
          g.keyId,
          g.userRef,
          g.teamRef,
          g.serviceRef,
          'provider:default/bench-provider',
          'bench-model',
          0,
          'ok',
          200,
          null,
          8,
          16,
          0,
          'upstream',
          b.cost,
          Math.round(b.cost / 10),
          1,
          null,
          b.started,
          Date.now(),
        );
        deleteReservation.run(b.id);
        cost += b.cost;
      }
      settleCounters.run(cost, cost, cost, batch.length * 24, g.subscriptionId);
    },
  );
  let queue: Array<{ id: string; cost: number; started: number }> = [];
  let timer: NodeJS.Timeout | undefined;
  const flush = () => {
    timer = undefined;
    const batch = queue;
    queue = [];
    if (batch.length) {
      writeBatch(batch);
    }
  };

  const result = await drive(total, concurrency, async () => {
    const now = Date.now();
    const month = new Date(now).toISOString().slice(0, 7);
    const sub = selectSub.get(g.subscriptionId) as { status: string };
    if (sub.status !== 'active') {
      throw new Error('inactive');
    }
    const id = requestId();
    const cost = 12; // 8 prompt + 16 completion tokens at the bench prices
    if (!reserve(id, cost, month, now)) {
      throw new Error('not reserved');
    }
    queue.push({ id, cost, started: now });
    if (!timer) {
      timer = setTimeout(flush, 2);
    }
  });
  if (timer) {
    clearTimeout(timer);
  }
  flush();
  const { n } = db.prepare('SELECT COUNT(*) AS n FROM usage_ledger').get() as {
    n: number;
  };
  db.close();
  return { ...result, rows: n };
}

async function main() {
  const total = Number(process.argv[2] ?? 20000);
  const concurrency = Number(process.argv[3] ?? 16);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'ledger-micro-'));
  try {
    // Warm up both (JIT), then measure.
    await viaKnex(dir, 2000, concurrency);
    await viaPrepared(dir, 2000, concurrency);
    fs.rmSync(dir, { recursive: true, force: true });
    fs.mkdirSync(dir);
    const k = await viaKnex(dir, total, concurrency);
    const p = await viaPrepared(dir, total, concurrency);
    console.log(
      `${total} requests (reserve + batched settle), ${concurrency} at a time, SQLite WAL, node ${process.version}:`,
    );
    for (const [name, r] of [
      ['UsageLedger via knex (as shipped)', k],
      ['same SQL, prepared once (better-sqlite3)', p],
    ] as const) {
      console.log(
        `  ${name.padEnd(42)} ${(r.cpuMicros / total)
          .toFixed(1)
          .padStart(7)} µs CPU/request  ${((total / r.wallMs) * 1000)
          .toFixed(0)
          .padStart(6)} req/s on one core  (${r.rows} ledger rows)`,
      );
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
