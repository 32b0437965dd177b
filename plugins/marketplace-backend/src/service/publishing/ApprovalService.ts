import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ApprovalStatus,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  ProviderApproval,
  ServiceApproval,
} from '@internal/plugin-marketplace-common';
import { AuditLog } from '../../stores/AuditLog';
import { PublishingStore } from '../../stores/PublishingStore';
import { Approval } from '../../stores/publishingRecords';
import { reviewHash } from '../../catalog/reviewHash';
import { SecretResolver } from '../../gateway/secrets';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { DirectoryService, isSunset } from '../../catalog/directoryService';
import { Caller, ownerRefOf } from '../access';
import { displayNameOf } from '../../lib/entityNames';
import { iso } from './managedService';
import { providerRefOf } from './PublishedEntityChecks';
import { PublishingNotices, servicePage } from './PublishingNotices';
import {
  changeRejected,
  foreignProviderProblem,
  hostOf,
  providerApprovalOf,
  serviceApprovalOf,
} from './approvalViews';

// The routers import it from here.
export { hostOf } from './approvalViews';

/** A decision of an admin: approve, or reject with a reason. */
export type Decision =
  | { status: 'approved'; reason: null }
  | { status: 'rejected'; reason: string };

/** An approval as the audit log shows it. */
function auditedApproval(a: Approval) {
  return {
    status: a.status,
    reason: a.reason,
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
    approvedEndpointHost: a.approvedEndpointHost,
  };
}

/** 409 for approving a catalog YAML service whose owner may not publish. */
function ownerMayNotPublish(name: string, owner: string) {
  return new ConflictError(
    `${name} cannot be approved: its owner ${owner} may not publish services (it is not a provider group, and owns no approved Provider). Approve the team's Provider first, or add the group to marketplace.roles.providerGroups.`,
  );
}

function auditActionOf(a: Approval) {
  if (changeRejected(a)) {
    return 'service.change_rejected' as const;
  }
  return a.status === 'approved'
    ? ('service.approved' as const)
    : ('service.rejected' as const);
}

export interface ApprovalServiceOptions {
  auth: AuthService;
  catalog: Pick<CatalogService, 'getEntityByRef'>;
  directory: ServiceDirectory;
  publishing: PublishingStore;
  notices: PublishingNotices;
  logger: LoggerService;
  /** Where approvals and rejections are audited. */
  audit?: AuditLog;
  /** Which credentials each provider may use: shown in approvals. */
  secrets?: SecretResolver;
  clock?: () => number;
}

/**
 * The admins' review of what providers publish: model services (new ones,
 * and changes to what the gateway calls) and Providers (a Provider anyone
 * registered grants nothing until approved), and what the catalog module
 * reads of the decisions. What the admin sees of each approval is built in
 * approvalViews.ts.
 */
export class ApprovalService {
  private readonly now: () => number;

  constructor(private readonly options: ApprovalServiceOptions) {
    this.now = options.clock ?? Date.now;
  }

  /** The service approvals, with what the admin reviews of each. */
  async listServiceApprovals(
    status?: ApprovalStatus,
  ): Promise<ServiceApproval[]> {
    const approvals = [];
    for (const a of await this.options.publishing.listApprovals(status)) {
      // Providers have their own queue (/v1/admin/provider-approvals).
      if (
        a.serviceRef.startsWith(
          `${MODEL_SERVICE_KIND.toLocaleLowerCase('en-US')}:`,
        )
      ) {
        approvals.push(await serviceApprovalOf(this.options, a));
      }
    }
    return approvals;
  }

  async listProviderApprovals(
    status?: ApprovalStatus,
  ): Promise<ProviderApproval[]> {
    return (await this.options.publishing.listApprovals(status))
      .filter(a => a.serviceRef.startsWith('provider:'))
      .map(a => providerApprovalOf(this.options.directory, a));
  }

  /**
   * An admin approves or rejects a model service (or the change waiting for
   * review): the directory serves per the decision, the catalog and the
   * owners are told.
   */
  async decideService(
    me: Caller,
    name: string,
    decision: Decision,
  ): Promise<ServiceApproval> {
    const { directory, publishing, notices, logger } = this.options;
    const s = await directory.get(name);
    const ref =
      s?.ref ?? `modelservice:default/${name.toLocaleLowerCase('en-US')}`;
    const before = await publishing.getApproval(ref);
    if (!before) {
      throw new NotFoundError(`No model service named '${name}' to review`);
    }
    if (decision.status === 'approved' && s?.foreignProviderOwner) {
      throw new ConflictError(foreignProviderProblem(s));
    }
    if (decision.status === 'approved' && s?.ownerMayPublish === false) {
      throw ownerMayNotPublish(name, s.entity.spec.owner);
    }
    // What the admin reviewed: the new version of a changed service.
    const reviewed = s?.reviewEntity ?? s?.entity;
    const after = (await publishing.decide(
      ref,
      {
        ...decision,
        endpointHost: reviewed ? hostOf(reviewed.spec.endpoint.baseUrl) : null,
        ...(s && reviewed
          ? {
              reviewed: {
                hash: reviewHash(reviewed, providerRefOf(reviewed)),
                entity: reviewed,
              },
            }
          : {}),
      },
      me.userRef,
      async (tx, previous, decided) =>
        this.options.audit?.record(
          {
            actor: me.userRef,
            action: auditActionOf(decided),
            targetType: 'service',
            target: ref,
            before: auditedApproval(previous),
            after: auditedApproval(decided),
          },
          tx,
        ),
    ))!;
    await directory.refresh();
    const current = directory.getByRef(ref);
    await notices.announce({
      serviceRef: ref,
      approvalStatus: after.status,
      ...(current?.published && !isSunset(current)
        ? { entity: current.entity }
        : {}),
    });
    await notices.refreshCatalogEntity(ref);
    if (current) {
      await this.tellOwners(me, current, before, after);
    }
    logger.info(`${me.userRef} set ${ref} to ${after.status}`);
    return serviceApprovalOf(this.options, after);
  }

