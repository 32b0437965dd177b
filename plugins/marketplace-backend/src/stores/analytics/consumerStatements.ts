import {
  Statement,
  StatementLine,
  StatementPriceLine,
} from '@internal/plugin-marketplace-common';
import { addMonths, monthEnd, monthStart, monthOf } from '../../lib/periods';
import {
  slaCreditsOf,
  StatementDeps,
  statementOf,
  withCredits,
} from './statementParts';
import {
  addTo,
  byMoney,
  emptyLine,
  STATEMENT_MONTHS,
  sumLines,
} from './statementLines';

/*
 * Chargeback statements of users and teams: per service and payer, with SLA
 * credits, and which price applied to which tokens (from the ledger). Used by
 * DatabaseStatementStore.
 */

async function consumerLines(
  deps: StatementDeps,
  kind: 'user' | 'team',
  ref: string,
  from: number,
  to: number,
) {
  const rows = await deps.analytics.customerMonths({
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
export async function listConsumer(
  deps: StatementDeps,
  kind: 'user' | 'team',
  ref: string,
  now: number,
): Promise<Statement[]> {
  const current = monthOf(now);
  const oldest = addMonths(current, -(STATEMENT_MONTHS - 1));
  const perMonth = await consumerLines(
    deps,
    kind,
    ref,
    monthStart(oldest),
    monthEnd(current),
  );
  const months = [...new Set([current, ...perMonth.keys()])].sort().reverse();
  const credits = await Promise.all(
    months.map(month =>
      slaCreditsOf(
        deps,
        month,
        [...(perMonth.get(month)?.values() ?? [])],
        now,
      ),
    ),
  );
  return months.map((month, i) => {
    const statement = statementOf(kind, ref, month, [], now, null);
    statement.totals = sumLines([...(perMonth.get(month)?.values() ?? [])]);
    return withCredits(statement, credits[i]);
  });
}

/** One chargeback statement with its lines (per service and payer). */
export async function getConsumer(
  deps: StatementDeps,
  kind: 'user' | 'team',
  ref: string,
  month: string,
  now: number,
): Promise<Statement> {
  const perMonth = await consumerLines(
    deps,
    kind,
    ref,
    monthStart(month),
    monthEnd(month),
  );
  const lines = [...(perMonth.get(month)?.values() ?? [])].sort(byMoney);
  const statement = withCredits(
    statementOf(kind, ref, month, lines, now, null),
    await slaCreditsOf(deps, month, lines, now),
  );
  statement.priceLines = await priceLines(deps, kind, ref, month);
  return statement;
}

/** Which price applied to which tokens: charged ledger rows per service and price. */
async function priceLines(
  deps: StatementDeps,
  kind: 'user' | 'team',
  ref: string,
  month: string,
): Promise<StatementPriceLine[]> {
  const rows: Array<Record<string, unknown>> = await deps
    .db('usage_ledger')
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
