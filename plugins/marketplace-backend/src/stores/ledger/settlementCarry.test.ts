import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { expectLedgerInvariants } from '../../__testUtils__/ledgerInvariants';
import { connectDatabase } from '../migrate';
import { DatabaseSubscriptionStore, KeyGrant } from '../SubscriptionStore';
import { DatabaseUsageLedger } from './UsageLedger';
import { Reservation, Settlement } from './ledgerTypes';
import { settlementEntry } from './ledgerRows';
import { ReservationWrite } from './reservationSql';
import {
  CarriedSettlements,
  createReservationWriter,
} from './reservationWriter';
import { createSettlementWriter } from './settlementWriter';
import { SettlementQueue } from './settlementQueue';

jest.setTimeout(60_000);

/*
 * Settlements carried in a reservation batch's transaction (SQLite: one
 * commit per turn for both) must land exactly as when written apart: a
 * reservation refused in the batch changes nothing of theirs, and a batch
 * rolled back as a whole leaves them to be written apart, once.
 */

const SERVICE = 'modelservice:default/acme-gpt-4o';
const pricing = {
  currency: 'USD' as const,
  promptPer1kMicros: 2000,
  completionPer1kMicros: 8000,
};
// 10 prompt + 10 completion tokens at these prices.
const COST = 100;

const ok = (now: number): Settlement => ({
  status: 'ok',
  httpStatus: 200,
  promptTokens: 10,
  completionTokens: 10,
  tokenSource: 'upstream',
  charge: true,
  finishedAt: now,
});

async function setUp(knex: Knex, now: number) {
  const subs = new DatabaseSubscriptionStore(knex, () => now);
  const ledger = new DatabaseUsageLedger(knex, {
    instanceId: 'carry-1',
    platformFeeBasisPoints: 1000,
    clock: () => now,
    batchDelayMs: 1,
  });
  async function subscribe(
    spendCapMicros: number | null = null,
    userRef = 'user:default/lena',
  ) {
    const created = await subs.create({
      serviceRef: SERVICE,
      userRef,
      teamRef: null,
      spendCapMicros,
      trialTokens: 0,
      trialDurationDays: 14,
    });
    return {
      subscriptionId: created.subscription.id,
      grant: (await subs.findGrant(created.apiKey.secret))!,
    };
  }
  async function reserve(grant: KeyGrant, requestId: string, model = 'gpt') {
    const result = await ledger.reserve({
      requestId,
      grant,
      providerRef: 'provider:default/acme',
      model,
      stream: false,
      pricing,
      promptTokens: 10,
      maxCompletionTokens: 10,
    });
    if (!result.ok) throw new Error(`${requestId} not reserved`);
    return result.reservation;
  }
  return { ledger, subscribe, reserve };
}

async function ids(knex: Knex, table: string) {
  return (await knex(table).select('request_id')).map(r => r.request_id).sort();
}

/** The reservation the ledger would write for a request of COST on `grant`. */
function writeFor(
  grant: KeyGrant,
  requestId: string,
  now: number,
  model = 'gpt',
) {
  const write: ReservationWrite = {
    subscriptionId: grant.subscriptionId,
    month: '2026-12',
    keyId: grant.keyId,
    userRef: grant.userRef,
    trialTokens: 0,
    costMicros: COST,
    budgets: [
      { scope: 'user', ref: grant.userRef.toLowerCase(), period: '2026-12' },
    ],
    row: {
      request_id: requestId,
      subscription_id: grant.subscriptionId,
      key_id: grant.keyId,
      user_ref: grant.userRef,
      team_ref: null,
      service_ref: grant.serviceRef,
      route_ref: null,
      provider_ref: 'provider:default/acme',
      model,
      stream: false,
      trial_tokens: 0,
      cost_micros: COST,
      started_at: now,
      instance_id: 'carry-2',
      budget_micros: COST,
    },
  };
  return write;
}

/** Settlements handed to a writer's next batch, and what the batch said of them. */
function carrying(reservations: Reservation[], now: number) {
  const said: string[] = [];
  let taken = false;
  const carried: CarriedSettlements = {
    entries: reservations.map(r => settlementEntry(r, ok(now), () => 1000)),
    committed: () => said.push('committed'),
    failed: () => said.push('failed'),
  };
  return {
    said,
    source: {
      take: () => {
        if (taken) return undefined;
        taken = true;
        return carried;
      },
    },
  };
}

