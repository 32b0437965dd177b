import { LoggerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { SlaMetric } from '@internal/plugin-marketplace-common';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService, isServable } from '../catalog/directoryService';
import { ownerRefOf } from '../permissions/rules';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import { HourAggregate } from '../stores/monitoring/hourAggregates';
import { assessSla, slaWindowStart } from './quality';

/*
 * SLA breaches: a served service whose measured quality of the last 30 days
 * misses what it commits to is recorded once per metric and window, and its
 * owners and the admins are notified. Run by Monitoring after each rollup.
 */

/** What breach detection needs of Monitoring's dependencies. */
export interface BreachDeps {
  store: Pick<MonitoringStore, 'recordBreach' | 'unclaimBreach'>;
  directory: Pick<ServiceDirectory, 'list'>;
  notifications: Pick<NotificationService, 'send'>;
  logger: LoggerService;
  /** Entity refs notified of every breach besides the service's owner. */
  admins: () => Promise<string[]>;
}

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
 * Records every breached SLA metric of the services the gateway serves, once
 * per service, metric and 30-day window, and notifies the owning group and the
 * admins of each new one.
 */
export async function detectBreaches(
  deps: BreachDeps,
  sums: Map<string, HourAggregate>,
  now: number,
): Promise<number> {
  let notified = 0;
  for (const service of deps.directory.list()) {
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
      if (!(await deps.store.recordBreach(breach))) {
        continue;
      }
      try {
        await notifyBreach(deps, service, breach);
        notified++;
      } catch (error) {
        await deps.store.unclaimBreach(breach);
        deps.logger.warn(
          `Could not notify the ${row.metric} SLA breach of ${service.ref}: ${error}`,
        );
      }
    }
  }
  return notified;
}

async function notifyBreach(
  deps: BreachDeps,
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
  await deps.notifications.send({
    recipients: {
      type: 'entity',
      entityRef: [...new Set([owner, ...(await deps.admins())])],
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
  deps.logger.info(
    `SLA breach of ${service.ref}: ${label} ${breach.measured} (committed ${breach.committed})`,
  );
}
