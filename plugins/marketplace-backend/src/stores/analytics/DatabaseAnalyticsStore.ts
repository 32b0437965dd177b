import {
  AnalyticsPoint,
  AnalyticsService,
  ConsumerUsage,
  ProviderAnalytics,
  UsageSeries,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { bucketsOf, Period, DAY_MS, monthOf } from '../../lib/periods';
import { HISTOGRAM_COLUMNS, Measures, MEASURE_COLUMNS } from '../ledger/rollup';
import {
  Acc,
  addAcc,
  addUsage,
  emptyAcc,
  latencyOf,
  Rating,
  ratingAverage,
  SUMS,
  toTotals,
  zeroUsage,
} from './analyticsMeasures';
import {
  retentionByMonth,
  scoped,
  ServiceScope,
  topCustomers,
} from './customerAnalytics';
import type { AnalyticsStore } from './AnalyticsStore';

export type { ServiceScope };

/**
 * Sums of the usage rollups (src/stores/ledger/rollup.ts) for a period, shaped for
 * the provider dashboard and the consumer usage page. Every query reads the
 * rollups only, never the ledger rows, so its cost depends on the number of
 * hours x services (and days x API keys) of the period, not on the number of
 * requests.
 */
export class DatabaseAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: Knex) {}

  /** Service-hour sums of [from, to), grouped per service and hour or day. */
  private async serviceRows(
    services: ServiceScope,
    from: number,
    to: number,
    perHour: boolean,
  ): Promise<Record<string, unknown>[]> {
    const bucket = perHour ? 'hour' : '(hour - (hour % 86400000))';
    const query = this.db('usage_service_hourly')
      .select(
        'service_ref',
        this.db.raw(`${bucket} AS t`),
        this.db.raw(
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
      .groupBy('service_ref', this.db.raw(bucket));
    return scoped(query, services);
  }

  /** Visible reviews of the services written before `before`, oldest first. */
  private async reviews(services: readonly string[], before: number) {
    if (services.length === 0) {
      return [];
    }
    const rows = await this.db('service_reviews')
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
  async providerAnalytics(options: {
    services: AnalyticsService[];
    scope: ServiceScope;
    teams: string[];
    period: Period;
    now: number;
  }): Promise<ProviderAnalytics> {
    const { services, scope, period } = options;
    const { starts, indexOf } = bucketsOf(period);
    const perHour = period.range.granularity === 'hour';
    const serviceRefs = services.map(s => s.ref);

    const [rows, reviews] = await Promise.all([
      this.serviceRows(scope, period.previousStart, period.end, perHour),
      this.reviews(serviceRefs, period.end),
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
        topCustomers(this.db, scope, period, total.cost_micros),
        retentionByMonth(this.db, scope, period),
        scoped(
          this.db('usage_ledger')
            .where('usage_clamped', true)
            .andWhere('started_at', '>=', period.start)
            .andWhere('started_at', '<', period.end)
            .count({ n: '*' }),
          scope,
        ),
        // Issue 24: the requests that reached the services through routes.
        scoped(
          this.db('usage_ledger')
            .whereNotNull('route_ref')
            .andWhere('started_at', '>=', period.start)
            .andWhere('started_at', '<', period.end)
            .groupBy('route_ref', 'service_ref')
            .select('route_ref', 'service_ref')
            .count({ n: '*' })
            .sum({ cost: 'cost_micros' })
            .select(
              this.db.raw(
                "SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok",
              ),
            ),
          scope,
        ),
        // Issue 20: the protocols the clients spoke.
        scoped(
          this.db('usage_ledger')
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
              this.db.raw(
                "SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok",
              ),
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

  /** The caller's own usage per service and per key over a period. */
  async consumerUsage(options: {
    userRef: string;
    serviceRef?: string;
    period: Period;
    keyPrefixes: Map<string, string>;
    now: number;
  }): Promise<ConsumerUsage> {
    const { period } = options;
    const { starts, indexOf } = bucketsOf(period);
    const query = this.db('usage_customer_daily')
      .select(
        'day',
        'key_id',
        'team_ref',
        'service_ref',
        ...MEASURE_COLUMNS.map(c => `${c}`),
      )
      .where('user_ref', options.userRef)
      .andWhere('day', '>=', period.start)
      .andWhere('day', '<', period.end);
    if (options.serviceRef) {
      query.andWhere('service_ref', options.serviceRef);
    }
    const rows = await query;
    const totals = zeroUsage(period.start);
    const make = (
      serviceRef: string,
      keyId: string | null,
      teamRef: string | null,
    ): UsageSeries => ({
      serviceRef,
      keyId,
      keyPrefix: keyId ? options.keyPrefixes.get(keyId) ?? null : null,
      teamRef,
      totals: zeroUsage(period.start),
      points: starts.map(zeroUsage),
    });
    const services = new Map<string, UsageSeries>();
    const keys = new Map<string, UsageSeries>();
    for (const row of rows) {
      const serviceRef = String(row.service_ref);
      const keyId = String(row.key_id);
      const teamRef = row.team_ref ? String(row.team_ref) : null;
      const i = indexOf(num(row.day));
      let s = services.get(serviceRef);
      if (!s) {
        s = make(serviceRef, null, null);
        services.set(serviceRef, s);
      }
      const kKey = `${keyId}|${teamRef ?? ''}`;
      let k = keys.get(kKey);
      if (!k) {
        k = make(serviceRef, keyId, teamRef);
        keys.set(kKey, k);
      }
      for (const series of [s, k]) {
        addUsage(series.totals, row);
        if (i >= 0) {
          addUsage(series.points[i], row);
        }
      }
      addUsage(totals, row);
    }
    const byCost = (a: UsageSeries, b: UsageSeries) =>
      b.totals.costMicros - a.totals.costMicros ||
      b.totals.requests - a.totals.requests ||
      a.serviceRef.localeCompare(b.serviceRef);
    return {
      range: period.range,
      buckets: starts.map(t => new Date(t).toISOString()),
      totals,
      services: [...services.values()].sort(byCost),
      keys: [...keys.values()].sort(byCost),
      generatedAt: new Date(options.now).toISOString(),
    };
  }

  /**
   * Service sums per UTC day of [from, to) from the hourly rollup, for
   * statements (the rows of a month: days x services).
   */
  async serviceDays(
    services: ServiceScope,
    from: number,
    to: number,
  ): Promise<Array<{ serviceRef: string; day: number; sums: Measures }>> {
    if (services !== 'all' && services.length === 0) {
      return [];
    }
    const rows = await scoped(
      this.db('usage_service_hourly')
        .select(
          'service_ref',
          this.db.raw('(hour - (hour % 86400000)) AS day'),
          this.db.raw(SUMS),
        )
        .where('hour', '>=', from)
        .andWhere('hour', '<', to)
        .groupBy('service_ref', this.db.raw('(hour - (hour % 86400000))')),
      services,
    );
    return rows.map(r => ({
      serviceRef: String(r.service_ref),
      day: num(r.day),
      sums: Object.fromEntries(
        MEASURE_COLUMNS.map(c => [c, num(r[c])]),
      ) as Measures,
    }));
  }

  /**
   * Customer sums of [from, to) for a user or a team, per UTC day, service,
   * user and payer (the rows of statements and usage exports).
   */
  async customerDays(options: {
    userRef?: string;
    teamRef?: string;
    /** Only these services (every customer of them). */
    services?: readonly string[];
    from: number;
    to: number;
  }): Promise<
    Array<{
      day: number;
      serviceRef: string;
      userRef: string;
      teamRef: string | null;
      sums: Measures;
    }>
  > {
    const query = this.db('usage_customer_daily')
      .select('day', 'service_ref', 'user_ref', 'team_ref', this.db.raw(SUMS))
      .where('day', '>=', options.from)
      .andWhere('day', '<', options.to)
      .groupBy('day', 'service_ref', 'user_ref', 'team_ref');
    if (options.userRef) {
      query.andWhere('user_ref', options.userRef);
    }
    if (options.teamRef) {
      query.andWhere('team_ref', options.teamRef);
    }
    if (options.services) {
      if (options.services.length === 0) {
        return [];
      }
      query.whereIn('service_ref', [...options.services]);
    }
    const rows = await query;
    return rows.map(r => ({
      day: num(r.day),
      serviceRef: String(r.service_ref),
      userRef: String(r.user_ref),
      teamRef: r.team_ref ? String(r.team_ref) : null,
      sums: Object.fromEntries(
        MEASURE_COLUMNS.map(c => [c, num(r[c])]),
      ) as Measures,
    }));
  }

  /** {@link AnalyticsStore.customerDays} with the month of each day. */
  async customerMonths(options: {
    userRef?: string;
    teamRef?: string;
    services?: readonly string[];
    from: number;
    to: number;
  }): Promise<
    Array<{
      month: string;
      serviceRef: string;
      userRef: string;
      teamRef: string | null;
      sums: Measures;
    }>
  > {
    const rows = await this.customerDays(options);
    return rows.map(({ day, ...rest }) => ({ month: monthOf(day), ...rest }));
  }

  /** The first UTC day with usage of the services, if any. */
  async firstDay(services: ServiceScope): Promise<number | null> {
    if (services !== 'all' && services.length === 0) {
      return null;
    }
    const [row] = await scoped(
      this.db('usage_service_hourly').min({ first: 'hour' }),
      services,
    );
    return row?.first === null || row?.first === undefined
      ? null
      : num(row.first) - (num(row.first) % DAY_MS);
  }
}
