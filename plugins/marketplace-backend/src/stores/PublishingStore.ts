import type {
  ApprovalStatus,
  ModelServiceEntityV1alpha1,
  ModelServicePricing,
} from '@internal/plugin-marketplace-common';
import type { Knex } from 'knex';
import type {
  Approval,
  PricePoint,
  PublishedService,
  Unpublication,
} from './publishingRecords';

/** An admin's decision on a service (`PublishingStore.decide`). */
export interface ApprovalDecision {
  status: 'approved' | 'rejected';
  reason: string | null;
  endpointHost?: string | null;
  /** What was reviewed (catalog YAML services): bound to the approval. */
  reviewed?: {
    hash: string;
    entity: ModelServiceEntityV1alpha1;
  };
}

/** Runs in the decision's transaction with the state before and after (the audit log). */
export type OnDecided = (
  tx: Knex.Transaction,
  before: Approval,
  after: Approval,
) => Promise<void>;

/**
 * Services published through the portal, the approval queue, unpublications and the price history.
 */
export interface PublishingStore {
  listPublished(): Promise<PublishedService[]>;
  getPublished(
    by:
      | {
          id: string;
        }
      | {
          name: string;
        },
  ): Promise<PublishedService | undefined>;
  findByIdempotencyKey(
    userRef: string,
    key: string,
  ): Promise<PublishedService | undefined>;
  /**
   * Stores a newly published service with its approval row and first price, in
   * one transaction. A name that is taken is a ConflictError.
   */
  publish(options: {
    entity: ModelServiceEntityV1alpha1;
    owner: string;
    providerRef: string;
    createdBy: string;
    idempotencyKey: string | null;
    status: ApprovalStatus;
  }): Promise<PublishedService>;
  /**
   * Replaces the entity of a published service; records a price change unless
   * told not to (a change that waits for review is not served yet).
   */
  update(
    id: string,
    entity: ModelServiceEntityV1alpha1,
    refs: {
      owner: string;
      providerRef: string;
    },
    options?: {
      recordPrice?: boolean;
    },
  ): Promise<PublishedService | undefined>;
  listApprovals(status?: ApprovalStatus): Promise<Approval[]>;
  getApproval(serviceRef: string): Promise<Approval | undefined>;
  /**
   * Queues services seen for the first time: `pending`, or `approved` when the
   * marketplace requires no approval. Existing rows are left alone, so several
   * instances may do this at once.
   */
  ensureApprovals(serviceRefs: string[], status: ApprovalStatus): Promise<void>;
  /**
   * Records an admin's decision; undefined when the service was never seen.
   * An approval records the endpoint host it approved (`endpointHost`), so the
   * next review shows whether it changed. `onDecided` runs in the same
   * transaction with the state before and after (the audit log).
   */
  decide(
    serviceRef: string,
    decision: ApprovalDecision,
    decidedBy: string,
    onDecided?: OnDecided,
  ): Promise<Approval | undefined>;
  /**
   * Binds an approval made before approvals were bound to what was reviewed:
   * the current version counts as the reviewed one.
   */
  bindApproval(
    serviceRef: string,
    reviewed: {
      hash: string;
      entity: ModelServiceEntityV1alpha1;
    },
  ): Promise<void>;
  /**
   * Sends a changed catalog YAML service back to review; the approved version
   * (hash and entity) stays, and is served meanwhile.
   */
  requeueChanged(serviceRef: string, approvedHash: string): Promise<void>;
  /**
   * Its owners undid a rejected change: the approved version is all there is,
   * and the rejection's reason no longer applies.
   */
  clearRejectedChange(serviceRef: string, approvedHash: string): Promise<void>;
  /** Approvals die with their entity: a later entity of that ref starts over. */
  deleteApprovals(serviceRefs: string[]): Promise<void>;
  /** Sends a service back to review (its endpoint changed). */
  requeue(serviceRef: string): Promise<void>;
  listUnpublications(): Promise<Unpublication[]>;
  /** Marks a service unpublished; a service already unpublished is a ConflictError. */
  unpublish(
    serviceRef: string,
    sunsetAt: number,
    unpublishedBy: string,
    successorRef?: string | null,
  ): Promise<Unpublication>;
  /** The current (latest) price of every service that has one. */
  latestPrices(): Promise<Map<string, PricePoint>>;
  priceHistory(serviceRef: string): Promise<PricePoint[]>;
  /**
   * Records the service's price if it differs from the latest one recorded (or
   * none is). Returns whether it did.
   */
  recordPrice(
    serviceRef: string,
    pricing: ModelServicePricing,
  ): Promise<boolean>;
}

export * from './DatabasePublishingStore';
