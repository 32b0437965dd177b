import { ServiceMetrics } from '@internal/plugin-marketplace-common';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import { DAY_MS } from '../lib/periods';
import { availabilityFigure, SLA_WINDOW_MS, trafficOf } from './quality';

/*
 * The browse values of every service (uptime, latency, tokens per second, the
 * last probe), for Monitoring and the standalone gateway.
 */

/**
 * The measured values of every service from the hourly rollups of the last 30
 * days and the latest probes: what browse, the finder and routes rank by. Read
 * from the database, so a standalone gateway reads the portal's measurements.
 */
export async function readBrowseMetrics(
  store: Pick<MonitoringStore, 'rolledUpSince' | 'lastProbeOutcomes'>,
  now: number,
) {
  const sums = await store.rolledUpSince(now - SLA_WINDOW_MS, {
    histograms: true,
  });
  const browse = new Map<string, ServiceMetrics>();
  for (const [ref, a] of sums) {
    const traffic = trafficOf(a, SLA_WINDOW_MS);
    const metrics: ServiceMetrics = {};
    const availability = availabilityFigure(a, now, SLA_WINDOW_MS);
    if (availability.percent !== null) {
      metrics.uptimePercent = availability.percent;
      metrics.uptimeDays = availability.days;
    }
    if (traffic.latencyP95Ms !== null) {
      metrics.latencyP95Ms = traffic.latencyP95Ms;
    }
    if (traffic.latencyP95Ms !== null) {
      // Latency is time to first token: the finder and routes read it here.
      metrics.timeToFirstTokenP95Ms = traffic.latencyP95Ms;
    }
    if (traffic.tokensPerSecondP50 !== null) {
      metrics.tokensPerSecond = traffic.tokensPerSecondP50;
    }
    browse.set(ref, metrics);
  }
  for (const [ref, outcome] of await store.lastProbeOutcomes(now - DAY_MS)) {
    if (outcome !== 'maintenance') {
      browse.set(ref, { ...browse.get(ref), lastProbeUp: outcome === 'up' });
    }
  }
  return { browse, sums };
}
