import {
  PayoutRecord,
  Statement,
  StatementLine,
  StatementSlaCredit,
  StatementStatus,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { dayOf, monthEnd, monthStart, DAY_MS } from '../../lib/periods';
import { AnalyticsStore } from './AnalyticsStore';
import { SlaCredits } from './SlaCredits';
import { ChargeLine, creditsOf, sumLines } from './statementLines';

/*
 * What provider and chargeback statements share: a statement of a month with
 * its status, totals and payout, and its SLA credits. The statements are built
 * in providerStatements.ts and consumerStatements.ts, for
 * DatabaseStatementStore.
 */

/** What building statements reads from. */
export interface StatementDeps {
  db: Knex;
  analytics: AnalyticsStore;
  /** SLA credits of closed months; none without it. */
  slaCredits?: SlaCredits;
}

/** The SLA credits of a month's charge lines (closed months only). */
export async function slaCreditsOf(
  deps: StatementDeps,
  month: string,
  charges: readonly ChargeLine[],
  now: number,
): Promise<StatementSlaCredit[]> {
  if (!deps.slaCredits || charges.length === 0) {
    return [];
  }
  const assessed = await deps.slaCredits.forMonth(
    month,
    charges.map(c => c.serviceRef),
    now,
  );
  return creditsOf(charges, assessed);
}

export function withCredits(
  statement: Statement,
  credits: StatementSlaCredit[],
): Statement {
  statement.slaCredits = credits;
  statement.slaCreditMicros = credits.reduce((a, c) => a + c.creditMicros, 0);
  statement.unpaidNetMicros = statement.payout
    ? statement.totals.netMicros -
      statement.slaCreditMicros -
      statement.payout.netMicros
    : 0;
  return statement;
}

function status(month: string, now: number, paid: boolean): StatementStatus {
  if (monthEnd(month) > now) {
    return 'open';
  }
  return paid ? 'paid' : 'closed';
}

export function statementOf(
  kind: Statement['kind'],
  ownerRef: string,
  month: string,
  lines: StatementLine[],
  now: number,
  payout: PayoutRecord | null,
): Statement {
  const totals = sumLines(lines);
  return {
    month,
    kind,
    ownerRef,
    status: status(month, now, payout !== null),
    periodStart: dayOf(monthStart(month)),
    periodEnd: dayOf(monthEnd(month) - DAY_MS),
    totals,
    lines,
    payout,
    unpaidNetMicros: payout ? totals.netMicros - payout.netMicros : 0,
    slaCredits: [],
    slaCreditMicros: 0,
  };
}
