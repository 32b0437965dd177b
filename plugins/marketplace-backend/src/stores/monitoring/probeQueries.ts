import type { ProbeOutcome } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num, numOrNull } from '../../lib/numbers';
import { chunks, IN_CHUNK } from './hourlyFromRaw';
import type { IncidentRecord, ProbeRecord } from './MonitoringStore';

/*
 * The prober's tables: checks of a service's upstream (`service_probes`), the
 * incidents they open and close (`service_incidents`), and the requests in
 * flight now (`usage_reservations`). Used by DatabaseMonitoringStore.
 */

/**
 * Stores checks and folds them into incidents: a down check opens an incident
 * (or extends the open one), an up check closes it; maintenance checks leave
 * incidents as they are.
 */
export async function recordProbes(
  db: Knex,
  probes: ProbeRecord[],
): Promise<void> {
  if (probes.length === 0) {
    return;
  }
  const sorted = [...probes].sort((a, b) => a.probedAt - b.probedAt);
  await db.transaction(async tx => {
    for (const part of chunks(sorted, 200)) {
      await tx('service_probes').insert(
        part.map(p => ({
          service_ref: p.serviceRef,
          probed_at: p.probedAt,
          outcome: p.outcome,
          http_status: p.httpStatus,
          error_kind: p.errorKind,
          latency_ms: p.latencyMs,
        })),
      );
    }
    const refs = [...new Set(sorted.map(p => p.serviceRef))];
    const open = new Map<string, { id: number; down: number }>();
    for (const part of chunks(refs, IN_CHUNK)) {
      const rows = await tx('service_incidents')
        .whereIn('service_ref', part)
        .whereNull('ended_at')
        .select('id', 'service_ref', 'down_probes');
      for (const row of rows) {
        open.set(row.service_ref, {
          id: num(row.id),
          down: num(row.down_probes),
        });
      }
    }
    for (const p of sorted) {
      const incident = open.get(p.serviceRef);
      if (p.outcome === 'down') {
        if (incident) {
          incident.down += 1;
          await tx('service_incidents').where({ id: incident.id }).update({
            last_down_at: p.probedAt,
            down_probes: incident.down,
            last_error_kind: p.errorKind,
            last_http_status: p.httpStatus,
          });
        } else {
          const [row] = await tx('service_incidents')
            .insert({
              service_ref: p.serviceRef,
              started_at: p.probedAt,
              ended_at: null,
              last_down_at: p.probedAt,
              down_probes: 1,
              last_error_kind: p.errorKind,
              last_http_status: p.httpStatus,
            })
            .returning('id');
          open.set(p.serviceRef, {
            id: num(typeof row === 'object' ? row.id : row),
            down: 1,
          });
        }
      } else if (p.outcome === 'up' && incident) {
        await tx('service_incidents')
          .where({ id: incident.id })
          .update({ ended_at: p.probedAt });
        open.delete(p.serviceRef);
      }
    }
  });
}

/** Incidents of a service that were open at some point since `since`, newest first. */
export async function listIncidents(
  db: Knex,
  serviceRef: string,
  since: number,
  limit = 50,
): Promise<IncidentRecord[]> {
  const rows = await db('service_incidents')
    .where({ service_ref: serviceRef })
    .andWhere(q => q.whereNull('ended_at').orWhere('ended_at', '>=', since))
    .orderBy('started_at', 'desc')
    .limit(limit);
  return rows.map(row => ({
    serviceRef: row.service_ref,
    startedAt: num(row.started_at),
    endedAt: numOrNull(row.ended_at),
    lastDownAt: num(row.last_down_at),
    downProbes: num(row.down_probes),
    lastErrorKind: row.last_error_kind ?? null,
    lastHttpStatus: numOrNull(row.last_http_status),
  }));
}

export async function lastProbe(
  db: Knex,
  serviceRef: string,
): Promise<ProbeRecord | undefined> {
  const row = await db('service_probes')
    .where({ service_ref: serviceRef })
    .orderBy('probed_at', 'desc')
    .first();
  return row
    ? {
        serviceRef: row.service_ref,
        probedAt: num(row.probed_at),
        outcome: row.outcome,
        httpStatus: numOrNull(row.http_status),
        errorKind: row.error_kind ?? null,
        latencyMs: numOrNull(row.latency_ms),
      }
    : undefined;
}

/** The outcome of the last probe of every service probed since `since`. */
export async function lastProbeOutcomes(
  db: Knex,
  since: number,
): Promise<Map<string, ProbeOutcome>> {
  const latest = db('service_probes')
    .where('probed_at', '>=', since)
    .groupBy('service_ref')
    .select('service_ref')
    .max({ at: 'probed_at' })
    .as('latest');
  const rows = await db('service_probes as p')
    .join(latest, function on() {
      this.on('p.service_ref', '=', 'latest.service_ref').andOn(
        'p.probed_at',
        '=',
        'latest.at',
      );
    })
    .select('p.service_ref', 'p.outcome');
  const out = new Map<string, ProbeOutcome>();
  for (const row of rows as any[]) {
    // Two probes at the same instant: a down one wins.
    if (out.get(row.service_ref) !== 'down') {
      out.set(row.service_ref, row.outcome);
    }
  }
  return out;
}

/** Requests forwarded and not settled yet (all gateway instances), per service. */
export async function inFlightNow(
  db: Knex,
  serviceRefs?: string[],
): Promise<Map<string, number>> {
  const rows = await db('usage_reservations')
    .modify(q => {
      if (serviceRefs) {
        q.whereIn('service_ref', serviceRefs);
      }
    })
    .groupBy('service_ref')
    .select('service_ref')
    .count({ n: '*' });
  return new Map(
    (rows as any[]).map(row => [String(row.service_ref), num(row.n)]),
  );
}
