import {
  ANALYTICS_LIMITS,
  RetentionMonth,
  TopCustomer,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import {
  addMonths,
  monthEnd,
  monthsOf,
  monthStart,
  Period,
} from '../../lib/periods';
import { round, trend } from './analyticsMeasures';

/*
 * The customers of a provider's services: the top users and teams, and
 * retention per month, from `usage_customer_daily` and `_monthly`.
 */

/** Which services a query covers: a list of entity refs, or all. */
export type ServiceScope = readonly string[] | 'all';

/** Runs a query restricted to the services. */
export async function scoped(
  query: Knex.QueryBuilder,
  services: ServiceScope,
): Promise<Array<Record<string, any>>> {
  return services === 'all'
    ? query
    : query.whereIn('service_ref', services as string[]);
}

/**
 * Top users and teams by gross, with the previous period for the trend: one
 * query summing per (team, user) pair, ranked here.
 */
export async function topCustomers(
  db: Knex,
  services: ServiceScope,
  period: Period,
  totalGross: number,
): Promise<{ users: TopCustomer[]; teams: TopCustomer[] }> {
  const cur = `day >= ${Number(period.start)}`;
  const rows = await scoped(
    db('usage_customer_daily')
      .select(
        'team_ref',
        'user_ref',
        db.raw(
          `SUM(CASE WHEN ${cur} THEN requests ELSE 0 END) AS requests,
           SUM(CASE WHEN ${cur} THEN prompt_tokens + completion_tokens ELSE 0 END) AS tokens,
           SUM(CASE WHEN ${cur} THEN cost_micros ELSE 0 END) AS gross,
           SUM(CASE WHEN ${cur} THEN 0 ELSE requests END) AS previous_requests,
           SUM(CASE WHEN ${cur} THEN 0 ELSE cost_micros END) AS previous_gross`,
        ),
      )
      .where('day', '>=', period.previousStart)
      .andWhere('day', '<', period.end)
      // Team first: grouping by user first makes SQLite walk the whole
      // (user_ref, day) index instead of the services' days (5x slower).
      .groupBy('team_ref', 'user_ref'),
    services,
  );
  type Sums = {
    requests: number;
    tokens: number;
    gross: number;
    previousRequests: number;
    previousGross: number;
  };
  const users = new Map<string, Sums>();
  const teams = new Map<string, Sums>();
  const add = (map: Map<string, Sums>, ref: string, r: Record<string, any>) => {
    const s = map.get(ref) ?? {
      requests: 0,
      tokens: 0,
      gross: 0,
      previousRequests: 0,
      previousGross: 0,
    };
    s.requests += num(r.requests);
    s.tokens += num(r.tokens);
    s.gross += num(r.gross);
    s.previousRequests += num(r.previous_requests);
    s.previousGross += num(r.previous_gross);
    map.set(ref, s);
  };
  for (const r of rows) {
    add(users, String(r.user_ref), r);
    if (r.team_ref) {
      add(teams, String(r.team_ref), r);
    }
  }
  const top = (map: Map<string, Sums>): TopCustomer[] =>
    [...map.entries()]
      .filter(([, s]) => s.requests > 0)
      .map(([ref, s]) => ({
        ref,
        requests: s.requests,
        tokens: s.tokens,
        grossMicros: s.gross,
        revenueShare: totalGross > 0 ? round(s.gross / totalGross, 4) : null,
        previousRequests: s.previousRequests,
        previousGrossMicros: s.previousGross,
        grossTrend: trend(s.gross, s.previousGross),
        requestsTrend: trend(s.requests, s.previousRequests),
      }))
      .sort(
        (a, b) =>
          b.grossMicros - a.grossMicros ||
          b.requests - a.requests ||
          a.ref.localeCompare(b.ref),
      )
      .slice(0, ANALYTICS_LIMITS.topCustomers);
  return { users: top(users), teams: top(teams) };
}

/** Customers per calendar month of the period, against the month before. */
export async function retentionByMonth(
  db: Knex,
  services: ServiceScope,
  period: Period,
): Promise<RetentionMonth[]> {
  const months = monthsOf(period);
  const first = addMonths(months[0], -1);
  const all = [first, ...months];
  const from = monthStart(first);
  const to = monthEnd(months[months.length - 1]);
  const index = new Map(all.map((m, i) => [monthStart(m), i]));
  const rows = await scoped(
    db('usage_customer_monthly')
      .select('month', 'user_ref')
      .where('month', '>=', from)
      .andWhere('month', '<', to)
      .andWhere('requests', '>', 0)
      .groupBy('month', 'user_ref'),
    services,
  );
  const activeIn = all.map(() => new Set<string>());
  for (const r of rows) {
    const i = index.get(num(r.month));
    if (i !== undefined) {
      activeIn[i].add(String(r.user_ref));
    }
  }
  // Who was a customer of these services before the first month we look at.
  const earlier = await scoped(
    db('usage_customer_monthly')
      .distinct('user_ref')
      .where('month', '<', from)
      .andWhere('requests', '>', 0),
    services,
  );
  const before = new Set(earlier.map(r => String(r.user_ref)));
  const everBefore = new Set(before);
  activeIn[0].forEach(u => everBefore.add(u));
  return months.map((month, k) => {
    const i = k + 1;
    const now = activeIn[i];
    const prev = activeIn[i - 1];
    let retained = 0;
    let fresh = 0;
    let returning = 0;
    for (const u of now) {
      if (prev.has(u)) {
        retained++;
      } else if (everBefore.has(u)) {
        returning++;
      } else {
        fresh++;
      }
    }
    let churned = 0;
    for (const u of prev) {
      if (!now.has(u)) {
        churned++;
      }
    }
    now.forEach(u => everBefore.add(u));
    return {
      month,
      active: now.size,
      retained,
      new: fresh,
      returning,
      churned,
      retentionRate: prev.size > 0 ? round(retained / prev.size, 4) : null,
    };
  });
}
