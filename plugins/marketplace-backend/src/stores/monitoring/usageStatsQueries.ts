import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { DAY_MS } from '../../lib/periods';
import type { UsageStats } from './MonitoringStore';

/*
 * What services and providers served, for browse and the dashboards: read from
 * the analytics rollups (`usage_service_hourly`, `usage_customer_daily`). Used
 * by DatabaseMonitoringStore.
 */

/**
 * Usage per service from the analytics rollups (kept equal to the ledger on
 * write): tokens served since the start, requests and distinct users over the
 * 30 days before `now` (whole UTC days for the users).
 */
export async function usageStats(
  db: Knex,
  now: number,
  serviceRef?: string,
): Promise<Map<string, UsageStats>> {
  const since = now - 30 * DAY_MS;
  const one = (q: Knex.QueryBuilder) => {
    if (serviceRef) {
      q.where('service_ref', serviceRef);
    }
  };
  const totals = await db('usage_service_hourly')
    .modify(one)
    .groupBy('service_ref')
    .select(
      'service_ref',
      db.raw('SUM(prompt_tokens + completion_tokens) AS tokens'),
      db.raw(
        // Every request through the gateway, failed ones too: the
        // quantity the Quality tab and the statements count as requests.
        'SUM(CASE WHEN hour >= ? THEN requests ELSE 0 END) AS requests',
        [Math.floor(since)],
      ),
      db.raw(
        'SUM(CASE WHEN hour >= ? THEN prompt_tokens + completion_tokens ELSE 0 END) AS tokens30d',
        [Math.floor(since)],
      ),
    );
  const users = await db('usage_customer_daily')
    .modify(one)
    .where('day', '>=', since - (since % DAY_MS))
    .andWhere('ok_requests', '>', 0)
    .groupBy('service_ref')
    .select('service_ref')
    .countDistinct({ n: 'user_ref' });
  const out = new Map<string, UsageStats>();
  for (const row of totals as any[]) {
    out.set(row.service_ref, {
      totalTokens: num(row.tokens),
      requests30d: num(row.requests),
      tokens30d: num(row.tokens30d),
      activeUsers30d: 0,
    });
  }
  for (const row of users as any[]) {
    const entry = out.get(row.service_ref) ?? {
      totalTokens: 0,
      requests30d: 0,
      tokens30d: 0,
      activeUsers30d: 0,
    };
    entry.activeUsers30d = num(row.n);
    out.set(row.service_ref, entry);
  }
  return out;
}

/** Distinct users of any service of a provider in the 30 days before `now`. */
export async function providerActiveUsers(
  db: Knex,
  providerRef: string,
  now: number,
): Promise<number> {
  const since = now - 30 * DAY_MS;
  const [row] = await db('usage_customer_daily')
    .where({ provider_ref: providerRef })
    .andWhere('day', '>=', since - (since % DAY_MS))
    .andWhere('ok_requests', '>', 0)
    .countDistinct({ n: 'user_ref' });
  return num((row as any)?.n ?? 0);
}
