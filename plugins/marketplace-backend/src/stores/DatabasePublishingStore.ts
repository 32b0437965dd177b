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
  Approval,
  ApprovalRow,
  priceKey,
  PricePoint,
  pricePointOf,
  PriceRow,
  PublishedRow,
  PublishedService,
  toApproval,
  toPricePoint,
  toPublished,
  toUnpublication,
  Unpublication,
  UnpublicationRow,
} from './publishingRecords';
import type { PublishingStore } from './PublishingStore';

/**
 * Portal-published services, the approval queue, unpublished services and the
 * price history.
 */
export class DatabasePublishingStore implements PublishingStore {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

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
        await this.insertPrice(tx, serviceRef, entity.spec.pricing, now);
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
        await this.recordPriceIn(tx, serviceRef, entity.spec.pricing, now);
      }
    });
    return this.getPublished({ id });
  }

  // --- approvals ----------------------------------------------------------

  async listApprovals(status?: ApprovalStatus): Promise<Approval[]> {
    const query = this.db<ApprovalRow>('service_approvals').orderBy([
      { column: 'submitted_at', order: 'asc' },
      { column: 'service_ref', order: 'asc' },
    ]);
    if (status) {
      query.where({ status });
    }
    return (await query).map(toApproval);
  }

  async getApproval(serviceRef: string): Promise<Approval | undefined> {
    const row = await this.db<ApprovalRow>('service_approvals')
      .where({ service_ref: serviceRef })
      .first();
    return row ? toApproval(row) : undefined;
  }

  /**
   * Queues services seen for the first time: `pending`, or `approved` when the
   * marketplace requires no approval. Existing rows are left alone, so several
   * instances may do this at once.
   */
  async ensureApprovals(
    serviceRefs: string[],
    status: ApprovalStatus,
  ): Promise<void> {
    const now = this.clock();
    for (let i = 0; i < serviceRefs.length; i += 100) {
      await this.db('service_approvals')
        .insert(
          serviceRefs.slice(i, i + 100).map(service_ref => ({
            service_ref,
            status,
            reason: null,
            submitted_at: now,
            decided_by: null,
            decided_at: status === 'pending' ? null : now,
          })),
        )
        .onConflict('service_ref')
        .ignore();
    }
  }

  /**
   * Records an admin's decision; undefined when the service was never seen.
   * An approval records the endpoint host it approved (`endpointHost`), so the
   * next review shows whether it changed. `onDecided` runs in the same
   * transaction with the state before and after (the audit log).
   */
  async decide(
    serviceRef: string,
    decision: {
      status: 'approved' | 'rejected';
      reason: string | null;
      endpointHost?: string | null;
      /** What was reviewed (catalog YAML services): bound to the approval. */
      reviewed?: { hash: string; entity: ModelServiceEntityV1alpha1 };
    },
    decidedBy: string,
    onDecided?: (
      tx: Knex.Transaction,
      before: Approval,
      after: Approval,
    ) => Promise<void>,
  ): Promise<Approval | undefined> {
    return this.db.transaction(async tx => {
      const row = await tx<ApprovalRow>('service_approvals')
        .where({ service_ref: serviceRef })
        .first();
      if (!row) {
        return undefined;
      }
      // Rejecting a change of a service whose approved version is live
      // rejects the change only: the approved version stays served, and the
      // rejected change stays out of review until its owners change it again.
      const rejectsChangeOnly =
        decision.status === 'rejected' &&
        !!row.approved_hash &&
        !!row.approved_entity_json &&
        !!decision.reviewed &&
        decision.reviewed.hash !== row.approved_hash;
      const changes = rejectsChangeOnly
        ? {
            status: 'approved',
            reason: decision.reason,
            decided_by: decidedBy,
            decided_at: this.clock(),
            rejected_hash: decision.reviewed!.hash,
          }
        : {
            status: decision.status,
            reason: decision.reason,
            decided_by: decidedBy,
            decided_at: this.clock(),
            rejected_hash: null,
            ...(decision.status === 'approved' && decision.endpointHost
              ? { approved_endpoint_host: decision.endpointHost }
              : {}),
            ...(decision.status === 'approved' && decision.reviewed
              ? {
                  approved_hash: decision.reviewed.hash,
                  approved_entity_json: JSON.stringify(
                    decision.reviewed.entity,
                  ),
                }
              : {}),
            // Rejecting the approved version itself ends it: nothing is served.
            ...(decision.status === 'rejected'
              ? { approved_hash: null, approved_entity_json: null }
              : {}),
          };
      await tx('service_approvals')
        .where({ service_ref: serviceRef })
        .update(changes);
      const after = toApproval({ ...row, ...changes });
      await onDecided?.(tx, toApproval(row), after);
      return after;
    });
  }

  /**
   * Binds an approval made before approvals were bound to what was reviewed:
   * the current version counts as the reviewed one.
   */
  async bindApproval(
    serviceRef: string,
    reviewed: { hash: string; entity: ModelServiceEntityV1alpha1 },
  ): Promise<void> {
    await this.db('service_approvals')
      .where({ service_ref: serviceRef, status: 'approved' })
      .whereNull('approved_hash')
      .update({
        approved_hash: reviewed.hash,
        approved_entity_json: JSON.stringify(reviewed.entity),
      });
  }

  /**
   * Sends a changed catalog YAML service back to review; the approved version
   * (hash and entity) stays, and is served meanwhile.
   */
  async requeueChanged(
    serviceRef: string,
    approvedHash: string,
  ): Promise<void> {
    await this.db('service_approvals')
      .where({ service_ref: serviceRef, approved_hash: approvedHash })
      .update({
        status: 'pending',
        reason: null,
        rejected_hash: null,
        submitted_at: this.clock(),
        decided_by: null,
        decided_at: null,
      });
  }

  /**
   * Its owners undid a rejected change: the approved version is all there is,
   * and the rejection's reason no longer applies.
   */
  async clearRejectedChange(
    serviceRef: string,
    approvedHash: string,
  ): Promise<void> {
    await this.db('service_approvals')
      .where({ service_ref: serviceRef, approved_hash: approvedHash })
      .whereNotNull('rejected_hash')
      .update({ rejected_hash: null, reason: null });
  }

  /** Approvals die with their entity: a later entity of that ref starts over. */
  async deleteApprovals(serviceRefs: string[]): Promise<void> {
    for (let i = 0; i < serviceRefs.length; i += 100) {
      await this.db('service_approvals')
        .whereIn('service_ref', serviceRefs.slice(i, i + 100))
        .del();
    }
  }

  /** Sends a service back to review (its endpoint changed). */
  async requeue(serviceRef: string): Promise<void> {
    await this.db('service_approvals')
      .where({ service_ref: serviceRef })
      .update({
        status: 'pending',
        reason: null,
        rejected_hash: null,
        submitted_at: this.clock(),
        decided_by: null,
        decided_at: null,
      });
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

  // --- prices -------------------------------------------------------------

  /** The current (latest) price of every service that has one. */
  async latestPrices(): Promise<Map<string, PricePoint>> {
    const rows = await this.db<PriceRow>('service_price_history').orderBy([
      { column: 'effective_from', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
    const latest = new Map<string, PricePoint>();
    for (const row of rows) {
      latest.set(row.service_ref, toPricePoint(row));
    }
    return latest;
  }

  async priceHistory(serviceRef: string): Promise<PricePoint[]> {
    const rows = await this.db<PriceRow>('service_price_history')
      .where({ service_ref: serviceRef })
      .orderBy([
        { column: 'effective_from', order: 'asc' },
        { column: 'id', order: 'asc' },
      ]);
    return rows.map(toPricePoint);
  }

  /**
   * Records the service's price if it differs from the latest one recorded (or
   * none is). Returns whether it did.
   */
  async recordPrice(
    serviceRef: string,
    pricing: ModelServicePricing,
  ): Promise<boolean> {
    return this.db.transaction(tx =>
      this.recordPriceIn(tx, serviceRef, pricing, this.clock()),
    );
  }

  private async recordPriceIn(
    tx: Knex.Transaction,
    serviceRef: string,
    pricing: ModelServicePricing,
    now: number,
  ): Promise<boolean> {
    const latest = await tx<PriceRow>('service_price_history')
      .where({ service_ref: serviceRef })
      .orderBy([
        { column: 'effective_from', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .first();
    if (
      latest &&
      priceKey(toPricePoint(latest)) === priceKey(pricePointOf(pricing))
    ) {
      return false;
    }
    await this.insertPrice(tx, serviceRef, pricing, now);
    return true;
  }

  private async insertPrice(
    tx: Knex | Knex.Transaction,
    serviceRef: string,
    pricing: ModelServicePricing,
    now: number,
  ) {
    await tx('service_price_history').insert({
      service_ref: serviceRef,
      prompt_per_1k_micros: pricing.promptPer1kMicros,
      completion_per_1k_micros: pricing.completionPer1kMicros,
      tiers_json: JSON.stringify(pricing.tiers ?? []),
      effective_from: now,
    });
  }
}
