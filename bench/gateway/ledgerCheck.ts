/*
 * The ledger check of `yarn bench:gateway` (run.ts): one row per request the
 * gateway answered 200, and nothing else.
 */
import type { Measurement } from './measure';
import type { LedgerCheck } from './server';

export interface Check {
  what: string;
  value: string;
  pass: boolean;
  /** A finding that does not fail the run. */
  warn?: boolean;
}

export function checkLedger(ledger: LedgerCheck): Check[] {
  return [
    {
      what: 'every request the gateway answered 200 has exactly one ledger row, status ok',
      value: `${ledger.answered200WithOkRow} of ${ledger.answered200}`,
      pass: ledger.answered200Mismatched === 0,
    },
    {
      what: 'no ok row for a request the gateway did not answer 200',
      value: `${ledger.okRowsUnexplained}`,
      pass: ledger.okRowsUnexplained === 0,
    },
    {
      what: 'no ok row (charged) for a request whose client left before the gateway answered',
      value: `${ledger.okRowsClientGoneBeforeAnswer}`,
      pass: true,
      warn: ledger.okRowsClientGoneBeforeAnswer > 0,
    },
    {
      what: 'no duplicate request ids',
      value: String(ledger.duplicateRequestIds),
      pass: ledger.duplicateRequestIds === 0,
    },
    {
      what: 'no reservation left open',
      value: `${ledger.openReservations} rows, ${ledger.subscription.reservedMicros} micro-USD held`,
      pass:
        ledger.openReservations === 0 &&
        ledger.subscription.reservedMicros === 0,
    },
    {
      what: 'subscription counters = ledger sums (tokens; micro-USD)',
      value: `${ledger.subscription.monthTokens} = ${ledger.ledgerSums.tokens}; ${ledger.subscription.totalSpendMicros} = ${ledger.ledgerSums.costMicros}`,
      pass:
        ledger.subscription.monthTokens === ledger.ledgerSums.tokens &&
        ledger.subscription.totalSpendMicros === ledger.ledgerSums.costMicros,
    },
  ];
}

export function printLedgerChecks(checks: Check[]) {
  for (const check of checks) {
    let verdict = check.pass ? 'PASS' : 'FAIL';
    if (check.pass && check.warn) {
      verdict = 'WARN';
    }
    console.log(`  ${verdict}  ${check.what}: ${check.value}`);
  }
}

/**
 * Prints the ledger check of the whole run (and of the profiled run after it,
 * with --profile); the checks of the whole run.
 */
export function printLedgerReport(
  ledger: LedgerCheck,
  measurements: Measurement[],
  afterProfile: LedgerCheck | undefined,
): Check[] {
  // The ledger: one row per request the gateway answered 200, and nothing else.
  const client200 = measurements
    .filter(m => m.target !== 'direct')
    .reduce((a, m) => a + m.ok, 0);
  const ledgerChecks = checkLedger(ledger);
  console.log(
    `Ledger check (whole run: sanity request, warm-up and measurements; settled ${ledger.settledAfterMs} ms after the last run):`,
  );
  printLedgerChecks(ledgerChecks);
  console.log(
    `        rows by status ${JSON.stringify(
      ledger.rowsByStatus,
    )}; gateway responses by status ${JSON.stringify(
      ledger.answeredByStatus,
    )} (${
      ledger.answered200 - ledger.delivered200
    } of the 200s not taken by a client that was leaving); 200s counted by the client in the measured runs: ${client200}`,
  );
  const otherRows = ledger.rows - (ledger.rowsByStatus.ok ?? 0);
  if (otherRows > 0) {
    console.log(
      `        ${otherRows} non-ok row(s): requests cut off when a run stopped, settled as such (client_closed)`,
    );
  }
  if (afterProfile) {
    console.log('Ledger check after the profiled run:');
    printLedgerChecks(checkLedger(afterProfile));
  }
  console.log('');

  return ledgerChecks;
}
