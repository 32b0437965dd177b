import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ApprovalStatus,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../stores/PublishingStore';
import { Approval } from '../stores/publishingRecords';
import { reviewHash } from './reviewHash';
import {
  DirectoryService,
  groupRefOf,
  providerRefOf,
} from './directoryService';

/*
 * The review state of the services and Providers of a ServiceDirectory load:
 * what is seen for the first time is queued for review, each service gets its
 * approval, unpublication and whether its owner may publish, and approvals are
 * bound to the version that was reviewed (issue 16).
 */

/** What the review steps need of the directory's dependencies (documented on ServiceDirectory). */
export interface ReviewDeps {
  logger: LoggerService;
  publishing: PublishingStore;
  requireApproval: boolean;
  trustedProviderOwners?: string[];
  onQueued?: (
    queued: Array<{ ref: string; status: ApprovalStatus }>,
  ) => Promise<void>;
}

function trustedOwners(deps: ReviewDeps): Set<string> {
  return new Set(
    (deps.trustedProviderOwners ?? []).map(g => g.toLocaleLowerCase('en-US')),
  );
}

/**
 * Queues the services and Providers seen for the first time for review
 * (services `pending`, or `approved` when approval is not required; Providers
 * `approved` only when a trusted group owns them) and tells `onQueued`.
 * Returns the approval of every ref.
 */
export async function queueUnseenForReview(
  deps: ReviewDeps,
  byName: Map<string, DirectoryService>,
  providers: Map<string, ProviderEntityV1alpha1>,
): Promise<Map<string, Approval>> {
  const { publishing, logger } = deps;
  const approvals = new Map(
    (await publishing.listApprovals()).map(a => [a.serviceRef, a]),
  );
  const unseen = [...byName.values()]
    .map(s => s.ref)
    .concat([...providers.keys()])
    .filter(ref => !approvals.has(ref));
  const trusted = trustedOwners(deps);
  if (unseen.length > 0) {
    const providerTrusted = (ref: string) => {
      const owner = providers.get(ref)?.spec.owner;
      return !!owner && trusted.has(groupRefOf(owner));
    };
    const unseenProviders = unseen.filter(ref => providers.has(ref));
    await publishing.ensureApprovals(
      unseen.filter(ref => !providers.has(ref)),
      deps.requireApproval ? 'pending' : 'approved',
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
    await deps
      .onQueued?.(queued)
      .catch(e =>
        logger.warn(`Could not announce the services queued for review: ${e}`),
      );
  }
  return approvals;
}

/**
 * Sets each service's review state: its approval and unpublication, whether
 * its owner may publish (a trusted group or the owner of an approved
 * Provider) and whether it names another team's Provider; a service that may
 * not be served is not approved.
 */
export async function applyReviewState(
  deps: ReviewDeps,
  byName: Map<string, DirectoryService>,
  providers: Map<string, ProviderEntityV1alpha1>,
  approvals: Map<string, Approval>,
): Promise<void> {
  const { publishing } = deps;
  const trusted = trustedOwners(deps);
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
      !deps.trustedProviderOwners ||
      publishers.has(groupRefOf(s.entity.spec.owner));
    // Nor may it name another team's Provider: the credentials bound to a
    // Provider would go to an endpoint of the team's choosing (issue 14).
    // (Portal-published services: the publisher must own both, checked then.)
    const providerOwner = s.provider
      ? groupRefOf(s.provider.spec.owner)
      : undefined;
    s.foreignProviderOwner =
      !s.published &&
      deps.trustedProviderOwners &&
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
}

/**
 * Approvals are bound to what was reviewed (issue 16), for catalog YAML
 * services and portal-published ones alike: a change of the reviewed parts
 * sends the service back to review while its subscribers keep the approved
 * version; the approval of a YAML service dies with its entity, so a later
 * import of the same ref starts over. `previous` are the services of the last
 * load.
 */
export async function bindApprovals(
  deps: ReviewDeps,
  previous: Iterable<DirectoryService>,
  byName: Map<string, DirectoryService>,
  providers: Map<string, ProviderEntityV1alpha1>,
): Promise<void> {
  const { publishing } = deps;
  if (!deps.requireApproval) {
    return;
  }
  const current = new Set([...byName.values()].map(s => s.ref));
  const gone = [...previous]
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
      deps.logger.info(
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
