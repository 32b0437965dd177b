import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { GatewayEventBus } from '@internal/plugin-marketplace-gateway-node';
import { randomUUID } from 'crypto';
import {
  ApprovalStatus,
  isModelServiceEntity,
  isProviderEntity,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  MARKETPLACE_LOCATION_TYPE,
  PROVIDER_KIND,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../stores/PublishingStore';
import {
  Approval,
  priceKey,
  pricePointOf,
  PublishedService,
} from '../stores/publishingRecords';
import { reviewHash } from './reviewHash';
import {
  DirectoryService,
  groupRefOf,
  inMarketplaceNamespace,
  providerRefOf,
} from './directoryService';

/*
 * Over 400 lines: loading the catalog view is one pass (services, providers,
 * approvals, trust, prices) that reads best in one place. What a service is
 * and what is asked of one: directoryService.ts.
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
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      { filter: [{ kind: MODEL_SERVICE_KIND }, { kind: PROVIDER_KIND }] },
      { credentials },
    );
    const { publishing, logger } = this.deps;
    const providers = new Map<string, ProviderEntityV1alpha1>();
    for (const entity of items) {
      if (!inMarketplaceNamespace(entity)) {
        continue;
      }
      if (isProviderEntity(entity)) {
        providers.set(stringifyEntityRef(entity), entity);
      }
    }
    const byName = new Map<string, DirectoryService>();
    const add = (
      entity: ModelServiceEntityV1alpha1,
      published?: PublishedService,
    ) => {
      const ref = stringifyEntityRef(entity);
      const providerRef = providerRefOf(entity);
      byName.set(entity.metadata.name, {
        name: entity.metadata.name,
        ref,
        providerRef,
        entity,
        provider: providers.get(providerRef),
        status: 'pending',
        published,
      });
    };

    // Portal-published services come from our database: the catalog has them
    // only once our entity provider delivered them.
    for (const published of await publishing.listPublished()) {
      add(published.entity, published);
    }
    for (const entity of items) {
      if (!isModelServiceEntity(entity)) {
        continue;
      }
      if (!inMarketplaceNamespace(entity)) {
        // Names are the `model` callers send: an entity of another namespace
        // (ingested before the catalog refused them) never shadows the real one.
        logger.warn(
          `Ignoring ${stringifyEntityRef(
            entity,
          )}: marketplace services live in the default namespace only`,
        );
        continue;
      }
      const name = entity.metadata.name;
      const known = byName.get(name);
      if (known) {
        const location =
          entity.metadata.annotations?.[ANNOTATION_LOCATION] ?? '';
        // The catalog's copy of a published service is expected; anything else is a clash.
        if (
          !known.published ||
          !location.startsWith(`${MARKETPLACE_LOCATION_TYPE}:`)
        ) {
          logger.warn(
            `Two ModelServices are named '${name}'; the gateway uses ${
              known.published
                ? 'the one published through the portal'
                : known.ref
            }`,
          );
        }
        continue;
      }
      add(entity);
    }

    // Review state: services and Providers seen for the first time are queued.
    const approvals = new Map(
      (await publishing.listApprovals()).map(a => [a.serviceRef, a]),
    );
    const unseen = [...byName.values()]
      .map(s => s.ref)
      .concat([...providers.keys()])
      .filter(ref => !approvals.has(ref));
    const trusted = new Set(
      (this.deps.trustedProviderOwners ?? []).map(g =>
        g.toLocaleLowerCase('en-US'),
      ),
    );
    if (unseen.length > 0) {
      const providerTrusted = (ref: string) => {
        const owner = providers.get(ref)?.spec.owner;
        return !!owner && trusted.has(groupRefOf(owner));
      };
      const unseenProviders = unseen.filter(ref => providers.has(ref));
      await publishing.ensureApprovals(
        unseen.filter(ref => !providers.has(ref)),
        this.deps.requireApproval ? 'pending' : 'approved',
      );
      await publishing.ensureApprovals(
        unseenProviders.filter(providerTrusted),
        'approved',
      );
      await publishing.ensureApprovals(
        unseenProviders.filter(ref => !providerTrusted(ref)),
        'pending',
      );
      for (const a of await publishing.listApprovals()) {
        approvals.set(a.serviceRef, a);
      }
      const queued = unseen.flatMap(ref => {
        const a = approvals.get(ref);
        return a ? [{ ref, status: a.status }] : [];
      });
      await this.deps
        .onQueued?.(queued)
        .catch(e =>
          logger.warn(
            `Could not announce the services queued for review: ${e}`,
          ),
        );
    }
    const unpublications = new Map(
      (await publishing.listUnpublications()).map(u => [u.serviceRef, u]),
    );
    // Groups that may publish: providers and admins by config, and the owners
    // of approved Providers.
    const publishers = new Set(trusted);
    for (const [ref, provider] of providers) {
      if (approvals.get(ref)?.status === 'approved') {
        publishers.add(groupRefOf(provider.spec.owner));
      }
    }
    for (const s of byName.values()) {
      s.approval = approvals.get(s.ref);
      s.status = s.approval?.status ?? 'pending';
      s.unpublication = unpublications.get(s.ref);
      // A service from catalog YAML (anyone may register a location) is served
      // only when its owner may publish, like one published in the portal.
      s.ownerMayPublish =
        !!s.published ||
        !this.deps.trustedProviderOwners ||
        publishers.has(groupRefOf(s.entity.spec.owner));
      // Nor may it name another team's Provider: the credentials bound to a
      // Provider would go to an endpoint of the team's choosing (issue 14).
      // (Portal-published services: the publisher must own both, checked then.)
      const providerOwner = s.provider
        ? groupRefOf(s.provider.spec.owner)
        : undefined;
      s.foreignProviderOwner =
        !s.published &&
        this.deps.trustedProviderOwners &&
        providerOwner &&
        providerOwner !== groupRefOf(s.entity.spec.owner)
          ? providerOwner
          : undefined;
      if (s.foreignProviderOwner) {
        s.ownerMayPublish = false;
      }
      if (!s.ownerMayPublish && s.status === 'approved') {
        s.status = 'pending';
      }
    }
    await this.bindApprovals(byName, providers);
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

  /**
   * Approvals are bound to what was reviewed (issue 16), for catalog YAML
   * services and portal-published ones alike: a change of the reviewed parts
   * sends the service back to review while its subscribers keep the approved
   * version; the approval of a YAML service dies with its entity, so a later
   * import of the same ref starts over.
   */
  private async bindApprovals(
    byName: Map<string, DirectoryService>,
    providers: Map<string, ProviderEntityV1alpha1>,
  ) {
    const { publishing } = this.deps;
    if (!this.deps.requireApproval) {
      return;
    }
    const current = new Set([...byName.values()].map(s => s.ref));
    const gone = [...this.byName.values()]
      .filter(s => !s.published && !current.has(s.ref))
      .map(s => s.ref);
    if (gone.length > 0) {
      await publishing.deleteApprovals(gone);
    }
    for (const s of byName.values()) {
      const a = s.approval;
      if (!a) {
        continue;
      }
      const hash = reviewHash(s.entity, s.providerRef);
      if (a.status === 'approved' && !a.approvedHash) {
        // Approved before approvals were bound: this version is the reviewed one.
        await publishing.bindApproval(s.ref, { hash, entity: s.entity });
        s.approval = { ...a, approvedHash: hash, approvedEntity: s.entity };
        continue;
      }
      if (!a.approvedHash || !a.approvedEntity) {
        continue;
      }
      if (a.approvedHash === hash) {
        // A change waiting for review (or rejected) was undone: the approved
        // version it is.
        if (a.status === 'pending' && s.ownerMayPublish !== false) {
          s.status = 'approved';
        }
        if (a.status === 'approved' && a.rejectedHash) {
          await publishing.clearRejectedChange(s.ref, a.approvedHash);
          s.approval = { ...a, rejectedHash: null, reason: null };
        }
        continue;
      }
      if (a.status === 'approved' && a.rejectedHash === hash) {
        // An admin rejected this change: the approved version stays served.
        s.reviewEntity = s.entity;
        s.entity = a.approvedEntity;
        s.providerRef = providerRefOf(a.approvedEntity);
        s.provider = providers.get(s.providerRef);
        s.rejectedChange = {
          reason: a.reason,
          decidedBy: a.decidedBy,
          decidedAt: a.decidedAt,
        };
        continue;
      }
      if (a.status === 'approved') {
        await publishing.requeueChanged(s.ref, a.approvedHash);
        s.approval = (await publishing.getApproval(s.ref)) ?? a;
        this.deps.logger.info(
          `${s.ref} changed since its approval: back to review, its subscribers keep the approved version`,
        );
      }
      if (s.approval?.status === 'pending' && s.ownerMayPublish !== false) {
        s.reviewEntity = s.entity;
        s.entity = a.approvedEntity;
        // Billed to the approved provider, not one the change names.
        s.providerRef = providerRefOf(a.approvedEntity);
        s.provider = providers.get(s.providerRef);
        s.status = 'approved';
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
