import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ApprovalStatus,
  PROVIDER_KIND,
  ModelServiceEntityV1alpha1,
  ProviderEntityV1alpha1,
  ServicePublication,
} from '@internal/plugin-marketplace-common';
import {
  Approval,
  PublishedService,
  Unpublication,
} from '../stores/publishingRecords';
import { iso } from '../lib/periods';

/*
 * A service of the catalog view and what is asked of one: live, in its sunset,
 * servable, where it was published from, its publication state.
 */

/** A ModelService as the gateway and the REST API see it. */
export interface DirectoryService {
  /** `model` for the gateway: the entity's name. */
  name: string;
  ref: string;
  providerRef: string;
  entity: ModelServiceEntityV1alpha1;
  provider?: ProviderEntityV1alpha1;
  /** Review state: only approved services are public. */
  status: ApprovalStatus;
  approval?: Approval;
  /** Set once its owners unpublished it. */
  unpublication?: Unpublication;
  /** Set for services published through the portal (else it is catalog YAML). */
  published?: PublishedService;
  /**
   * Whether the owner may publish (a provider or admin group, or the owner of
   * an approved Provider); a catalog YAML service of another owner is never
   * served, nor approved.
   */
  ownerMayPublish?: boolean;
  /**
   * Set (to the Provider's owner) for a catalog YAML service whose owner does
   * not own the Provider it names: a team cannot speak for another team's
   * Provider, nor so use its credentials. Never served, nor approved.
   */
  foreignProviderOwner?: string;
  /**
   * A changed service (catalog YAML or edited in the portal) waiting for
   * review: `entity` is the approved version (served, billed, shown), this the
   * new one (reviewed).
   */
  reviewEntity?: ModelServiceEntityV1alpha1;
  /**
   * Set when an admin rejected the change in `reviewEntity`: the approved
   * version (`entity`) stays served, and the change stays out of review until
   * its owners change the service again.
   */
  rejectedChange?: {
    reason: string | null;
    decidedBy: string | null;
    decidedAt: number | null;
  };
}

/**
 * In browse and the service lists, and open to new subscriptions: approved and
 * not unpublished.
 */
export function isLive(s: DirectoryService): boolean {
  return s.status === 'approved' && !s.unpublication;
}

/** The sunset of an unpublished service has passed: the gateway answers 410. */
export function isSunset(s: DirectoryService, now = Date.now()): boolean {
  return !!s.unpublication && s.unpublication.sunsetAt <= now;
}

/** The gateway serves it: approved and not past its sunset. */
export function isServable(s: DirectoryService, now = Date.now()): boolean {
  return s.status === 'approved' && !isSunset(s, now);
}

/** Whether owners can edit the service through the portal, else where. */
export function catalogLocationOf(s: DirectoryService): string | null {
  if (s.published) {
    return null;
  }
  const annotations = s.entity.metadata.annotations ?? {};
  return (
    annotations[ANNOTATION_ORIGIN_LOCATION] ??
    annotations[ANNOTATION_LOCATION] ??
    null
  );
}

/** A group ref in full lowercase form ('' when it is not one). */
export function groupRefOf(ref: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return '';
  }
}

/** The Provider a service names (`spec.providedBy`), as an entity ref. */
export function providerRefOf(entity: ModelServiceEntityV1alpha1): string {
  return stringifyEntityRef(
    parseEntityRef(entity.spec.providedBy, {
      defaultKind: PROVIDER_KIND,
      defaultNamespace: entity.metadata.namespace ?? 'default',
    }),
  );
}

/** Marketplace kinds live in one namespace (the catalog refuses others). */
export function inMarketplaceNamespace(entity: {
  metadata: { namespace?: string };
}): boolean {
  return (entity.metadata.namespace ?? 'default') === 'default';
}

/** The review and lifecycle state as the API shows it. */
export function publicationOf(s: DirectoryService): ServicePublication {
  return {
    status: s.status,
    // A rejected change's reason is about the change, not the served version.
    reason: s.rejectedChange ? null : s.approval?.reason ?? null,
    submittedAt: iso(s.approval?.submittedAt ?? s.published?.createdAt ?? 0),
    decidedBy: s.approval?.decidedBy ?? null,
    decidedAt:
      s.approval?.decidedAt !== null && s.approval?.decidedAt !== undefined
        ? iso(s.approval.decidedAt)
        : null,
    source: s.published ? 'portal' : 'catalog',
    unpublishedAt: s.unpublication ? iso(s.unpublication.unpublishedAt) : null,
    sunsetAt: s.unpublication ? iso(s.unpublication.sunsetAt) : null,
    successor: successorOf(s),
  };
}

/**
 * The name of the service to move to: the one its owner named when
 * unpublishing it, else the YAML's `spec.successor`; null without either.
 */
export function successorOf(s: DirectoryService): string | null {
  const ref = s.unpublication?.successorRef;
  if (ref) {
    return ref.slice(ref.indexOf('/') + 1);
  }
  return s.entity.spec.successor ?? null;
}
