import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { expectLedgerInvariants } from '../../__testUtils__/ledgerInvariants';
import { connectDatabase } from '../migrate';
import {
  KeyGrant,
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from '../SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from './UsageLedger';
import { Reservation, ReserveResult } from './ledgerTypes';

jest.setTimeout(60_000);

/*
 * Reservations written together (group commit on SQLite: the requests of one
 * turn of the event loop share a transaction) must stay exactly what one
 * transaction each would give: no overspend, one request's failure never fails
 * another's, a failed batch writes nothing, and a crash between reserve and
 * settle leaves reservations the sweep settles.
 */

const SERVICE = 'modelservice:default/acme-gpt-4o';
const PROVIDER = 'provider:default/acme';
const pricing = {
  currency: 'USD' as const,
  promptPer1kMicros: 2000,
  completionPer1kMicros: 8000,
};

/** Makes the database refuse reservations of one model (or of all, with `*`). */
async function poison(
  knex: Knex,
  model: string,
  how: 'statement' | 'transaction',
) {
  if (String(knex.client.config.client).includes('sqlite')) {
    // RAISE(ROLLBACK) rolls back the whole transaction; RAISE(ABORT) the statement.
    await knex.raw(`
      CREATE TRIGGER poison_reservations BEFORE INSERT ON usage_reservations
      ${model === '*' ? '' : `WHEN NEW.model = '${model}'`}
      BEGIN SELECT RAISE(${
        how === 'transaction' ? 'ROLLBACK' : 'ABORT'
      }, 'poisoned'); END`);
    return;
  }
  await knex.raw(`
    CREATE FUNCTION poison_reservations() RETURNS trigger AS $$
    BEGIN
      IF '${model}' = '*' OR NEW.model = '${model}' THEN
        RAISE EXCEPTION 'poisoned';
      END IF;
      RETURN NEW;
    END $$ LANGUAGE plpgsql`);
  await knex.raw(`
    CREATE TRIGGER poison_reservations BEFORE INSERT ON usage_reservations
    FOR EACH ROW EXECUTE FUNCTION poison_reservations()`);
}

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('reservations written together on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  const isSqlite = databaseId === 'SQLITE_3';
  let knex: Knex;
  let now: number;
  const clock = () => now;
  let subs: SubscriptionStore;
  let ledger: UsageLedger;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    now = Date.UTC(2026, 11, 2, 12, 0, 0);
    subs = new DatabaseSubscriptionStore(knex, clock);
    ledger = new DatabaseUsageLedger(knex, {
      instanceId: 'batch-1',
      platformFeeBasisPoints: 1000,
      clock,
      batchDelayMs: 1,
    });
  });

  afterEach(async () => {
    await ledger.flush();
    await knex.raw(
      `DROP TRIGGER IF EXISTS poison_reservations${
        isSqlite ? '' : ' ON usage_reservations'
      }`,
    );
    await expectLedgerInvariants(knex);
  });

  async function subscribe(
    options: { trialTokens?: number; spendCapMicros?: number | null } = {},
  ) {
    const created = await subs.create({
      serviceRef: SERVICE,
      userRef: 'user:default/lena',
      teamRef: 'group:default/checkout-team',
      spendCapMicros: options.spendCapMicros ?? null,
      trialTokens: options.trialTokens ?? 0,
      trialDurationDays: 14,
    });
    const grant = (await subs.findGrant(created.apiKey.secret))!;
    return { ...created, grant };
  }

  function reserve(
    grant: KeyGrant,
    requestId: string,
    options: { model?: string; prompt?: number; completion?: number } = {},
    on: UsageLedger = ledger,
  ) {
    return on.reserve({
      requestId,
      grant,
      providerRef: PROVIDER,
      model: options.model ?? 'acme-gpt-4o',
      stream: false,
      pricing,
      promptTokens: options.prompt ?? 10,
      maxCompletionTokens: options.completion ?? 10,
    });
  }

  function settleOk(reservation: Reservation) {
    return ledger.settle(reservation, {
      status: 'ok',
      httpStatus: 200,
      promptTokens: reservation.promptTokens,
      completionTokens: reservation.maxCompletionTokens,
      tokenSource: 'upstream',
      charge: true,
      finishedAt: now,
    });
  }

  /** Sends the reservations in the same turn of the event loop. */
  function together(grant: KeyGrant, ids: string[], model?: string) {
    return Promise.allSettled(ids.map(id => reserve(grant, id, { model })));
  }

  function reservations(results: PromiseSettledResult<ReserveResult>[]) {
    return results.flatMap(r =>
      r.status === 'fulfilled' && r.value.ok ? [r.value.reservation] : [],
    );
  }

  it('reservations arriving together never spend past a trial, and each gets its own row', async () => {
    const { grant, subscription } = await subscribe({
      trialTokens: 1000,
      spendCapMicros: 0,
    });
    // Known state first, so that all 60 go straight to the database together.
    const first = await reserve(grant, 'warm');
    if (!first.ok) throw new Error('not reserved');
    await settleOk(first.reservation);
    await ledger.flush();

    const ids = Array.from({ length: 60 }, (_, i) => `together-${i}`);
    const results = await together(grant, ids);

    // 1000 trial tokens, 20 per request, 20 used by the first one: 49 fit.
    const held = reservations(results);
    expect(held).toHaveLength(49);
    expect(results.filter(r => r.status === 'rejected')).toEqual([]);
    expect(
      results.filter(r => r.status === 'fulfilled' && !r.value.ok),
    ).toHaveLength(11);
    const rows = await knex('usage_reservations').select('request_id');
    expect(rows.map(r => r.request_id).sort()).toEqual(
      held.map(r => r.requestId).sort(),
    );
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(
      Number(raw.trial_tokens_reserved) + Number(raw.trial_tokens_used),
    ).toBe(1000);
    await expectLedgerInvariants(knex);

    for (const r of held) {
      await settleOk(r);
    }
    await ledger.flush();
    expect(Number((await knex('usage_ledger').count({ n: '*' }))[0].n)).toBe(
      50,
    );
  });

  it('the reservations of one turn of the event loop share one transaction on SQLite', async () => {
    const { grant } = await subscribe();
    const first = await reserve(grant, 'warm');
    if (!first.ok) throw new Error('not reserved');
    const client = knex.client as { acquireConnection(): Promise<unknown> };
    const acquire = jest.spyOn(client, 'acquireConnection');
    const results = await together(
      grant,
      Array.from({ length: 40 }, (_, i) => `shared-${i}`),
    );
    const calls = acquire.mock.calls.length;
    acquire.mockRestore();
    expect(reservations(results)).toHaveLength(40);
    // PostgreSQL writes each in one statement of its own.
    expect(calls).toBe(isSqlite ? 1 : 40);
    for (const r of [first.reservation, ...reservations(results)]) {
      await settleOk(r);
    }
  });

  it('keeps reserving after a migration changed the subscriptions table under its prepared statements', async () => {
    const { grant } = await subscribe();
    const before = await reserve(grant, 'before');
    if (!before.ok) throw new Error('not reserved');
    await knex.schema.alterTable('subscriptions', table => {
      table.text('added_by_a_later_migration').nullable();
    });
    const after = await reserve(grant, 'after');
    const again = await reserve(grant, 'again');
    expect([after.ok, again.ok]).toEqual([true, true]);
    if (!after.ok || !again.ok) throw new Error('not reserved');
    expect(
      (await knex('usage_reservations').select('request_id'))
        .map(r => r.request_id)
        .sort(),
    ).toEqual(['after', 'again', 'before']);
    for (const r of [before, after, again]) {
      await settleOk(r.reservation);
    }
    await ledger.flush();
    expect(await ledger.getUsage('again')).toMatchObject({ status: 'ok' });
  });

  it('a request the database refuses fails alone: the others of its batch are held', async () => {
    const { grant } = await subscribe();
    await poison(knex, 'poison', 'statement');
    const [a, bad, b] = await Promise.allSettled([
      reserve(grant, 'a'),
      reserve(grant, 'bad', { model: 'poison' }),
      reserve(grant, 'b'),
    ]);
    expect(a).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(b).toMatchObject({ status: 'fulfilled', value: { ok: true } });
    expect(bad.status).toBe('rejected');
    expect(
      (await knex('usage_reservations').select('request_id'))
        .map(r => r.request_id)
        .sort(),
    ).toEqual(['a', 'b']);
    // The refused one holds nothing: the counters equal the two held.
    await expectLedgerInvariants(knex);
    for (const r of reservations([a, b])) {
      await settleOk(r);
    }
  });

  it('a failure that rolls back a whole batch costs only the request behind it', async () => {
    const { grant } = await subscribe();
    await poison(knex, 'poison', 'transaction');
    const results = await Promise.allSettled([
      reserve(grant, 'a'),
      reserve(grant, 'bad', { model: 'poison' }),
      reserve(grant, 'b'),
      reserve(grant, 'c'),
    ]);
    expect(results.map(r => r.status)).toEqual([
      'fulfilled',
      'rejected',
      'fulfilled',
      'fulfilled',
    ]);
    expect(
      (await knex('usage_reservations').select('request_id'))
        .map(r => r.request_id)
        .sort(),
    ).toEqual(['a', 'b', 'c']);
    await expectLedgerInvariants(knex);
    for (const r of reservations(results)) {
      await settleOk(r);
    }
  });

  it('a batch the database refuses fails every request in it and writes nothing', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 100 });
    await poison(knex, '*', 'transaction');
    const results = await together(grant, ['a', 'b', 'c', 'd']);
    expect(results.map(r => r.status)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect(await ledger.countReservations()).toBe(0);
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(Number(raw.trial_tokens_reserved)).toBe(0);
    expect(Number(raw.reserved_micros)).toBe(0);
    expect(
      Number(
        (await knex('budget_usage').sum({ s: 'reserved_micros' }))[0].s ?? 0,
      ),
    ).toBe(0);
    await expectLedgerInvariants(knex);
  });

  it('a crash between reserve and settle leaves reservations the sweep settles, free', async () => {
    const { grant, subscription } = await subscribe({ trialTokens: 1000 });
    const crashed = new DatabaseUsageLedger(knex, {
      instanceId: 'batch-crashed',
      platformFeeBasisPoints: 1000,
      clock,
    });
    const results = await Promise.allSettled(
      ['x', 'y', 'z'].map(id => reserve(grant, id, {}, crashed)),
    );
    expect(reservations(results)).toHaveLength(3);
    // The process dies here: nothing is ever settled by it.
    crashed.stop();
    await expectLedgerInvariants(knex);

    await expect(ledger.reconcile({ maxAgeMs: 600_000 })).resolves.toBe(0);
    now += 600_001;
    await expect(ledger.reconcile({ maxAgeMs: 600_000 })).resolves.toBe(3);
    for (const id of ['x', 'y', 'z']) {
      expect(await ledger.getUsage(id)).toMatchObject({
        status: 'abandoned',
        costMicros: 0,
        trialTokens: 0,
      });
    }
    expect(await ledger.countReservations()).toBe(0);
    const raw = await knex('subscriptions')
      .where({ id: subscription.id })
      .first();
    expect(Number(raw.trial_tokens_reserved)).toBe(0);
    expect(Number(raw.trial_tokens_used)).toBe(0);
    expect(Number(raw.reserved_micros)).toBe(0);
  });
});
