import {
  browse,
  BrowseQuery,
  BrowseResult,
  projectService,
  ServiceMetrics,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';
import { ProviderVerificationStore } from '../stores/ProviderVerificationStore';
import { ServiceTimesStore } from '../stores/ServiceTimesStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { isLive } from '../catalog/directoryService';
import { Monitoring } from '../monitoring/Monitoring';
import { MonitoringStore } from '../stores/monitoring/MonitoringStore';
import { ReviewStore } from '../stores/ReviewStore';

const METRICS_TTL_MS = 30_000;

/**
 * The browse index: one precomputed projection per live ModelService (approved and
 * not unpublished; filters, search
 * text, measured metrics), rebuilt when the directory changes (awaited) or the
 * metrics are older than 30 s (in the background). Queries run in memory against it; nothing is fetched from
 * the catalog per request.
 */
export class BrowseIndex {
  private projections: ServiceProjection[] = [];
  private builtFor = -1;
  private metricsAt = 0;
  private building: Promise<void> | undefined;
  /** Grows with every review change; the next query waits for a rebuild. */
  private ratingsVersion = 0;
  private builtForRatings = 0;
  private builtForVerifications = 0;
  private builtForMonitoring = 0;
  /** createdAt / updatedAt of every service (catalog YAML ones included). */
  readonly times: ServiceTimesStore;
  private readonly directory: ServiceDirectory;
  /** Measured uptime, latency and throughput from the monitoring rollups. */
  private readonly monitoring?: Pick<
    Monitoring,
    'browseMetrics' | 'browseVersion'
  >;
  private readonly clock: () => number;
  /** The admins' verification decisions (none: no provider is verified). */
  private readonly verifications?: Pick<
    ProviderVerificationStore,
    'list' | 'changes'
  >;
  /** Requests, tokens and users of the last 30 days. */
  private readonly usage: Pick<MonitoringStore, 'usageStats'>;
  /** The ratings of the visible reviews. */
  private readonly reviews: Pick<ReviewStore, 'ratingTotals'>;

  constructor(options: {
    directory: ServiceDirectory;
    times: ServiceTimesStore;
    usage: Pick<MonitoringStore, 'usageStats'>;
    reviews: Pick<ReviewStore, 'ratingTotals'>;
    monitoring?: Pick<Monitoring, 'browseMetrics' | 'browseVersion'>;
    verifications?: Pick<ProviderVerificationStore, 'list' | 'changes'>;
    clock?: () => number;
  }) {
    this.directory = options.directory;
    this.times = options.times;
    this.usage = options.usage;
    this.reviews = options.reviews;
    this.monitoring = options.monitoring;
    this.verifications = options.verifications;
    this.clock = options.clock ?? Date.now;
  }

  /** The live services as last built (fresh as a query would see them). */
  async services(): Promise<ServiceProjection[]> {
    await this.ensureFresh();
    return this.projections;
  }

  /** A review changed a rating: the next query sees it. */
  invalidateRatings() {
    this.ratingsVersion += 1;
  }

  async query(query: BrowseQuery): Promise<BrowseResult> {
    await this.ensureFresh();
    return browse(this.projections, query, new Date(this.clock()));
  }

  /** Every live service's projection (the finder ranks them all). */
  async all(): Promise<readonly ServiceProjection[]> {
    await this.ensureFresh();
    return this.projections;
  }

  /**
   * Something the next query must see: the set of services, a rating, a
   * verification decision, or new monitoring values (the last probes: "available
   * now"; refreshed once a minute).
   */
  private changed(): boolean {
    return (
      this.builtFor !== this.directory.version ||
      this.builtForRatings !== this.ratingsVersion ||
      this.builtForVerifications !== (this.verifications?.changes ?? 0) ||
      this.builtForMonitoring !== (this.monitoring?.browseVersion ?? 0)
    );
  }

  private async ensureFresh() {
    const changed = this.changed();
    const stale = changed || this.clock() - this.metricsAt > METRICS_TTL_MS;
    if (!stale) {
      return;
    }
    if (!this.building) {
      this.building = this.rebuild().finally(() => {
        this.building = undefined;
      });
    }
    // A changed set of services (a service approved, rejected or unpublished a
    // moment ago) is awaited; metrics older than the TTL refresh in the background.
    if (changed) {
      await this.building;
      if (this.changed()) {
        // The build was already running on an older directory view.
        await this.ensureFresh();
      }
    }
  }

  private async rebuild() {
    const version = this.directory.version;
    const ratingsVersion = this.ratingsVersion;
    const verificationsVersion = this.verifications?.changes ?? 0;
    // Only approved, published services: never pending, rejected or unpublished ones.
    const all = this.directory.list();
    const services = all.filter(isLive);
    const now = this.clock();
    // Times of every service (the provider pages show them for all).
    const times = await this.times.sync(all, now);
    const verified = new Set(
      [...((await this.verifications?.list()) ?? new Map()).values()]
        .filter(v => v.verified)
        .map(v => v.providerRef),
    );
    const metrics = new Map<string, ServiceMetrics>();
    for (const [ref, measured] of (await this.monitoring?.browseMetrics()) ??
      []) {
      metrics.set(ref, { ...measured });
    }
    const monitoringVersion = this.monitoring?.browseVersion ?? 0;
    const usage = await this.usage.usageStats(now);
    for (const [ref, u] of usage) {
      metrics.set(ref, {
        ...metrics.get(ref),
        requests30d: u.requests30d,
        tokens30d: u.tokens30d,
        tokensTotal: u.totalTokens,
        activeUsers30d: u.activeUsers30d,
      });
    }
    for (const [ref, rating] of await this.reviews.ratingTotals()) {
      metrics.set(ref, {
        ...metrics.get(ref),
        rating: Math.round((rating.sum * 100) / rating.count) / 100,
        reviewCount: rating.count,
      });
    }
    this.projections = services.map(s =>
      projectService(s.entity, s.ref, s.provider, {
        metrics: metrics.get(s.ref) ?? {},
        createdAt: times.get(s.ref)?.createdAt ?? now,
        updatedAt: times.get(s.ref)?.updatedAt ?? now,
        providerVerified: verified.has(s.providerRef),
      }),
    );
    this.builtFor = version;
    this.builtForRatings = ratingsVersion;
    this.builtForVerifications = verificationsVersion;
    this.builtForMonitoring = monitoringVersion;
    this.metricsAt = now;
  }
}
