import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AvailabilityFigure,
  isAvailableAt,
  MetricsWindow,
  ServiceMetrics,
  ServiceQualityMetrics,
  SlaMetric,
  TrafficMetrics,
} from '@internal/plugin-marketplace-common';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService, isServable } from '../catalog/directoryService';
import { ownerRefOf } from '../permissions/rules';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import {
  emptyAggregate,
  HourAggregate,
  mergeAggregate,
} from '../stores/monitoring/hourAggregates';
import { DAY_MS, HOUR_MS } from '../lib/periods';
import { Prober, ProbeMode } from './Prober';
import {
  assessSla,
  availabilityFigure,
  dailyUptime,
  latencyHistory,
  SLA_WINDOW_MS,
  slaWindowStart,
  sumEntries,
  trafficOf,
  WINDOW_MS,
} from './quality';

/** `marketplace.monitoring.*`, validated. */
export interface MonitoringConfig {
  enabled: boolean;
  probeIntervalSeconds: number;
  probeTimeoutMs: number;
  probeConcurrency: number;
  probeMode: ProbeMode;
  retentionDays: number;
}

/** How often the rollup, retention and breach detection run. */
export const ROLLUP_INTERVAL_SECONDS = 60;

const METRIC_LABELS: Record<SlaMetric, string> = {
  uptime: 'uptime',
  latencyP50: 'p50 latency',
  latencyP95: 'p95 latency',
  latencyP99: 'p99 latency',
};

function formatMeasured(metric: SlaMetric, value: number): string {
  return metric === 'uptime' ? `${value}%` : `${value} ms`;
}

/**
 * Monitoring: runs the prober and the rollup on the scheduler, detects and
 * notifies SLA breaches, and answers the metrics of a service.
 */
export class Monitoring {
  private browse = new Map<string, ServiceMetrics>();
  private sums = new Map<string, HourAggregate>();
  private browseRefreshes = 0;
  private browseAt = -Infinity;

  constructor(
    private readonly deps: {
      store: MonitoringStore;
      prober: Prober;
      directory: Pick<ServiceDirectory, 'list'>;
      notifications: Pick<NotificationService, 'send'>;
      logger: LoggerService;
      config: MonitoringConfig;
      /**
       * Entity refs notified of every breach besides the service's owner: the
       * admin groups and the admins by override (see adminRecipients).
       */
      admins: () => Promise<string[]>;
      clock?: () => number;
    },
  ) {}

  private now(): number {
    return (this.deps.clock ?? Date.now)();
  }

  /** Checks every service the gateway serves (approved, not past its sunset). */
  async probeOnce(): Promise<number> {
    const now = this.now();
    const services = this.deps.directory.list().filter(s => isServable(s, now));
    const results = await this.deps.prober.probeAll(services);
    await this.deps.store.recordProbes(results);
    const down = results.filter(r => r.outcome === 'down');
    this.deps.logger.debug(
      `Probed ${results.length} service(s): ${down.length} down${
        down.length
          ? ` (${down.map(d => `${d.serviceRef}: ${d.errorKind}`).join(', ')})`
          : ''
      }`,
    );
    return results.length;
  }

  /**
   * The rollup (incremental), retention, browse values and breach detection;
   * runs every minute.
   */
  async maintain(): Promise<void> {
    const now = this.now();
    const retentionMs = this.deps.config.retentionDays * DAY_MS;
    await this.deps.store.rollup({
      now,
      retentionMs,
      lagMs: Math.max(5 * 60_000, this.deps.config.probeTimeoutMs + 60_000),
    });
    await this.deps.store.deleteOlderThan(now - retentionMs);
    const sums = await this.refreshBrowse(now);
    await this.detectBreaches(sums, now);
  }

  /**
   * Browse values per service from the rolled-up hours of the last 30 days:
   * availability (probes and real traffic) with its days of data, p95 time to
   * first token, median output tokens per second, and the last probe's
   * outcome. Refreshed by
   * {@link maintain}, so reads cost nothing.
   */
  /** Grows with every refresh of the browse values (the browse index rebuilds). */
  get browseVersion(): number {
    return this.browseRefreshes;
  }

  async browseMetrics(): Promise<Map<string, ServiceMetrics>> {
    if (this.now() - this.browseAt > 2 * ROLLUP_INTERVAL_SECONDS * 1000) {
      await this.refreshBrowse(this.now());
    }
    return this.browse;
  }

  private async refreshBrowse(now: number) {
    const { browse, sums } = await readBrowseMetrics(this.deps.store, now);
    this.browse = browse;
    this.sums = sums;
    this.browseAt = now;
    this.browseRefreshes += 1;
    return sums;
  }

