import { ConflictError } from '@backstage/errors';
import {
  PayoutRecord,
  Statement,
  StatementLine,
  StatementSlaCredit,
  StatementTotals,
} from '@internal/plugin-marketplace-common';
import { addMonths, monthEnd, monthStart, monthOf } from '../../lib/periods';
import { isUniqueViolation } from '../SubscriptionStore';
import {
  slaCreditsOf,
  StatementDeps,
  statementOf,
  withCredits,
} from './statementParts';
import {
  addTo,
  byMoney,
  chargeLines,
  emptyLine,
  PayoutRow,
  STATEMENT_MONTHS,
  sumLines,
  toPayout,
} from './statementLines';

/*
 * Payout statements of provider teams: per service, gross, platform fee and
 * net of a month; open, closed or paid (`payout_statements`), less the SLA
 * credits their customers got. Used by DatabaseStatementStore.
 */

/**
 * The provider side of the credits: every customer's charges of the team's
 * services in a month, credited as on their statements.
 */
async function providerCredits(
  deps: StatementDeps,
  services: readonly string[],
  month: string,
  now: number,
): Promise<StatementSlaCredit[]> {
  if (!deps.slaCredits || monthEnd(month) > now) {
    return [];
  }
  const rows = await deps.analytics.customerMonths({
    services,
    from: monthStart(month),
    to: monthEnd(month),
  });
  return slaCreditsOf(deps, month, chargeLines(rows), now);
}

async function payoutsOf(
  deps: StatementDeps,
  teamRef: string,
): Promise<Map<string, PayoutRecord>> {
  const rows = await deps.db<PayoutRow>('payout_statements').where({
    team_ref: teamRef,
  });
  return new Map(rows.map(r => [r.month, toPayout(r)]));
}

/** Lines of a provider team's statement of a month (one per service). */
async function providerLines(
  deps: StatementDeps,
  services: readonly string[],
  month: string,
): Promise<StatementLine[]> {
  const days = await deps.analytics.serviceDays(
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
function listMonths(first: number | null, now: number): string[] {
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
export async function listProvider(
  deps: StatementDeps,
  teamRef: string,
  services: readonly string[],
  now: number,
): Promise<Statement[]> {
  const months = listMonths(await deps.analytics.firstDay(services), now);
  const from = monthStart(months[months.length - 1]);
  const [days, payouts] = await Promise.all([
    deps.analytics.serviceDays(services, from, monthEnd(months[0])),
    payoutsOf(deps, teamRef),
  ]);
  const perMonth = new Map<string, StatementTotals>();
  for (const { day, sums } of days) {
    const month = monthOf(day);
    const totals = perMonth.get(month) ?? sumLines([]);
    addTo(totals, sums);
    perMonth.set(month, totals);
  }
  const credits = await Promise.all(
    months.map(month => providerCredits(deps, services, month, now)),
  );
  return months.map((month, i) => {
    const statement = statementOf(
      'provider',
      teamRef,
      month,
      [],
      now,
      payouts.get(month) ?? null,
    );
    statement.totals = perMonth.get(month) ?? statement.totals;
    return withCredits(statement, credits[i]);
  });
}

/** One provider statement with its lines. */
export async function getProvider(
  deps: StatementDeps,
  teamRef: string,
  services: readonly string[],
  month: string,
  now: number,
): Promise<Statement> {
  const [lines, payouts, credits] = await Promise.all([
    providerLines(deps, services, month),
    payoutsOf(deps, teamRef),
    providerCredits(deps, services, month, now),
  ]);
  return withCredits(
    statementOf(
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
export async function markPaid(
  deps: StatementDeps,
  options: {
    teamRef: string;
    services: readonly string[];
    month: string;
    paidBy: string;
    reference: string | null;
    now: number;
  },
): Promise<Statement> {
  const { teamRef, month, now } = options;
  if (monthEnd(month) > now) {
    throw new ConflictError(
      `The statement of ${month} is still open: it can be paid once the month has ended`,
    );
  }
  const statement = await getProvider(
    deps,
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
    await deps.db('payout_statements').insert(row);
  } catch (e) {
    if (isUniqueViolation(e)) {
      throw new ConflictError(
        `The statement of ${teamRef} for ${month} was already marked paid`,
      );
    }
    throw e;
  }
  return withCredits(
    statementOf(
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
