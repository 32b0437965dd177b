import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApprovalStatus,
  ManagedService,
  marketplaceServicePublishPermission,
  PublishServiceResponse,
} from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../../stores/PublishingStore';
import { toPriceHistoryEntry } from '../../stores/publishingRecords';
import { ServiceTimesStore } from '../../stores/ServiceTimesStore';
import { reviewHash } from '../../catalog/reviewHash';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import {
  catalogLocationOf,
  DirectoryService,
  isLive,
} from '../../catalog/directoryService';
import { Access, Caller, resourceOf } from '../access';
import { toManagedService } from './managedService';
import {
  providerRefOf,
  PublishedEntityBody,
  PublishedEntityChecks,
} from './PublishedEntityChecks';
import { PublishingNotices } from './PublishingNotices';

// The `Idempotency-Key` header: the document gives its length; which
// characters it may hold is checked here, with a message saying so.
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** JSON with sorted keys: equal for equal values. */
function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(
          Object.keys(v)
            .sort()
            .map(k => [k, v[k]]),
        )
      : v,
  );
}

/** Whether a new service may take a name, and why not. */
export interface ServiceNameAvailability {
  name: string;
  available: boolean;
  reason?: string;
}

export interface PublishingServiceOptions {
  access: Access;
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  directory: ServiceDirectory;
  publishing: PublishingStore;
  checks: PublishedEntityChecks;
  notices: PublishingNotices;
  logger: LoggerService;
  auth: AuthService;
  /** createdAt / updatedAt of every service (catalog YAML ones too). */
  serviceTimes?: Pick<ServiceTimesStore, 'get'>;
  /** Whether new services wait for an admin's approval. */
  requireApproval: boolean;
}

/**
 * The Provider Management API's domain: providers publish and update their
 * model services (retiring one is {@link ServiceRetirement}); what the
 * gateway serves changes through the publishing store and the service
 * directory, reviewed per `marketplace.publishing.requireApproval`.
 */
export class PublishingService {
  constructor(private readonly options: PublishingServiceOptions) {}

  private managed(s: DirectoryService): ManagedService {
    return toManagedService(s, this.options.serviceTimes);
  }

  private async withHistory(s: DirectoryService): Promise<ManagedService> {
    const history = await this.options.publishing.priceHistory(s.ref);
    return toManagedService(s, this.options.serviceTimes, {
      priceHistory: history.map(toPriceHistoryEntry),
    });
  }

  /** A service by published id or name, if the caller may manage it. */
  async managedService(me: Caller, id: string): Promise<DirectoryService> {
    const { access, directory, publishing } = this.options;
    let name: string | undefined = id;
    if (UUID.test(id)) {
      name = (await publishing.getPublished({ id: id.toLocaleLowerCase() }))
        ?.name;
    }
    const s = name ? await directory.get(name) : undefined;
    if (!s) {
      throw new NotFoundError(`No model service '${id}'`);
    }
    if (!(await access.mayManage(me, resourceOf(s)))) {
      // Services under review are not visible to others at all.
      if (!isLive(s)) {
        throw new NotFoundError(`No model service '${id}'`);
      }
      throw new NotAllowedError(
        `Only members of ${s.entity.spec.owner} (or admins) may manage ${s.name}`,
      );
    }
    return s;
  }

