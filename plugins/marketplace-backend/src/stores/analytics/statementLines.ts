import {
  PayoutRecord,
  StatementLine,
  StatementSlaCredit,
  StatementTotals,
} from '@internal/plugin-marketplace-common';
import { num, sumFields } from '../../lib/numbers';
import { Measures } from '../ledger/rollup';
import { creditMicrosOf } from './SlaCredits';

/*
 * The lines of a statement: charges per service and customer, SLA credits, totals, payouts.
 */

/** A charge of one service to one customer: what a credit is computed on. */
export interface ChargeLine {
  serviceRef: string;
  grossMicros: number;
}

/**
 * The SLA credits of a month's charges, per service: each charge line is
 * credited the service's percent of it, rounded down, so the credits on the
 * consumers' statements add up to the deduction on the provider's.
 */
export function creditsOf(
  charges: readonly ChargeLine[],
  assessed: Map<string, import('./SlaCredits').SlaMonth>,
): StatementSlaCredit[] {
  const credits = new Map<string, StatementSlaCredit>();
  for (const charge of charges) {
    const a = assessed.get(charge.serviceRef);
    if (!a || a.creditPercent === 0) {
      continue;
    }
    let credit = credits.get(charge.serviceRef);
    if (!credit) {
      credit = {
        serviceRef: a.serviceRef,
        committedUptimePercent: a.committedUptimePercent,
        measuredUptimePercent: a.measuredUptimePercent,
        upProbes: a.upProbes,
        downProbes: a.downProbes,
        coverageDays: a.coverageDays,
        daysInMonth: a.daysInMonth,
        creditPercent: a.creditPercent,
        creditMicros: 0,
      };
      credits.set(charge.serviceRef, credit);
    }
    credit.creditMicros += creditMicrosOf(charge.grossMicros, a.creditPercent);
  }
  return [...credits.values()]
    .filter(c => c.creditMicros > 0)
    .sort((a, b) => a.serviceRef.localeCompare(b.serviceRef));
}

/** How many months statement lists go back (the current month included). */
export const STATEMENT_MONTHS = 24;

export interface PayoutRow {
  team_ref: string;
  month: string;
  gross_micros: number | string;
  fee_micros: number | string;
  net_micros: number | string;
  requests: number | string;
  paid_by: string;
  paid_at: number | string;
  reference: string | null;
}

export function toPayout(row: PayoutRow): PayoutRecord {
  return {
    paidAt: new Date(num(row.paid_at)).toISOString(),
    paidBy: row.paid_by,
    reference: row.reference,
    netMicros: num(row.net_micros),
    grossMicros: num(row.gross_micros),
    platformFeeMicros: num(row.fee_micros),
  };
}

export function emptyLine(
  serviceRef: string,
  userRef: string | null,
  teamRef: string | null,
): StatementLine {
  return {
    serviceRef,
    userRef,
    teamRef,
    requests: 0,
    promptTokens: 0,
    completionTokens: 0,
    trialTokens: 0,
    grossMicros: 0,
    platformFeeMicros: 0,
    netMicros: 0,
  };
}

export function addTo(line: StatementTotals, sums: Measures) {
  line.requests += sums.requests;
  line.promptTokens += sums.prompt_tokens;
  line.completionTokens += sums.completion_tokens;
  line.trialTokens += sums.trial_tokens;
  line.grossMicros += sums.cost_micros;
  line.platformFeeMicros += sums.fee_micros;
  line.netMicros += sums.cost_micros - sums.fee_micros;
}

export function sumLines(lines: StatementLine[]): StatementTotals {
  return sumFields(lines, [
    'requests',
    'promptTokens',
    'completionTokens',
    'trialTokens',
    'grossMicros',
    'platformFeeMicros',
    'netMicros',
  ]);
}

export function byMoney(a: StatementLine, b: StatementLine) {
  return (
    b.grossMicros - a.grossMicros ||
    b.requests - a.requests ||
    a.serviceRef.localeCompare(b.serviceRef) ||
    String(a.userRef).localeCompare(String(b.userRef)) ||
    String(a.teamRef).localeCompare(String(b.teamRef))
  );
}

/** Charge lines per service, user and payer, from customer rollup rows of one month. */
export function chargeLines(
  rows: ReadonlyArray<{
    serviceRef: string;
    userRef: string;
    teamRef: string | null;
    sums: Measures;
  }>,
): ChargeLine[] {
  const lines = new Map<string, ChargeLine>();
  for (const r of rows) {
    const key = `${r.serviceRef}|${r.userRef}|${r.teamRef ?? ''}`;
    const line = lines.get(key) ?? { serviceRef: r.serviceRef, grossMicros: 0 };
    line.grossMicros += r.sums.cost_micros;
    lines.set(key, line);
  }
  return [...lines.values()];
}
