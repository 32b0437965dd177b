import { ConflictError } from '@backstage/errors';
import {
  ApprovalStatus,
  ModelServiceEntityV1alpha1,
  ModelServicePricing,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { isUniqueViolation } from './SubscriptionStore';
import {
  bindApproval,
  clearRejectedChange,
  decide,
  deleteApprovals,
  ensureApprovals,
  getApproval,
  listApprovals,
  requeue,
  requeueChanged,
} from './approvalQueries';
import {
  insertPrice,
  latestPrices,
  priceHistory,
  recordPrice,
  recordPriceIn,
} from './priceHistoryQueries';
import {
  Approval,
  PricePoint,
  PublishedRow,
  PublishedService,
  PublishingDb,
  toPublished,
  toUnpublication,
  Unpublication,
  UnpublicationRow,
} from './publishingRecords';
import type {
  ApprovalDecision,
  OnDecided,
  PublishingStore,
} from './PublishingStore';

/**
 * Portal-published services, the approval queue, unpublished services and the
 * price history. The queries of the approval queue are in approvalQueries.ts,
 * those of the price history in priceHistoryQueries.ts; each method is
 * documented on {@link PublishingStore}.
 */
export class DatabasePublishingStore implements PublishingStore {
  /** What the query modules run on. */
  private readonly tables: PublishingDb;

  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {
    this.tables = { db, clock };
  }

  // --- published services ---------------------------------------------------

  async listPublished(): Promise<PublishedService[]> {
    const rows = await this.db<PublishedRow>('published_services').orderBy(
      'name',
    );
    return rows.map(toPublished);
  }

  async getPublished(
    by: { id: string } | { name: string },
  ): Promise<PublishedService | undefined> {
    const row = await this.db<PublishedRow>('published_services')
      .where('id' in by ? { id: by.id } : { name: by.name })
      .first();
    return row ? toPublished(row) : undefined;
  }

  async findByIdempotencyKey(
    userRef: string,
    key: string,
  ): Promise<PublishedService | undefined> {
    const row = await this.db<PublishedRow>('published_services')
      .where({ created_by: userRef, idempotency_key: key })
      .first();
    return row ? toPublished(row) : undefined;
  }

  /**
   * Stores a newly published service with its approval row and first price, in
   * one transaction. A name that is taken is a ConflictError.
   */
  async publish(options: {
    entity: ModelServiceEntityV1alpha1;
    owner: string;
    providerRef: string;
    createdBy: string;
    idempotencyKey: string | null;
    status: ApprovalStatus;
  }): Promise<PublishedService> {
    const now = this.clock();
    const { entity } = options;
    const row: PublishedRow = {
      id: randomUUID(),
      name: entity.metadata.name,
      entity_json: JSON.stringify(entity),
      owner: options.owner,
      provider_ref: options.providerRef,
      created_by: options.createdBy,
      idempotency_key: options.idempotencyKey,
      created_at: now,
      updated_at: now,
    };
    const serviceRef = `modelservice:default/${entity.metadata.name}`;
    try {
      await this.db.transaction(async tx => {
        await tx('published_services').insert(row);
        // A leftover review state of an earlier service of that name does not count.
        await tx('service_approvals').where({ service_ref: serviceRef }).del();
        await tx('service_approvals').insert({
          service_ref: serviceRef,
          status: options.status,
          reason: null,
          submitted_at: now,
          decided_by: null,
          decided_at: options.status === 'pending' ? null : now,
        });
        await insertPrice(tx, serviceRef, entity.spec.pricing, now);
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(
          `A model service named '${entity.metadata.name}' already exists`,
        );
      }
      throw e;
    }
    return toPublished(row);
  }

  /**
   * Replaces the entity of a published service; records a price change unless
   * told not to (a change that waits for review is not served yet).
   */
  async update(
    id: string,
    entity: ModelServiceEntityV1alpha1,
    refs: { owner: string; providerRef: string },
    options: { recordPrice?: boolean } = {},
  ): Promise<PublishedService | undefined> {
    const now = this.clock();
    const serviceRef = `modelservice:default/${entity.metadata.name}`;
    await this.db.transaction(async tx => {
      await tx('published_services')
        .where({ id })
        .update({
          entity_json: JSON.stringify(entity),
          owner: refs.owner,
          provider_ref: refs.providerRef,
          updated_at: now,
        });
      if (options.recordPrice ?? true) {
        await recordPriceIn(tx, serviceRef, entity.spec.pricing, now);
      }
    });
    return this.getPublished({ id });
  }

  // --- approvals (approvalQueries.ts) ---------------------------------------

  listApprovals(status?: ApprovalStatus): Promise<Approval[]> {
    return listApprovals(this.tables, status);
  }

  getApproval(serviceRef: string): Promise<Approval | undefined> {
    return getApproval(this.tables, serviceRef);
  }

  ensureApprovals(
    serviceRefs: string[],
    status: ApprovalStatus,
  ): Promise<void> {
    return ensureApprovals(this.tables, serviceRefs, status);
  }

  decide(
    serviceRef: string,
    decision: ApprovalDecision,
    decidedBy: string,
    onDecided?: OnDecided,
  ): Promise<Approval | undefined> {
    return decide(this.tables, serviceRef, decision, decidedBy, onDecided);
  }

  bindApproval(
    serviceRef: string,
    reviewed: { hash: string; entity: ModelServiceEntityV1alpha1 },
  ): Promise<void> {
    return bindApproval(this.tables, serviceRef, reviewed);
  }

  requeueChanged(serviceRef: string, approvedHash: string): Promise<void> {
    return requeueChanged(this.tables, serviceRef, approvedHash);
  }

  clearRejectedChange(serviceRef: string, approvedHash: string): Promise<void> {
    return clearRejectedChange(this.tables, serviceRef, approvedHash);
  }

  deleteApprovals(serviceRefs: string[]): Promise<void> {
    return deleteApprovals(this.tables, serviceRefs);
  }

  requeue(serviceRef: string): Promise<void> {
    return requeue(this.tables, serviceRef);
  }

  // --- unpublished services ----------------------------------------------

  async listUnpublications(): Promise<Unpublication[]> {
    const rows = await this.db<UnpublicationRow>('service_unpublications');
    return rows.map(toUnpublication);
  }

  /** Marks a service unpublished; a service already unpublished is a ConflictError. */
  async unpublish(
    serviceRef: string,
    sunsetAt: number,
    unpublishedBy: string,
    successorRef: string | null = null,
  ): Promise<Unpublication> {
    const row: UnpublicationRow = {
      service_ref: serviceRef,
      unpublished_at: this.clock(),
      sunset_at: sunsetAt,
      unpublished_by: unpublishedBy,
      successor_ref: successorRef,
    };
    try {
      await this.db('service_unpublications').insert(row);
    } catch (e) {
      if (isUniqueViolation(e)) {
        throw new ConflictError(`${serviceRef} is already unpublished`);
      }
      throw e;
    }
    return toUnpublication(row);
  }

  // --- prices (priceHistoryQueries.ts) --------------------------------------

  latestPrices(): Promise<Map<string, PricePoint>> {
    return latestPrices(this.tables);
  }

  priceHistory(serviceRef: string): Promise<PricePoint[]> {
    return priceHistory(this.tables, serviceRef);
  }

  recordPrice(
    serviceRef: string,
    pricing: ModelServicePricing,
  ): Promise<boolean> {
    return recordPrice(this.tables, serviceRef, pricing);
  }
}