  /**
   * Publishes a new service. A repeated request (the same Idempotency-Key,
   * or the same body by the same user) gets the service it created the first
   * time, with 200.
   */
  async publish(
    me: Caller,
    body: PublishedEntityBody,
    idempotencyKeyHeader: string | undefined,
  ): Promise<{ status: 200 | 201; response: PublishServiceResponse }> {
    const { access, checks, directory, publishing, logger } = this.options;
    if (!(await access.allowed(me, marketplaceServicePublishPermission))) {
      throw new NotAllowedError(
        'Publishing services needs the provider role: ask the platform admins to add your team',
      );
    }
    // Its shape (1-200 printable ASCII characters) is checked by the document.
    const idempotencyKey = idempotencyKeyHeader ?? null;
    const entity = await checks.validEntity(body);
    const { owner, providerRef } = await checks.checkOwnership(me, entity);
    const name = entity.metadata.name;

    const replay = async (): Promise<PublishServiceResponse | undefined> => {
      let previous = idempotencyKey
        ? await publishing.findByIdempotencyKey(me.userRef, idempotencyKey)
        : undefined;
      if (previous && previous.name !== name) {
        throw new ConflictError(
          `The Idempotency-Key '${idempotencyKey}' was already used to publish ${previous.name}`,
        );
      }
      if (!previous) {
        const byName = await publishing.getPublished({ name });
        if (
          byName &&
          byName.createdBy === me.userRef &&
          byName.owner === owner &&
          canonicalJson(byName.entity) === canonicalJson(entity)
        ) {
          previous = byName;
        }
      }
      const s = previous && (await directory.get(previous.name));
      if (!s?.published) {
        return undefined;
      }
      return {
        id: s.published.id,
        entityRef: s.ref,
        status: s.status,
        service: this.managed(s),
      };
    };
    const repeated = await replay();
    if (repeated) {
      return { status: 200, response: repeated };
    }

    const ref = `modelservice:default/${name}`;
    const clash =
      (await directory.get(name)) ??
      (await this.options.catalog.getEntityByRef(ref, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      }));
    if (clash) {
      throw new ConflictError(
        `A model service named '${name}' already exists: choose another metadata.name`,
      );
    }
    const status: ApprovalStatus = this.options.requireApproval
      ? 'pending'
      : 'approved';
    let published;
    try {
      published = await publishing.publish({
        entity,
        owner,
        providerRef,
        createdBy: me.userRef,
        idempotencyKey,
        status,
      });
    } catch (error) {
      // A concurrent identical request won: answer like a repeat.
      if (error instanceof ConflictError) {
        await directory.refresh();
        const winner = await replay();
        if (winner) {
          return { status: 200, response: winner };
        }
      }
      throw error;
    }
    await directory.refresh();
    await this.options.notices.announce({
      serviceRef: ref,
      entity: published.entity,
      approvalStatus: status,
    });
    const s = directory.getByRef(ref);
    if (!s) {
      throw new Error(`${ref} was stored but is not in the directory`);
    }
    logger.info(`${me.userRef} published ${ref} for ${owner} (${status})`);
    return {
      status: 201,
      response: {
        id: published.id,
        entityRef: ref,
        status: s.status,
        service: this.managed(s),
      },
    };
  }

  /** The services the caller may manage, by name. */
  async list(me: Caller): Promise<ManagedService[]> {
    const { access, directory } = this.options;
    const decision = await access.manageDecision(me);
    return directory
      .list()
      .filter(s => access.canManage(decision, resourceOf(s)))
      .sort((a, b) => a.name.localeCompare(b.name))
      .map(s => this.managed(s));
  }

  /**
   * Whether a new service may take a name (the "Publish LLM service" form asks
   * before submitting). Pending and rejected services keep their names, so
   * this also sees the ones hidden from the caller.
   */
  async nameAvailability(name: string): Promise<ServiceNameAvailability> {
    const lowercase = name.toLocaleLowerCase('en-US');
    if (lowercase !== name) {
      return {
        name,
        available: false,
        reason:
          'Use lowercase letters: the name is also the model callers send',
      };
    }
    const ref = `modelservice:default/${name}`;
    const taken =
      (await this.options.directory.get(name)) ??
      (await this.options.publishing.getPublished({ name })) ??
      (await this.options.catalog.getEntityByRef(ref, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      }));
    return taken
      ? {
          name,
          available: false,
          reason: `A model service named '${name}' already exists: choose another name`,
        }
      : { name, available: true };
  }

  /** One managed service with its price history. */
  async get(me: Caller, id: string): Promise<ManagedService> {
    return this.withHistory(await this.managedService(me, id));
  }

  /**
   * Replaces a portal-published service's entity. What the gateway calls,
   * with which credential, at which prices, for whom, is reviewed again: an
   * approved service keeps serving its approved version until then (the
   * directory binds approvals to what was reviewed). A rejected one goes back
   * to the queue once its reviewed parts change.
   */
  async update(
    me: Caller,
    id: string,
    body: PublishedEntityBody,
  ): Promise<ManagedService> {
    const { checks, directory, publishing, notices, requireApproval } =
      this.options;
    const s = await this.managedService(me, id);
    if (!s.published) {
      throw new ConflictError(
        `${s.name} comes from catalog YAML: edit the catalog-info.yaml in ${
          catalogLocationOf(s) ?? 'its repository'
        }`,
      );
    }
    const entity = await checks.validEntity(body);
    if (entity.metadata.name !== s.name) {
      throw new InputError(
        `Invalid body field 'entity.metadata.name': a service cannot be renamed (it is the model callers send); keep '${s.name}'`,
      );
    }
    const refs = await checks.checkOwnership(me, entity);
    const submitted = s.reviewEntity ?? s.entity;
    await publishing.update(s.published.id, entity, refs, {
      // Served prices are recorded when served: a change waiting for review is not.
      recordPrice: !requireApproval,
    });
    if (
      requireApproval &&
      s.approval?.status === 'rejected' &&
      reviewHash(submitted, providerRefOf(submitted)) !==
        reviewHash(entity, providerRefOf(entity))
    ) {
      await publishing.requeue(s.ref);
    }
    await directory.refresh();
    const updated = directory.getByRef(s.ref) ?? s;
    await notices.announce({
      serviceRef: s.ref,
      // The catalog shows what is served.
      entity: updated.entity,
      approvalStatus: updated.status,
    });
    await notices.refreshCatalogEntity(s.ref);
    return this.withHistory(updated);
  }
}
