import { Knex } from 'knex';
import { num } from '../../lib/numbers';
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

/*
 * The hourly rollups (`service_metrics_hourly`) of probes and gateway ledger
 * rows: computing hours from the raw rows, reading them back, bringing them up
 * to date (with its watermark in `monitoring_state`) and retention. The hour
 * arithmetic is in hourAggregates.ts, the SQL over raw rows in hourlyFromRaw.ts.
 * Used by DatabaseMonitoringStore.
 */

const ROLLUP_WATERMARK = 'rollup_watermark';

/**
 * Aggregates the raw rows (probes and ledger rows) that started in
 * [from, to), per service and UTC hour, in SQL (histograms included). Used by
 * the rollup for whole hours and by reads for the partial hours at the edges of
 * a window.
 */
export async function computeHours(
  db: Knex,
  range: { from: number; to: number },
  serviceRefs?: string[],
): Promise<HourGrid> {
  const grid: HourGrid = new Map();
  const parts = serviceRefs ? chunks(serviceRefs, IN_CHUNK) : [undefined];
  for (const refs of parts) {
    if (refs && refs.length === 0) {
      continue;
    }
    await computeHoursInto(db, grid, range, refs);
  }
  return grid;
}

/**
 * The hours of one service in [from, to), exactly: whole hours from the
 * rollups, the partial hours at either edge from the raw rows. Oldest first.
 */
export async function hoursOf(
  db: Knex,
  serviceRef: string,
  from: number,
  to: number,
): Promise<HourEntry[]> {
  const entries: HourEntry[] = [];
  const addRaw = async (a: number, b: number) => {
    if (a >= b) {
      return;
    }
    const grid = await computeHours(db, { from: a, to: b }, [serviceRef]);
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
    const rows: HourlyRow[] = await db('service_metrics_hourly')
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
export async function rolledUpSince(
  db: Knex,
  since: number,
  options: { histograms: boolean },
): Promise<Map<string, HourAggregate>> {
  const out = new Map<string, HourAggregate>();
  const rows = await db('service_metrics_hourly')
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
export async function rollup(
  db: Knex,
  options: {
    now: number;
    /** Rows older than this are not rolled up (they are about to be deleted). */
    retentionMs: number;
    lagMs: number;
  },
): Promise<{ hours: number }> {
  const { now, retentionMs, lagMs } = options;
  const cutoff = floorHour(now - retentionMs);
  const watermark = await getState(db, ROLLUP_WATERMARK);
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
    await db('usage_ledger')
      .where('finished_at', '>', since)
      .andWhere('started_at', '>=', cutoff)
      .select('service_ref', db.raw(`${hour('started_at')} AS hour`))
      .groupByRaw('1, 2'),
  );
  add(
    await db('service_probes')
      .where('probed_at', '>', since)
      .andWhere('probed_at', '>=', cutoff)
      .select('service_ref', db.raw(`${hour('probed_at')} AS hour`))
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
    const grid = await computeHours(db, { from: day, to: day + DAY_MS }, [
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
      await db('service_metrics_hourly')
        .insert(part)
        .onConflict(['service_ref', 'hour_start'])
        .merge();
    }
    count += rows.length;
  }
  await setState(db, ROLLUP_WATERMARK, now);
  return { hours: count };
}

/**
 * Deletes probes, rollups and closed incidents older than the retention. The
 * usage ledger is billing data and is never deleted here.
 */
export async function deleteOlderThan(db: Knex, cutoff: number): Promise<void> {
  await db('service_probes').where('probed_at', '<', cutoff).delete();
  await db('service_metrics_hourly')
    .where('hour_start', '<', cutoff - HOUR_MS)
    .delete();
  await db('service_incidents')
    .whereNotNull('ended_at')
    .andWhere('ended_at', '<', cutoff)
    .delete();
}

async function getState(db: Knex, key: string): Promise<number | undefined> {
  const row = await db('monitoring_state').where({ key }).first();
  return row ? num(row.value) : undefined;
}

async function setState(db: Knex, key: string, value: number): Promise<void> {
  await db('monitoring_state').insert({ key, value }).onConflict('key').merge();
}
