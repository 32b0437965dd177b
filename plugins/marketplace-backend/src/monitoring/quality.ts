import {
  AvailabilityFigure,
  LatencyPoint,
  MetricsWindow,
  ModelServiceSla,
  SlaAssessment,
  SlaMetric,
  SlaStatus,
  TrafficMetrics,
  UptimeDay,
} from '@internal/plugin-marketplace-common';
import { percentile } from '../stores/monitoring/histogram';
import {
  emptyAggregate,
  HourAggregate,
  HourEntry,
  mergeAggregate,
} from '../stores/monitoring/hourAggregates';
import { DAY_MS, HOUR_MS } from '../lib/periods';

/** Length of each traffic window. */
export const WINDOW_MS: Record<MetricsWindow, number> = {
  '1h': HOUR_MS,
  '24h': 24 * HOUR_MS,
  '7d': 7 * DAY_MS,
  '30d': 30 * DAY_MS,
};

/**
 * The SLA window: uptime and latency are judged over the last 30 days, and a
 * breach is recorded at most once per service and metric in each 30-day window
 * counted from 1970-01-01 UTC.
 */
export const SLA_WINDOW_DAYS = 30;
export const SLA_WINDOW_MS = SLA_WINDOW_DAYS * DAY_MS;

/**
 * "At risk": a latency within 10% below its target, or an uptime that used more
 * than 90% of the downtime its target allows (99.9% allows 0.1%: from 99.91%
 * down to 99.9% it is at risk).
 */
export const AT_RISK_MARGIN = 0.1;

/** Fewer checks or measurements than this in the SLA window: `no_data`. */
export const MIN_UPTIME_PROBES = 3;
export const MIN_LATENCY_SAMPLES = 10;

/**
 * The checks an uptime commitment needs before it can be judged: as many as
 * make one failed check worth the downtime it allows (99.5% allows 1 in 200,
 * 99.9% 1 in 1,000), at least {@link MIN_UPTIME_PROBES}, at most 10,000. With
 * fewer, one failed check of a new service would "breach" a 30-day commitment
 * (and notify its owners) while telling nothing about it.
 */
export function minUptimeChecks(committed: number): number {
  const allowed = 100 - committed;
  if (!(allowed > 0)) {
    return MIN_UPTIME_PROBES;
  }
  return Math.max(
    MIN_UPTIME_PROBES,
    Math.min(10_000, Math.ceil(100 / allowed - 1e-9)),
  );
}

/** The 30-day window a time falls into (for recording breaches once per window). */
export function slaWindowStart(at: number): number {
  return at - (at % SLA_WINDOW_MS);
}

/** Uptime in percent: up / (up + down); maintenance checks do not count. */
export function uptimePercent(up: number, down: number): number | null {
  const counted = up + down;
  return counted === 0 ? null : round((up / counted) * 100, 3);
}

/**
 * Availability from the probes and the real requests: successful checks / all
 * checks. Requests the service failed (upstream 5xx, timeouts) count as down;
 * client errors and client disconnects count as neither.
 */
export function availabilityPercent(a: {
  probesUp: number;
  probesDown: number;
  okRequests: number;
  errors: number;
}): number | null {
  return uptimePercent(a.probesUp + a.okRequests, a.probesDown + a.errors);
}

/**
 * Days of data in an aggregate up to `now`, one decimal, at most `periodMs`:
 * from the start of its first hour with probes or requests.
 */
export function coverageDays(
  a: Pick<HourAggregate, 'firstHour'>,
  now: number,
  periodMs: number,
): number {
  if (!Number.isFinite(a.firstHour)) {
    return 0;
  }
  const span = Math.min(periodMs, Math.max(0, now - a.firstHour));
  return round(span / DAY_MS, 1);
}

/** The availability of an aggregate over a period ending `now`. */
export function availabilityFigure(
  a: HourAggregate,
  now: number,
  periodMs: number,
): AvailabilityFigure {
  const probes = a.probesUp + a.probesDown;
  const requests = a.okRequests + a.errors;
  return {
    percent:
      probes + requests < MIN_UPTIME_PROBES ? null : availabilityPercent(a),
    days: coverageDays(a, now, periodMs),
    periodDays: Math.round(periodMs / DAY_MS),
    probes,
    requests,
    probePercent: uptimePercent(a.probesUp, a.probesDown),
    trafficPercent: uptimePercent(a.okRequests, a.errors),
  };
}

function round(value: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

function significant(value: number, digits: number): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}

export function sumEntries(entries: HourEntry[]): HourAggregate {
  const total = emptyAggregate();
  for (const e of entries) {
    mergeAggregate(total, e.aggregate);
  }
  return total;
}

