import { LoggerService } from '@backstage/backend-plugin-api';
import {
  blendedPricePer1k,
  routeRefOf,
  RouteSummary,
  ServiceMetrics,
} from '@internal/plugin-marketplace-common';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService, isLive } from '../catalog/directoryService';
import { MemberHealth } from './MemberHealth';
import { resolveRoutes, ResolvedRoute } from './resolveRoutes';
import { RoutingConfig } from './routeConfig';
import { rankMembers } from './selection';

/** Measured values are re-read at most this often (in the background). */
const MEASUREMENTS_TTL_MS = 30_000;

export type ServiceRoute = ResolvedRoute<DirectoryService & { live: boolean }>;

/**
 * The routes over the current services, with what the selection needs: the
 * measured time to first token and throughput per member (the monitoring
 * rollups) and member health (latest probes and this instance's requests).
 * Resolution follows the service directory; reads are in memory.
 */
export class RouteDirectory {
  private routes = new Map<string, ServiceRoute>();
  private builtFor = -1;
  private metrics = new Map<string, ServiceMetrics>();
  private measuredAt = 0;
  private measuring: Promise<void> | undefined;

  constructor(
    private readonly deps: {
      directory: Pick<ServiceDirectory, 'list' | 'version'>;
      routing: RoutingConfig;
      health: MemberHealth;
      /** Measured values per service ref (Monitoring.browseMetrics). */
      metrics?: () => Promise<Map<string, ServiceMetrics>>;
      /** The latest probe outcome of a service. */
      lastProbe?: (
        serviceRef: string,
      ) => Promise<{ outcome: string } | undefined>;
      logger?: LoggerService;
      clock?: () => number;
    },
  ) {}

  get health(): MemberHealth {
    return this.deps.health;
  }

  private now() {
    return (this.deps.clock ?? Date.now)();
  }

  private resolved(): Map<string, ServiceRoute> {
    const { directory } = this.deps;
    if (this.builtFor !== directory.version) {
      const version = directory.version;
      const services = directory.list().map(s => ({ ...s, live: isLive(s) }));
      const routes = resolveRoutes(this.deps.routing.routes, services, {
        derive: this.deps.routing.deriveFromBaseModel,
        onWarning: m => this.deps.logger?.warn(m),
      });
      this.routes = new Map(routes.map(r => [r.definition.name, r]));
      this.builtFor = version;
    }
    return this.routes;
  }

  get(name: string): ServiceRoute | undefined {
    return this.resolved().get(name);
  }

  getByRef(ref: string): ServiceRoute | undefined {
    return ref.startsWith('route:default/')
      ? this.get(ref.slice('route:default/'.length))
      : undefined;
  }

  list(): ServiceRoute[] {
    return [...this.resolved().values()].sort((a, b) =>
      a.definition.name.localeCompare(b.definition.name),
    );
  }

  /** Re-reads measurements when older than the TTL; never blocks a request. */
  private refresh() {
    if (this.measuring || this.now() - this.measuredAt < MEASUREMENTS_TTL_MS) {
      return;
    }
    this.measuredAt = this.now();
    this.measuring = this.measure()
      .catch(e =>
        this.deps.logger?.warn(`Could not read route measurements: ${e}`),
      )
      .finally(() => {
        this.measuring = undefined;
      });
  }

  /** Reads measured values and the latest probes now (tests, start). */
  async measure(): Promise<void> {
    if (this.deps.metrics) {
      this.metrics = await this.deps.metrics();
    }
    if (this.deps.lastProbe) {
      const outcomes = new Map<string, string>();
      const refs = new Set(this.list().flatMap(r => r.members.map(m => m.ref)));
      for (const ref of refs) {
        const probe = await this.deps.lastProbe(ref);
        if (probe) {
          outcomes.set(ref, probe.outcome);
        }
      }
      this.deps.health.setProbes(outcomes);
    }
    this.measuredAt = this.now();
  }

  /** The members of a route in the order a request tries them now. */
  plan(route: ServiceRoute): DirectoryService[] {
    this.refresh();
    return rankMembers(
      route.definition.policy,
      route.members.map((service, position) => ({
        service,
        name: service.name,
        position,
        blendedPer1kMicros: blendedPricePer1k(service.entity.spec.pricing),
        timeToFirstTokenP95Ms: this.metrics.get(service.ref)
          ?.timeToFirstTokenP95Ms,
        tokensPerSecond: this.metrics.get(service.ref)?.tokensPerSecond,
        healthy: this.deps.health.isHealthy(service.ref),
      })),
    ).map(c => c.service);
  }

  /** A route as the API shows it: members best first right now. */
  summary(route: ServiceRoute): RouteSummary {
    const { definition } = route;
    return {
      name: definition.name,
      ref: routeRefOf(definition.name),
      title: definition.title,
      description: definition.description ?? null,
      baseModel: definition.baseModel ?? null,
      policy: definition.policy,
      constraints: definition.constraints,
      source: definition.source,
      members: this.plan(route).map(s => {
        const m = this.metrics.get(s.ref) ?? {};
        const { pricing, geographic } = s.entity.spec;
        return {
          name: s.name,
          ref: s.ref,
          title: s.entity.metadata.title ?? s.name,
          providerName: s.provider?.spec.displayName ?? s.providerRef,
          region: geographic.region,
          blendedPer1kMicros: blendedPricePer1k(pricing),
          promptPer1kMicros: pricing.promptPer1kMicros,
          completionPer1kMicros: pricing.completionPer1kMicros,
          timeToFirstTokenP95Ms: m.timeToFirstTokenP95Ms ?? null,
          tokensPerSecond: m.tokensPerSecond ?? null,
          uptime30d: m.uptimePercent ?? null,
          healthy: this.deps.health.isHealthy(s.ref),
        };
      }),
      excluded: route.excluded,
    };
  }
}
