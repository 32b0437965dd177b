import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import knexFactory, { Knex } from 'knex';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import { DatabaseAnalyticsStore } from './analytics/AnalyticsStore';
import { DatabaseStatementStore } from './analytics/StatementStore';
import { BudgetAlerts } from '../service/BudgetAlerts';
import { DatabaseAuditLog } from './AuditLog';
import { BudgetStore, DatabaseBudgetStore } from './BudgetStore';
import { connectDatabase } from './migrate';
import { DatabasePriceChangeStore } from './PriceChangeStore';
import {
  KeyGrant,
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from './SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from './ledger/UsageLedger';

jest.setTimeout(120_000);

const SERVICES = ['modelservice:default/svc-a', 'modelservice:default/svc-b'];
const TEAM = 'group:default/ml-platform';
/** 10 prompt + 40 completion tokens cost 10 + 80 = 90 micro-USD. */
const pricing = {
  currency: 'USD' as const,
  promptPer1kMicros: 1000,
  completionPer1kMicros: 2000,
};

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('budgets on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let knexB: Knex;
  let now: number;
  const clock = () => now;
  let subs: SubscriptionStore;
  let budgets: BudgetStore;
  /** Two gateway instances: on PostgreSQL each with a pool of its own. */
  let ledgers: UsageLedger[];

  beforeEach(async () => {
    const base = await databases.init(databaseId);
    knex = await connectDatabase(mockServices.database({ knex: base }));
    knexB =
      databaseId === 'POSTGRES_15'
        ? knexFactory((base as any).client.config)
        : knex;
    now = Date.UTC(2026, 11, 12, 12, 0, 0);
    subs = new DatabaseSubscriptionStore(knex, clock);
    budgets = new DatabaseBudgetStore(
      knex,
      new DatabaseAuditLog(knex, clock),
      clock,
    );
    ledgers = [knex, knexB].map(
      (db, i) =>
        new DatabaseUsageLedger(db, {
          instanceId: `instance-${i}`,
          platformFeeBasisPoints: 0,
          clock,
          batchDelayMs: 1,
        }),
    );
  });

  afterEach(async () => {
    for (const l of ledgers) {
      await l.flush();
    }
    await expectLedgerInvariants(knex);
    if (knexB !== knex) {
      await knexB.destroy();
    }
  });

  async function subscribe(options: {
    user: string;
    service?: string;
    team?: string | null;
    trialTokens?: number;
  }): Promise<KeyGrant> {
    const created = await subs.create({
      serviceRef: options.service ?? SERVICES[0],
      userRef: options.user,
      teamRef: options.team ?? null,
      spendCapMicros: null,
      trialTokens: options.trialTokens ?? 0,
    });
    return (await subs.findGrant(created.apiKey.secret))!;
  }

  /** One request through either instance: reserve, then settle in full. */
  async function call(grant: KeyGrant, i: number, ledger = ledgers[i % 2]) {
    const r = await ledger.reserve({
      requestId: `req-${grant.subscriptionId}-${i}`,
      grant,
      providerRef: 'provider:default/p',
      model: 'svc',
      stream: false,
      pricing,
      promptTokens: 10,
      maxCompletionTokens: 40,
    });
    if (r.ok) {
      await ledger.settle(r.reservation, {
        status: 'ok',
        httpStatus: 200,
        promptTokens: 10,
        completionTokens: r.reservation.maxCompletionTokens,
        tokenSource: 'upstream',
        charge: true,
        finishedAt: now,
      });
    }
    return r;
  }

  async function spendOf(column: 'user_ref' | 'team_ref', ref: string) {
    const [{ spend }] = await knex('usage_ledger')
      .where(column, ref)
      .sum({ spend: 'cost_micros' });
    return Number(spend ?? 0);
  }

  it('a hard user budget holds across subscriptions, two instances and 500 concurrent requests', async () => {
    const user = 'user:default/lena';
    const grants = [
      await subscribe({ user, service: SERVICES[0] }),
      await subscribe({ user, service: SERVICES[1], team: TEAM }),
    ];
    await budgets.put(
      'user',
      user,
      { amountMicros: 9_000, mode: 'hard', thresholds: [50, 100] },
      user,
    );
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => call(grants[i % 2], i)),
    );
    for (const l of ledgers) {
      await l.flush();
    }
    const admitted = results.filter(r => r.ok).length;
    // Every request costs 90: exactly 100 fit, never one more.
    expect(admitted).toBe(100);
    expect(await spendOf('user_ref', user)).toBe(9_000);
    const refused = results.filter(r => !r.ok);
    expect(refused[0]).toEqual({
      ok: false,
      reason: 'budget_exceeded',
      budget: {
        scope: 'user',
        ref: user,
        period: '2026-12',
        amountMicros: 9_000,
      },
    });
    const budget = (await budgets.get('user', user))!;
    expect(budget).toMatchObject({
      spendMicros: 9_000,
      reservedMicros: 0,
      remainingMicros: 0,
      period: '2026-12',
    });
  });

  it('a hard team budget holds for all team-billed subscriptions of its members', async () => {
    const grants = [
      await subscribe({ user: 'user:default/lena', team: TEAM }),
      await subscribe({ user: 'user:default/kenji', team: TEAM }),
      // Billed to the user: the team budget does not apply.
      await subscribe({ user: 'user:default/ana' }),
    ];
    await budgets.put(
      'team',
      TEAM,
      { amountMicros: 4_500, mode: 'hard', thresholds: [100] },
      'user:default/admin',
    );
    const results = await Promise.all(
      Array.from({ length: 500 }, (_, i) => call(grants[i % 3], i)),
    );
    for (const l of ledgers) {
      await l.flush();
    }
    expect(await spendOf('team_ref', TEAM)).toBe(4_500);
    const own = results.filter((_, i) => i % 3 === 2);
    expect(own.every(r => r.ok)).toBe(true);
    const refusal = results.find(r => !r.ok);
    expect(refusal).toMatchObject({
      reason: 'budget_exceeded',
      budget: { scope: 'team', ref: TEAM, amountMicros: 4_500 },
    });
  });

  it('a soft budget never refuses; trial tokens pass a used-up hard budget; removing it lifts it', async () => {
    const user = 'user:default/lena';
    const grant = await subscribe({ user });
    await budgets.put(
      'user',
      user,
      { amountMicros: 90, mode: 'soft', thresholds: [100] },
      user,
    );
    for (let i = 0; i < 3; i++) {
      expect((await call(grant, i)).ok).toBe(true);
    }
    await budgets.put(
      'user',
      user,
      { amountMicros: 90, mode: 'hard', thresholds: [100] },
      user,
    );
    expect((await call(grant, 3)).ok).toBe(false);
    // A request the trial pays costs nothing: the budget does not stop it.
    const trialGrant = await subscribe({
      user,
      service: SERVICES[1],
      trialTokens: 1_000,
    });
    expect((await call(trialGrant, 4)).ok).toBe(true);
    await budgets.remove('user', user, user);
    expect((await call(grant, 5)).ok).toBe(true);
    const audit = await knex('audit_log').orderBy('id').pluck('action');
    expect(audit).toEqual(['budget.set', 'budget.set', 'budget.deleted']);
  });

  it('a subscription budget is its spend cap: hard refuses, soft lifts the cap', async () => {
    const grant = await subscribe({ user: 'user:default/lena' });
    await budgets.put(
      'subscription',
      grant.subscriptionId,
      { amountMicros: 180, mode: 'hard', thresholds: [50, 100] },
      'user:default/lena',
    );
    expect(
      (await knex('subscriptions').where({ id: grant.subscriptionId }).first())
        .spend_cap_micros,
    ).toBe(databaseId === 'POSTGRES_15' ? '180' : 180);
    const results = [];
    for (let i = 0; i < 4; i++) {
      results.push(await call(grant, i, ledgers[0]));
    }
    expect(results.map(r => r.ok)).toEqual([true, true, false, false]);
    expect(results[2]).toMatchObject({
      reason: 'budget_exceeded',
      budget: { scope: 'subscription', ref: grant.subscriptionId },
    });
    await budgets.put(
      'subscription',
      grant.subscriptionId,
      { amountMicros: 180, mode: 'soft', thresholds: [50, 100] },
      'user:default/lena',
    );
    expect((await call(grant, 5, ledgers[0])).ok).toBe(true);
    expect(
      await budgets.get('subscription', grant.subscriptionId),
    ).toMatchObject({ mode: 'soft', amountMicros: 180, spendMicros: 270 });
  });

  it('sends each threshold once per budget and month, also with two instances checking at once', async () => {
    const user = 'user:default/lena';
    const grant = await subscribe({ user, team: TEAM });
    await budgets.put(
      'user',
      user,
      { amountMicros: 900, mode: 'soft', thresholds: [50, 80, 95, 100] },
      user,
    );
    await budgets.put(
      'team',
      TEAM,
      { amountMicros: 1_800, mode: 'soft', thresholds: [50, 100] },
      'user:default/admin',
    );
    const send = jest.fn(async () => {});
    const alerts = [knex, knexB].map(
      db =>
        new BudgetAlerts({
          db,
          budgets: new DatabaseBudgetStore(
            db,
            new DatabaseAuditLog(db, clock),
            clock,
          ),
          notifications: { send },
          teamOwners: { owners: async () => ['user:default/olga'] },
          logger: mockServices.logger.mock(),
        }),
    );
    const checkBoth = () => Promise.all(alerts.map(a => a.check()));
    // 4 calls: 360 of 900 (40 %) -> nothing.
    for (let i = 0; i < 4; i++) {
      await call(grant, i, ledgers[0]);
    }
    await ledgers[0].flush();
    await checkBoth();
    expect(send).not.toHaveBeenCalled();
    // 9 calls: 810 (90 %) -> 50 and 80, each once; team 45 % -> nothing.
    for (let i = 4; i < 9; i++) {
      await call(grant, i, ledgers[0]);
    }
    await ledgers[0].flush();
    await checkBoth();
    await checkBoth();
    // 20 calls: 1800 -> user 95 and 100; team 50 and 100.
    for (let i = 9; i < 20; i++) {
      await call(grant, i, ledgers[0]);
    }
    await ledgers[0].flush();
    await checkBoth();
    await checkBoth();
    const sent = (send.mock.calls as any[]).map(([n]) => ({
      to: n.recipients.entityRef,
      title: n.payload.title,
      link: n.payload.link,
    }));
    expect(sent).toEqual([
      {
        to: [user],
        title: 'Your monthly budget for 2026-12 is 50% used',
        link: '/marketplace/subscriptions',
      },
      {
        to: [user],
        title: 'Your monthly budget for 2026-12 is 80% used',
        link: '/marketplace/subscriptions',
      },
      {
        to: [user],
        title: 'Your monthly budget for 2026-12 is 95% used',
        link: '/marketplace/subscriptions',
      },
      {
        to: [user],
        title: 'Your monthly budget for 2026-12 is 100% used',
        link: '/marketplace/subscriptions',
      },
      {
        to: ['user:default/olga'],
        title: `The team budget of ${TEAM} for 2026-12 is 50% used`,
        link: '/marketplace/subscriptions',
      },
      {
        to: ['user:default/olga'],
        title: `The team budget of ${TEAM} for 2026-12 is 100% used`,
        link: '/marketplace/subscriptions',
      },
    ]);
    const rows = await knex('budget_alerts').orderBy(['scope', 'threshold']);
    expect(rows.map(r => `${r.scope}:${r.threshold}`)).toEqual([
      'team:50',
      'team:100',
      'user:50',
      'user:80',
      'user:95',
      'user:100',
    ]);
    // A new month: the thresholds are sent again, once.
    now = Date.UTC(2027, 0, 1, 0, 0, 0);
    for (let i = 20; i < 26; i++) {
      await call(grant, i, ledgers[0]);
    }
    await ledgers[0].flush();
    await checkBoth();
    expect(
      (send.mock.calls as any[]).slice(6).map(([n]) => n.payload.title),
    ).toEqual(['Your monthly budget for 2027-01 is 50% used']);
  });

  it('switches to an announced price at its effective instant, for subscribers from before too', async () => {
    const prices = new DatabasePriceChangeStore(knex, { clock });
    const ledger = new DatabaseUsageLedger(knex, {
      instanceId: 'priced',
      platformFeeBasisPoints: 0,
      clock,
      batchDelayMs: 1,
      prices,
    });
    ledgers.push(ledger);
    const grant = await subscribe({ user: 'user:default/lena' });
    await knex('subscriptions')
      .where({ id: grant.subscriptionId })
      .update({ pricing_json: JSON.stringify(pricing) });
    const effectiveAt = now + 30 * 86_400_000;
    const doubled = {
      currency: 'USD' as const,
      promptPer1kMicros: 2000,
      completionPer1kMicros: 4000,
    };
    const change = await prices.announce({
      serviceRef: SERVICES[0],
      pricing: doubled,
      previousPricing: pricing,
      entityPricing: pricing,
      effectiveAt,
      actor: 'user:default/owner',
    });
    now = effectiveAt - 1;
    const before = await call(grant, 1, ledger);
    now = effectiveAt;
    const at = await call(grant, 2, ledger);
    await ledger.flush();
    expect(before.ok && before.reservation.costMicros).toBe(90);
    expect(at.ok && at.reservation.costMicros).toBe(180);
    const rows = await knex('usage_ledger').orderBy('started_at');
    expect(
      rows.map(r => ({
        cost: Number(r.cost_micros),
        prompt: Number(r.prompt_price_micros),
        completion: Number(r.completion_price_micros),
        change: r.price_change_id,
      })),
    ).toEqual([
      { cost: 90, prompt: 1000, completion: 2000, change: null },
      { cost: 180, prompt: 2000, completion: 4000, change: change.id },
    ]);
    // The statement tells which price applied to which tokens.
    const statement = await new DatabaseStatementStore(
      knex,
      new DatabaseAnalyticsStore(knex),
    ).getConsumer('user', 'user:default/lena', '2027-01', now);
    expect(statement.priceLines).toEqual([
      {
        serviceRef: SERVICES[0],
        promptPer1kMicros: 1000,
        completionPer1kMicros: 2000,
        priceChangeId: null,
        requests: 1,
        promptTokens: 10,
        completionTokens: 40,
        grossMicros: 90,
      },
      {
        serviceRef: SERVICES[0],
        promptPer1kMicros: 2000,
        completionPer1kMicros: 4000,
        priceChangeId: change.id,
        requests: 1,
        promptTokens: 10,
        completionTokens: 40,
        grossMicros: 180,
      },
    ]);
    // Owners who change the entity's prices again decide anew: those apply
    // (an unannounced increase only to new subscriptions, as before).
    const lower = { ...pricing, promptPer1kMicros: 500 };
    const r = await ledger.reserve({
      requestId: 'after-edit',
      grant,
      providerRef: 'provider:default/p',
      model: 'svc',
      stream: false,
      pricing: lower,
      promptTokens: 10,
      maxCompletionTokens: 40,
    });
    expect(r.ok && r.reservation.costMicros).toBe(85);
    if (r.ok) {
      await ledger.settle(r.reservation, {
        status: 'ok',
        httpStatus: 200,
        promptTokens: 10,
        completionTokens: 40,
        tokenSource: 'upstream',
        charge: true,
        finishedAt: now,
      });
    }
  });
});
