import { num } from '../../lib/numbers';
import { HOUR_MS } from '../../lib/periods';
import {
  addTo,
  decodeHistogram,
  encodeHistogram,
  Histogram,
} from './histogram';

/*
 * The hourly aggregates of monitoring: what one service did in one hour (probes
 * and gateway traffic), how they merge, and their rows in
 * `service_metrics_hourly`.
 */

/** What one service did in one hour (or part of it): probes and gateway traffic. */
export interface HourAggregate {
  probesUp: number;
  probesDown: number;
  probesMaintenance: number;
  /** Ledger rows that started in the hour, whatever their status. */
  requests: number;
  /** Of those, the upstream's failures: `upstream_error` and `timeout`. */
  errors: number;
  /** Of those, the successful ones (`ok`). Client errors count as neither. */
  okRequests: number;
  /**
   * Successful requests with a total duration (upstream send to the answer's
   * end), and the histogram of those durations.
   */
  latencyCount: number;
  latencySumMs: number;
  latencyHist: Histogram;
  /**
   * Time to first token (streamed) or to the answer's first byte (not
   * streamed) of the successful requests: what "latency" means to users.
   */
  ttftCount: number;
  ttftHist: Histogram;
  /** Completion tokens of the successful requests ... */
  outputTokens: number;
  /** ... and the time spent generating them (after the first token when streamed). */
  generationMs: number;
  /** Output tokens per second per successful request. */
  tpsHist: Histogram;
  /** Wait from the gateway receiving a request to sending it upstream. */
  waitCount: number;
  waitHist: Histogram;
  /** Most requests in flight at once (the maximum over merged hours). */
  peakInFlight: number;
  /** Successful requests started in the busiest minute (maximum over merged hours). */
  peakRequestsPerMinute: number;
  /** Start of the first hour with probes or requests (Infinity: none). */
  firstHour: number;
}

export function emptyAggregate(): HourAggregate {
  return {
    probesUp: 0,
    probesDown: 0,
    probesMaintenance: 0,
    requests: 0,
    errors: 0,
    okRequests: 0,
    latencyCount: 0,
    latencySumMs: 0,
    latencyHist: new Map(),
    ttftCount: 0,
    ttftHist: new Map(),
    outputTokens: 0,
    generationMs: 0,
    tpsHist: new Map(),
    waitCount: 0,
    waitHist: new Map(),
    peakInFlight: 0,
    peakRequestsPerMinute: 0,
    firstHour: Infinity,
  };
}

export function mergeAggregate(
  target: HourAggregate,
  source: HourAggregate,
): HourAggregate {
  target.probesUp += source.probesUp;
  target.probesDown += source.probesDown;
  target.probesMaintenance += source.probesMaintenance;
  target.requests += source.requests;
  target.errors += source.errors;
  target.latencyCount += source.latencyCount;
  target.latencySumMs += source.latencySumMs;
  addTo(target.latencyHist, source.latencyHist);
  target.ttftCount += source.ttftCount;
  addTo(target.ttftHist, source.ttftHist);
  target.outputTokens += source.outputTokens;
  target.generationMs += source.generationMs;
  target.okRequests += source.okRequests;
  addTo(target.tpsHist, source.tpsHist);
  target.waitCount += source.waitCount;
  addTo(target.waitHist, source.waitHist);
  target.peakInFlight = Math.max(target.peakInFlight, source.peakInFlight);
  target.peakRequestsPerMinute = Math.max(
    target.peakRequestsPerMinute,
    source.peakRequestsPerMinute,
  );
  target.firstHour = Math.min(target.firstHour, source.firstHour);
  return target;
}

/** One hour of one service. */
export interface HourEntry {
  hourStart: number;
  aggregate: HourAggregate;
}

export function floorHour(ms: number): number {
  return ms - (((ms % HOUR_MS) + HOUR_MS) % HOUR_MS);
}

export function ceilHour(ms: number): number {
  const floor = floorHour(ms);
  return floor === ms ? ms : floor + HOUR_MS;
}

/** Services x hours: serviceRef -> hourStart -> aggregate. */
export type HourGrid = Map<string, Map<number, HourAggregate>>;

export function cell(grid: HourGrid, ref: string, hour: number): HourAggregate {
  let byHour = grid.get(ref);
  if (!byHour) {
    byHour = new Map();
    grid.set(ref, byHour);
  }
  let agg = byHour.get(hour);
  if (!agg) {
    agg = emptyAggregate();
    agg.firstHour = hour;
    byHour.set(hour, agg);
  }
  return agg;
}

export interface HourlyRow {
  service_ref: string;
  hour_start: number | string;
  probes_up: number | string;
  probes_down: number | string;
  probes_maintenance: number | string;
  requests: number | string;
  errors: number | string;
  latency_count: number | string;
  latency_sum_ms: number | string;
  latency_hist: string;
  ttft_count: number | string;
  ttft_hist: string;
  output_tokens: number | string;
  generation_ms: number | string;
  ok_requests: number | string;
  tps_hist: string;
  wait_count: number | string;
  wait_hist: string;
  peak_in_flight: number | string;
  peak_requests_per_minute: number | string;
  updated_at: number | string;
}

export function aggregateOfRow(row: HourlyRow): HourAggregate {
  return {
    probesUp: num(row.probes_up),
    probesDown: num(row.probes_down),
    probesMaintenance: num(row.probes_maintenance),
    requests: num(row.requests),
    errors: num(row.errors),
    latencyCount: num(row.latency_count),
    latencySumMs: num(row.latency_sum_ms),
    latencyHist: decodeHistogram(row.latency_hist),
    ttftCount: num(row.ttft_count),
    ttftHist: decodeHistogram(row.ttft_hist),
    outputTokens: num(row.output_tokens),
    generationMs: num(row.generation_ms),
    okRequests: num(row.ok_requests),
    tpsHist: decodeHistogram(row.tps_hist ?? ''),
    waitCount: num(row.wait_count),
    waitHist: decodeHistogram(row.wait_hist ?? ''),
    peakInFlight: num(row.peak_in_flight),
    peakRequestsPerMinute: num(row.peak_requests_per_minute),
    firstHour: num(row.hour_start),
  };
}

export function rowOf(
  serviceRef: string,
  hourStart: number,
  a: HourAggregate,
  now: number,
): HourlyRow {
  return {
    service_ref: serviceRef,
    hour_start: hourStart,
    probes_up: a.probesUp,
    probes_down: a.probesDown,
    probes_maintenance: a.probesMaintenance,
    requests: a.requests,
    errors: a.errors,
    latency_count: a.latencyCount,
    latency_sum_ms: a.latencySumMs,
    latency_hist: encodeHistogram(a.latencyHist),
    ttft_count: a.ttftCount,
    ttft_hist: encodeHistogram(a.ttftHist),
    output_tokens: a.outputTokens,
    generation_ms: a.generationMs,
    ok_requests: a.okRequests,
    tps_hist: encodeHistogram(a.tpsHist),
    wait_count: a.waitCount,
    wait_hist: encodeHistogram(a.waitHist),
    peak_in_flight: a.peakInFlight,
    peak_requests_per_minute: a.peakRequestsPerMinute,
    updated_at: now,
  };
}
