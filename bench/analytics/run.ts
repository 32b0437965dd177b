/*
 * bench/analytics: the provider analytics endpoint at 1,000,000 ledger rows.
 *
 *   yarn bench:analytics [--rows 1000000] [--days 120] [--iterations 30] [--pg <conn>] [--keep-db]
 *
 * 1. Creates a throwaway database (a SQLite file in a temp dir, or with --pg a database
 *    `bench_analytics_<time>` on that PostgreSQL server) with the plugin's migrations.
 * 2. Subscribes 800 users (in 50 teams; a third pay personally) to 30 services of 6
 *    provider teams through SubscriptionStore (real subscriptions and keys), with
 *    heavy-tailed popularity, users joining and churning over the period, trials.
 * 3. Writes N ledger rows spread over the last D days (growth, a daily cycle, errors,
 *    timeouts, lognormal tokens and latency, a price change half-way, trial tokens
 *    first) through the ledger's own write path (`createSettlementWriter(...).write`,
 *    batches of 500, as the gateway's settlement batches), which keeps the rollups.
 * 4. Times what GET /v1/provider/analytics runs per request (AnalyticsStore +
 *    serialising the answer) for the busiest provider team, 30 days by day (the
 *    target: <= 150 ms), and other shapes; against a baseline measured in the same
 *    run: the same answer computed from the raw ledger rows. Checks that both agree.
 */
import {
  AnalyticsService,
  costMicros,
  platformFeeMicros,
  splitTrial,
} from '@internal/plugin-marketplace-common';
import {
  AnalyticsStore,
  monthEnd,
  monthStart,
  monthsOf,
  Period,
  resolvePeriod,
  addMonths,
  StatementStore,
  connectDatabase,
  createSettlementWriter,
  SubscriptionStore,
} from '@internal/plugin-marketplace-backend/testUtils';
import fs from 'fs';
import knexFactory, { Knex } from 'knex';
import os from 'os';
import path from 'path';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}
const ROWS = Number(arg('rows') ?? 1_000_000);
const DAYS = Number(arg('days') ?? 120);
const ITERATIONS = Number(arg('iterations') ?? 30);
const RAW_ITERATIONS = Number(arg('raw-iterations') ?? 5);
const PG = arg('pg');
const KEEP = process.argv.includes('--keep-db');
const TARGET_MS = 150;
const DAY = 86_400_000;

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same data. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
const random = rng(7);
/** Lognormal with the given median. */
function lognormal(median: number, sigma: number) {
  const u = Math.max(1e-12, random());
  const v = random();
  const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  return median * Math.exp(sigma * z);
}
function pick<T>(items: T[], cumulative: number[]): T {
  const r = random() * cumulative[cumulative.length - 1];
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (cumulative[mid] < r) lo = mid + 1;
    else hi = mid;
  }
  return items[lo];
}
function cumulate(weights: number[]) {
  let sum = 0;
  return weights.map(w => (sum += w));
}

