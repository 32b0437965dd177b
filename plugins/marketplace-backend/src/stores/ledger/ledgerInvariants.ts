import { Knex } from 'knex';

/** What one subscription's counters say, next to what its reservations and ledger rows add up to. */
export interface LedgerBalance {
  subscriptionId: string;
  /** The subscription's own counters. */
  counters: {
    trialReserved: number;
    reservedMicros: number;
    trialUsed: number;
    totalSpend: number;
  };
  /** The same amounts summed from the reservations and ledger rows. */
  sums: {
    trialReserved: number;
    reservedMicros: number;
    trialUsed: number;
    totalSpend: number;
  };
  /** Requests both held (a reservation) and settled (a ledger row): must be 0. */
  heldAndSettled: number;
  /** Ledger rows with a negative token count or cost: must be 0. */
  negativeRows: number;
}

/**
 * The promises of the usage ledger, read from the database itself: a request is
 * either held (a reservation) or settled (one ledger row), never both; every
 * subscription's counters equal the sums of its reservations and ledger rows;
 * and nothing reserved or used is negative. Read in one statement, so the check
 * sees one consistent state even while settlements are written.
 */
export async function readLedgerBalances(knex: Knex): Promise<LedgerBalance[]> {
  const result = await knex.raw(`
    SELECT s.id,
           s.trial_tokens_reserved, s.reserved_micros,
           s.trial_tokens_used, s.total_spend_micros,
           (SELECT COALESCE(SUM(r.trial_tokens), 0) FROM usage_reservations r
             WHERE r.subscription_id = s.id) AS held_trial,
           (SELECT COALESCE(SUM(r.cost_micros), 0) FROM usage_reservations r
             WHERE r.subscription_id = s.id) AS held_micros,
           (SELECT COALESCE(SUM(l.trial_tokens), 0) FROM usage_ledger l
             WHERE l.subscription_id = s.id) AS ledger_trial,
           (SELECT COALESCE(SUM(l.cost_micros), 0) FROM usage_ledger l
             WHERE l.subscription_id = s.id) AS ledger_spend,
           (SELECT COUNT(*) FROM usage_reservations r
              JOIN usage_ledger l ON l.request_id = r.request_id
             WHERE r.subscription_id = s.id) AS held_and_settled,
           (SELECT COUNT(*) FROM usage_ledger l
             WHERE l.subscription_id = s.id
               AND (l.prompt_tokens < 0 OR l.completion_tokens < 0
                    OR l.trial_tokens < 0 OR l.cost_micros < 0)) AS negative_rows
      FROM subscriptions s`);
  const rows: Record<string, unknown>[] = Array.isArray(result)
    ? result
    : result.rows;
  const n = (v: unknown) => Number(v);
  return rows.map(row => ({
    subscriptionId: String(row.id),
    counters: {
      trialReserved: n(row.trial_tokens_reserved),
      reservedMicros: n(row.reserved_micros),
      trialUsed: n(row.trial_tokens_used),
      totalSpend: n(row.total_spend_micros),
    },
    sums: {
      trialReserved: n(row.held_trial),
      reservedMicros: n(row.held_micros),
      trialUsed: n(row.ledger_trial),
      totalSpend: n(row.ledger_spend),
    },
    heldAndSettled: n(row.held_and_settled),
    negativeRows: n(row.negative_rows),
  }));
}

/** The subscriptions whose ledger breaks a promise (empty when all hold), in plain words. */
export async function ledgerInvariantViolations(knex: Knex): Promise<string[]> {
  const problems: string[] = [];
  for (const b of await readLedgerBalances(knex)) {
    for (const key of Object.keys(b.counters) as Array<
      keyof LedgerBalance['counters']
    >) {
      if (b.counters[key] !== b.sums[key]) {
        problems.push(
          `${b.subscriptionId}: ${key} is ${b.counters[key]}, its rows add up to ${b.sums[key]}`,
        );
      }
    }
    if (b.counters.trialReserved < 0 || b.counters.reservedMicros < 0) {
      problems.push(`${b.subscriptionId}: a negative reserved amount`);
    }
    if (b.heldAndSettled !== 0) {
      problems.push(
        `${b.subscriptionId}: ${b.heldAndSettled} request(s) both held and settled`,
      );
    }
    if (b.negativeRows !== 0) {
      problems.push(
        `${b.subscriptionId}: ${b.negativeRows} ledger row(s) with a negative amount`,
      );
    }
  }
  return problems;
}
