import {
  LatencyPoint,
  MetricsWindow,
  ModelServiceSla,
  SlaAssessment,
  SlaMetric,
  SlaStatus,
  TrafficMetrics,
  UptimeDay,
} from '@internal/plugin-marketplace-common';
import { percentile } from './histogram';
import {
  DAY_MS,
  emptyAggregate,
  HourAggregate,
  HourEntry,
  HOUR_MS,
  mergeAggregate,
} from './MonitoringStore';

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

/** Fewer measurements than this in the SLA window: `no_data`. */
export const MIN_UPTIME_PROBES = 3;
export const MIN_LATENCY_SAMPLES = 10;

/** The 30-day window a time falls into (for recording breaches once per window). */
export function slaWindowStart(at: number): number {
  return at - (at % SLA_WINDOW_MS);
}

/** Uptime in percent: up / (up + down); maintenance checks do not count. */
export function uptimePercent(up: number, down: number): number | null {
  const counted = up + down;
  return counted === 0 ? null : round((up / counted) * 100, 3);
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
    latencyP50Ms: percentile(a.latencyHist, 50),
    latencyP95Ms: percentile(a.latencyHist, 95),
    latencyP99Ms: percentile(a.latencyHist, 99),
    timeToFirstTokenP50Ms: percentile(a.ttftHist, 50),
    timeToFirstTokenP95Ms: percentile(a.ttftHist, 95),
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
    }
  }
  for (const day of out) {
    day.uptimePercent = uptimePercent(day.upProbes, day.downProbes);
  }
  return out;
}

/** Latency percentiles per hour, or per UTC day. Buckets without requests are left out. */
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
    .filter(([, a]) => a.latencyCount > 0)
    .map(([start, a]) => ({
      start: new Date(start).toISOString(),
      requests: a.requests,
      p50Ms: percentile(a.latencyHist, 50),
      p95Ms: percentile(a.latencyHist, 95),
      p99Ms: percentile(a.latencyHist, 99),
    }));
}

/** An uptime against its target. */
export function uptimeStatus(
  measured: number | null,
  probes: number,
  committed: number,
): SlaStatus {
  if (measured === null || probes < MIN_UPTIME_PROBES) {
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

/** Every SLA metric of a service over the SLA window (`a` sums that window). */
export function assessSla(
  a: HourAggregate,
  sla: ModelServiceSla,
): SlaAssessment[] {
  const probes = a.probesUp + a.probesDown;
  const uptime = uptimePercent(a.probesUp, a.probesDown);
  const latency = (
    metric: SlaMetric,
    p: number,
    committed: number,
  ): SlaAssessment => {
    const measured = percentile(a.latencyHist, p);
    return {
      metric,
      unit: 'ms',
      committed,
      measured,
      status: latencyStatus(measured, a.latencyCount, committed),
      samples: a.latencyCount,
      windowDays: SLA_WINDOW_DAYS,
    };
  };
  return [
    {
      metric: 'uptime',
      unit: 'percent',
      committed: sla.uptimePercent,
      measured: uptime,
      status: uptimeStatus(uptime, probes, sla.uptimePercent),
      samples: probes,
      windowDays: SLA_WINDOW_DAYS,
    },
    latency('latencyP50', 50, sla.latencyMs.p50),
    latency('latencyP95', 95, sla.latencyMs.p95),
    latency('latencyP99', 99, sla.latencyMs.p99),
  ];
}
