import { Knex } from 'knex';
import { readLedgerBalances } from '../stores/ledger/ledgerInvariants';

/*
 * The promises of the usage ledger, checked on the database itself: a request is
 * either held (a reservation) or settled (one ledger row), never both; every
 * subscription's counters equal the sums of its reservations and ledger rows; and
 * nothing reserved or used is negative (see readLedgerBalances).
 */
export async function expectLedgerInvariants(knex: Knex): Promise<void> {
  // One snapshot for every read: a request settling while this runs (the
  // client may see the end of a stream before the gateway settles it) is then
  // either wholly held or wholly settled, as the ledger promises.
  const isPostgres = String(knex.client.config.client).includes('pg');
  await knex.transaction(
    async trx => {
      await expectLedgerInvariantsIn(trx);
    },
    isPostgres ? { isolationLevel: 'repeatable read' } : {},
  );
}

async function expectLedgerInvariantsIn(knex: Knex): Promise<void> {
  for (const balance of await readLedgerBalances(knex)) {
    expect({
      id: balance.subscriptionId,
      ...balance.counters,
      heldAndSettled: balance.heldAndSettled,
      negativeRows: balance.negativeRows,
    }).toEqual({
      id: balance.subscriptionId,
      ...balance.sums,
      heldAndSettled: 0,
      negativeRows: 0,
    });
    expect(balance.counters.trialReserved).toBeGreaterThanOrEqual(0);
    expect(balance.counters.reservedMicros).toBeGreaterThanOrEqual(0);
  }
  await expectBudgetCounterInvariants(knex);
}

/**
 * The user and team month counters (budget_usage) equal the sums of the
 * reservations they hold and the ledger rows they were charged, per month.
 * Read in one statement, like the subscriptions' check.
 */
export async function expectBudgetCounterInvariants(knex: Knex): Promise<void> {
  const result = await knex.raw(`
    SELECT 'r' AS src, user_ref AS a, team_ref AS b,
           CAST(started_at AS TEXT) AS t, budget_micros AS x, 0 AS y
      FROM usage_reservations
    UNION ALL
    SELECT 'l', user_ref, team_ref, CAST(started_at AS TEXT), cost_micros, 0
      FROM usage_ledger
    UNION ALL
    SELECT 'c', scope, scope_ref, period, spend_micros, reserved_micros
      FROM budget_usage`);
  const rows: Array<Record<string, any>> = Array.isArray(result)
    ? result
    : result.rows;
  const month = (ms: unknown) => new Date(Number(ms)).toISOString().slice(0, 7);
  const lower = (r: string) => r.toLocaleLowerCase('en-US');
  const expected = new Map<string, { spend: number; reserved: number }>();
  const actual = new Map<string, { spend: number; reserved: number }>();
  const add = (key: string, spend: number, reserved: number) => {
    const e = expected.get(key) ?? { spend: 0, reserved: 0 };
    e.spend += spend;
    e.reserved += reserved;
    expected.set(key, e);
  };
  for (const r of rows) {
    if (r.src === 'c') {
      const v = { spend: Number(r.x), reserved: Number(r.y) };
      if (v.spend !== 0 || v.reserved !== 0) {
        actual.set(`${r.a}|${r.b}|${r.t}`, v);
      }
      continue;
    }
    const p = month(r.t);
    const spend = r.src === 'l' ? Number(r.x) : 0;
    const reserved = r.src === 'r' ? Number(r.x) : 0;
    add(`user|${lower(r.a)}|${p}`, spend, reserved);
    if (r.b) {
      add(`team|${lower(r.b)}|${p}`, spend, reserved);
    }
  }
  for (const [k, v] of expected) {
    if (v.spend === 0 && v.reserved === 0) {
      expected.delete(k);
    }
  }
  expect(Object.fromEntries(actual)).toEqual(Object.fromEntries(expected));
}
