import { ConfigReader } from '@backstage/config';
import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { connectDatabase } from '../migrate';
import { createSettlementWriter } from '../ledger/settlementWriter';
import { DatabaseAnalyticsStore } from './AnalyticsStore';
import { microsToUsd, statementCsv } from '../../analytics/csv';
import { addMonths, monthStart, monthOf } from '../../lib/periods';
import {
  creditMicrosOf,
  creditPercentFor,
  DEFAULT_SLA_CREDIT_TIERS,
  SlaCredits,
} from './SlaCredits';
import { readSlaCreditConfig } from '../../config';
import { DatabaseStatementStore } from './StatementStore';

jest.setTimeout(60_000);

const DOWNY = 'modelservice:default/downy'; // committed 99.9 %, measured 90 %: 25 %
const STEADY = 'modelservice:default/steady'; // committed 99.5 %, measured 99.8 %: none
const SLIPPING = 'modelservice:default/slipping'; // committed 99.9 %, measured 99.5 %: 10 %
const UNMEASURED = 'modelservice:default/unmeasured'; // 10 checks: none
const TEAM = 'group:default/ai-platform-team';
const LENA = 'user:default/lena';
const KENJI = 'user:default/kenji';
const CHECKOUT = 'group:default/checkout-team';
const COMMITTED: Record<string, number> = {
  [DOWNY]: 99.9,
  [STEADY]: 99.5,
  [SLIPPING]: 99.9,
  [UNMEASURED]: 99.9,
};
const SERVICES = Object.keys(COMMITTED);

