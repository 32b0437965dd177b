import {
  UsageExport,
  UsageExportRow,
  UsageExportScope,
} from '@internal/plugin-marketplace-common';
import { AnalyticsStore } from '../stores/analytics/AnalyticsStore';
import { csvLine, microsToUsd } from './csv';
import { sumFields } from '../lib/numbers';
import { DAY_MS, dayOf } from '../lib/periods';
import { Measures } from '../stores/ledger/rollup';

/** Whose usage, resolved and authorized by the router. */
export type UsageExportOwner =
  | { scope: 'user'; ref: string }
  | { scope: 'team'; ref: string }
  | {
      scope: 'service' | 'provider';
      ref: string;
      /** The services the export covers (one, or all of the team's). */
      services: readonly string[];
    };

function rowOf(
  day: number,
  serviceRef: string,
  sums: Measures,
  titleOf: (serviceRef: string) => string | null,
  customer?: { userRef: string; teamRef: string | null },
): UsageExportRow {
  return {
    day: dayOf(day),
    serviceRef,
    serviceTitle: titleOf(serviceRef),
    userRef: customer?.userRef ?? null,
    billedTo: customer ? customer.teamRef ?? 'personal' : null,
    requests: sums.requests,
    okRequests: sums.ok_requests,
    errorRequests: sums.error_requests,
    promptTokens: sums.prompt_tokens,
    completionTokens: sums.completion_tokens,
    trialTokens: sums.trial_tokens,
    grossMicros: sums.cost_micros,
    platformFeeMicros: sums.fee_micros,
    netMicros: sums.cost_micros - sums.fee_micros,
  };
}

function compareRows(a: UsageExportRow, b: UsageExportRow): number {
  return (
    a.day.localeCompare(b.day) ||
    a.serviceRef.localeCompare(b.serviceRef) ||
    String(a.userRef).localeCompare(String(b.userRef)) ||
    String(a.billedTo).localeCompare(String(b.billedTo))
  );
}

/**
 * The usage of [start, end) (whole UTC days) of a user, a team, a service or a
 * provider team, per day and service (and user and payer for the consumer
 * scopes). Read from the same rollups as the statements and dashboards, so the
 * sums of a month equal that month's statement to the micro-USD.
 */
export async function buildUsageExport(options: {
  analytics: AnalyticsStore;
  owner: UsageExportOwner;
  start: number;
  end: number;
  now: number;
  titleOf: (serviceRef: string) => string | null;
}): Promise<UsageExport> {
  const { analytics, owner, start, end, titleOf } = options;
  let rows: UsageExportRow[];
  if (owner.scope === 'user' || owner.scope === 'team') {
    const days = await analytics.customerDays({
      ...(owner.scope === 'user'
        ? { userRef: owner.ref }
        : { teamRef: owner.ref }),
      from: start,
      to: end,
    });
    rows = days.map(d =>
      rowOf(d.day, d.serviceRef, d.sums, titleOf, {
        userRef: d.userRef,
        teamRef: d.teamRef,
      }),
    );
  } else {
    const days = await analytics.serviceDays(owner.services, start, end);
    rows = days.map(d => rowOf(d.day, d.serviceRef, d.sums, titleOf));
  }
  rows = rows.filter(r => r.requests > 0).sort(compareRows);
  const totals = sumFields(rows, [
    'requests',
    'okRequests',
    'errorRequests',
    'promptTokens',
    'completionTokens',
    'trialTokens',
    'grossMicros',
    'platformFeeMicros',
    'netMicros',
  ]);
  return {
    scope: owner.scope,
    ownerRef: owner.ref,
    from: dayOf(start),
    to: dayOf(end - DAY_MS),
    generatedAt: new Date(options.now).toISOString(),
    rows,
    totals,
  };
}

const CONSUMER_SCOPES: readonly UsageExportScope[] = ['user', 'team'];

/**
 * A usage export as CSV: one line per row and a TOTAL line; money in integer
 * micro-USD and in USD with all 6 decimals.
 */
export function usageExportCsv(data: UsageExport): string {
  const consumer = CONSUMER_SCOPES.includes(data.scope);
  let out = csvLine([
    'day',
    'service',
    'service_title',
    ...(consumer ? ['user', 'billed_to'] : []),
    'requests',
    'ok_requests',
    'error_requests',
    'prompt_tokens',
    'completion_tokens',
    'trial_tokens',
    'gross_micros',
    'gross_usd',
    'platform_fee_micros',
    'platform_fee_usd',
    'net_micros',
    'net_usd',
  ]);
  const measures = (r: UsageExport['totals']) => [
    r.requests,
    r.okRequests,
    r.errorRequests,
    r.promptTokens,
    r.completionTokens,
    r.trialTokens,
    r.grossMicros,
    microsToUsd(r.grossMicros),
    r.platformFeeMicros,
    microsToUsd(r.platformFeeMicros),
    r.netMicros,
    microsToUsd(r.netMicros),
  ];
  for (const r of data.rows) {
    out += csvLine([
      r.day,
      r.serviceRef,
      r.serviceTitle,
      ...(consumer ? [r.userRef, r.billedTo] : []),
      ...measures(r),
    ]);
  }
  out += csvLine([
    `${data.from}..${data.to}`,
    'TOTAL',
    null,
    ...(consumer ? [null, null] : []),
    ...measures(data.totals),
  ]);
  return out;
}
