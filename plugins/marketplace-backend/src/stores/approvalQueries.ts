import {
  ApprovalStatus,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import {
  Approval,
  ApprovalRow,
  PublishingDb,
  toApproval,
} from './publishingRecords';
import type { ApprovalDecision, OnDecided } from './PublishingStore';

/*
 * The review queue (`service_approvals`): services and Providers waiting for
 * an admin, the decisions, and approvals bound to the version that was
 * reviewed. Used by DatabasePublishingStore.
 */

export async function listApprovals(
  s: PublishingDb,
  status?: ApprovalStatus,
): Promise<Approval[]> {
  const query = s.db<ApprovalRow>('service_approvals').orderBy([
    { column: 'submitted_at', order: 'asc' },
    { column: 'service_ref', order: 'asc' },
  ]);
  if (status) {
    query.where({ status });
  }
  return (await query).map(toApproval);
}

export async function getApproval(
  s: PublishingDb,
  serviceRef: string,
): Promise<Approval | undefined> {
  const row = await s
    .db<ApprovalRow>('service_approvals')
    .where({ service_ref: serviceRef })
    .first();
  return row ? toApproval(row) : undefined;
}

/**
 * Queues services seen for the first time: `pending`, or `approved` when the
 * marketplace requires no approval. Existing rows are left alone, so several
 * instances may do this at once.
 */
export async function ensureApprovals(
  s: PublishingDb,
  serviceRefs: string[],
  status: ApprovalStatus,
): Promise<void> {
  const now = s.clock();
  for (let i = 0; i < serviceRefs.length; i += 100) {
    await s
      .db('service_approvals')
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
export async function decide(
  s: PublishingDb,
  serviceRef: string,
  decision: ApprovalDecision,
  decidedBy: string,
  onDecided?: OnDecided,
): Promise<Approval | undefined> {
  return s.db.transaction(async tx => {
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
          decided_at: s.clock(),
          rejected_hash: decision.reviewed!.hash,
        }
      : {
          status: decision.status,
          reason: decision.reason,
          decided_by: decidedBy,
          decided_at: s.clock(),
          rejected_hash: null,
          ...(decision.status === 'approved' && decision.endpointHost
            ? { approved_endpoint_host: decision.endpointHost }
            : {}),
          ...(decision.status === 'approved' && decision.reviewed
            ? {
                approved_hash: decision.reviewed.hash,
                approved_entity_json: JSON.stringify(decision.reviewed.entity),
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
export async function bindApproval(
  s: PublishingDb,
  serviceRef: string,
  reviewed: { hash: string; entity: ModelServiceEntityV1alpha1 },
): Promise<void> {
  await s
    .db('service_approvals')
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
export async function requeueChanged(
  s: PublishingDb,
  serviceRef: string,
  approvedHash: string,
): Promise<void> {
  await s
    .db('service_approvals')
    .where({ service_ref: serviceRef, approved_hash: approvedHash })
    .update({
      status: 'pending',
      reason: null,
      rejected_hash: null,
      submitted_at: s.clock(),
      decided_by: null,
      decided_at: null,
    });
}

/**
 * Its owners undid a rejected change: the approved version is all there is,
 * and the rejection's reason no longer applies.
 */
export async function clearRejectedChange(
  s: PublishingDb,
  serviceRef: string,
  approvedHash: string,
): Promise<void> {
  await s
    .db('service_approvals')
    .where({ service_ref: serviceRef, approved_hash: approvedHash })
    .whereNotNull('rejected_hash')
    .update({ rejected_hash: null, reason: null });
}

/** Approvals die with their entity: a later entity of that ref starts over. */
export async function deleteApprovals(
  s: PublishingDb,
  serviceRefs: string[],
): Promise<void> {
  for (let i = 0; i < serviceRefs.length; i += 100) {
    await s
      .db('service_approvals')
      .whereIn('service_ref', serviceRefs.slice(i, i + 100))
      .del();
  }
}

/** Sends a service back to review (its endpoint changed). */
export async function requeue(
  s: PublishingDb,
  serviceRef: string,
): Promise<void> {
  await s.db('service_approvals').where({ service_ref: serviceRef }).update({
    status: 'pending',
    reason: null,
    rejected_hash: null,
    submitted_at: s.clock(),
    decided_by: null,
    decided_at: null,
  });
}