describe('the credit table', () => {
  it('gives the highest matching percent, none without a measurement', () => {
    const tiers = DEFAULT_SLA_CREDIT_TIERS;
    expect(creditPercentFor(99.95, 99.9, tiers)).toBe(0);
    expect(creditPercentFor(99.9, 99.9, tiers)).toBe(0);
    expect(creditPercentFor(99.89, 99.9, tiers)).toBe(10);
    expect(creditPercentFor(99, 99.9, tiers)).toBe(10);
    expect(creditPercentFor(98.99, 99.9, tiers)).toBe(25);
    expect(creditPercentFor(null, 99.9, tiers)).toBe(0);
    // A commitment below 99 %: only the 99 % row can match below it.
    expect(creditPercentFor(98.5, 98, tiers)).toBe(25);
    expect(creditMicrosOf(1001, 25)).toBe(250);
    expect(creditMicrosOf(3, 25)).toBe(0);
  });

  it('reads the table from config and names a bad setting', () => {
    expect(
      readSlaCreditConfig(
        new ConfigReader({
          marketplace: {
            sla: {
              credits: [
                { below: 'committed', percent: 5 },
                { below: 95, percent: 50 },
              ],
              minimumProbes: 10,
            },
          },
        }),
      ),
    ).toEqual({
      tiers: [
        { below: 'committed', percent: 5 },
        { below: 95, percent: 50 },
      ],
      minimumProbes: 10,
    });
    const bad = (sla: object) => () =>
      readSlaCreditConfig(new ConfigReader({ marketplace: { sla } }));
    expect(bad({ credits: [{ below: 'sometimes', percent: 5 }] })).toThrow(
      "marketplace.sla.credits[0].below must be 'committed' or an uptime percent",
    );
    expect(bad({ credits: [{ below: 99, percent: 0.5 }] })).toThrow(
      'marketplace.sla.credits[0].percent must be a whole percent',
    );
    expect(bad({ minimumProbes: 0 })).toThrow('marketplace.sla.minimumProbes');
  });
});

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('SLA credits on statements on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  const now = Date.now();
  const lastMonth = addMonths(monthOf(now), -1);
  const inLastMonth = monthStart(lastMonth) + 3 * 86_400_000;

  function stores() {
    const analytics = new DatabaseAnalyticsStore(knex);
    return new DatabaseStatementStore(
      knex,
      analytics,
      new SlaCredits(knex, {
        tiers: DEFAULT_SLA_CREDIT_TIERS,
        minimumProbes: 60,
        committedUptime: ref => COMMITTED[ref],
      }),
    );
  }

  async function probes(serviceRef: string, up: number, down: number) {
    const rows = [];
    for (let i = 0; i < up + down; i++) {
      rows.push({
        service_ref: serviceRef,
        // Spread over 10 days of the month.
        probed_at: inLastMonth + (i % 10) * 86_400_000 + i * 1000,
        outcome: i < up ? 'up' : 'down',
        http_status: i < up ? 200 : 503,
        error_kind: i < up ? null : 'bad_status',
        latency_ms: 100,
      });
    }
    for (let i = 0; i < rows.length; i += 200) {
      await knex('service_probes').insert(rows.slice(i, i + 200));
    }
  }

  function charge(
    serviceRef: string,
    userRef: string,
    teamRef: string | null,
    cost: number,
    startedAt = inLastMonth,
  ) {
    return {
      row: {
        request_id: `req_${randomUUID()}`,
        subscription_id: `sub-${randomUUID()}`.slice(0, 36),
        key_id: `key-${randomUUID()}`.slice(0, 36),
        user_ref: userRef,
        team_ref: teamRef,
        service_ref: serviceRef,
        provider_ref: 'provider:default/acme',
        model: serviceRef.split('/')[1],
        stream: false,
        status: 'ok',
        http_status: 200,
        error_code: null,
        prompt_tokens: 100,
        completion_tokens: 50,
        trial_tokens: 0,
        token_source: 'upstream',
        cost_micros: cost,
        platform_fee_micros: Math.floor(cost / 10),
        upstream_latency_ms: 200,
        ttft_ms: null,
        started_at: startedAt,
        finished_at: startedAt + 200,
        usage_clamped: false,
      },
    };
  }

  beforeAll(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    await probes(DOWNY, 90, 10);
    await probes(STEADY, 998, 2);
    await probes(SLIPPING, 995, 5);
    await probes(UNMEASURED, 5, 5);
    await createSettlementWriter(knex).write([
      charge(DOWNY, LENA, CHECKOUT, 1001),
      charge(DOWNY, LENA, CHECKOUT, 1000),
      charge(DOWNY, KENJI, null, 3),
      charge(DOWNY, KENJI, CHECKOUT, 4000),
      charge(STEADY, LENA, CHECKOUT, 5000),
      charge(SLIPPING, LENA, null, 777),
      charge(UNMEASURED, KENJI, null, 9000),
      // This month (open): never credited yet.
      charge(DOWNY, LENA, CHECKOUT, 100_000, now),
    ]);
  });

  it('credits each consumer line and deducts the same sum from the payout', async () => {
    const statements = stores();
    const lena = await statements.getConsumer('user', LENA, lastMonth, now);
    expect(lena.slaCredits).toEqual([
      expect.objectContaining({
        serviceRef: DOWNY,
        committedUptimePercent: 99.9,
        measuredUptimePercent: 90,
        upProbes: 90,
        downProbes: 10,
        coverageDays: 10,
        creditPercent: 25,
        // One line (downy, lena, checkout) of 2,001: 500.
        creditMicros: 500,
      }),
      expect.objectContaining({
        serviceRef: SLIPPING,
        measuredUptimePercent: 99.5,
        creditPercent: 10,
        creditMicros: 77,
      }),
    ]);
    expect(lena.slaCreditMicros).toBe(577);

    const kenji = await statements.getConsumer('user', KENJI, lastMonth, now);
    // Downy: 3 personal (0 credited) and 4,000 billed to checkout (1,000); the
    // unmeasured service gives nothing.
    expect(kenji.slaCreditMicros).toBe(1000);
    const team = await statements.getConsumer('team', CHECKOUT, lastMonth, now);
    expect(team.slaCreditMicros).toBe(500 + 1000);

    const provider = await statements.getProvider(
      TEAM,
      SERVICES,
      lastMonth,
      now,
    );
    // Every customer line of the team's services: 500 + 0 + 1,000 + 77.
    expect(provider.slaCreditMicros).toBe(
      lena.slaCreditMicros + kenji.slaCreditMicros,
    );
    expect(
      provider.slaCredits.map(c => [c.serviceRef, c.creditMicros]),
    ).toEqual([
      [DOWNY, 1500],
      [SLIPPING, 77],
    ]);
    // Lists carry the same sums.
    const list = await statements.listProvider(TEAM, SERVICES, now);
    expect(list.find(s => s.month === lastMonth)?.slaCreditMicros).toBe(1577);
    const lenaList = await statements.listConsumer('user', LENA, now);
    expect(lenaList.find(s => s.month === lastMonth)?.slaCreditMicros).toBe(
      577,
    );
    // The open month has none.
    expect(lenaList.find(s => s.month === monthOf(now))?.slaCredits).toEqual(
      [],
    );

    // The payout is the net less the deduction.
    const paid = await statements.markPaid({
      teamRef: TEAM,
      services: SERVICES,
      month: lastMonth,
      paidBy: 'user:default/ada',
      reference: null,
      now,
    });
    expect(paid.payout?.netMicros).toBe(
      provider.totals.netMicros - provider.slaCreditMicros,
    );
    expect(paid.unpaidNetMicros).toBe(0);
  });

  it('assesses a month once, also under concurrent reads, and keeps it when the checks are deleted', async () => {
    await knex('sla_credits').delete();
    const results = await Promise.all(
      Array.from({ length: 4 }, () =>
        stores().getConsumer('user', LENA, lastMonth, now),
      ),
    );
    expect(results.map(r => r.slaCreditMicros)).toEqual([577, 577, 577, 577]);
    // Lena's three services were assessed, once each.
    expect(
      (await knex('sla_credits').where({ month: lastMonth })).map(
        r => r.service_ref,
      ),
    ).toHaveLength(3);
    await knex('service_probes').delete();
    const again = await stores().getConsumer('user', LENA, lastMonth, now);
    expect(again.slaCredits).toEqual(results[0].slaCredits);
  });

  it('shows the credits in the statement CSV', async () => {
    const statement = await stores().getConsumer('user', LENA, lastMonth, now);
    const csv = statementCsv(statement, () => null);
    expect(csv).toContain(
      `${lastMonth},closed,${LENA},${DOWNY},SLA credit: 25 % (uptime 90 % against 99.9 % committed),,,,,,,-500,-0.000500,,,,\r\n`,
    );
    const due = statement.totals.grossMicros - 577;
    expect(csv.trim().split('\r\n').pop()).toBe(
      `${lastMonth},closed,${LENA},DUE_AFTER_SLA_CREDITS,,,,,,,,${due},${microsToUsd(
        due,
      )},,,,`,
    );
  });
});
