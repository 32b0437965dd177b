import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { DAY_MS, monthOf } from '../../lib/periods';
import { Measures } from '../ledger/rollup';
import { measuresOf, SUMS } from './analyticsMeasures';
import type { CustomerSums, CustomerSumsQuery } from './AnalyticsStore';
import { scoped, ServiceScope } from './customerAnalytics';

/*
 * Usage sums per UTC day (or month) of services and of customers, the rows
 * statements and usage exports are built from, and the first day with usage.
 * Used by DatabaseAnalyticsStore.
 */

/**
 * Service sums per UTC day of [from, to) from the hourly rollup, for
 * statements (the rows of a month: days x services).
 */
export async function serviceDays(
  db: Knex,
  services: ServiceScope,
  from: number,
  to: number,
): Promise<Array<{ serviceRef: string; day: number; sums: Measures }>> {
  if (services !== 'all' && services.length === 0) {
    return [];
  }
  const rows = await scoped(
    db('usage_service_hourly')
      .select(
        'service_ref',
        db.raw('(hour - (hour % 86400000)) AS day'),
        db.raw(SUMS),
      )
      .where('hour', '>=', from)
      .andWhere('hour', '<', to)
      .groupBy('service_ref', db.raw('(hour - (hour % 86400000))')),
    services,
  );
  return rows.map(r => ({
    serviceRef: String(r.service_ref),
    day: num(r.day),
    sums: measuresOf(r),
  }));
}

/**
 * Customer sums of [from, to) for a user or a team, per UTC day, service,
 * user and payer (the rows of statements and usage exports).
 */
export async function customerDays(
  db: Knex,
  options: CustomerSumsQuery,
): Promise<Array<CustomerSums & { day: number }>> {
  const query = db('usage_customer_daily')
    .select('day', 'service_ref', 'user_ref', 'team_ref', db.raw(SUMS))
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
    sums: measuresOf(r),
  }));
}

/** {@link customerDays} with the month of each day. */
export async function customerMonths(
  db: Knex,
  options: CustomerSumsQuery,
): Promise<Array<CustomerSums & { month: string }>> {
  const rows = await customerDays(db, options);
  return rows.map(({ day, ...rest }) => ({ month: monthOf(day), ...rest }));
}

/** The first UTC day with usage of the services, if any. */
export async function firstDay(
  db: Knex,
  services: ServiceScope,
): Promise<number | null> {
  if (services !== 'all' && services.length === 0) {
    return null;
  }
  const [row] = await scoped(
    db('usage_service_hourly').min({ first: 'hour' }),
    services,
  );
  return row?.first === null || row?.first === undefined
    ? null
    : num(row.first) - (num(row.first) % DAY_MS);
}
