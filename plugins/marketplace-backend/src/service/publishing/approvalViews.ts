import {
  ANNOTATION_CLAIMED_VERIFICATION,
  ProviderApproval,
  ServiceApproval,
} from '@internal/plugin-marketplace-common';
import { Approval } from '../../stores/publishingRecords';
import { SecretResolver } from '../../gateway/secrets';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { DirectoryService } from '../../catalog/directoryService';
import { ownerRefOf } from '../access';
import { iso } from './managedService';

/*
 * What an admin sees of an approval in the review queues: a service's
 * endpoint host (and whether it changed since it was approved), the
 * credential it would use, and a Provider's claimed verification. Used by
 * ApprovalService.
 */

/** Host (and port) of a base URL; the raw text when it is not a URL. */
export function hostOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).host;
  } catch {
    return baseUrl;
  }
}

/** Why a catalog YAML service naming another team's Provider is neither served nor approved. */
export function foreignProviderProblem(s: DirectoryService): string {
  const entity = s.reviewEntity ?? s.entity;
  return `${s.name} cannot be approved: it is owned by ${entity.spec.owner} but names ${s.providerRef}, which belongs to ${s.foreignProviderOwner}. A service may only name a Provider of its own team (and so use only that Provider's credentials).`;
}

/** A decision that rejected a change while the approved version stays served. */
export function changeRejected(a: Approval): boolean {
  return a.status === 'approved' && !!a.rejectedHash;
}

/** What the review of a service reads: the catalog view and the credentials. */
export interface ApprovalViewDeps {
  directory: Pick<ServiceDirectory, 'getByRef'>;
  /** Which credentials each provider may use: shown in approvals. */
  secrets?: SecretResolver;
}

/** A service approval with what the admin reviews of it. */
export async function serviceApprovalOf(
  deps: ApprovalViewDeps,
  a: Approval,
): Promise<ServiceApproval> {
  const served = deps.directory.getByRef(a.serviceRef);
  // A changed YAML service is reviewed in its new version.
  const s = served?.reviewEntity
    ? { ...served, entity: served.reviewEntity }
    : served;
  let endpoint: ServiceApproval['endpoint'] = null;
  let credential: ServiceApproval['credential'] = null;
  if (s) {
    const host = hostOf(s.entity.spec.endpoint.baseUrl);
    endpoint = {
      host,
      approvedHost: a.approvedEndpointHost,
      changedSinceApproval:
        a.approvedEndpointHost === null
          ? null
          : a.approvedEndpointHost !== host,
    };
    const auth = s.entity.spec.endpoint.auth;
    if (auth.type !== 'none' && deps.secrets) {
      const d = await deps.secrets.describe(
        auth.secretRef ?? '',
        s.providerRef,
      );
      // Bound to the Provider, but the Provider is another team's: refused.
      const foreign = served?.foreignProviderOwner
        ? foreignProviderProblem(served)
        : null;
      credential = {
        name: d.name,
        source: d.source,
        owner: d.owner,
        fingerprint: d.fingerprint,
        usable: d.usable && !foreign,
        problem: foreign ?? d.problem,
      };
    }
  }
  return {
    serviceRef: a.serviceRef,
    name: a.serviceRef.slice(a.serviceRef.indexOf('/') + 1),
    title: s?.entity.metadata.title ?? null,
    owner: s ? ownerRefOf(s.entity.spec.owner) || s.entity.spec.owner : null,
    providerRef: s?.providerRef ?? null,
    source: s?.published ? 'portal' : 'catalog',
    status: a.status,
    reason: a.reason,
    submittedAt: iso(a.submittedAt),
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
    entity: s?.entity ?? null,
    endpoint,
    credential,
    changeRejected: changeRejected(a),
    approvedVersionServed: a.status !== 'rejected' && !!a.approvedHash,
  };
}

/** A Provider approval with what the Provider declares. */
export function providerApprovalOf(
  directory: Pick<ServiceDirectory, 'provider'>,
  a: Approval,
): ProviderApproval {
  const provider = directory.provider(a.serviceRef);
  return {
    providerRef: a.serviceRef,
    name: a.serviceRef.slice(a.serviceRef.indexOf('/') + 1),
    displayName: provider?.spec.displayName ?? null,
    owner: provider
      ? ownerRefOf(provider.spec.owner) || provider.spec.owner
      : null,
    // What it declares: the catalog shows an unapproved Provider as
    // unverified and keeps its claim in an annotation.
    verification:
      provider?.metadata.annotations?.[ANNOTATION_CLAIMED_VERIFICATION] ??
      provider?.spec.verification?.status ??
      null,
    status: a.status,
    reason: a.reason,
    submittedAt: iso(a.submittedAt),
    decidedBy: a.decidedBy,
    decidedAt: a.decidedAt === null ? null : iso(a.decidedAt),
  };
}
