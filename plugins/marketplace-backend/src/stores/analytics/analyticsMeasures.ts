import {
  AnalyticsTotals,
  UsagePoint,
} from '@internal/plugin-marketplace-common';
import { num } from '../../lib/numbers';
import {
  HISTOGRAM_COLUMNS,
  histogramQuantile,
  Measures,
  MEASURE_COLUMNS,
} from '../ledger/rollup';

/*
 * Sums of the analytics rollups as the dashboards show them: measures, latency
 * percentiles, ratings, trends and usage points.
 */

/** Measures plus latency, as summed from `usage_service_hourly`. */
export interface Acc extends Measures {
  latency_sum_ms: number;
  latency_count: number;
  histogram: number[];
}

export function emptyAcc(): Acc {
  return {
    requests: 0,
    ok_requests: 0,
    error_requests: 0,
    rejected_requests: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    trial_tokens: 0,
    cost_micros: 0,
    fee_micros: 0,
    latency_sum_ms: 0,
    latency_count: 0,
    histogram: HISTOGRAM_COLUMNS.map(() => 0),
  };
}

export function addAcc(into: Acc, row: Record<string, unknown>) {
  for (const c of MEASURE_COLUMNS) {
    into[c] += num(row[c]);
  }
  into.latency_sum_ms += num(row.latency_sum_ms);
  into.latency_count += num(row.latency_count);
  HISTOGRAM_COLUMNS.forEach((c, i) => {
    into.histogram[i] += num(row[c]);
  });
}

export function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

export function latencyOf(acc: Acc) {
  const p95 = histogramQuantile(acc.histogram, 0.95);
  return {
    averageLatencyMs:
      acc.latency_count > 0
        ? round(acc.latency_sum_ms / acc.latency_count, 1)
        : null,
    p95LatencyMs: p95 === null ? null : round(p95, 1),
  };
}

export interface Rating {
  count: number;
  sum: number;
}

export function ratingAverage(r: Rating): number | null {
  return r.count > 0 ? round(r.sum / r.count, 2) : null;
}

export function toTotals(acc: Acc, rating: Rating): AnalyticsTotals {
  return {
    requests: acc.requests,
    okRequests: acc.ok_requests,
    errorRequests: acc.error_requests,
    rejectedRequests: acc.rejected_requests,
    promptTokens: acc.prompt_tokens,
    completionTokens: acc.completion_tokens,
    trialTokens: acc.trial_tokens,
    grossMicros: acc.cost_micros,
    platformFeeMicros: acc.fee_micros,
    netMicros: acc.cost_micros - acc.fee_micros,
    errorRate:
      acc.requests > 0 ? round(acc.error_requests / acc.requests, 4) : null,
    ...latencyOf(acc),
    averageRating: ratingAverage(rating),
    ratingCount: rating.count,
  };
}

/** Relative change; null when there was nothing before. */
export function trend(current: number, previous: number): number | null {
  return previous > 0 ? round((current - previous) / previous, 4) : null;
}

export const SUMS = MEASURE_COLUMNS.map(c => `SUM(${c}) AS ${c}`).join(', ');

/** The measures of a row that selected {@link SUMS}. */
export function measuresOf(row: Record<string, unknown>): Measures {
  return Object.fromEntries(
    MEASURE_COLUMNS.map(c => [c, num(row[c])]),
  ) as Measures;
}

export function zeroUsage(start: number): UsagePoint {
  return {
    start: new Date(start).toISOString(),
    requests: 0,
    okRequests: 0,
    errorRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    trialTokens: 0,
    costMicros: 0,
  };
}

export function addUsage(p: UsagePoint, row: Record<string, unknown>) {
  p.requests += num(row.requests);
  p.okRequests += num(row.ok_requests);
  p.errorRequests += num(row.error_requests);
  p.promptTokens += num(row.prompt_tokens);
  p.completionTokens += num(row.completion_tokens);
  p.trialTokens += num(row.trial_tokens);
  p.costMicros += num(row.cost_micros);
}
