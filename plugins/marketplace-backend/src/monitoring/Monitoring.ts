import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  AvailabilityFigure,
  MetricsWindow,
  ServiceMetrics,
  ServiceQualityMetrics,
  TrafficMetrics,
} from '@internal/plugin-marketplace-common';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService, isServable } from '../catalog/directoryService';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import {
  emptyAggregate,
  HourAggregate,
  mergeAggregate,
} from '../stores/monitoring/hourAggregates';
import { DAY_MS } from '../lib/periods';
import { readBrowseMetrics } from './browseMetrics';
import { Prober, ProbeMode } from './Prober';
import { availabilityFigure, SLA_WINDOW_MS, trafficOf } from './quality';
import { metricsOf } from './qualityMetrics';
import { detectBreaches } from './slaBreaches';

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
   * admins of each new one (slaBreaches.ts).
   */
  detectBreaches(
    sums: Map<string, HourAggregate>,
    now: number,
  ): Promise<number> {
    return detectBreaches(this.deps, sums, now);
  }

  /** Everything the Quality tab shows, measured from probes and the ledger (qualityMetrics.ts). */
  metricsOf(
    service: DirectoryService,
    window: MetricsWindow,
    times?: { createdAt: number; updatedAt: number },
  ): Promise<ServiceQualityMetrics> {
    return metricsOf(this.deps.store, service, window, this.now(), times);
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
