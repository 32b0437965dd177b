import {
  isAvailableAt,
  MetricsWindow,
  ServiceQualityMetrics,
  SlaMetric,
} from '@internal/plugin-marketplace-common';
import { DirectoryService } from '../catalog/directoryService';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import { DAY_MS, HOUR_MS } from '../lib/periods';
import {
  assessSla,
  availabilityFigure,
  dailyUptime,
  latencyHistory,
  SLA_WINDOW_MS,
  sumEntries,
  trafficOf,
  WINDOW_MS,
} from './quality';

/*
 * The Quality tab of a service: uptime, traffic, capacity, usage, latency
 * history, the SLA assessment, incidents, breaches and the last probe, read
 * from the monitoring store (the arithmetic is in quality.ts).
 */

/** Everything the Quality tab shows, measured from probes and the ledger. */
export async function metricsOf(
  store: MonitoringStore,
  service: DirectoryService,
  window: MetricsWindow,
  now: number,
  times?: { createdAt: number; updatedAt: number },
): Promise<ServiceQualityMetrics> {
  const windowMs = WINDOW_MS[window];
  const month = await store.hoursOf(service.ref, now - SLA_WINDOW_MS, now);
  const week = await store.hoursOf(service.ref, now - 7 * DAY_MS, now);
  const inWindow =
    window === '30d'
      ? month
      : await store.hoursOf(service.ref, now - windowMs, now);
  const history = await store.hoursOf(
    service.ref,
    now - (now % DAY_MS) - 29 * DAY_MS,
    now,
  );
  const monthSum = sumEntries(month);
  const weekSum = sumEntries(week);
  const { sla } = service.entity.spec;
  const incidents = await store.listIncidents(service.ref, now - SLA_WINDOW_MS);
  const breaches = await store.listBreaches(service.ref);
  const last = await store.lastProbe(service.ref);
  const inFlight = await store.inFlightNow([service.ref]);
  const usage = (await store.usageStats(now, service.ref)).get(service.ref);
  const windowSum = sumEntries(inWindow);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    serviceRef: service.ref,
    generatedAt: iso(now),
    window,
    windowStart: iso(now - windowMs),
    committed: {
      latencyP50Ms: sla.latencyMs.p50,
      latencyP95Ms: sla.latencyMs.p95,
      latencyP99Ms: sla.latencyMs.p99,
      uptimePercent: sla.uptimePercent,
      requestsPerSecond: sla.throughput.requestsPerSecond,
      tokensPerSecond: sla.throughput.tokensPerSecond,
    },
    uptime: {
      last7d: availabilityFigure(weekSum, now, 7 * DAY_MS),
      last30d: availabilityFigure(monthSum, now, SLA_WINDOW_MS),
      daily: dailyUptime(history, now, 30),
      availableNow:
        service.entity.spec.lifecycle === 'active' &&
        last?.outcome !== 'down' &&
        isAvailableAt(service.entity.spec.availability, new Date(now)),
    },
    traffic: trafficOf(windowSum, windowMs),
    capacity: {
      inFlightNow: inFlight.get(service.ref) ?? 0,
      peakInFlight: windowSum.peakInFlight,
      peakRequestsPerMinute: monthSum.peakRequestsPerMinute,
      committedRequestsPerMinute: Math.round(
        sla.throughput.requestsPerSecond * 60,
      ),
      hourly: inWindow
        .filter(e => e.aggregate.requests > 0)
        .map(e => ({
          start: iso(e.hourStart),
          peakInFlight: e.aggregate.peakInFlight,
          peakRequestsPerMinute: e.aggregate.peakRequestsPerMinute,
        })),
    },
    usage: {
      totalTokens: usage?.totalTokens ?? 0,
      activeUsers30d: usage?.activeUsers30d ?? 0,
      requests30d: usage?.requests30d ?? 0,
    },
    createdAt: times ? iso(times.createdAt) : null,
    updatedAt: times ? iso(times.updatedAt) : null,
    latencyHistory: latencyHistory(
      inWindow,
      windowMs <= 24 * HOUR_MS ? 'hour' : 'day',
    ),
    sla: assessSla(monthSum, sla, now),
    incidents: incidents.map(i => ({
      startedAt: iso(i.startedAt),
      endedAt: i.endedAt === null ? null : iso(i.endedAt),
      downProbes: i.downProbes,
      lastErrorKind: i.lastErrorKind,
      lastHttpStatus: i.lastHttpStatus,
    })),
    breaches: breaches.map(b => ({
      metric: b.metric as SlaMetric,
      measured: b.measured,
      committed: b.committed,
      windowStart: iso(b.windowStart),
      windowEnd: iso(b.windowStart + SLA_WINDOW_MS),
      detectedAt: iso(b.detectedAt),
    })),
    lastProbe: last
      ? {
          probedAt: iso(last.probedAt),
          outcome: last.outcome,
          httpStatus: last.httpStatus,
          errorKind: last.errorKind,
          latencyMs: last.latencyMs,
        }
      : null,
  };
}
