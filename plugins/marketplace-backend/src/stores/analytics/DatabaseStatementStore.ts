import { Statement } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { AnalyticsStore } from './AnalyticsStore';
import { getConsumer, listConsumer } from './consumerStatements';
import { getProvider, listProvider, markPaid } from './providerStatements';
import { SlaCredits } from './SlaCredits';
import { StatementDeps } from './statementParts';
import type { StatementStore } from './StatementStore';

/**
 * Monthly statements from the rollups: payouts of provider teams (per service:
 * gross, platform fee, net; open / closed / paid) and chargeback of users and
 * teams (per service and payer). Every amount is a sum of integer ledger
 * amounts, so a statement's lines add up to its totals and the statements of
 * a month add up to the ledger. Built in providerStatements.ts and
 * consumerStatements.ts; each method is documented on {@link StatementStore}.
 */
export class DatabaseStatementStore implements StatementStore {
  private readonly deps: StatementDeps;

  constructor(
    db: Knex,
    analytics: AnalyticsStore,
    /** SLA credits of closed months; none without it. */
    slaCredits?: SlaCredits,
  ) {
    this.deps = { db, analytics, slaCredits };
  }

  listProvider(
    teamRef: string,
    services: readonly string[],
    now: number,
  ): Promise<Statement[]> {
    return listProvider(this.deps, teamRef, services, now);
  }

  getProvider(
    teamRef: string,
    services: readonly string[],
    month: string,
    now: number,
  ): Promise<Statement> {
    return getProvider(this.deps, teamRef, services, month, now);
  }

  markPaid(options: {
    teamRef: string;
    services: readonly string[];
    month: string;
    paidBy: string;
    reference: string | null;
    now: number;
  }): Promise<Statement> {
    return markPaid(this.deps, options);
  }

  listConsumer(
    kind: 'user' | 'team',
    ref: string,
    now: number,
  ): Promise<Statement[]> {
    return listConsumer(this.deps, kind, ref, now);
  }

  getConsumer(
    kind: 'user' | 'team',
    ref: string,
    month: string,
    now: number,
  ): Promise<Statement> {
    return getConsumer(this.deps, kind, ref, month, now);
  }
}
