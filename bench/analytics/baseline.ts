import {
  addMonths,
  monthEnd,
  monthStart,
  monthsOf,
  Period,
} from '@internal/plugin-marketplace-backend/testUtils';
import { Knex } from 'knex';
import { DAY } from './dataset';

/**
 * The baseline: the same answer as AnalyticsStore.providerAnalytics (totals,
 * per-service series with average and p95 latency, top users and teams with the
 * previous period, retention) computed from the raw ledger rows.
 */
export async function rawAnalytics(
  knex: Knex,
  refs: string[],
  period: Period,
): Promise<any> {
  const day = '(started_at - (started_at % 86400000))';
  const series = await knex('usage_ledger')
    .select(
      'service_ref',
      knex.raw(`${day} AS d`),
      knex.raw(`COUNT(*) AS requests,
        SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok,
        SUM(CASE WHEN status IN ('upstream_error', 'timeout') THEN 1 ELSE 0 END) AS errors,
        SUM(prompt_tokens) AS prompt, SUM(completion_tokens) AS completion,
        SUM(cost_micros) AS gross, SUM(platform_fee_micros) AS fee,
        SUM(CASE WHEN status = 'ok' THEN upstream_latency_ms ELSE 0 END) AS latency_sum,
        SUM(CASE WHEN status = 'ok' AND upstream_latency_ms IS NOT NULL THEN 1 ELSE 0 END) AS latency_count`),
    )
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', period.previousStart)
    .andWhere('started_at', '<', period.end)
    .groupBy('service_ref', knex.raw(day));
  // Exact percentiles need every latency.
  const latencies = await knex('usage_ledger')
    .select('service_ref', 'started_at', 'upstream_latency_ms')
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', period.start)
    .andWhere('started_at', '<', period.end)
    .andWhere('status', 'ok')
    .whereNotNull('upstream_latency_ms');
  const groups = new Map<string, number[]>();
  const all: number[] = [];
  for (const l of latencies) {
    const v = Number(l.upstream_latency_ms);
    all.push(v);
    const key = `${l.service_ref}|${Math.floor(Number(l.started_at) / DAY)}`;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(v);
  }
  const p95 = (values: number[]) => {
    if (values.length === 0) return null;
    values.sort((a, b) => a - b);
    return values[Math.ceil(0.95 * values.length) - 1];
  };
  for (const g of groups.values()) p95(g);
  const totals = {
    requests: 0,
    gross: 0,
    fee: 0,
    errors: 0,
    latencySum: 0,
    latencyCount: 0,
  };
  for (const r of series) {
    if (Number(r.d) < period.start) continue;
    totals.requests += Number(r.requests);
    totals.gross += Number(r.gross);
    totals.fee += Number(r.fee);
    totals.errors += Number(r.errors);
    totals.latencySum += Number(r.latency_sum);
    totals.latencyCount += Number(r.latency_count);
  }
  const customers = async (by: string) => {
    const q = knex('usage_ledger')
      .select(
        knex.raw(`${by} AS ref`),
        knex.raw(`SUM(CASE WHEN started_at >= ${period.start} THEN 1 ELSE 0 END) AS requests,
          SUM(CASE WHEN started_at >= ${period.start} THEN cost_micros ELSE 0 END) AS gross,
          SUM(CASE WHEN started_at < ${period.start} THEN cost_micros ELSE 0 END) AS previous`),
      )
      .whereIn('service_ref', refs)
      .andWhere('started_at', '>=', period.previousStart)
      .andWhere('started_at', '<', period.end)
      .groupBy(by);
    if (by === 'team_ref') q.whereNotNull('team_ref');
    return (await q)
      .map((r: any) => ({
        ref: r.ref,
        requests: Number(r.requests),
        gross: Number(r.gross),
        previous: Number(r.previous),
      }))
      .filter((c: any) => c.requests > 0)
      .sort(
        (a: any, b: any) =>
          b.gross - a.gross ||
          b.requests - a.requests ||
          a.ref.localeCompare(b.ref),
      )
      .slice(0, 10);
  };
  const months = monthsOf(period);
  const first = addMonths(months[0], -1);
  const bounds = [first, ...months].slice(1).map(m => monthStart(m));
  const cases = bounds
    .map((b, i) => `WHEN started_at < ${b} THEN ${i}`)
    .join(' ');
  const activity = await knex('usage_ledger')
    .select(
      'user_ref',
      knex.raw(`CASE ${cases} ELSE ${bounds.length} END AS m`),
    )
    .whereIn('service_ref', refs)
    .andWhere('started_at', '>=', monthStart(first))
    .andWhere('started_at', '<', monthEnd(months[months.length - 1]))
    .groupBy('user_ref', knex.raw(`CASE ${cases} ELSE ${bounds.length} END`));
  const before = await knex('usage_ledger')
    .distinct('user_ref')
    .whereIn('service_ref', refs)
    .andWhere('started_at', '<', monthStart(first));
  return {
    totals: { ...totals, p95: p95(all) },
    topUsers: await customers('user_ref'),
    topTeams: await customers('team_ref'),
    retentionRows: activity.length + before.length,
  };
}
