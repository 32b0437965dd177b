import {
  browse,
  BrowseQuery,
  BrowseResult,
  projectService,
  ServiceMetrics,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../database/migrate';
import { isLive, ServiceDirectory } from '../gateway/ServiceDirectory';
import { Monitoring } from '../monitoring/Monitoring';

const METRICS_TTL_MS = 30_000;
const DAY_MS = 86_400_000;

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

  constructor(
    private readonly db: Knex,
    private readonly directory: ServiceDirectory,
    /** Measured uptime, latency and throughput from the monitoring rollups. */
    private readonly monitoring?: Pick<Monitoring, 'browseMetrics'>,
    private readonly clock: () => number = Date.now,
  ) {}

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

  private async ensureFresh() {
    const changed =
      this.builtFor !== this.directory.version ||
      this.builtForRatings !== this.ratingsVersion;
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
      if (
        this.builtFor !== this.directory.version ||
        this.builtForRatings !== this.ratingsVersion
      ) {
        // The build was already running on an older directory view.
        await this.ensureFresh();
      }
    }
  }

  private async rebuild() {
    const version = this.directory.version;
    const ratingsVersion = this.ratingsVersion;
    // Only approved, published services: never pending, rejected or unpublished ones.
    const services = this.directory.list().filter(isLive);
    const now = this.clock();
    const firstSeen = await this.firstSeen(
      services.map(s => s.ref),
      now,
    );
    const usage = await this.db('usage_ledger')
      .where('started_at', '>=', now - 30 * DAY_MS)
      .andWhere({ status: 'ok' })
      .groupBy('service_ref')
      .select('service_ref')
      .count({ requests: '*' })
      .sum({ prompt: 'prompt_tokens', completion: 'completion_tokens' });
    const metrics = new Map<string, ServiceMetrics>();
    for (const [ref, measured] of (await this.monitoring?.browseMetrics()) ??
      []) {
      metrics.set(ref, { ...measured });
    }
    for (const row of usage as any[]) {
      metrics.set(row.service_ref, {
        ...metrics.get(row.service_ref),
        requests30d: num(row.requests),
        tokens30d: num(row.prompt) + num(row.completion),
      });
    }
    for (const [ref, rating] of await this.ratings()) {
      metrics.set(ref, {
        ...metrics.get(ref),
        rating: Math.round((rating.sum * 100) / rating.count) / 100,
        reviewCount: rating.count,
      });
    }
    this.projections = services.map(s =>
      projectService(
        s.entity,
        s.ref,
        s.provider,
        metrics.get(s.ref) ?? {},
        firstSeen.get(s.ref) ?? now,
      ),
    );
    this.builtFor = version;
    this.builtForRatings = ratingsVersion;
    this.metricsAt = now;
  }

  /** Rating aggregates over visible reviews, by service ref. */
  private async ratings(): Promise<
    Map<string, { count: number; sum: number }>
  > {
    const rows = (await this.db('service_reviews')
      .whereNull('hidden_at')
      .groupBy('service_ref')
      .select('service_ref')
      .count({ n: '*' })
      .sum({ total: 'rating' })) as {
      service_ref: string;
      n: unknown;
      total: unknown;
    }[];
    return new Map(
      rows.map(r => [r.service_ref, { count: num(r.n), sum: num(r.total) }]),
    );
  }

  /** First-seen times, recording the services seen for the first time now. */
  private async firstSeen(
    refs: string[],
    now: number,
  ): Promise<Map<string, number>> {
    const known = new Map<string, number>();
    for (let i = 0; i < refs.length; i += 500) {
      const rows = await this.db('service_first_seen').whereIn(
        'service_ref',
        refs.slice(i, i + 500),
      );
      for (const row of rows) {
        known.set(row.service_ref, num(row.first_seen_at));
      }
    }
    const fresh = refs.filter(r => !known.has(r));
    for (let i = 0; i < fresh.length; i += 100) {
      await this.db('service_first_seen')
        .insert(
          fresh
            .slice(i, i + 100)
            .map(service_ref => ({ service_ref, first_seen_at: now })),
        )
        .onConflict('service_ref')
        .ignore();
    }
    fresh.forEach(r => known.set(r, now));
    return known;
  }
}
