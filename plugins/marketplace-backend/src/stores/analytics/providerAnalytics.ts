import {
  AnalyticsPoint,
  AnalyticsService,
  ProviderAnalytics,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { bucketsOf, Period } from '../../lib/periods';
import { HISTOGRAM_COLUMNS } from '../ledger/rollup';
import {
  Acc,
  addAcc,
  emptyAcc,
  latencyOf,
  Rating,
  ratingAverage,
  SUMS,
  toTotals,
} from './analyticsMeasures';
import {
  retentionByMonth,
  scoped,
  ServiceScope,
  topCustomers,
} from './customerAnalytics';

/*
 * The provider dashboard: per-service series and totals from the hourly
 * service rollup, ratings from the reviews, the top customers and retention
 * (customerAnalytics.ts), and the ledger's counts of clamped usage, route and
 * protocol traffic. Used by DatabaseAnalyticsStore.
 */

/** Service-hour sums of [from, to), grouped per service and hour or day. */
async function serviceRows(
  db: Knex,
  services: ServiceScope,
  from: number,
  to: number,
  perHour: boolean,
): Promise<Record<string, unknown>[]> {
  const bucket = perHour ? 'hour' : '(hour - (hour % 86400000))';
  const query = db('usage_service_hourly')
    .select(
      'service_ref',
      db.raw(`${bucket} AS t`),
      db.raw(
        [
          SUMS,
          'SUM(latency_sum_ms) AS latency_sum_ms',
          'SUM(latency_count) AS latency_count',
          ...HISTOGRAM_COLUMNS.map(c => `SUM(${c}) AS ${c}`),
        ].join(', '),
      ),
    )
    .where('hour', '>=', from)
    .andWhere('hour', '<', to)
    .groupBy('service_ref', db.raw(bucket));
  return scoped(query, services);
}

/** Visible reviews of the services written before `before`, oldest first. */
async function visibleReviews(
  db: Knex,
  services: readonly string[],
  before: number,
) {
  if (services.length === 0) {
    return [];
  }
  const rows = await db('service_reviews')
    .select('service_ref', 'rating', 'created_at')
    .whereIn('service_ref', services)
    .whereNull('hidden_at')
    .andWhere('created_at', '<', before)
    .orderBy('created_at');
  return rows.map(r => ({
    serviceRef: String(r.service_ref),
    rating: num(r.rating),
    createdAt: num(r.created_at),
  }));
}

/** The provider dashboard for a set of services over a period. */
export async function providerAnalytics(
  db: Knex,
  options: {
    services: AnalyticsService[];
    scope: ServiceScope;
    teams: string[];
    period: Period;
    now: number;
  },
): Promise<ProviderAnalytics> {
  const { services, scope, period } = options;
  const { starts, indexOf } = bucketsOf(period);
  const perHour = period.range.granularity === 'hour';
  const serviceRefs = services.map(s => s.ref);

  const [rows, reviews] = await Promise.all([
    serviceRows(db, scope, period.previousStart, period.end, perHour),
    visibleReviews(db, serviceRefs, period.end),
  ]);

  const total = emptyAcc();
  const previous = emptyAcc();
  const perService = new Map<string, { total: Acc; buckets: Acc[] }>();
  const seriesOf = (ref: string) => {
    let s = perService.get(ref);
    if (!s) {
      s = { total: emptyAcc(), buckets: starts.map(() => emptyAcc()) };
      perService.set(ref, s);
    }
    return s;
  };
  for (const ref of serviceRefs) {
    seriesOf(ref);
  }
  for (const row of rows) {
    const t = num(row.t);
    if (t < period.start) {
      addAcc(previous, row);
      continue;
    }
    const s = seriesOf(String(row.service_ref));
    addAcc(total, row);
    addAcc(s.total, row);
    const i = indexOf(t);
    if (i >= 0) {
      addAcc(s.buckets[i], row);
    }
  }

  // Ratings: cumulative over the reviews written up to each bucket's end.
  const ends = starts.map((_, i) => starts[i + 1] ?? period.end);
  const ratingAt = (ref: string | null, end: number): Rating => {
    const r: Rating = { count: 0, sum: 0 };
    for (const review of reviews) {
      if (review.createdAt >= end) {
        break;
      }
      if (ref === null || review.serviceRef === ref) {
        r.count++;
        r.sum += review.rating;
      }
    }
    return r;
  };

  const series = [...perService.entries()].map(([ref, s]) => ({
    serviceRef: ref,
    totals: toTotals(s.total, ratingAt(ref, period.end)),
    points: s.buckets.map((acc, i): AnalyticsPoint => {
      const rating = ratingAt(ref, ends[i]);
      return {
        start: new Date(starts[i]).toISOString(),
        requests: acc.requests,
        okRequests: acc.ok_requests,
        errorRequests: acc.error_requests,
        promptTokens: acc.prompt_tokens,
        completionTokens: acc.completion_tokens,
        grossMicros: acc.cost_micros,
        netMicros: acc.cost_micros - acc.fee_micros,
        ...latencyOf(acc),
        ratingAverage: ratingAverage(rating),
        ratingCount: rating.count,
      };
    }),
  }));

  const [customers, retention, discrepancies, routeRows, protocolRows] =
    await Promise.all([
      topCustomers(db, scope, period, total.cost_micros),
      retentionByMonth(db, scope, period),
      scoped(
        db('usage_ledger')
          .where('usage_clamped', true)
          .andWhere('started_at', '>=', period.start)
          .andWhere('started_at', '<', period.end)
          .count({ n: '*' }),
        scope,
      ),
      // Issue 24: the requests that reached the services through routes.
      scoped(
        db('usage_ledger')
          .whereNotNull('route_ref')
          .andWhere('started_at', '>=', period.start)
          .andWhere('started_at', '<', period.end)
          .groupBy('route_ref', 'service_ref')
          .select('route_ref', 'service_ref')
          .count({ n: '*' })
          .sum({ cost: 'cost_micros' })
          .select(
            db.raw("SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok"),
          ),
        scope,
      ),
      // Issue 20: the protocols the clients spoke.
      scoped(
        db('usage_ledger')
          .where('started_at', '>=', period.start)
          .andWhere('started_at', '<', period.end)
          .groupBy('protocol')
          .select('protocol')
          .count({ n: '*' })
          .sum({
            cost: 'cost_micros',
            prompt: 'prompt_tokens',
            completion: 'completion_tokens',
          })
          .select(
            db.raw("SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok"),
          ),
        scope,
      ),
    ]);

  return {
    range: period.range,
    teams: options.teams,
    services,
    buckets: starts.map(t => new Date(t).toISOString()),
    totals: toTotals(total, ratingAt(null, period.end)),
    previousTotals: toTotals(previous, ratingAt(null, period.start)),
    series,
    topUsers: customers.users,
    topTeams: customers.teams,
    retention,
    usageDiscrepancies: num(discrepancies[0]?.n),
    routeTraffic: (routeRows as any[])
      .map(r => ({
        routeRef: String(r.route_ref),
        serviceRef: String(r.service_ref),
        requests: num(r.n),
        okRequests: num(r.ok),
        grossMicros: num(r.cost),
      }))
      .sort(
        (a, b) =>
          b.requests - a.requests ||
          a.routeRef.localeCompare(b.routeRef) ||
          a.serviceRef.localeCompare(b.serviceRef),
      ),
    protocolTraffic: (protocolRows as any[])
      .map(r => ({
        protocol: r.protocol ? String(r.protocol) : 'unknown',
        requests: num(r.n),
        okRequests: num(r.ok),
        promptTokens: num(r.prompt),
        completionTokens: num(r.completion),
        grossMicros: num(r.cost),
      }))
      .sort(
        (a, b) =>
          b.requests - a.requests || a.protocol.localeCompare(b.protocol),
      ),
    generatedAt: new Date(options.now).toISOString(),
  };
}
