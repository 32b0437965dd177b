import { Knex } from 'knex';
import { readLedgerBalances } from '../database/ledgerInvariants';

/*
 * The promises of the usage ledger, checked on the database itself: a request is
 * either held (a reservation) or settled (one ledger row), never both; every
 * subscription's counters equal the sums of its reservations and ledger rows; and
 * nothing reserved or used is negative (see readLedgerBalances).
 */
export async function expectLedgerInvariants(knex: Knex): Promise<void> {
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
}