/** The traffic metrics of an aggregate over a window of `windowMs`. */
export function trafficOf(a: HourAggregate, windowMs: number): TrafficMetrics {
  return {
    requests: a.requests,
    errors: a.errors,
    errorRatePercent:
      a.requests === 0 ? null : round((a.errors / a.requests) * 100, 2),
    latencyP50Ms: percentile(a.ttftHist, 50),
    latencyP95Ms: percentile(a.ttftHist, 95),
    latencyP99Ms: percentile(a.ttftHist, 99),
    durationP50Ms: percentile(a.latencyHist, 50),
    durationP95Ms: percentile(a.latencyHist, 95),
    tokensPerSecondP50: percentile(a.tpsHist, 50),
    tokensPerSecondP95: percentile(a.tpsHist, 95),
    waitP50Ms: percentile(a.waitHist, 50),
    waitP95Ms: percentile(a.waitHist, 95),
    tokensPerSecond:
      a.generationMs > 0 && a.outputTokens > 0
        ? round(a.outputTokens / (a.generationMs / 1000), 1)
        : null,
    requestsPerSecond: significant(a.requests / (windowMs / 1000), 3),
  };
}

/** Probe counts and uptime per UTC day, for `days` days ending with the day of `now`. */
export function dailyUptime(
  entries: HourEntry[],
  now: number,
  days: number,
): UptimeDay[] {
  const today = now - (now % DAY_MS);
  const first = today - (days - 1) * DAY_MS;
  const out: UptimeDay[] = [];
  for (let day = first; day <= today; day += DAY_MS) {
    out.push({
      date: new Date(day).toISOString().slice(0, 10),
      upProbes: 0,
      downProbes: 0,
      maintenanceProbes: 0,
      okRequests: 0,
      failedRequests: 0,
      uptimePercent: null,
    });
  }
  for (const { hourStart, aggregate } of entries) {
    const index = Math.floor((hourStart - first) / DAY_MS);
    const day = out[index];
    if (day) {
      day.upProbes += aggregate.probesUp;
      day.downProbes += aggregate.probesDown;
      day.maintenanceProbes += aggregate.probesMaintenance;
      day.okRequests += aggregate.okRequests;
      day.failedRequests += aggregate.errors;
    }
  }
  for (const day of out) {
    day.uptimePercent = uptimePercent(
      day.upProbes + day.okRequests,
      day.downProbes + day.failedRequests,
    );
  }
  return out;
}

/**
 * Latency (time to first token) percentiles per hour, or per UTC day. Buckets
 * without measured requests are left out.
 */
export function latencyHistory(
  entries: HourEntry[],
  step: 'hour' | 'day',
): LatencyPoint[] {
  const groups = new Map<number, HourAggregate>();
  for (const { hourStart, aggregate } of entries) {
    const key = step === 'hour' ? hourStart : hourStart - (hourStart % DAY_MS);
    let group = groups.get(key);
    if (!group) {
      group = emptyAggregate();
      groups.set(key, group);
    }
    mergeAggregate(group, aggregate);
  }
  return [...groups]
    .sort(([a], [b]) => a - b)
    .filter(([, a]) => a.ttftCount > 0)
    .map(([start, a]) => ({
      start: new Date(start).toISOString(),
      requests: a.requests,
      p50Ms: percentile(a.ttftHist, 50),
      p95Ms: percentile(a.ttftHist, 95),
      p99Ms: percentile(a.ttftHist, 99),
    }));
}

/** An uptime against its target. */
export function uptimeStatus(
  measured: number | null,
  probes: number,
  committed: number,
): SlaStatus {
  if (measured === null || probes < minUptimeChecks(committed)) {
    return 'no_data';
  }
  if (measured < committed) {
    return 'breached';
  }
  const allowed = 100 - committed;
  const used = 100 - measured;
  return allowed > 0 && used > (1 - AT_RISK_MARGIN) * allowed
    ? 'at_risk'
    : 'met';
}

/** A latency percentile against its target. */
export function latencyStatus(
  measured: number | null,
  samples: number,
  committed: number,
): SlaStatus {
  if (measured === null || samples < MIN_LATENCY_SAMPLES) {
    return 'no_data';
  }
  if (measured > committed) {
    return 'breached';
  }
  return measured > (1 - AT_RISK_MARGIN) * committed ? 'at_risk' : 'met';
}

/**
 * Every SLA metric of a service over the SLA window (`a` sums that window):
 * uptime from the probes and the real requests, latency targets against the
 * time to first token.
 */
export function assessSla(
  a: HourAggregate,
  sla: ModelServiceSla,
  now: number,
): SlaAssessment[] {
  const checks = a.probesUp + a.probesDown + a.okRequests + a.errors;
  const uptime = availabilityPercent(a);
  const coverage = coverageDays(a, now, SLA_WINDOW_MS);
  const latency = (
    metric: SlaMetric,
    p: number,
    committed: number,
  ): SlaAssessment => {
    const measured = percentile(a.ttftHist, p);
    return {
      metric,
      unit: 'ms',
      committed,
      measured,
      status: latencyStatus(measured, a.ttftCount, committed),
      samples: a.ttftCount,
      windowDays: SLA_WINDOW_DAYS,
      coverageDays: coverage,
    };
  };
  return [
    {
      metric: 'uptime',
      unit: 'percent',
      committed: sla.uptimePercent,
      measured: uptime,
      status: uptimeStatus(uptime, checks, sla.uptimePercent),
      samples: checks,
      windowDays: SLA_WINDOW_DAYS,
      coverageDays: coverage,
    },
    latency('latencyP50', 50, sla.latencyMs.p50),
    latency('latencyP95', 95, sla.latencyMs.p95),
    latency('latencyP99', 99, sla.latencyMs.p99),
  ];
}