describe('settlements carried by a reservation batch on SQLite', () => {
  const databases = TestDatabases.create({ ids: ['SQLITE_3'] });
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);
  let knex: Knex;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init('SQLITE_3') }),
    );
  });

  afterEach(async () => {
    await knex.raw('DROP TRIGGER IF EXISTS poison_reservations');
    await expectLedgerInvariants(knex);
  });

  it('due settlements ride in the next reservation batch: no transaction of their own', async () => {
    const { ledger, subscribe, reserve } = await setUp(knex, now);
    const { grant } = await subscribe();
    const held = [await reserve(grant, 'a'), await reserve(grant, 'b')];
    const client = knex.client as { acquireConnection(): Promise<unknown> };
    const acquire = jest.spyOn(client, 'acquireConnection');
    let landed = false;
    void Promise.all(held.map(r => ledger.settle(r, ok(now)))).then(() => {
      landed = true;
    });
    // Requests one after the other, until the settlements have landed.
    const next: Reservation[] = [];
    while (!landed && next.length < 500) {
      next.push(await reserve(grant, `next-${next.length}`));
    }
    const calls = acquire.mock.calls.length;
    acquire.mockRestore();
    expect(landed).toBe(true);
    expect(await ids(knex, 'usage_ledger')).toEqual(['a', 'b']);
    // One connection (one transaction) per reservation batch: none of the
    // settlements' own.
    expect(calls).toBe(next.length);
    next.forEach(r => ledger.settle(r, ok(now)));
    await ledger.flush();
    expect(await ids(knex, 'usage_reservations')).toEqual([]);
  });

  it('a reservation the spend cap refuses in a batch with settlements: the settlements land, nothing else changes', async () => {
    const { ledger, subscribe, reserve } = await setUp(knex, now);
    const capped = await subscribe(3 * COST);
    const free = await subscribe(null, 'user:default/sam');
    const held = [
      await reserve(capped.grant, 'a'),
      await reserve(capped.grant, 'x'),
      await reserve(capped.grant, 'y'),
    ];
    const writer = createReservationWriter(knex);
    const { said, source } = carrying([held[0]], now);
    writer.carrySettlements!(source);
    // a's settlement releases what it held and spends as much: no room for c.
    const [c, d] = await Promise.all([
      writer.reserve(writeFor(capped.grant, 'c', now)),
      writer.reserve(writeFor(free.grant, 'd', now)),
    ]);
    expect(c).toEqual({ ok: false });
    expect(d).toMatchObject({ ok: true });
    expect(said).toEqual(['committed']);
    expect(await ids(knex, 'usage_ledger')).toEqual(['a']);
    expect(await ids(knex, 'usage_reservations')).toEqual(['d', 'x', 'y']);
    const raw = await knex('subscriptions')
      .where({ id: capped.subscriptionId })
      .first();
    expect(Number(raw.month_spend_micros)).toBe(COST);
    expect(Number(raw.reserved_micros)).toBe(2 * COST);
    await expectLedgerInvariants(knex);
    // d was written by another writer: the ledger settles it from its row.
    await ledger.reconcile({ maxAgeMs: -1 });
    held.slice(1).forEach(r => ledger.settle(r, ok(now)));
    await ledger.flush();
  });

  it('a batch rolled back as a whole writes none of its settlements and says so; its reservations are retried alone', async () => {
    const { ledger, subscribe, reserve } = await setUp(knex, now);
    const { grant } = await subscribe();
    const held = [await reserve(grant, 'a'), await reserve(grant, 'b')];
    await knex.raw(`
      CREATE TRIGGER poison_reservations BEFORE INSERT ON usage_reservations
      WHEN NEW.model = 'poison'
      BEGIN SELECT RAISE(ROLLBACK, 'poisoned'); END`);
    const writer = createReservationWriter(knex);
    const { said, source } = carrying(held, now);
    writer.carrySettlements!(source);
    const results = await Promise.allSettled([
      writer.reserve(writeFor(grant, 'c', now)),
      writer.reserve(writeFor(grant, 'bad', now, 'poison')),
      writer.reserve(writeFor(grant, 'd', now)),
    ]);
    expect(results.map(r => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
    ]);
    expect(said).toEqual(['failed']);
    expect(await ids(knex, 'usage_ledger')).toEqual([]);
    expect(await ids(knex, 'usage_reservations')).toEqual(['a', 'b', 'c', 'd']);
    await expectLedgerInvariants(knex);
    await ledger.reconcile({ maxAgeMs: -1 });
  });
});

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('settlements a reservation batch could not write, on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  const now = Date.UTC(2026, 11, 2, 12, 0, 0);

  it('are written apart, each exactly once', async () => {
    const knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    const { subscribe, reserve } = await setUp(knex, now);
    const { grant, subscriptionId } = await subscribe();
    const held = [await reserve(grant, 'a'), await reserve(grant, 'b')];
    const written: string[] = [];
    const queue = new SettlementQueue({
      writer: createSettlementWriter(knex),
      entryOf: ({ reservation, settlement }) =>
        settlementEntry(reservation, settlement, () => 1000),
      written: items =>
        written.push(...items.map(i => i.reservation.requestId)),
      batchDelayMs: 1,
    });
    queue.carriedBy({ carry: () => undefined });
    const settled = held.map(r => queue.push(r, ok(now)));
    // Due once the batch delay has passed.
    let carried = queue.take();
    while (!carried) {
      await new Promise(resolve => setTimeout(resolve, 1));
      carried = queue.take();
    }
    expect(carried.entries).toHaveLength(2);
    carried.failed(new Error('the batch was rolled back'));
    await queue.flush();
    await Promise.all(settled);
    expect(written).toEqual(['a', 'b']);
    expect(await ids(knex, 'usage_ledger')).toEqual(['a', 'b']);
    expect(await ids(knex, 'usage_reservations')).toEqual([]);
    const raw = await knex('subscriptions')
      .where({ id: subscriptionId })
      .first();
    expect(Number(raw.month_spend_micros)).toBe(2 * COST);
    expect(Number(raw.reserved_micros)).toBe(0);
    await expectLedgerInvariants(knex);
  });
});
