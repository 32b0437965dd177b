import {
  ProbeErrorKind,
  ProbeOutcome,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num, numOrNull } from '../../lib/numbers';
import { DAY_MS, HOUR_MS } from '../../lib/periods';
import {
  aggregateOfRow,
  ceilHour,
  emptyAggregate,
  floorHour,
  HourAggregate,
  HourEntry,
  HourGrid,
  HourlyRow,
  mergeAggregate,
  rowOf,
} from './hourAggregates';
import { chunks, computeHoursInto, IN_CHUNK } from './hourlyFromRaw';
import type { MonitoringStore } from './MonitoringStore';

/*
 * Over 400 lines: one method per query on the monitoring tables (probes,
 * incidents, hourly rollups, breaches), which the prober, the rollup and the
 * dashboards share. The hour arithmetic is in hourAggregates.ts, the hours
 * computed from raw rows in hourlyFromRaw.ts.
 */

/** What a service served (from the analytics rollups). */
export interface UsageStats {
  totalTokens: number;
  requests30d: number;
  tokens30d: number;
  activeUsers30d: number;
}

/** One check of a service's upstream. */
export interface ProbeRecord {
  serviceRef: string;
  probedAt: number;
  outcome: ProbeOutcome;
  httpStatus: number | null;
  errorKind: ProbeErrorKind | null;
  latencyMs: number | null;
}

export interface IncidentRecord {
  serviceRef: string;
  startedAt: number;
  endedAt: number | null;
  lastDownAt: number;
  downProbes: number;
  lastErrorKind: ProbeErrorKind | null;
  lastHttpStatus: number | null;
}

export interface BreachRecord {
  serviceRef: string;
  metric: string;
  windowStart: number;
  measured: number;
  committed: number;
  detectedAt: number;
  notifiedAt: number | null;
}

const ROLLUP_WATERMARK = 'rollup_watermark';

/**
 * The monitoring tables: probes and incidents (written by the prober), hourly
 * rollups of probes and gateway ledger rows (maintained by {@link rollup}), and
 * SLA breaches. The ledger is only read here, never changed.
 */
export class DatabaseMonitoringStore implements MonitoringStore {
  constructor(private readonly db: Knex) {}

  // --- Probes and incidents -------------------------------------------------

