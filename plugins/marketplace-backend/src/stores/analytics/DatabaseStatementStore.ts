import { ConflictError } from '@backstage/errors';
import {
  PayoutRecord,
  Statement,
  StatementLine,
  StatementPriceLine,
  StatementSlaCredit,
  StatementStatus,
  StatementTotals,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { isUniqueViolation } from '../SubscriptionStore';
import { AnalyticsStore } from './AnalyticsStore';
import {
  addMonths,
  dayOf,
  monthEnd,
  monthStart,
  DAY_MS,
  monthOf,
} from '../../lib/periods';
import { SlaCredits } from './SlaCredits';
import {
  addTo,
  byMoney,
  ChargeLine,
  chargeLines,
  creditsOf,
  emptyLine,
  PayoutRow,
  STATEMENT_MONTHS,
  sumLines,
  toPayout,
} from './statementLines';
import type { StatementStore } from './StatementStore';

/**
 * Monthly statements from the rollups: payouts of provider teams (per service:
 * gross, platform fee, net; open / closed / paid) and chargeback of users and
 * teams (per service and payer). Every amount is a sum of integer ledger
 * amounts, so a statement's lines add up to its totals and the statements of
 * a month add up to the ledger.
 */
export class DatabaseStatementStore implements StatementStore {
  constructor(
    private readonly db: Knex,
    private readonly analytics: AnalyticsStore,
    /** SLA credits of closed months; none without it. */
    private readonly slaCredits?: SlaCredits,
  ) {}

  /** The SLA credits of a month's charge lines (closed months only). */
  private async credits(
    month: string,
    charges: readonly ChargeLine[],
    now: number,
  ): Promise<StatementSlaCredit[]> {
    if (!this.slaCredits || charges.length === 0) {
      return [];
    }
    const assessed = await this.slaCredits.forMonth(
      month,
      charges.map(c => c.serviceRef),
      now,
    );
    return creditsOf(charges, assessed);
  }

  /**
   * The provider side of the credits: every customer's charges of the team's
   * services in a month, credited as on their statements.
   */
  private async providerCredits(
    services: readonly string[],
    month: string,
    now: number,
  ): Promise<StatementSlaCredit[]> {
    if (!this.slaCredits || monthEnd(month) > now) {
      return [];
    }
    const rows = await this.analytics.customerMonths({
      services,
      from: monthStart(month),
      to: monthEnd(month),
    });
    return this.credits(month, chargeLines(rows), now);
  }

  private withCredits(
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

  private status(month: string, now: number, paid: boolean): StatementStatus {
    if (monthEnd(month) > now) {
      return 'open';
    }
    return paid ? 'paid' : 'closed';
  }

  private shell(
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
      status: this.status(month, now, payout !== null),
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

  private async payouts(teamRef: string): Promise<Map<string, PayoutRecord>> {
    const rows = await this.db<PayoutRow>('payout_statements').where({
      team_ref: teamRef,
    });
    return new Map(rows.map(r => [r.month, toPayout(r)]));
  }

  /** Lines of a provider team's statement of a month (one per service). */
  private async providerLines(
    services: readonly string[],
    month: string,
  ): Promise<StatementLine[]> {
    const days = await this.analytics.serviceDays(
      services,
      monthStart(month),
      monthEnd(month),
    );
    const lines = new Map<string, StatementLine>();
    for (const { serviceRef, sums } of days) {
      let line = lines.get(serviceRef);
      if (!line) {
        line = emptyLine(serviceRef, null, null);
        lines.set(serviceRef, line);
      }
      addTo(line, sums);
    }
    return [...lines.values()].sort(byMoney);
  }

  /** The months a list covers: from the first usage (at most 24 months back) to now. */
  private listMonths(first: number | null, now: number): string[] {
    const current = monthOf(now);
    const oldest = addMonths(current, -(STATEMENT_MONTHS - 1));
    let month =
      first === null ? current : [monthOf(first), oldest].sort()[1] ?? current;
    if (month > current) {
      month = current;
    }
    const months: string[] = [];
    while (month <= current) {
      months.push(month);
      month = addMonths(month, 1);
    }
    return months.reverse();
  }

  /** A provider team's statements, newest first, without lines. */
  async listProvider(
    teamRef: string,
    services: readonly string[],
    now: number,
  ): Promise<Statement[]> {
    const months = this.listMonths(
      await this.analytics.firstDay(services),
      now,
    );
    const from = monthStart(months[months.length - 1]);
    const [days, payouts] = await Promise.all([
      this.analytics.serviceDays(services, from, monthEnd(months[0])),
      this.payouts(teamRef),
    ]);
    const perMonth = new Map<string, StatementTotals>();
    for (const { day, sums } of days) {
      const month = monthOf(day);
      const totals = perMonth.get(month) ?? sumLines([]);
      addTo(totals, sums);
      perMonth.set(month, totals);
    }
    const credits = await Promise.all(
      months.map(month => this.providerCredits(services, month, now)),
    );
    return months.map((month, i) => {
      const statement = this.shell(
        'provider',
        teamRef,
        month,
        [],
        now,
        payouts.get(month) ?? null,
      );
      statement.totals = perMonth.get(month) ?? statement.totals;
      return this.withCredits(statement, credits[i]);
    });
  }

  /** One provider statement with its lines. */
  async getProvider(
    teamRef: string,
    services: readonly string[],
    month: string,
    now: number,
  ): Promise<Statement> {
    const [lines, payouts, credits] = await Promise.all([
      this.providerLines(services, month),
      this.payouts(teamRef),
      this.providerCredits(services, month, now),
    ]);
    return this.withCredits(
      this.shell(
        'provider',
        teamRef,
        month,
        lines,
        now,
        payouts.get(month) ?? null,
      ),
      credits,
    );
  }

  /**
   * Records that a closed statement was paid, with its amounts now. 409 when the
   * month is not over or it is already paid.
   */
  async markPaid(options: {
    teamRef: string;
    services: readonly string[];
    month: string;
    paidBy: string;
    reference: string | null;
    now: number;
  }): Promise<Statement> {
    const { teamRef, month, now } = options;
    if (monthEnd(month) > now) {
      throw new ConflictError(
        `The statement of ${month} is still open: it can be paid once the month has ended`,
      );
    }
    const statement = await this.getProvider(
      teamRef,
      options.services,
      month,
      now,
    );
    if (statement.payout) {
      throw new ConflictError(
        `The statement of ${teamRef} for ${month} was already marked paid on ${statement.payout.paidAt}`,
      );
    }
    const row: PayoutRow = {
      team_ref: teamRef,
      month,
      gross_micros: statement.totals.grossMicros,
      fee_micros: statement.totals.platformFeeMicros,
      // What the team is paid: the net less the SLA credits given back.
      net_micros: statement.totals.netMicros - statement.slaCreditMicros,
      requests: statement.totals.requests,
      paid_by: options.paidBy,
      paid_at: now,
      reference: options.reference,
    };
    try {
      await this.db('payout_statements').insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `The statement of ${teamRef} for ${month} was already marked paid`,
        );
      }
      throw e;
    }
    return this.withCredits(
      this.shell(
        'provider',
        teamRef,
        month,
        statement.lines,
        now,
        toPayout(row),
      ),
      statement.slaCredits,
    );
  }

  private async consumerLines(
    kind: 'user' | 'team',
    ref: string,
    from: number,
    to: number,
  ) {
    const rows = await this.analytics.customerMonths({
      ...(kind === 'user' ? { userRef: ref } : { teamRef: ref }),
      from,
      to,
    });
    const perMonth = new Map<string, Map<string, StatementLine>>();
    for (const r of rows) {
      let lines = perMonth.get(r.month);
      if (!lines) {
        lines = new Map();
        perMonth.set(r.month, lines);
      }
      const key = `${r.serviceRef}|${r.userRef}|${r.teamRef ?? ''}`;
      let line = lines.get(key);
      if (!line) {
        line = emptyLine(r.serviceRef, r.userRef, r.teamRef);
        lines.set(key, line);
      }
      addTo(line, r.sums);
    }
    return perMonth;
  }

  /** A user's or team's chargeback statements, newest first, without lines. */
  async listConsumer(
    kind: 'user' | 'team',
    ref: string,
    now: number,
  ): Promise<Statement[]> {
    const current = monthOf(now);
    const oldest = addMonths(current, -(STATEMENT_MONTHS - 1));
    const perMonth = await this.consumerLines(
      kind,
      ref,
      monthStart(oldest),
      monthEnd(current),
    );
    const months = [...new Set([current, ...perMonth.keys()])].sort().reverse();
    const credits = await Promise.all(
      months.map(month =>
        this.credits(month, [...(perMonth.get(month)?.values() ?? [])], now),
      ),
    );
    return months.map((month, i) => {
      const statement = this.shell(kind, ref, month, [], now, null);
      statement.totals = sumLines([...(perMonth.get(month)?.values() ?? [])]);
      return this.withCredits(statement, credits[i]);
    });
  }

  /** One chargeback statement with its lines (per service and payer). */
  async getConsumer(
    kind: 'user' | 'team',
    ref: string,
    month: string,
    now: number,
  ): Promise<Statement> {
    const perMonth = await this.consumerLines(
      kind,
      ref,
      monthStart(month),
      monthEnd(month),
    );
    const lines = [...(perMonth.get(month)?.values() ?? [])].sort(byMoney);
    const statement = this.withCredits(
      this.shell(kind, ref, month, lines, now, null),
      await this.credits(month, lines, now),
    );
    statement.priceLines = await this.priceLines(kind, ref, month);
    return statement;
  }

  /** Which price applied to which tokens: charged ledger rows per service and price. */
  private async priceLines(
    kind: 'user' | 'team',
    ref: string,
    month: string,
  ): Promise<StatementPriceLine[]> {
    const rows: Array<Record<string, unknown>> = await this.db('usage_ledger')
      .where(kind === 'user' ? 'user_ref' : 'team_ref', ref)
      .where('started_at', '>=', monthStart(month))
      .where('started_at', '<', monthEnd(month))
      .where('cost_micros', '>', 0)
      .groupBy(
        'service_ref',
        'prompt_price_micros',
        'completion_price_micros',
        'price_change_id',
      )
      .select(
        'service_ref',
        'prompt_price_micros',
        'completion_price_micros',
        'price_change_id',
      )
      .count({ requests: '*' })
      .sum({
        prompt: 'prompt_tokens',
        completion: 'completion_tokens',
        gross: 'cost_micros',
      });
    const n = (v: unknown) => Number(v ?? 0);
    return rows
      .map(r => ({
        serviceRef: String(r.service_ref),
        promptPer1kMicros:
          r.prompt_price_micros === null ? null : n(r.prompt_price_micros),
        completionPer1kMicros:
          r.completion_price_micros === null
            ? null
            : n(r.completion_price_micros),
        priceChangeId: (r.price_change_id as string | null) ?? null,
        requests: n(r.requests),
        promptTokens: n(r.prompt),
        completionTokens: n(r.completion),
        grossMicros: n(r.gross),
      }))
      .sort(
        (a, b) =>
          a.serviceRef.localeCompare(b.serviceRef) ||
          (a.promptPer1kMicros ?? -1) - (b.promptPer1kMicros ?? -1),
      );
  }
}