  /** The owners of a decided service learn the decision. */
  private async tellOwners(
    me: Caller,
    current: DirectoryService,
    before: Approval,
    after: Approval,
  ) {
    const entity: ModelServiceEntityV1alpha1 = current.entity;
    const title = entity.metadata.title ?? current.name;
    const owners = ownerRefOf(entity.spec.owner) || entity.spec.owner;
    const common = {
      link: servicePage(current),
      topic: 'marketplace-service-review',
      scope: `marketplace:review:${current.ref}`,
    };
    if (changeRejected(after)) {
      await this.options.notices.notify(owners, {
        title: `Your change to ${title} was rejected`,
        description: `${me.userRef} rejected the change: ${after.reason}. Subscribers keep the approved version; change the service again to send it back to review.`,
        severity: 'high',
        ...common,
      });
    } else if (before.status !== after.status) {
      const decider = await displayNameOf(
        this.options.catalog,
        me.userRef,
        await this.options.auth.getOwnServiceCredentials(),
      );
      await this.options.notices.notify(owners, {
        title:
          after.status === 'approved'
            ? `${title} was approved and is live in the marketplace`
            : `${title} was rejected`,
        description:
          after.status === 'approved'
            ? `${decider} approved ${current.name}: it is in browse and the gateway serves it.`
            : `${decider} rejected ${current.name}: ${after.reason}`,
        severity: after.status === 'approved' ? 'normal' : 'high',
        ...common,
      });
    }
  }

  /**
   * An admin approves or rejects a Provider: then its owners are providers
   * (or not) and its verification counts.
   */
  async decideProvider(
    me: Caller,
    name: string,
    decision: Decision,
  ): Promise<ProviderApproval> {
    const { directory, publishing, notices, logger } = this.options;
    const ref = `provider:default/${name.toLocaleLowerCase('en-US')}`;
    const before = await publishing.getApproval(ref);
    if (!before) {
      throw new NotFoundError(`No provider named '${name}' to review`);
    }
    const after = (await publishing.decide(
      ref,
      decision,
      me.userRef,
      async (tx, previous, decided) =>
        this.options.audit?.record(
          {
            actor: me.userRef,
            action:
              decided.status === 'approved'
                ? 'provider.approved'
                : 'provider.rejected',
            targetType: 'provider',
            target: ref,
            before: auditedApproval(previous),
            after: auditedApproval(decided),
          },
          tx,
        ),
    ))!;
    await directory.refresh();
    // The catalog shows the verification of approved Providers only, and the
    // permission policy reads the provider groups again.
    await notices.announce({ serviceRef: ref, approvalStatus: after.status });
    await notices.refreshCatalogEntity(ref);
    await notices.rolesChanged(ref);
    logger.info(`${me.userRef} set ${ref} to ${after.status}`);
    return providerApprovalOf(this.options.directory, after);
  }

  /**
   * The entities published through the portal for the catalog module, from
   * the database (an empty answer removes them all): not past their sunset,
   * and in their approved version while a change waits for review.
   */
  async publishedEntities(): Promise<ModelServiceEntityV1alpha1[]> {
    const { publishing } = this.options;
    const at = this.now();
    const sunset = new Map(
      (await publishing.listUnpublications()).map(u => [
        u.serviceRef,
        u.sunsetAt,
      ]),
    );
    const approvals = new Map(
      (await publishing.listApprovals()).map(a => [a.serviceRef, a]),
    );
    return (await publishing.listPublished())
      .filter(
        p => (sunset.get(`modelservice:default/${p.name}`) ?? Infinity) > at,
      )
      .map(p => {
        const a = approvals.get(`modelservice:default/${p.name}`);
        return a?.status === 'pending' && a.approvedEntity
          ? a.approvedEntity
          : p.entity;
      });
  }

  /** The approval status of every reviewed entity, as the catalog shows it. */
  async approvalStatuses(): Promise<Record<string, ApprovalStatus>> {
    const approvals: Record<string, ApprovalStatus> = {};
    for (const a of await this.options.publishing.listApprovals()) {
      // A changed service waiting for review still serves its approved version.
      approvals[a.serviceRef] =
        a.status === 'pending' && a.approvedEntity ? 'approved' : a.status;
    }
    return approvals;
  }
}