async function openDatabase(): Promise<{
  knex: Knex;
  label: string;
  cleanup: () => Promise<void>;
}> {
  if (PG) {
    const name = `bench_analytics_${Date.now()}`;
    const admin = knexFactory({ client: 'pg', connection: PG });
    await admin.raw(`CREATE DATABASE "${name}"`);
    const url = new URL(PG);
    url.pathname = `/${name}`;
    const knex = knexFactory({
      client: 'pg',
      connection: url.toString(),
      pool: { min: 1, max: 5 },
    });
    const version = (await knex.raw('SHOW server_version')).rows[0]
      .server_version;
    return {
      knex,
      label: `PostgreSQL ${version} (database ${name})`,
      cleanup: async () => {
        await knex.destroy();
        if (!KEEP) {
          await admin.raw(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
        }
        await admin.destroy();
      },
    };
  }
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-analytics-'));
  const file = path.join(dir, 'marketplace.sqlite');
  const knex = knexFactory({
    client: 'better-sqlite3',
    connection: { filename: file },
    useNullAsDefault: true,
    pool: { min: 1, max: 1 },
  });
  const version = (await knex.raw('select sqlite_version() as v'))[0].v;
  return {
    knex,
    label: `SQLite ${version} (better-sqlite3, WAL) ${file}`,
    cleanup: async () => {
      await knex.destroy();
      if (!KEEP) {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}

interface Sub {
  id: string;
  keyId: string;
  userRef: string;
  teamRef: string | null;
  service: Svc;
  weight: number;
  firstDay: number;
  lastDay: number;
  trialLeft: number;
}
interface Svc {
  ref: string;
  name: string;
  owner: string;
  providerRef: string;
  prompt: number;
  completion: number;
  /** Price from the change on (a third of the services). */
  newPrompt: number;
  newCompletion: number;
  latency: number;
  trial: number;
}

async function seed(knex: Knex, now: number) {
  const subs = new SubscriptionStore(knex, () => now - DAYS * DAY);
  const teams = Array.from(
    { length: 6 },
    (_, i) => `group:default/provider-team-${i + 1}`,
  );
  const services: Svc[] = Array.from({ length: 30 }, (_, i) => {
    const prompt = [150, 500, 1000, 2500, 3000, 5000, 15000][i % 7];
    const changes = i % 3 === 0;
    return {
      ref: `modelservice:default/bench-model-${i + 1}`,
      name: `bench-model-${i + 1}`,
      owner: teams[i % teams.length],
      providerRef: `provider:default/bench-provider-${(i % 6) + 1}`,
      prompt,
      completion: prompt * 4,
      newPrompt: changes ? Math.round(prompt * 1.2) : prompt,
      newCompletion: changes ? Math.round(prompt * 4 * 1.2) : prompt * 4,
      latency: 250 + (i % 5) * 150,
      trial: i % 4 === 0 ? 100_000 : 0,
    };
  });
  // Popularity: heavy-tailed over services and users.
  const serviceWeights = cumulate(services.map((_, i) => 1 / (i + 1) ** 0.9));
  const consumerTeams = Array.from(
    { length: 50 },
    (_, i) => `group:default/consumer-team-${i + 1}`,
  );
  const all: Sub[] = [];
  for (let u = 0; u < 800; u++) {
    const userRef = `user:default/bench-user-${u + 1}`;
    const team =
      random() < 0.33
        ? null
        : consumerTeams[Math.floor(random() * consumerTeams.length)];
    const userWeight = 1 / (u + 1) ** 0.8;
    // Users join over the period and some churn.
    const firstDay = Math.floor(random() ** 1.5 * DAYS * 0.9);
    const lastDay =
      random() < 0.25
        ? firstDay + Math.floor(random() * (DAYS - firstDay))
        : DAYS - 1;
    const count = 1 + Math.floor(random() * 4);
    const chosen = new Set<Svc>();
    while (chosen.size < count) {
      chosen.add(pick(services, serviceWeights));
    }
    for (const service of chosen) {
      const { subscription, apiKey } = await subs.create({
        serviceRef: service.ref,
        userRef,
        teamRef: team,
        spendCapMicros: null,
        trialTokens: service.trial,
      });
      all.push({
        id: subscription.id,
        keyId: apiKey.id,
        userRef,
        teamRef: team,
        service,
        weight: userWeight * (0.5 + random()),
        firstDay,
        lastDay,
        trialLeft: service.trial,
      });
    }
  }
  return { services, teams, subs: all };
}

async function writeLedger(
  knex: Knex,
  now: number,
  data: Awaited<ReturnType<typeof seed>>,
) {
  const writer = createSettlementWriter(knex);
  const start = now - (now % DAY) - (DAYS - 1) * DAY;
  // Growth over the period and a daily cycle (UTC).
  const dayWeights = Array.from({ length: DAYS }, (_, d) => 0.5 + d / DAYS);
  const hourWeights = cumulate(
    Array.from(
      { length: 24 },
      (_, h) => 0.3 + Math.sin((Math.PI * h) / 24) ** 2,
    ),
  );
  const hours = Array.from({ length: 24 }, (_, h) => h);
  const totalWeight = dayWeights.reduce((a, b) => a + b, 0);
  let written = 0;
  let id = 0;
  const began = Date.now();
  for (let d = 0; d < DAYS; d++) {
    const n =
      d === DAYS - 1
        ? ROWS - written
        : Math.round((ROWS * dayWeights[d]) / totalWeight);
    const active = data.subs.filter(s => s.firstDay <= d && s.lastDay >= d);
    const cumulative = cumulate(active.map(s => s.weight));
    const rows: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) {
      const sub = pick(active, cumulative);
      const startedAt = Math.min(
        now - 1000,
        start +
          d * DAY +
          pick(hours, hourWeights) * 3_600_000 +
          Math.floor(random() * 3_600_000),
      );
      const r = random();
      const status =
        r < 0.015
          ? 'upstream_error'
          : r < 0.02
          ? 'timeout'
          : r < 0.025
          ? 'upstream_rejected'
          : r < 0.03
          ? 'client_closed'
          : 'ok';
      const prompt = Math.max(1, Math.round(lognormal(400, 0.9)));
      const completion =
        status === 'ok' || status === 'client_closed'
          ? Math.max(1, Math.round(lognormal(200, 0.8)))
          : 0;
      const charged = status === 'ok' || status === 'client_closed';
      const svc = sub.service;
      const changed = d >= DAYS / 2;
      const prices = {
        promptPer1kMicros: changed ? svc.newPrompt : svc.prompt,
        completionPer1kMicros: changed ? svc.newCompletion : svc.completion,
      };
      let trialTokens = 0;
      let cost = 0;
      if (charged) {
        const split = splitTrial(prompt, completion, sub.trialLeft);
        sub.trialLeft -= split.trialTokens;
        trialTokens = split.trialTokens;
        cost = costMicros(
          split.billablePromptTokens,
          split.billableCompletionTokens,
          prices,
        );
      }
      const latency =
        status === 'ok'
          ? Math.round(lognormal(svc.latency, 0.5))
          : status === 'timeout'
          ? 120_000
          : Math.round(lognormal(svc.latency, 0.5));
      rows.push({
        request_id: `req_bench${(id++).toString(36).padStart(10, '0')}`,
        subscription_id: sub.id,
        key_id: sub.keyId,
        user_ref: sub.userRef,
        team_ref: sub.teamRef,
        service_ref: svc.ref,
        provider_ref: svc.providerRef,
        model: svc.name,
        stream: random() < 0.4,
        status,
        http_status:
          status === 'ok' ? 200 : status === 'upstream_rejected' ? 400 : 502,
        error_code: status === 'ok' ? null : status,
        prompt_tokens: prompt,
        completion_tokens: completion,
        trial_tokens: trialTokens,
        token_source: 'upstream',
        cost_micros: cost,
        platform_fee_micros: platformFeeMicros(cost, 1000),
        upstream_latency_ms: latency,
        ttft_ms: null,
        started_at: startedAt,
        finished_at: startedAt + latency,
      });
    }
    rows.sort((a, b) => Number(a.started_at) - Number(b.started_at));
    for (let i = 0; i < rows.length; i += 500) {
      await writer.write(rows.slice(i, i + 500).map(row => ({ row })));
    }
    written += n;
    if (d % 20 === 19 || d === DAYS - 1) {
      const s = (Date.now() - began) / 1000;
      process.stdout.write(
        `  ${written.toLocaleString('en-US')} rows (${Math.round(
          written / s,
        ).toLocaleString('en-US')} rows/s)\n`,
      );
    }
  }
}

/**
 * The baseline: the same answer as AnalyticsStore.providerAnalytics (totals,
 * per-service series with average and p95 latency, top users and teams with the
 * previous period, retention) computed from the raw ledger rows.
 */
async function rawAnalytics(
  knex: Knex,
  refs: string[],
  period: Period,
): Promise<any> {
  const day = '(started_at - (started_at % 86400000))';
  const series = await knex('usage_ledger')
    .select(
      'service_ref',
      knex.raw(`${day} AS d`),
      knex.raw(`COUNT(*) AS requests,
        SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok,
        SUM(CASE WHEN status IN ('upstream_error', 'timeout') THEN 1 ELSE 0 END) AS errors,
        SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion,
        SUM(cost_micros) AS gross, SUM(platform_fee_micros) AS fee,
        SUM(CASE WHEN status = 'ok' THEN upstream_latency_ms ELSE 0 END) AS latency_sum,
        SUM(CASE WHEN status = 'ok' AND upstream_latency_ms IS NOT NULL THEN 1 ELSE 0 END) AS latency_count`),
    )
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', period.previousStart)
    .andWhere('started_at', '<', period.end)
    .groupBy('service_ref', knex.raw(day));
  // Exact percentiles need every latency.
  const latencies = await knex('usage_ledger')
    .select('service_ref', 'started_at', 'upstream_latency_ms')
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', period.start)
    .andWhere('started_at', '<', period.end)
    .andWhere('status', 'ok')
    .whereNotNull('upstream_latency_ms');
  const groups = new Map<string, number[]>();
  const all: number[] = [];
  for (const l of latencies) {
    const v = Number(l.upstream_latency_ms);
    all.push(v);
    const key = `${l.service_ref}|${Math.floor(Number(l.started_at) / DAY)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(v);
  }
  const p95 = (values: number[]) => {
    if (values.length === 0) return null;
    values.sort((a, b) => a - b);
    return values[Math.ceil(0.95 * values.length) - 1];
  };
  for (const g of groups.values()) p95(g);
  const totals = {
    requests: 0,
    gross: 0,
    fee: 0,
    errors: 0,
    latencySum: 0,
    latencyCount: 0,
  };
  for (const r of series) {
    if (Number(r.d) < period.start) continue;
    totals.requests += Number(r.requests);
    totals.gross += Number(r.gross);
    totals.fee += Number(r.fee);
    totals.errors += Number(r.errors);
    totals.latencySum += Number(r.latency_sum);
    totals.latencyCount += Number(r.latency_count);
  }
  const customers = async (by: string) => {
    const q = knex('usage_ledger')
      .select(
        knex.raw(`${by} AS ref`),
        knex.raw(`SUM(CASE WHEN started_at >= ${period.start} THEN 1 ELSE 0 END) AS requests,
          SUM(CASE WHEN started_at >= ${period.start} THEN cost_micros ELSE 0 END) AS gross,
          SUM(CASE WHEN started_at < ${period.start} THEN cost_micros ELSE 0 END) AS previous`),
      )
      .whereIn('service_ref', refs)
      .andWhere('started_at', '>=', period.previousStart)
      .andWhere('started_at', '<', period.end)
      .groupBy(by);
    if (by === 'team_ref') q.whereNotNull('team_ref');
    return (await q)
      .map((r: any) => ({
        ref: r.ref,
        requests: Number(r.requests),
        gross: Number(r.gross),
        previous: Number(r.previous),
      }))
      .filter((c: any) => c.requests > 0)
      .sort(
        (a: any, b: any) =>
          b.gross - a.gross ||
          b.requests - a.requests ||
          a.ref.localeCompare(b.ref),
      )
      .slice(0, 10);
  };
  const months = monthsOf(period);
  const first = addMonths(months[0], -1);
  const bounds = [first, ...months].slice(1).map(m => monthStart(m));
  const cases = bounds
    .map((b, i) => `WHEN started_at < ${b} THEN ${i}`)
    .join(' ');
  const activity = await knex('usage_ledger')
    .select(
      'user_ref',
      knex.raw(`CASE ${cases} ELSE ${bounds.length} END AS m`),
    )
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', monthStart(first))
    .andWhere('started_at', '<', monthEnd(months[months.length - 1]))
    .groupBy('user_ref', knex.raw(`CASE ${cases} ELSE ${bounds.length} END`));
  const before = await knex('usage_ledger')
    .distinct('user_ref')
    .whereIn('service_ref', refs)
    .andWhere('started_at', '<', monthStart(first));
  return {
    totals: { ...totals, p95: p95(all) },
    topUsers: await customers('user_ref'),
    topTeams: await customers('team_ref'),
    retentionRows: activity.length + before.length,
  };
}

function stats(samples: number[]) {
  const s = [...samples].sort((a, b) => a - b);
  const q = (p: number) =>
    s[Math.min(s.length - 1, Math.ceil(p * s.length) - 1)];
  return { p50: q(0.5), p95: q(0.95), max: s[s.length - 1] };
}

/** CPU time (ms) all processes used, from /proc/stat; null where there is none. */
function machineBusyMs(): number | null {
  try {
    const [cpu] = fs.readFileSync('/proc/stat', 'utf8').split('\n');
    const f = cpu.trim().split(/\s+/).slice(1).map(Number);
    const total = f.slice(0, 8).reduce((a, b) => a + b, 0);
    return ((total - f[3] - f[4]) * 1000) / 100; // USER_HZ = 100
  } catch {
    return null;
  }
}

/** How busy other processes kept the machine during the timed runs. */
const otherLoad: number[] = [];

async function time<T>(n: number, fn: () => Promise<T>) {
  for (let i = 0; i < Math.min(3, n); i++) await fn();
  const busy0 = machineBusyMs();
  const own0 = process.cpuUsage();
  const wall0 = Date.now();
  const samples: number[] = [];
  let last: T | undefined;
  for (let i = 0; i < n; i++) {
    const t0 = process.hrtime.bigint();
    last = await fn();
    JSON.stringify(last);
    samples.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const busy1 = machineBusyMs();
  if (busy0 !== null && busy1 !== null) {
    const own = process.cpuUsage(own0);
    const ownMs = (own.user + own.system) / 1000;
    const wall = Math.max(1, Date.now() - wall0);
    // Other processes' CPU, in cores (PostgreSQL's own work counts as other).
    otherLoad.push(Math.max(0, busy1 - busy0 - ownMs) / wall);
  }
  return { ...stats(samples), last: last as T };
}

async function main() {
  const now = Date.now();
  const { knex, label, cleanup } = await openDatabase();
  try {
    await connectDatabase({
      getClient: async () => knex,
      migrations: { skip: false },
    } as any);
    console.log(`bench/analytics: ${label}`);
    console.log(
      `Node ${process.version}, ${os.cpus().length} CPUs (${
        os.cpus()[0]?.model
      })`,
    );
    let t0 = Date.now();
    const data = await seed(knex, now);
    console.log(
      `${data.subs.length} subscriptions of 800 users to ${
        data.services.length
      } services in ${((Date.now() - t0) / 1000).toFixed(1)} s`,
    );
    t0 = Date.now();
    console.log(
      `writing ${ROWS.toLocaleString('en-US')} ledger rows over ${DAYS} days:`,
    );
    await writeLedger(knex, now, data);
    const insertSeconds = (Date.now() - t0) / 1000;
    const counts = async (table: string) =>
      Number((await knex(table).count({ n: '*' }))[0].n);
    console.log(
      `done in ${insertSeconds.toFixed(1)} s: usage_ledger ${(
        await counts('usage_ledger')
      ).toLocaleString('en-US')} rows, usage_service_hourly ${(
        await counts('usage_service_hourly')
      ).toLocaleString('en-US')}, usage_customer_daily ${(
        await counts('usage_customer_daily')
      ).toLocaleString('en-US')}, usage_customer_monthly ${(
        await counts('usage_customer_monthly')
      ).toLocaleString('en-US')}`,
    );
    await knex.raw('ANALYZE');

    const analytics = new AnalyticsStore(knex);
    const statements = new StatementStore(knex, analytics);
    // The busiest provider team (the first services are the most popular).
    const team = data.teams[0];
    const services: AnalyticsService[] = data.services
      .filter(s => s.owner === team)
      .map(s => ({ ref: s.ref, name: s.name, title: s.name, owner: s.owner }));
    const refs = services.map(s => s.ref);
    const today = new Date(now).toISOString().slice(0, 10);
    const daysAgo = (n: number) =>
      new Date(now - n * DAY).toISOString().slice(0, 10);
    const period = (from: string, granularity: 'hour' | 'day' | 'month') =>
      resolvePeriod({ from, to: today, granularity }, now);
    const provider = (p: Period) => () =>
      analytics.providerAnalytics({
        services,
        scope: refs,
        teams: [team],
        period: p,
        now,
      });

    const p30 = period(daysAgo(29), 'day');
    const main30 = await time(ITERATIONS, provider(p30));
    const raw30 = await time(RAW_ITERATIONS, () =>
      rawAnalytics(knex, refs, p30),
    );
    const cases: Array<[string, { p50: number; p95: number; max: number }]> = [
      ['provider analytics, 30 days by day (rollups)', main30],
      ['baseline: the same from raw ledger rows', raw30],
      [
        'provider analytics, 7 days by hour',
        await time(ITERATIONS, provider(period(daysAgo(6), 'hour'))),
      ],
      [
        'provider analytics, 120 days by month',
        await time(ITERATIONS, provider(period(daysAgo(DAYS - 1), 'month'))),
      ],
      [
        'provider analytics, 400 days by day',
        await time(
          Math.min(ITERATIONS, 10),
          provider(period(daysAgo(399), 'day')),
        ),
      ],
      [
        'payout statements list (24 months)',
        await time(ITERATIONS, () => statements.listProvider(team, refs, now)),
      ],
      [
        'consumer usage of the busiest user, 30 days',
        await time(ITERATIONS, () =>
          analytics.consumerUsage({
            userRef: 'user:default/bench-user-1',
            period: p30,
            keyPrefixes: new Map(),
            now,
          }),
        ),
      ],
    ];

    // The rollups and the raw rows must give the same answer.
    const a = main30.last;
    const b = raw30.last;
    const checks = [
      ['requests', a.totals.requests, b.totals.requests],
      ['gross micros', a.totals.grossMicros, b.totals.gross],
      ['fee micros', a.totals.platformFeeMicros, b.totals.fee],
      ['errors', a.totals.errorRequests, b.totals.errors],
      [
        'avg latency',
        a.totals.averageLatencyMs,
        Math.round((b.totals.latencySum / b.totals.latencyCount) * 10) / 10,
      ],
      [
        'top users',
        JSON.stringify(
          a.topUsers.map(u => [u.ref, u.grossMicros, u.previousGrossMicros]),
        ),
        JSON.stringify(
          b.topUsers.map((u: any) => [u.ref, u.gross, u.previous]),
        ),
      ],
      [
        'top teams',
        JSON.stringify(a.topTeams.map(u => [u.ref, u.grossMicros])),
        JSON.stringify(b.topTeams.map((u: any) => [u.ref, u.gross])),
      ],
    ] as const;
    let ok = true;
    console.log('');
    console.log(
      `Team ${team}: ${
        services.length
      } services, ${a.totals.requests.toLocaleString(
        'en-US',
      )} requests in the last 30 days`,
    );
    for (const [name, x, y] of checks) {
      const same = x === y;
      ok &&= same;
      console.log(
        `  check ${name}: ${
          same ? 'equal' : `DIFFERENT (rollups ${x}, raw ${y})`
        }`,
      );
    }
    console.log(
      `  p95 latency: ${a.totals.p95LatencyMs} ms from the histogram, ${b.totals.p95} ms exact`,
    );
    console.log('');
    console.log('| case | p50 | p95 | max |');
    console.log('| --- | ---: | ---: | ---: |');
    for (const [name, s] of cases) {
      console.log(
        `| ${name} | ${s.p50.toFixed(1)} ms | ${s.p95.toFixed(
          1,
        )} ms | ${s.max.toFixed(1)} ms |`,
      );
    }
    if (otherLoad.length > 0) {
      console.log('');
      console.log(
        `Other processes kept ${Math.min(...otherLoad).toFixed(2)}-${Math.max(
          ...otherLoad,
        ).toFixed(2)} of ${os.cpus().length} cores busy during the timed runs${
          PG ? ' (PostgreSQL itself included)' : ''
        }${
          Math.max(...otherLoad) > 0.1
            ? ': the figures are inflated by that'
            : ''
        }.`,
      );
    }
    console.log('');
    console.log(
      `Target: 30 days <= ${TARGET_MS} ms: ${
        main30.p95 <= TARGET_MS ? 'PASS' : 'FAIL'
      } (p95 ${main30.p95.toFixed(
        1,
      )} ms; ratio to the raw-rows baseline at p95: ${(
        main30.p95 / raw30.p95
      ).toFixed(3)}x, ${(raw30.p95 / main30.p95).toFixed(0)} times faster)`,
    );
    if (!ok) {
      process.exitCode = 1;
    }
  } finally {
    await cleanup();
  }
}

main().catch(e => {
  console.error(e);
  process.exit(1);
});
