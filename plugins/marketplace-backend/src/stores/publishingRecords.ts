import {
  ApprovalStatus,
  ModelServiceEntityV1alpha1,
  ModelServicePricing,
  PriceHistoryEntry,
  PricingTier,
} from '@internal/plugin-marketplace-common';
import type { Knex } from 'knex';
import { num, numOrNull } from '../lib/numbers';

/*
 * Portal-published services, approvals, unpublications and price points: the records PublishingStore answers with, and their rows.
 */

/** What the publishing store's queries run on: its database and its clock. */
export interface PublishingDb {
  db: Knex;
  clock: () => number;
}

/** A service published through the portal. */
export interface PublishedService {
  id: string;
  name: string;
  entity: ModelServiceEntityV1alpha1;
  owner: string;
  providerRef: string;
  createdBy: string;
  idempotencyKey: string | null;
  createdAt: number;
  updatedAt: number;
}

export interface Approval {
  serviceRef: string;
  status: ApprovalStatus;
  reason: string | null;
  submittedAt: number;
  decidedBy: string | null;
  decidedAt: number | null;
  /** Host of the service's endpoint when an admin last approved it. */
  approvedEndpointHost: string | null;
  /** Hash of the reviewed parts of what an admin last approved (catalog YAML services). */
  approvedHash: string | null;
  /** What an admin last approved, served while a change waits for review. */
  approvedEntity: ModelServiceEntityV1alpha1 | null;
  /**
   * Hash of a change an admin rejected while the approved version stayed
   * served (the approval is still `approved`); null when none.
   */
  rejectedHash: string | null;
}

export interface Unpublication {
  serviceRef: string;
  unpublishedAt: number;
  sunsetAt: number;
  unpublishedBy: string;
  /** The service its owner names as the one to move to, if any. */
  successorRef: string | null;
}

export interface PricePoint {
  promptPer1kMicros: number;
  completionPer1kMicros: number;
  tiers: PricingTier[];
  effectiveFrom: number;
}

export interface PublishedRow {
  id: string;
  name: string;
  entity_json: string;
  owner: string;
  provider_ref: string;
  created_by: string;
  idempotency_key: string | null;
  created_at: number | string;
  updated_at: number | string;
}

export interface ApprovalRow {
  service_ref: string;
  status: string;
  reason: string | null;
  submitted_at: number | string;
  decided_by: string | null;
  decided_at: number | string | null;
  approved_endpoint_host?: string | null;
  approved_hash?: string | null;
  approved_entity_json?: string | null;
  rejected_hash?: string | null;
}

export interface UnpublicationRow {
  service_ref: string;
  unpublished_at: number | string;
  sunset_at: number | string;
  unpublished_by: string;
  successor_ref?: string | null;
}

export interface PriceRow {
  service_ref: string;
  prompt_per_1k_micros: number | string;
  completion_per_1k_micros: number | string;
  tiers_json: string;
  effective_from: number | string;
}

export function toPublished(row: PublishedRow): PublishedService {
  return {
    id: row.id,
    name: row.name,
    entity: JSON.parse(row.entity_json),
    owner: row.owner,
    providerRef: row.provider_ref,
    createdBy: row.created_by,
    idempotencyKey: row.idempotency_key,
    createdAt: num(row.created_at),
    updatedAt: num(row.updated_at),
  };
}

export function toApproval(row: ApprovalRow): Approval {
  return {
    serviceRef: row.service_ref,
    status: row.status as ApprovalStatus,
    reason: row.reason,
    submittedAt: num(row.submitted_at),
    decidedBy: row.decided_by,
    decidedAt: numOrNull(row.decided_at),
    approvedEndpointHost: row.approved_endpoint_host ?? null,
    approvedHash: row.approved_hash ?? null,
    approvedEntity: row.approved_entity_json
      ? JSON.parse(row.approved_entity_json)
      : null,
    rejectedHash: row.rejected_hash ?? null,
  };
}

export function toUnpublication(row: UnpublicationRow): Unpublication {
  return {
    serviceRef: row.service_ref,
    unpublishedAt: num(row.unpublished_at),
    sunsetAt: num(row.sunset_at),
    unpublishedBy: row.unpublished_by,
    successorRef: row.successor_ref ?? null,
  };
}

export function toPricePoint(row: PriceRow): PricePoint {
  return {
    promptPer1kMicros: num(row.prompt_per_1k_micros),
    completionPer1kMicros: num(row.completion_per_1k_micros),
    tiers: JSON.parse(row.tiers_json),
    effectiveFrom: num(row.effective_from),
  };
}

/** The prices of a service in a form that compares by value. */
export function priceKey(
  p: Pick<PricePoint, 'promptPer1kMicros' | 'completionPer1kMicros' | 'tiers'>,
): string {
  return JSON.stringify([
    p.promptPer1kMicros,
    p.completionPer1kMicros,
    (p.tiers ?? []).map(t => [
      t.fromMonthlyTokens,
      t.promptPer1kMicros,
      t.completionPer1kMicros,
    ]),
  ]);
}

export function pricePointOf(pricing: ModelServicePricing) {
  return {
    promptPer1kMicros: pricing.promptPer1kMicros,
    completionPer1kMicros: pricing.completionPer1kMicros,
    tiers: pricing.tiers ?? [],
  };
}

export function toPriceHistoryEntry(p: PricePoint): PriceHistoryEntry {
  return {
    promptPer1kMicros: p.promptPer1kMicros,
    completionPer1kMicros: p.completionPer1kMicros,
    tiers: p.tiers,
    effectiveFrom: new Date(p.effectiveFrom).toISOString(),
  };
}
