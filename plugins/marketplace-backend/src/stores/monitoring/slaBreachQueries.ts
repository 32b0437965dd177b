import { Knex } from 'knex';
import { num, numOrNull } from '../../lib/numbers';
import type { BreachRecord } from './MonitoringStore';

/*
 * SLA breaches (`sla_breaches`): recorded once per service, metric and window,
 * and claimed by exactly one notifier. Used by DatabaseMonitoringStore.
 */

/**
 * Records a breach unless one is recorded for the service, metric and window.
 * Returns whether this call is the one that should notify (exactly one caller
 * gets true per breach, across instances).
 */
export async function recordBreach(
  db: Knex,
  breach: Omit<BreachRecord, 'notifiedAt'>,
): Promise<boolean> {
  const key = {
    service_ref: breach.serviceRef,
    metric: breach.metric,
    window_start: breach.windowStart,
  };
  await db('sla_breaches')
    .insert({
      ...key,
      measured: breach.measured,
      committed: breach.committed,
      detected_at: breach.detectedAt,
      notified_at: null,
    })
    .onConflict(['service_ref', 'metric', 'window_start'])
    .ignore();
  const claimed = await db('sla_breaches')
    .where(key)
    .whereNull('notified_at')
    .update({ notified_at: breach.detectedAt });
  return Number(claimed) === 1;
}

/** Lets the next run notify again (the notification could not be sent). */
export async function unclaimBreach(
  db: Knex,
  breach: Pick<BreachRecord, 'serviceRef' | 'metric' | 'windowStart'>,
): Promise<void> {
  await db('sla_breaches')
    .where({
      service_ref: breach.serviceRef,
      metric: breach.metric,
      window_start: breach.windowStart,
    })
    .update({ notified_at: null });
}

export async function listBreaches(
  db: Knex,
  serviceRef: string,
  limit = 20,
): Promise<BreachRecord[]> {
  const rows = await db('sla_breaches')
    .where({ service_ref: serviceRef })
    .orderBy('detected_at', 'desc')
    .limit(limit);
  return rows.map(row => ({
    serviceRef: row.service_ref,
    metric: row.metric,
    windowStart: num(row.window_start),
    measured: Number(row.measured),
    committed: Number(row.committed),
    detectedAt: num(row.detected_at),
    notifiedAt: numOrNull(row.notified_at),
  }));
}
