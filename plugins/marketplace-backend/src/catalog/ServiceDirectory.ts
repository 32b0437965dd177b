import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GatewayEventBus } from '@internal/plugin-marketplace-gateway-node';
import { randomUUID } from 'crypto';
import {
  ApprovalStatus,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../stores/PublishingStore';
import { Approval, priceKey, pricePointOf } from '../stores/publishingRecords';
import { DirectoryService } from './directoryService';
import { loadServices } from './loadServices';
import {
  applyReviewState,
  bindApprovals,
  queueUnseenForReview,
} from './reviewState';

/*
 * A load reads the services and Providers (loadServices.ts), applies their
 * review state (reviewState.ts), records prices, and swaps the view in. What a
 * service is and what is asked of one: directoryService.ts.
 */

/**
 * An in-memory view of the ModelService and Provider entities, refreshed from the
 * catalog in the background so that the gateway's hot path never waits on it,
 * merged with the marketplace's own records: services published through the
 * portal (straight from our database, so they are callable without waiting for
 * the catalog), their review state and unpublished services.
 * Service names are unique (they are the `model` users send).
 *
 * Every refresh also queues services seen for the first time for review
 * (`pending`, or `approved` when `requireApproval` is off) and records the first
 * price seen and every change of a service's price.
 */
export class ServiceDirectory {
  private byName = new Map<string, DirectoryService>();
  private providers = new Map<string, ProviderEntityV1alpha1>();
  /** Review state of each Provider (by ref): only approved ones make their owners providers. */
  private providerApprovals = new Map<string, Approval>();
  private lastRefresh = 0;
  /** The latest recorded price of each service (priceKey), loaded once. */
  private prices: Map<string, string> | undefined;
  /** Grows with every reload that changed something, so derived indexes know when to rebuild. */
  version = 0;
  private signature = '';
  private refreshing: Promise<void> | undefined;
  private queued: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      catalog: Pick<CatalogService, 'getEntities'>;
      auth: AuthService;
      logger: LoggerService;
      publishing: PublishingStore;
      /** Whether new services wait for an admin's approval (else they are approved at once). */
      requireApproval: boolean;
      /**
       * Groups already providers or admins by config: their Provider entities
       * are approved at once. Every other Provider waits for an admin, whatever
       * `requireApproval` says: owning an approved Provider makes its group
       * providers, and anyone can register a Provider in the catalog.
       */
      trustedProviderOwners?: string[];
      /** Told about services queued for review (to update the catalog's annotation). */
      onQueued?: (
        queued: Array<{ ref: string; status: ApprovalStatus }>,
      ) => Promise<void>;
      refreshIntervalMs?: number;
      /**
       * Change notifications shared by the instances: a change one instance
       * loads is announced, and the others reload at once (not at their next
       * refresh).
       */
      events?: GatewayEventBus;
      /** Told the services after every load that changed something (for standalone gateways). */
      snapshot?: { write(services: DirectoryService[]): Promise<void> };
    },
  ) {}

  private readonly origin = randomUUID();
  private unsubscribe: (() => void) | undefined;

  /** Loads once and keeps refreshing in the background. */
  async start(): Promise<void> {
    this.unsubscribe = this.deps.events?.subscribe(event => {
      if (event.type === 'services.changed' && event.origin !== this.origin) {
        this.refresh().catch(e =>
          this.deps.logger.warn(`Could not refresh model services: ${e}`),
        );
      }
    });
    await this.refresh().catch(e =>
      this.deps.logger.warn(
        `Could not load model services from the catalog: ${e}`,
      ),
    );
    const every = this.deps.refreshIntervalMs ?? 15_000;
    this.timer = setInterval(() => {
      this.refresh().catch(e =>
        this.deps.logger.warn(`Could not refresh model services: ${e}`),
      );
    }, every);
    this.timer.unref?.();
  }

  stop() {
    if (this.timer) {
      clearInterval(this.timer);
    }
    this.unsubscribe?.();
  }

  /**
   * Reloads now. Concurrent calls share one load; a call made while a load is
   * running gets the next one (so it sees every change made before the call).
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.queued ??= this.refreshing
        .catch(() => undefined)
        .then(() => {
          this.queued = undefined;
          return this.refresh();
        });
      return this.queued;
    }
    this.refreshing = this.load().finally(() => {
      this.refreshing = undefined;
    });
    return this.refreshing;
  }

  private async load() {
    const { logger } = this.deps;
    const { byName, providers } = await loadServices(this.deps);
    const approvals = await queueUnseenForReview(this.deps, byName, providers);
    await applyReviewState(this.deps, byName, providers, approvals);
    await bindApprovals(this.deps, this.byName.values(), byName, providers);
    await this.recordPrices([...byName.values()]);

    // Derived indexes rebuild only when something they show changed.
    const signature = JSON.stringify([
      [...byName.values()].map(x => [
        x.ref,
        x.status,
        x.unpublication?.sunsetAt,
        x.published?.updatedAt ?? x.entity.metadata.etag ?? x.entity,
        // Which version is served: approving a change that waited for review
        // swaps it without changing the status or the published record.
        x.approval?.approvedHash ?? null,
        x.reviewEntity ? 1 : 0,
        x.rejectedChange ? 1 : 0,
      ]),
      [...providers.entries()].map(([ref, p]) => [
        p.metadata.etag ?? p,
        approvals.get(ref)?.status,
      ]),
    ]);
    this.byName = byName;
    this.providers = providers;
    this.providerApprovals = new Map(
      [...providers.keys()].flatMap(ref => {
        const a = approvals.get(ref);
        return a ? [[ref, a] as const] : [];
      }),
    );
    this.lastRefresh = Date.now();
    if (signature !== this.signature) {
      const first = this.signature === '';
      this.signature = signature;
      this.version++;
      await this.deps.snapshot
        ?.write([...byName.values()])
        .catch(e =>
          logger.warn(`Could not write the services for the gateways: ${e}`),
        );
      if (!first) {
        this.deps.events
          ?.publish({ type: 'services.changed', origin: this.origin })
          .catch(() => undefined);
      }
    }
  }

  /** Records the first price seen of each service and every change since. */
  private async recordPrices(services: DirectoryService[]) {
    if (!this.prices) {
      const latest = await this.deps.publishing.latestPrices();
      this.prices = new Map(
        [...latest].map(([ref, point]) => [ref, priceKey(point)]),
      );
    }
    for (const s of services) {
      const key = priceKey(pricePointOf(s.entity.spec.pricing));
      if (this.prices.get(s.ref) !== key) {
        await this.deps.publishing.recordPrice(s.ref, s.entity.spec.pricing);
        this.prices.set(s.ref, key);
      }
    }
  }

  /**
   * Finds a service by name; on a miss, reloads from the catalog at most every few
   * seconds (a service registered a moment ago becomes callable without waiting).
   */
  async get(name: string): Promise<DirectoryService | undefined> {
    const hit = this.byName.get(name);
    if (hit || Date.now() - this.lastRefresh < 5_000) {
      return hit;
    }
    await this.refresh().catch(() => undefined);
    return this.byName.get(name);
  }

  getByRef(ref: string): DirectoryService | undefined {
    const name = ref.slice(ref.indexOf('/') + 1);
    const hit = this.byName.get(name);
    return hit?.ref === ref.toLocaleLowerCase('en-US') || hit?.ref === ref
      ? hit
      : undefined;
  }

  list(): DirectoryService[] {
    return [...this.byName.values()];
  }

  provider(ref: string): ProviderEntityV1alpha1 | undefined {
    return this.providers.get(ref);
  }

  /**
   * Whether an admin approved a Provider: only then do its owners get the
   * provider role and does its self-declared verification count.
   */
  isProviderApproved(ref: string): boolean {
    return this.providerApprovals.get(ref)?.status === 'approved';
  }

  /** The review state of a Provider; undefined when it was never seen. */
  providerApproval(ref: string): Approval | undefined {
    return this.providerApprovals.get(ref);
  }

  /** Every Provider entity, with its ref. */
  listProviders(): Array<[string, ProviderEntityV1alpha1]> {
    return [...this.providers];
  }
}
