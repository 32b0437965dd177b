import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { HOUR_MS } from '../../lib/periods';
import { cell, HourGrid } from './hourAggregates';
import { Histogram, sqlBucketExpression } from './histogram';

/*
 * Hourly aggregates computed from the raw tables: the probes, and the gateway's
 * ledger rows (requests, errors, latency, time to first token, throughput, wait,
 * peaks). The rollup stores them; hours not rolled up yet are read this way.
 */

export const ERROR_STATUSES = `('upstream_error', 'timeout')`;
export const IN_CHUNK = 500;

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) {
    out.push(items.slice(i, i + size));
  }
  return out;
}

export async function computeHoursInto(
  db: Knex,
  grid: HourGrid,
  { from, to }: { from: number; to: number },
  refs: string[] | undefined,
) {
  const hour = (column: string) => `(${column} - (${column} % ${HOUR_MS}))`;
  const ledger = () =>
    db('usage_ledger')
      .where('started_at', '>=', from)
      .andWhere('started_at', '<', to)
      .modify(q => {
        if (refs) {
          q.whereIn('service_ref', refs);
        }
      });
  const ok = `status = 'ok' AND upstream_latency_ms IS NOT NULL`;
  // Generation time: after the first token when streamed; the whole duration
  // when not (the first byte comes with the finished answer).
  const generation = `(CASE WHEN stream THEN upstream_latency_ms - COALESCE(ttft_ms, 0) ELSE upstream_latency_ms END)`;

  const sums = await ledger()
    .select(
      'service_ref',
      db.raw(`${hour('started_at')} AS hour`),
      db.raw('COUNT(*) AS requests'),
      db.raw(
        `SUM(CASE WHEN status IN ${ERROR_STATUSES} THEN 1 ELSE 0 END) AS errors`,
      ),
      db.raw(`SUM(CASE WHEN ${ok} THEN 1 ELSE 0 END) AS latency_count`),
      db.raw(
        `SUM(CASE WHEN ${ok} THEN upstream_latency_ms ELSE 0 END) AS latency_sum`,
      ),
      db.raw(
        `SUM(CASE WHEN ${ok} THEN completion_tokens ELSE 0 END) AS output_tokens`,
      ),
      db.raw(
        `SUM(CASE WHEN ${ok} THEN ${generation} ELSE 0 END) AS generation_ms`,
      ),
      db.raw(`SUM(CASE WHEN status = 'ok' THEN 1 ELSE 0 END) AS ok_requests`),
    )
    .groupByRaw('1, 2');
  for (const row of sums as any[]) {
    const agg = cell(grid, row.service_ref, num(row.hour));
    agg.requests += num(row.requests);
    agg.errors += num(row.errors);
    agg.latencyCount += num(row.latency_count);
    agg.latencySumMs += num(row.latency_sum);
    agg.outputTokens += num(row.output_tokens);
    agg.generationMs += Math.max(0, num(row.generation_ms));
    agg.okRequests += num(row.ok_requests);
  }

  const histogram = async (
    column: string,
    target: 'latencyHist' | 'ttftHist' | 'tpsHist' | 'waitHist',
    where: string,
  ) => {
    const rows = await ledger()
      .whereRaw(where)
      .select(
        'service_ref',
        db.raw(`${hour('started_at')} AS hour`),
        db.raw(`${sqlBucketExpression(column)} AS bucket`),
        db.raw('COUNT(*) AS n'),
      )
      .groupByRaw('1, 2, 3');
    for (const row of rows as any[]) {
      const h = cell(grid, row.service_ref, num(row.hour))[target];
      const bucket = num(row.bucket);
      h.set(bucket, (h.get(bucket) ?? 0) + num(row.n));
    }
  };
  await histogram('upstream_latency_ms', 'latencyHist', ok);
  await histogram('ttft_ms', 'ttftHist', `${ok} AND ttft_ms IS NOT NULL`);
  // Whole output tokens per second of each successful request that produced some.
  await histogram(
    `(completion_tokens * 1000 / ${generation})`,
    'tpsHist',
    `${ok} AND completion_tokens > 0 AND ${generation} > 0 AND (ttft_ms IS NOT NULL OR NOT stream)`,
  );
  await histogram('wait_ms', 'waitHist', 'wait_ms IS NOT NULL');
  const total = (h: Histogram) => [...h.values()].reduce((a, b) => a + b, 0);
  for (const byHour of grid.values()) {
    for (const agg of byHour.values()) {
      agg.ttftCount = total(agg.ttftHist);
      agg.waitCount = total(agg.waitHist);
    }
  }
  await peaksInto(db, grid, { from, to }, refs);

  const probes = await db('service_probes')
    .where('probed_at', '>=', from)
    .andWhere('probed_at', '<', to)
    .modify(q => {
      if (refs) {
        q.whereIn('service_ref', refs);
      }
    })
    .select(
      'service_ref',
      db.raw(`${hour('probed_at')} AS hour`),
      'outcome',
      db.raw('COUNT(*) AS n'),
    )
    .groupByRaw('1, 2, 3');
  for (const row of probes as any[]) {
    const agg = cell(grid, row.service_ref, num(row.hour));
    if (row.outcome === 'up') {
      agg.probesUp += num(row.n);
    } else if (row.outcome === 'down') {
      agg.probesDown += num(row.n);
    } else {
      agg.probesMaintenance += num(row.n);
    }
  }
}