  /**
   * The measured quality of several services together over the last 30 days
   * (a provider's): availability over all their checks, percentiles over all
   * their requests.
   */
  async combinedQuality(refs: string[]): Promise<{
    availability: AvailabilityFigure;
    traffic: TrafficMetrics;
    measured: number;
  }> {
    await this.browseMetrics();
    const total = emptyAggregate();
    let measured = 0;
    for (const ref of refs) {
      const a = this.sums.get(ref);
      if (a) {
        mergeAggregate(total, a);
        measured += 1;
      }
    }
    return {
      availability: availabilityFigure(total, this.now(), SLA_WINDOW_MS),
      traffic: trafficOf(total, SLA_WINDOW_MS),
      measured,
    };
  }

  /**
   * Records every breached SLA metric of the services the gateway serves, once
   * per service, metric and 30-day window, and notifies the owning group and the
   * admins of each new one.
   */
  async detectBreaches(
    sums: Map<string, HourAggregate>,
    now: number,
  ): Promise<number> {
    let notified = 0;
    for (const service of this.deps.directory.list()) {
      const a = sums.get(service.ref);
      if (!a || !isServable(service, now)) {
        continue;
      }
      for (const row of assessSla(a, service.entity.spec.sla, now)) {
        if (row.status !== 'breached' || row.measured === null) {
          continue;
        }
        const breach = {
          serviceRef: service.ref,
          metric: row.metric,
          windowStart: slaWindowStart(now),
          measured: row.measured,
          committed: row.committed,
          detectedAt: now,
        };
        if (!(await this.deps.store.recordBreach(breach))) {
          continue;
        }
        try {
          await this.notifyBreach(service, breach);
          notified++;
        } catch (error) {
          await this.deps.store.unclaimBreach(breach);
          this.deps.logger.warn(
            `Could not notify the ${row.metric} SLA breach of ${service.ref}: ${error}`,
          );
        }
      }
    }
    return notified;
  }

  private async notifyBreach(
    service: DirectoryService,
    breach: {
      metric: SlaMetric;
      measured: number;
      committed: number;
      windowStart: number;
    },
  ) {
    const title = service.entity.metadata.title ?? service.name;
    const label = METRIC_LABELS[breach.metric];
    const owner =
      ownerRefOf(service.entity.spec.owner) || service.entity.spec.owner;
    await this.deps.notifications.send({
      recipients: {
        type: 'entity',
        entityRef: [...new Set([owner, ...(await this.deps.admins())])],
      },
      payload: {
        title: `${title} breached its ${label} SLA`,
        description: `Measured ${formatMeasured(
          breach.metric,
          breach.measured,
        )} over the last 30 days; the provider commits to ${
          breach.metric === 'uptime' ? 'at least' : 'at most'
        } ${formatMeasured(breach.metric, breach.committed)}.`,
        link: `/catalog/default/modelservice/${encodeURIComponent(
          service.name,
        )}/quality`,
        severity: 'high',
        topic: 'marketplace-sla-breach',
        scope: `marketplace:sla:${service.ref}:${breach.metric}:${breach.windowStart}`,
      },
    });
    this.deps.logger.info(
      `SLA breach of ${service.ref}: ${label} ${breach.measured} (committed ${breach.committed})`,
    );
  }

  /** Everything the Quality tab shows, measured from probes and the ledger. */
  async metricsOf(
    service: DirectoryService,
    window: MetricsWindow,
    times?: { createdAt: number; updatedAt: number },
  ): Promise<ServiceQualityMetrics> {
    const { store } = this.deps;
    const now = this.now();
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
    const incidents = await store.listIncidents(
      service.ref,
      now - SLA_WINDOW_MS,
    );
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

  /**
   * Schedules the prober (every `probeIntervalSeconds`, the first run right
   * away so a fresh portal shows real uptime after a few cycles) and the rollup
   * (every minute), both `global`: one instance runs each at a time.
   */
  async schedule(scheduler: SchedulerService): Promise<void> {
    const { config, logger } = this.deps;
    await scheduler.scheduleTask({
      id: 'marketplace-monitoring-probe',
      scope: 'global',
      frequency: { seconds: config.probeIntervalSeconds },
      timeout: {
        milliseconds: Math.max(
          config.probeIntervalSeconds * 1000,
          10 * config.probeTimeoutMs,
        ),
      },
      // Soon after start (once the directory has the services).
      initialDelay: { seconds: 5 },
      fn: async () => {
        await this.probeOnce().catch(e =>
          logger.warn(`Health probes failed: ${e}`),
        );
      },
    });
    await scheduler.scheduleTask({
      id: 'marketplace-monitoring-rollup',
      scope: 'global',
      frequency: { seconds: ROLLUP_INTERVAL_SECONDS },
      timeout: { minutes: 15 },
      initialDelay: { seconds: 15 },
      fn: async () => {
        await this.maintain().catch(e =>
          logger.warn(`Monitoring rollup failed: ${e}`),
        );
      },
    });
  }
}

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
