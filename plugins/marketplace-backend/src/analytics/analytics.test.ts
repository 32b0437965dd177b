import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import {
  AnalyticsService,
  ModelServicePricing,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { connectDatabase } from '../stores/migrate';
import { createSettlementWriter } from '../stores/ledger/settlementWriter';
import {
  KeyGrant,
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from '../stores/SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from '../stores/ledger/UsageLedger';
import { DatabaseMonitoringStore } from '../stores/monitoring/MonitoringStore';
import {
  AnalyticsStore,
  DatabaseAnalyticsStore,
} from '../stores/analytics/AnalyticsStore';
import { statementCsv } from './csv';
import { resolvePeriod } from '../lib/periods';
import { HISTOGRAM_COLUMNS } from '../stores/ledger/rollup';
import {
  StatementStore,
  DatabaseStatementStore,
} from '../stores/analytics/StatementStore';

jest.setTimeout(60_000);

/*
 * The analytics maths against a hand-computed fixture, written through the real
 * ledger (reserve + settle, as the gateway does): a month boundary, a price
 * change, an upstream error, trial tokens; the rollups kept equal to the ledger
 * incrementally (late rows, retried batches) and by the migration; statements
 * adding up to the ledger exactly; CSV.
 */

const GPT = 'modelservice:default/acme-gpt-4o';
const LLAMA = 'modelservice:default/acme-llama';
const OTHER_TEAMS = 'modelservice:default/other-model';
const PROVIDER = 'provider:default/acme';
const TEAM = 'group:default/ai-platform-team';
const LENA = 'user:default/lena';
const KENJI = 'user:default/kenji';
const CHECKOUT = 'group:default/checkout-team';

const GPT_PRICE: ModelServicePricing = {
  currency: 'USD',
  promptPer1kMicros: 2000,
  completionPer1kMicros: 8000,
};
const LLAMA_OLD: ModelServicePricing = {
  currency: 'USD',
  promptPer1kMicros: 1000,
  completionPer1kMicros: 3000,
};
const LLAMA_NEW: ModelServicePricing = {
  currency: 'USD',
  promptPer1kMicros: 1500,
  completionPer1kMicros: 4500,
};

const services: AnalyticsService[] = [
  { ref: GPT, name: 'acme-gpt-4o', title: 'GPT-4o', owner: TEAM },
  { ref: LLAMA, name: 'acme-llama', title: 'Llama', owner: TEAM },
];

const at = (iso: string) => Date.parse(iso);

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('analytics on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let now: number;
  let subs: SubscriptionStore;
  let ledger: UsageLedger;
  let analytics: AnalyticsStore;
  let statements: StatementStore;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    now = at('2026-11-01T00:00:00Z');
    const clock = () => now;
    subs = new DatabaseSubscriptionStore(knex, clock);
    ledger = new DatabaseUsageLedger(knex, {
      instanceId: 'test-1',
      platformFeeBasisPoints: 1000,
      clock,
      batchDelayMs: 1,
    });
    analytics = new DatabaseAnalyticsStore(knex);
    statements = new DatabaseStatementStore(knex, analytics);
  });

  async function subscribe(
    user: string,
    serviceRef: string,
    teamRef: string | null,
    trialTokens = 0,
  ): Promise<KeyGrant> {
    const { apiKey } = await subs.create({
      serviceRef,
      userRef: user,
      teamRef,
      spendCapMicros: null,
      trialTokens,
    });
    return (await subs.findGrant(apiKey.secret))!;
  }

  /** One gateway request as the gateway meters it, started at `iso`. */
  async function request(
    grant: KeyGrant,
    iso: string,
    r: {
      pricing: ModelServicePricing;
      prompt: number;
      completion: number;
      latencyMs?: number | null;
      status?: 'ok' | 'upstream_error' | 'timeout' | 'upstream_rejected';
      protocol?: string;
    },
  ) {
    now = at(iso);
    const reserved = await ledger.reserve({
      requestId: `req_${randomUUID()}`,
      grant,
      providerRef: PROVIDER,
      model: grant.serviceRef.split('/')[1],
      stream: false,
      pricing: r.pricing,
      promptTokens: r.prompt,
      maxCompletionTokens: Math.max(1, r.completion),
      protocol: r.protocol,
    });
    if (!reserved.ok) {
      throw new Error(`reserve failed: ${reserved.reason}`);
    }
    const status = r.status ?? 'ok';
    await ledger.settle(reserved.reservation, {
      status,
      httpStatus: status === 'ok' ? 200 : 502,
      promptTokens: r.prompt,
      completionTokens: r.completion,
      tokenSource: 'upstream',
      charge: status === 'ok',
      upstreamLatencyMs: r.latencyMs === undefined ? 100 : r.latencyMs,
      finishedAt: now + 1,
    });
    await ledger.flush();
  }

  /**
   * The fixture. Fee 10 %, rounded half up. Costs (ceil of tokens x price / 1000):
   * - Nov 30 23:30  lena  GPT  1000+500   ok 120 ms   6000 (fee 600)      [previous period]
   * - Dec 1 00:00   lena  GPT  2000+1000  ok 480 ms  12000 (fee 1200)     [boundary: December]
   * - Dec 1 00:10   kenji LLAMA old price 500+250 ok 90 ms  1250 (fee 125)
   * - Dec 2 10:00   kenji LLAMA new price 500+250 ok 210 ms 1875 (fee 188)
   * - Dec 2 10:05   lena  GPT  100+0 upstream_error: free, no latency
   * - Dec 3 09:00   kenji on another team's service (not in the totals)
   */
  async function fixture() {
    const lenaGpt = await subscribe(LENA, GPT, CHECKOUT);
    const kenjiLlama = await subscribe(KENJI, LLAMA, null);
    const kenjiOther = await subscribe(KENJI, OTHER_TEAMS, null);
    await request(lenaGpt, '2026-11-30T23:30:00Z', {
      pricing: GPT_PRICE,
      prompt: 1000,
      completion: 500,
      latencyMs: 120,
    });
    await request(lenaGpt, '2026-12-01T00:00:00.000Z', {
      pricing: GPT_PRICE,
      prompt: 2000,
      completion: 1000,
      latencyMs: 480,
    });
    await request(kenjiLlama, '2026-12-01T00:10:00Z', {
      pricing: LLAMA_OLD,
      prompt: 500,
      completion: 250,
      latencyMs: 90,
    });
    await request(kenjiLlama, '2026-12-02T10:00:00Z', {
      pricing: LLAMA_NEW,
      prompt: 500,
      completion: 250,
      latencyMs: 210,
      protocol: 'anthropic-messages',
    });
    await request(lenaGpt, '2026-12-02T10:05:00Z', {
      pricing: GPT_PRICE,
      prompt: 100,
      completion: 0,
      latencyMs: null,
      status: 'upstream_error',
    });
    await request(kenjiOther, '2026-12-03T09:00:00Z', {
      pricing: GPT_PRICE,
      prompt: 1000,
      completion: 1000,
      latencyMs: 50,
    });
    const review = async (
      serviceRef: string,
      user: string,
      rating: number,
      iso: string,
    ) =>
      knex('service_reviews').insert({
        id: randomUUID(),
        service_ref: serviceRef,
        user_ref: user,
        rating,
        title: 'x',
        body: '',
        helpful_count: 0,
        created_at: at(iso),
        updated_at: at(iso),
      });
    await review(GPT, LENA, 4, '2026-12-01T12:00:00Z');
    await review(LLAMA, KENJI, 2, '2026-12-02T12:00:00Z');
    return { lenaGpt, kenjiLlama };
  }

  function december(granularity: 'hour' | 'day' | 'month' = 'day') {
    return resolvePeriod(
      { from: '2026-12-01', to: '2026-12-31', granularity },
      at('2026-12-15T12:00:00Z'),
    );
  }

  it('adds up requests, tokens, money, errors, latency and ratings as computed by hand', async () => {
    await fixture();
    now = at('2026-12-15T12:00:00Z');
    const result = await analytics.providerAnalytics({
      services,
      scope: services.map(s => s.ref),
      teams: [TEAM],
      period: december(),
      now,
    });
    expect(result.range).toEqual({
      from: '2026-12-01',
      to: '2026-12-31',
      granularity: 'day',
      days: 31,
      previousFrom: '2026-10-31',
      previousTo: '2026-11-30',
    });
    expect(result.totals).toEqual({
      requests: 4,
      okRequests: 3,
      errorRequests: 1,
      rejectedRequests: 0,
      promptTokens: 2000 + 500 + 500 + 100,
      completionTokens: 1000 + 250 + 250,
      trialTokens: 0,
      grossMicros: 12000 + 1250 + 1875,
      platformFeeMicros: 1200 + 125 + 188,
      netMicros: 15125 - 1513,
      errorRate: 0.25,
      averageLatencyMs: 260, // (480 + 90 + 210) / 3
      // 90 ms in (50,100], 210 in (200,300], 480 in (400,500]; rank 0.95 x 3 = 2.85
      // falls in (400,500] at 0.85 of the bucket: 400 + 85.
      p95LatencyMs: 485,
      averageRating: 3,
      ratingCount: 2,
    });
    // Split by the protocol the clients spoke (issue 20).
    expect(result.protocolTraffic).toEqual([
      {
        protocol: 'openai-chat',
        requests: 3,
        okRequests: 2,
        promptTokens: 2000 + 500 + 100,
        completionTokens: 1000 + 250,
        grossMicros: 12000 + 1250,
      },
      {
        protocol: 'anthropic-messages',
        requests: 1,
        okRequests: 1,
        promptTokens: 500,
        completionTokens: 250,
        grossMicros: 1875,
      },
    ]);
    // The request at 23:30 on Nov 30 is in the previous period, not in December.
    expect(result.previousTotals).toMatchObject({
      requests: 1,
      grossMicros: 6000,
      platformFeeMicros: 600,
      netMicros: 5400,
      averageLatencyMs: 120,
      averageRating: null,
      ratingCount: 0,
    });

    expect(result.buckets).toHaveLength(31);
    expect(result.buckets[0]).toBe('2026-12-01T00:00:00.000Z');
    const gpt = result.series.find(s => s.serviceRef === GPT)!;
    const llama = result.series.find(s => s.serviceRef === LLAMA)!;
    expect(result.series.map(s => s.serviceRef)).toEqual([GPT, LLAMA]);
    expect(gpt.points[0]).toEqual({
      start: '2026-12-01T00:00:00.000Z',
      requests: 1,
      okRequests: 1,
      errorRequests: 0,
      promptTokens: 2000,
      completionTokens: 1000,
      grossMicros: 12000,
      netMicros: 10800,
      averageLatencyMs: 480,
      p95LatencyMs: 495, // one sample in (400,500]: 400 + 0.95 x 100
      ratingAverage: 4,
      ratingCount: 1,
    });
    expect(gpt.points[1]).toMatchObject({
      requests: 1,
      errorRequests: 1,
      grossMicros: 0,
      averageLatencyMs: null,
      p95LatencyMs: null,
      ratingAverage: 4,
    });
    // The price change: each request keeps the price it was charged.
    expect(llama.points.slice(0, 2).map(p => p.grossMicros)).toEqual([
      1250, 1875,
    ]);
    expect(llama.points[0].ratingAverage).toBeNull();
    expect(llama.points[1].ratingAverage).toBe(2);
    expect(llama.totals.grossMicros).toBe(3125);
    expect(gpt.points.slice(2).every(p => p.requests === 0)).toBe(true);

    expect(result.topUsers).toEqual([
      {
        ref: LENA,
        requests: 2,
        tokens: 3100,
        grossMicros: 12000,
        revenueShare: 0.7934, // 12000 / 15125
        previousRequests: 1,
        previousGrossMicros: 6000,
        grossTrend: 1,
        requestsTrend: 1,
      },
      {
        ref: KENJI,
        requests: 2,
        tokens: 1500,
        grossMicros: 3125,
        revenueShare: 0.2066,
        previousRequests: 0,
        previousGrossMicros: 0,
        grossTrend: null,
        requestsTrend: null,
      },
    ]);
    // Personal usage is no team's.
    expect(result.topTeams.map(t => [t.ref, t.grossMicros])).toEqual([
      [CHECKOUT, 12000],
    ]);
    expect(result.retention).toEqual([
      {
        month: '2026-12',
        active: 2,
        retained: 1,
        new: 1,
        returning: 0,
        churned: 0,
        retentionRate: 1,
      },
    ]);
  });

  it('buckets by hour and by month on UTC boundaries', async () => {
    await fixture();
    const hourly = await analytics.providerAnalytics({
      services,
      scope: services.map(s => s.ref),
      teams: [TEAM],
      period: resolvePeriod(
        { from: '2026-12-01', to: '2026-12-02', granularity: 'hour' },
        at('2026-12-15T00:00:00Z'),
      ),
      now,
    });
    expect(hourly.buckets).toHaveLength(48);
    const gpt = hourly.series.find(s => s.serviceRef === GPT)!;
    expect(gpt.points[0].requests).toBe(1); // 00:00:00.000 is the first hour
    expect(gpt.points[34].start).toBe('2026-12-02T10:00:00.000Z');
    expect(gpt.points[34].errorRequests).toBe(1);
    // Nov 30 - Dec 1 by month: two buckets, the request at 23:30 in November.
    const monthly = await analytics.providerAnalytics({
      services,
      scope: services.map(s => s.ref),
      teams: [TEAM],
      period: resolvePeriod(
        { from: '2026-11-15', to: '2026-12-01', granularity: 'month' },
        at('2026-12-15T00:00:00Z'),
      ),
      now,
    });
    expect(monthly.buckets).toEqual([
      '2026-11-15T00:00:00.000Z',
      '2026-12-01T00:00:00.000Z',
    ]);
    const gptMonths = monthly.series.find(s => s.serviceRef === GPT)!;
    expect(gptMonths.points.map(p => p.grossMicros)).toEqual([6000, 12000]);
    expect(monthly.retention.map(r => [r.month, r.active, r.new])).toEqual([
      ['2026-11', 1, 1],
      ['2026-12', 2, 1],
    ]);
  });

  it('keeps the rollups equal to the ledger: late rows, retried batches, the migration', async () => {
    await fixture();
    const writer = createSettlementWriter(knex);
    const base = await knex('usage_ledger')
      .where({ service_ref: GPT })
      .orderBy('started_at')
      .first();
    const late = {
      ...base,
      request_id: 'req_late',
      started_at: at('2026-11-30T23:59:59.999Z'),
      finished_at: at('2026-12-20T00:00:00Z'),
      status: 'ok',
      cost_micros: 777,
      platform_fee_micros: 78,
      upstream_latency_ms: 70000,
    };
    await writer.write([{ row: late }]);
    // A batch written again (a retry after a commit that looked failed) counts once.
    await writer.write([{ row: late }]);

    async function rollups() {
      const s = await knex('usage_service_hourly').orderBy([
        'service_ref',
        'hour',
      ]);
      const c = await knex('usage_customer_daily').orderBy([
        'key_id',
        'team_ref',
        'day',
      ]);
      const norm = (rows: any[]): any[] =>
        rows.map(r =>
          Object.fromEntries(
            Object.entries(r).map(([k, v]) => [
              k,
              typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v,
            ]),
          ),
        );
      const f = await knex('usage_customer_monthly').orderBy([
        'service_ref',
        'month',
        'user_ref',
      ]);
      return { s: norm(s), c: norm(c), f: norm(f) };
    }
    const incremental = await rollups();
    // Requests per month and user: the late row counts in November.
    expect(
      incremental.f.map((r: any) => [
        r.service_ref,
        new Date(r.month).toISOString().slice(0, 7),
        r.user_ref,
        r.requests,
      ]),
    ).toEqual([
      [GPT, '2026-11', LENA, 2],
      [GPT, '2026-12', LENA, 2],
      [LLAMA, '2026-12', KENJI, 2],
      [OTHER_TEAMS, '2026-12', KENJI, 1],
    ]);
    expect(incremental.s.reduce((a, r) => a + r.requests, 0)).toBe(7);
    const nov = incremental.s.find(
      r => r.service_ref === GPT && r.hour === at('2026-11-30T23:00:00Z'),
    )!;
    expect(nov).toMatchObject({ requests: 2, cost_micros: 6777 });
    expect(nov[HISTOGRAM_COLUMNS[HISTOGRAM_COLUMNS.length - 1]]).toBe(1);

    // The migration's backfill computes the same from the ledger alone.
    const dir = require('path').resolve(__dirname, '../../migrations');
    const name = '20261202000000_usage_rollups.js';
    await knex.migrate.down({ directory: dir, name });
    await knex.migrate.up({ directory: dir, name });
    expect(await rollups()).toEqual(incremental);

    // And the sums equal the ledger's.
    const [ledgerSums] = await knex('usage_ledger').select(
      knex.raw(
        'COUNT(*) AS requests, SUM(cost_micros) AS cost, SUM(platform_fee_micros) AS fee, SUM(prompt_tokens) AS prompt',
      ),
    );
    for (const rows of [incremental.s, incremental.c]) {
      expect({
        requests: rows.reduce((a, r) => a + r.requests, 0),
        cost: rows.reduce((a, r) => a + r.cost_micros, 0),
        fee: rows.reduce((a, r) => a + r.fee_micros, 0),
        prompt: rows.reduce((a, r) => a + r.prompt_tokens, 0),
      }).toEqual({
        requests: Number(ledgerSums.requests),
        cost: Number(ledgerSums.cost),
        fee: Number(ledgerSums.fee),
        prompt: Number(ledgerSums.prompt),
      });
    }
  });

  it('counts the same requests on the browse card as on the statement and the Quality tab: failed ones too', async () => {
    await fixture();
    now = at('2026-12-15T12:00:00Z');
    const refs = services.map(s => s.ref);
    const dec = await statements.getProvider(TEAM, refs, '2026-12', now);
    const gptLine = dec.lines.find(l => l.serviceRef === GPT)!;
    // December: the request of Dec 1 and the failed one of Dec 2.
    expect(gptLine.requests).toBe(2);
    // The browse card's "Requests (30d)" over the 30 days up to Dec 31, 00:00
    // (December 1 to 30): the same two requests.
    const usage = await new DatabaseMonitoringStore(knex).usageStats(
      at('2026-12-31T00:00:00Z'),
    );
    expect(usage.get(GPT)?.requests30d).toBe(gptLine.requests);
  });

  it('makes statements that add up to the ledger, and records payouts', async () => {
    const { lenaGpt } = await fixture();
    now = at('2026-12-15T12:00:00Z');
    const refs = services.map(s => s.ref);

    const list = await statements.listProvider(TEAM, refs, now);
    expect(
      list.map(s => [
        s.month,
        s.status,
        s.totals.grossMicros,
        s.totals.netMicros,
      ]),
    ).toEqual([
      ['2026-12', 'open', 15125, 13612],
      ['2026-11', 'closed', 6000, 5400],
    ]);
    const dec = await statements.getProvider(TEAM, refs, '2026-12', now);
    expect(
      dec.lines.map(l => [
        l.serviceRef,
        l.grossMicros,
        l.platformFeeMicros,
        l.netMicros,
      ]),
    ).toEqual([
      [GPT, 12000, 1200, 10800],
      [LLAMA, 3125, 313, 2812],
    ]);
    expect(dec.periodStart).toBe('2026-12-01');
    expect(dec.periodEnd).toBe('2026-12-31');

    // Every user's statements of a month add up to the ledger of that month.
    const [decLedger] = await knex('usage_ledger')
      .where('started_at', '>=', at('2026-12-01T00:00:00Z'))
      .andWhere('started_at', '<', at('2027-01-01T00:00:00Z'))
      .select(
        knex.raw('SUM(cost_micros) AS cost, SUM(platform_fee_micros) AS fee'),
      );
    const perUser = await Promise.all(
      [LENA, KENJI].map(u => statements.getConsumer('user', u, '2026-12', now)),
    );
    expect(perUser.reduce((a, s) => a + s.totals.grossMicros, 0)).toBe(
      Number(decLedger.cost),
    );
    expect(perUser.reduce((a, s) => a + s.totals.platformFeeMicros, 0)).toBe(
      Number(decLedger.fee),
    );
    expect(perUser[0].lines).toEqual([
      {
        serviceRef: GPT,
        userRef: LENA,
        teamRef: CHECKOUT,
        requests: 2,
        promptTokens: 2100,
        completionTokens: 1000,
        trialTokens: 0,
        grossMicros: 12000,
        platformFeeMicros: 1200,
        netMicros: 10800,
      },
    ]);
    const team = await statements.getConsumer('team', CHECKOUT, '2026-12', now);
    expect(team.totals.grossMicros).toBe(12000);
    expect(
      (await statements.listConsumer('user', KENJI, now)).map(s => [
        s.month,
        s.status,
        s.totals.grossMicros,
      ]),
    ).toEqual([['2026-12', 'open', 1250 + 1875 + 10000]]);

    // Payouts: only closed months, once.
    await expect(
      statements.markPaid({
        teamRef: TEAM,
        services: refs,
        month: '2026-12',
        paidBy: 'user:default/ada',
        reference: null,
        now,
      }),
    ).rejects.toThrow(/still open/);
    const paid = await statements.markPaid({
      teamRef: TEAM,
      services: refs,
      month: '2026-11',
      paidBy: 'user:default/ada',
      reference: 'TX-1',
      now,
    });
    expect(paid.status).toBe('paid');
    expect(paid.payout).toEqual({
      paidAt: '2026-12-15T12:00:00.000Z',
      paidBy: 'user:default/ada',
      reference: 'TX-1',
      netMicros: 5400,
      grossMicros: 6000,
      platformFeeMicros: 600,
    });
    await expect(
      statements.markPaid({
        teamRef: TEAM,
        services: refs,
        month: '2026-11',
        paidBy: 'user:default/ada',
        reference: null,
        now,
      }),
    ).rejects.toThrow(/already marked paid/);

    // A request of November settled late shows up as not yet paid.
    await request(lenaGpt, '2026-11-30T23:59:59.000Z', {
      pricing: GPT_PRICE,
      prompt: 1000,
      completion: 0,
    });
    now = at('2026-12-15T13:00:00Z');
    const after = await statements.getProvider(TEAM, refs, '2026-11', now);
    expect(after.totals.grossMicros).toBe(8000);
    expect(after.payout!.netMicros).toBe(5400);
    expect(after.unpaidNetMicros).toBe(7200 - 5400);

    // CSV: header, one line per service, the total; micro-USD and USD.
    const csv = statementCsv(dec, ref =>
      ref === GPT ? 'GPT-4o, "omni"' : '=cmd()',
    );
    expect(csv.split('\r\n')).toEqual([
      'month,status,team,service,service_title,requests,prompt_tokens,completion_tokens,trial_tokens,gross_micros,gross_usd,platform_fee_micros,platform_fee_usd,net_micros,net_usd',
      `2026-12,open,${TEAM},${GPT},"GPT-4o, ""omni""",2,2100,1000,0,12000,0.012000,1200,0.001200,10800,0.010800`,
      `2026-12,open,${TEAM},${LLAMA},'=cmd(),2,1000,500,0,3125,0.003125,313,0.000313,2812,0.002812`,
      `2026-12,open,${TEAM},TOTAL,,4,3100,1500,0,15125,0.015125,1513,0.001513,13612,0.013612`,
      '',
    ]);
  });

  it('reports a consumer’s usage per service and per key', async () => {
    const { lenaGpt } = await fixture();
    now = at('2026-12-15T12:00:00Z');
    const usage = await analytics.consumerUsage({
      userRef: LENA,
      period: december(),
      keyPrefixes: new Map([[lenaGpt.keyId, 'mk_lena']]),
      now,
    });
    expect(usage.totals).toMatchObject({
      requests: 2,
      okRequests: 1,
      errorRequests: 1,
      promptTokens: 2100,
      completionTokens: 1000,
      costMicros: 12000,
    });
    expect(
      usage.services.map(s => [s.serviceRef, s.totals.costMicros]),
    ).toEqual([[GPT, 12000]]);
    expect(usage.keys).toHaveLength(1);
    expect(usage.keys[0]).toMatchObject({
      keyId: lenaGpt.keyId,
      keyPrefix: 'mk_lena',
      teamRef: CHECKOUT,
    });
    expect(usage.keys[0].points.slice(0, 2).map(p => p.requests)).toEqual([
      1, 1,
    ]);
    const none = await analytics.consumerUsage({
      userRef: LENA,
      serviceRef: LLAMA,
      period: december(),
      keyPrefixes: new Map(),
      now,
    });
    expect(none.totals.requests).toBe(0);
    expect(none.services).toEqual([]);
  });
});