/**
 * Per service and hour: the most requests in flight at once (a sweep over the
 * ledger rows' start and end times, requests that started up to an hour
 * before `from` included) and the successful requests of the busiest minute.
 */
export async function peaksInto(
  db: Knex,
  grid: HourGrid,
  { from, to }: { from: number; to: number },
  refs: string[] | undefined,
) {
  const refFilter = refs
    ? `AND service_ref IN (${refs.map(() => '?').join(', ')})`
    : '';
  const refBindings = refs ?? [];
  const lookback = from - HOUR_MS;
  const result = (await db.raw(
    `WITH ev AS (
       SELECT service_ref, started_at AS t, 1 AS d FROM usage_ledger
         WHERE started_at >= ? AND started_at < ? ${refFilter}
       UNION ALL
       SELECT service_ref, finished_at AS t, -1 AS d FROM usage_ledger
         WHERE started_at >= ? AND started_at < ? ${refFilter}
     ), run AS (
       SELECT service_ref, t,
         SUM(d) OVER (PARTITION BY service_ref ORDER BY t, d ROWS UNBOUNDED PRECEDING) AS c
       FROM ev
     )
     SELECT service_ref, (t - (t % ${HOUR_MS})) AS hour, MAX(c) AS peak
     FROM run WHERE t >= ? AND t < ? GROUP BY service_ref, (t - (t % ${HOUR_MS}))`,
    [lookback, to, ...refBindings, lookback, to, ...refBindings, from, to],
  )) as any;
  // SQLite answers the rows, PostgreSQL { rows }.
  const peaks: any[] = Array.isArray(result) ? result : result.rows;
  for (const row of peaks) {
    const hour = num(row.hour);
    const byHour = grid.get(row.service_ref);
    const agg = byHour?.get(hour);
    if (agg) {
      agg.peakInFlight = Math.max(agg.peakInFlight, num(row.peak));
    }
  }

  const perMinute = db('usage_ledger')
    .where('started_at', '>=', from)
    .andWhere('started_at', '<', to)
    .andWhere('status', 'ok')
    .modify(q => {
      if (refs) {
        q.whereIn('service_ref', refs);
      }
    })
    .select(
      'service_ref',
      db.raw('(started_at - (started_at % 60000)) AS minute'),
      db.raw('COUNT(*) AS n'),
    )
    .groupByRaw('1, 2')
    .as('m');
  const minutes = await db
    .from(perMinute)
    .select(
      'service_ref',
      db.raw(`(minute - (minute % ${HOUR_MS})) AS hour`),
      db.raw('MAX(n) AS peak'),
    )
    .groupByRaw('1, 2');
  for (const row of minutes as any[]) {
    const agg = grid.get(row.service_ref)?.get(num(row.hour));
    if (agg) {
      agg.peakRequestsPerMinute = num(row.peak);
    }
  }
}
