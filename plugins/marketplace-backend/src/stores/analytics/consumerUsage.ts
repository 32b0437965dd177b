import {
  ConsumerUsage,
  UsageSeries,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { bucketsOf, Period } from '../../lib/periods';
import { MEASURE_COLUMNS } from '../ledger/rollup';
import { addUsage, zeroUsage } from './analyticsMeasures';

/*
 * The consumer usage page: a user's own usage per service and per API key
 * (and team billed) over a period, from `usage_customer_daily`. Used by
 * DatabaseAnalyticsStore.
 */

/** The caller's own usage per service and per key over a period. */
export async function consumerUsage(
  db: Knex,
  options: {
    userRef: string;
    serviceRef?: string;
    period: Period;
    keyPrefixes: Map<string, string>;
    now: number;
  },
): Promise<ConsumerUsage> {
  const { period } = options;
  const { starts, indexOf } = bucketsOf(period);
  const query = db('usage_customer_daily')
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