  /**
   * Stores checks and folds them into incidents: a down check opens an incident
   * (or extends the open one), an up check closes it; maintenance checks leave
   * incidents as they are.
   */
  async recordProbes(probes: ProbeRecord[]): Promise<void> {
    if (probes.length === 0) {
      return;
    }
    const sorted = [...probes].sort((a, b) => a.probedAt - b.probedAt);
    await this.db.transaction(async tx => {
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
  async listIncidents(
    serviceRef: string,
    since: number,
    limit = 50,
  ): Promise<IncidentRecord[]> {
    const rows = await this.db('service_incidents')
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

  async lastProbe(serviceRef: string): Promise<ProbeRecord | undefined> {
    const row = await this.db('service_probes')
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
  async lastProbeOutcomes(since: number): Promise<Map<string, ProbeOutcome>> {
    const latest = this.db('service_probes')
      .where('probed_at', '>=', since)
      .groupBy('service_ref')
      .select('service_ref')
      .max({ at: 'probed_at' })
      .as('latest');
    const rows = await this.db('service_probes as p')
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
  async inFlightNow(serviceRefs?: string[]): Promise<Map<string, number>> {
    const rows = await this.db('usage_reservations')
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

  /**
   * Usage per service from the analytics rollups (kept equal to the ledger on
   * write): tokens served since the start, requests and distinct users over the
   * 30 days before `now` (whole UTC days for the users).
   */
  async usageStats(
    now: number,
    serviceRef?: string,
  ): Promise<Map<string, UsageStats>> {
    const since = now - 30 * DAY_MS;
    const one = (q: Knex.QueryBuilder) => {
      if (serviceRef) {
        q.where('service_ref', serviceRef);
      }
    };
    const totals = await this.db('usage_service_hourly')
      .modify(one)
      .groupBy('service_ref')
      .select(
        'service_ref',
        this.db.raw('SUM(prompt_tokens + completion_tokens) AS tokens'),
        this.db.raw(
          // Every request through the gateway, failed ones too: the
          // quantity the Quality tab and the statements count as requests.
          'SUM(CASE WHEN hour >= ? THEN requests ELSE 0 END) AS requests',
          [Math.floor(since)],
        ),
        this.db.raw(
          'SUM(CASE WHEN hour >= ? THEN prompt_tokens + completion_tokens ELSE 0 END) AS tokens30d',
          [Math.floor(since)],
        ),
      );
    const users = await this.db('usage_customer_daily')
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
  async providerActiveUsers(providerRef: string, now: number): Promise<number> {
    const since = now - 30 * DAY_MS;
    const [row] = await this.db('usage_customer_daily')
      .where({ provider_ref: providerRef })
      .andWhere('day', '>=', since - (since % DAY_MS))
      .andWhere('ok_requests', '>', 0)
      .countDistinct({ n: 'user_ref' });
    return num((row as any)?.n ?? 0);
  }

  // --- Aggregation ----------------------------------------------------------

  /**
   * Aggregates the raw rows (probes and ledger rows) that started in
   * [from, to), per service and UTC hour, in SQL (histograms included). Used by
   * the rollup for whole hours and by reads for the partial hours at the edges of
   * a window.
   */
  async computeHours(
    range: { from: number; to: number },
    serviceRefs?: string[],
  ): Promise<HourGrid> {
    const grid: HourGrid = new Map();
    const parts = serviceRefs ? chunks(serviceRefs, IN_CHUNK) : [undefined];
    for (const refs of parts) {
      if (refs && refs.length === 0) {
        continue;
      }
      await computeHoursInto(this.db, grid, range, refs);
    }
    return grid;
  }

  /**
   * The hours of one service in [from, to), exactly: whole hours from the
   * rollups, the partial hours at either edge from the raw rows. Oldest first.
   */
  async hoursOf(
    serviceRef: string,
    from: number,
    to: number,
  ): Promise<HourEntry[]> {
    const entries: HourEntry[] = [];
    const addRaw = async (a: number, b: number) => {
      if (a >= b) {
        return;
      }
      const grid = await this.computeHours({ from: a, to: b }, [serviceRef]);
      for (const [hourStart, aggregate] of grid.get(serviceRef) ?? []) {
        entries.push({ hourStart, aggregate });
      }
    };
    const firstFull = ceilHour(from);
    const lastFull = floorHour(to);
    if (firstFull >= lastFull) {
      await addRaw(from, to);
    } else {
      await addRaw(from, firstFull);
      const rows: HourlyRow[] = await this.db('service_metrics_hourly')
        .where({ service_ref: serviceRef })
        .andWhere('hour_start', '>=', firstFull)
        .andWhere('hour_start', '<', lastFull);
      for (const row of rows) {
        entries.push({
          hourStart: num(row.hour_start),
          aggregate: aggregateOfRow(row),
        });
      }
      await addRaw(lastFull, to);
    }
    return entries.sort((a, b) => a.hourStart - b.hourStart);
  }

  /**
   * Sums of the rolled-up hours since `since` for every service (whole hours, as
   * rolled up; the background tasks' view): used by browse and breach detection.
   */
  async rolledUpSince(
    since: number,
    options: { histograms: boolean },
  ): Promise<Map<string, HourAggregate>> {
    const out = new Map<string, HourAggregate>();
    const rows = await this.db('service_metrics_hourly')
      .where('hour_start', '>=', since)
      .select(
        'service_ref',
        'probes_up',
        'probes_down',
        'probes_maintenance',
        'requests',
        'errors',
        'latency_count',
        'latency_sum_ms',
        'ttft_count',
        'output_tokens',
        'generation_ms',
        'hour_start',
        'ok_requests',
        'wait_count',
        'peak_in_flight',
        'peak_requests_per_minute',
        ...(options.histograms
          ? ['latency_hist', 'ttft_hist', 'tps_hist', 'wait_hist']
          : []),
      );
    for (const row of rows as HourlyRow[]) {
      let agg = out.get(row.service_ref);
      if (!agg) {
        agg = emptyAggregate();
        out.set(row.service_ref, agg);
      }
      mergeAggregate(agg, aggregateOfRow(row));
    }
    return out;
  }

  // --- Rollup and retention --------------------------------------------------

  /**
   * Brings the hourly rollups up to date, incrementally: finds the (service,
   * hour) pairs that got rows since the last run (ledger rows by when they were
   * written, `finished_at`, probes by `probed_at`, each looked at from `lagMs`
   * before the watermark so rows written a little late are not missed), and
   * recomputes those hours from the raw rows. Recomputing (instead of adding)
   * makes a second run over the same rows change nothing, and a row that lands
   * in an hour already rolled up (a late ledger row) is counted when that hour
   * is recomputed.
   */
  async rollup(options: {
    now: number;
    /** Rows older than this are not rolled up (they are about to be deleted). */
    retentionMs: number;
    lagMs: number;
  }): Promise<{ hours: number }> {
    const { now, retentionMs, lagMs } = options;
    const cutoff = floorHour(now - retentionMs);
    const watermark = await this.getState(ROLLUP_WATERMARK);
    const since = watermark === undefined ? cutoff : watermark - lagMs;
    const hour = (column: string) => `(${column} - (${column} % ${HOUR_MS}))`;

    const dirty = new Map<number, Set<string>>();
    const add = (rows: any[]) => {
      for (const row of rows) {
        const h = num(row.hour);
        if (!dirty.has(h)) {
          dirty.set(h, new Set());
        }
        dirty.get(h)!.add(row.service_ref);
      }
    };
    add(
      await this.db('usage_ledger')
        .where('finished_at', '>', since)
        .andWhere('started_at', '>=', cutoff)
        .select('service_ref', this.db.raw(`${hour('started_at')} AS hour`))
        .groupByRaw('1, 2'),
    );
    add(
      await this.db('service_probes')
        .where('probed_at', '>', since)
        .andWhere('probed_at', '>=', cutoff)
        .select('service_ref', this.db.raw(`${hour('probed_at')} AS hour`))
        .groupByRaw('1, 2'),
    );

    // A day of hours at a time: one set of queries per day that has changes.
    const byDay = new Map<number, number[]>();
    for (const h of dirty.keys()) {
      const day = h - (h % DAY_MS);
      byDay.set(day, [...(byDay.get(day) ?? []), h]);
    }
    let count = 0;
    for (const [day, hours] of [...byDay].sort(([a], [b]) => a - b)) {
      const refs = new Set<string>();
      hours.forEach(h => dirty.get(h)!.forEach(r => refs.add(r)));
      const grid = await this.computeHours({ from: day, to: day + DAY_MS }, [
        ...refs,
      ]);
      const rows: HourlyRow[] = [];
      for (const h of hours) {
        for (const ref of dirty.get(h)!) {
          rows.push(
            rowOf(ref, h, grid.get(ref)?.get(h) ?? emptyAggregate(), now),
          );
        }
      }
      for (const part of chunks(rows, 200)) {
        await this.db('service_metrics_hourly')
          .insert(part)
          .onConflict(['service_ref', 'hour_start'])
          .merge();
      }
      count += rows.length;
    }
    await this.setState(ROLLUP_WATERMARK, now);
    return { hours: count };
  }

  /**
   * Deletes probes, rollups and closed incidents older than the retention. The
   * usage ledger is billing data and is never deleted here.
   */
  async deleteOlderThan(cutoff: number): Promise<void> {
    await this.db('service_probes').where('probed_at', '<', cutoff).delete();
    await this.db('service_metrics_hourly')
      .where('hour_start', '<', cutoff - HOUR_MS)
      .delete();
    await this.db('service_incidents')
      .whereNotNull('ended_at')
      .andWhere('ended_at', '<', cutoff)
      .delete();
  }

  private async getState(key: string): Promise<number | undefined> {
    const row = await this.db('monitoring_state').where({ key }).first();
    return row ? num(row.value) : undefined;
  }

  private async setState(key: string, value: number): Promise<void> {
    await this.db('monitoring_state')
      .insert({ key, value })
      .onConflict('key')
      .merge();
  }

  // --- SLA breaches ---------------------------------------------------------

  /**
   * Records a breach unless one is recorded for the service, metric and window.
   * Returns whether this call is the one that should notify (exactly one caller
   * gets true per breach, across instances).
   */
  async recordBreach(
    breach: Omit<BreachRecord, 'notifiedAt'>,
  ): Promise<boolean> {
    const key = {
      service_ref: breach.serviceRef,
      metric: breach.metric,
      window_start: breach.windowStart,
    };
    await this.db('sla_breaches')
      .insert({
        ...key,
        measured: breach.measured,
        committed: breach.committed,
        detected_at: breach.detectedAt,
        notified_at: null,
      })
      .onConflict(['service_ref', 'metric', 'window_start'])
      .ignore();
    const claimed = await this.db('sla_breaches')
      .where(key)
      .whereNull('notified_at')
      .update({ notified_at: breach.detectedAt });
    return Number(claimed) === 1;
  }

  /** Lets the next run notify again (the notification could not be sent). */
  async unclaimBreach(
    breach: Pick<BreachRecord, 'serviceRef' | 'metric' | 'windowStart'>,
  ): Promise<void> {
    await this.db('sla_breaches')
      .where({
        service_ref: breach.serviceRef,
        metric: breach.metric,
        window_start: breach.windowStart,
      })
      .update({ notified_at: null });
  }

  async listBreaches(serviceRef: string, limit = 20): Promise<BreachRecord[]> {
    const rows = await this.db('sla_breaches')
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
}
