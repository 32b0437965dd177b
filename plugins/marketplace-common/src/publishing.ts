import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import { ModelServiceEntityV1alpha1 } from './kinds/ModelServiceEntityV1alpha1';
import { modelServiceEntityProblems } from './kinds/modelServiceChecks';
import { MARKETPLACE_API_VERSION, MODEL_SERVICE_KIND } from './kinds/constants';
import { EntityProblem, EntityValidationError } from './kinds/validation';
import { ApprovalStatus } from './api/types';

/** @public */
export const APPROVAL_STATUSES: readonly ApprovalStatus[] = [
  'pending',
  'approved',
  'rejected',
];

/**
 * Annotation the catalog processor sets on every ModelService it knows the
 * approval status of (`pending`, `approved` or `rejected`). The permission
 * policy hides ModelServices that are not `approved` from everyone but their
 * owners and the admins.
 *
 * @public
 */
export const ANNOTATION_APPROVAL_STATUS = 'marketplace.acme.io/approval-status';

/**
 * Annotation the catalog processor sets on a Provider an admin has not
 * approved: the verification it declares (its `spec.verification.status` then
 * reads `unverified`).
 *
 * @public
 */
export const ANNOTATION_CLAIMED_VERIFICATION =
  'marketplace.acme.io/claimed-verification';

/**
 * Events topic the marketplace backend publishes on whenever a service was
 * published, changed, approved, rejected, unpublished or removed.
 *
 * @public
 */
export const MARKETPLACE_SERVICE_CHANGED_TOPIC = 'marketplace.service.changed';

/**
 * Payload of {@link MARKETPLACE_SERVICE_CHANGED_TOPIC}.
 *
 * @public
 */
export interface MarketplaceServiceChangedEvent {
  /** Entity ref of the ModelService, `modelservice:default/<name>`. */
  serviceRef: string;
  /** A portal-published service as it now is: the catalog adds or updates it. */
  entity?: ModelServiceEntityV1alpha1;
  /** A portal-published service the catalog should drop (its sunset passed). */
  removedEntityRef?: string;
  /** The service's approval status now, when it changed. */
  approvalStatus?: ApprovalStatus;
}

/**
 * Location type of the entities the marketplace's entity provider emits:
 * `marketplace:<service name>`.
 *
 * @public
 */
export const MARKETPLACE_LOCATION_TYPE = 'marketplace';

/** Annotations only the catalog and the marketplace may set. */
const MANAGED_ANNOTATIONS = [
  ANNOTATION_APPROVAL_STATUS,
  'backstage.io/managed-by-location',
  'backstage.io/managed-by-origin-location',
  'backstage.io/orphan',
];

/** Names a published service may have: the gateway's `model`, lowercase. */
const PUBLISHED_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const entityPolicy = EntityPolicies.allOf([
  new DefaultNamespaceEntityPolicy(),
  new NoForeignRootFieldsEntityPolicy(),
  new FieldFormatEntityPolicy(),
  new SchemaValidEntityPolicy(),
]);

function messageOf(error: unknown): string {
  return typeof (error as { message?: unknown })?.message === 'string'
    ? (error as Error).message
    : String(error);
}

/**
 * Validates a ModelService entity submitted through the portal (the
 * `marketplace:publish` scaffolder action or `POST /v1/provider/services`): the
 * ModelService kind's schema (the same messages as the catalog processor gives
 * for YAML, e.g. `spec.contextWindow must be an integer (a whole number), got "lots"`),
 * the rules for portal-published services (default namespace, a lowercase name,
 * an owner group, no fields the catalog or the marketplace manage), then the
 * catalog's own entity checks.
 *
 * Throws an {@link EntityValidationError} naming every problem at once.
 *
 * @public
 */
export async function validatePublishedModelService(
  data: unknown,
): Promise<ModelServiceEntityV1alpha1> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new EntityValidationError(MODEL_SERVICE_KIND, [
      { field: '<root>', message: 'must be an object' },
    ]);
  }
  const raw = data as Record<string, any>;
  const problems: EntityProblem[] = [];
  const add = (field: string, message: string) =>
    problems.push({ field, message });

  if (raw.kind !== MODEL_SERVICE_KIND) {
    add('kind', `must be '${MODEL_SERVICE_KIND}'`);
  }
  if (raw.apiVersion !== MARKETPLACE_API_VERSION) {
    add(
      'apiVersion',
      `must be the marketplace's apiVersion '${MARKETPLACE_API_VERSION}'`,
    );
  }
  for (const field of ['relations', 'status'] as const) {
    if (field in raw) {
      add(field, 'is set by the catalog and must not be sent');
    }
  }
  const metadata = raw.metadata;
  if (metadata && typeof metadata === 'object') {
    for (const field of ['uid', 'etag', 'generation']) {
      if (field in metadata) {
        add(`metadata.${field}`, 'is set by the catalog and must not be sent');
      }
    }
    const annotations =
      metadata.annotations && typeof metadata.annotations === 'object'
        ? Object.keys(metadata.annotations)
        : [];
    for (const annotation of annotations) {
      if (MANAGED_ANNOTATIONS.includes(annotation)) {
        add(
          `metadata.annotations.${annotation}`,
          'is set by the marketplace and must not be sent',
        );
      }
    }
    if (metadata.namespace !== undefined && metadata.namespace !== 'default') {
      add('metadata.namespace', "must be 'default'");
    }
    if (
      typeof metadata.name === 'string' &&
      !PUBLISHED_NAME.test(metadata.name)
    ) {
      add(
        'metadata.name',
        'must be lowercase letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit',
      );
    }
  }
  problems.push(
    ...modelServiceEntityProblems(raw).filter(
      p => p.field !== 'kind' && p.field !== 'apiVersion',
    ),
  );
  const owner = raw.spec?.owner;
  if (typeof owner === 'string' && owner) {
    try {
      const ref = parseEntityRef(owner, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
      if (ref.kind.toLocaleLowerCase('en-US') !== 'group') {
        add('spec.owner', 'must be a group');
      }
    } catch (error) {
      add('spec.owner', messageOf(error));
    }
  }
  if (problems.length) {
    throw new EntityValidationError(MODEL_SERVICE_KIND, problems);
  }
  try {
    // The catalog's own checks; also applies its defaults (the namespace).
    return (await entityPolicy.enforce(
      structuredClone(raw) as ModelServiceEntityV1alpha1,
    )) as ModelServiceEntityV1alpha1;
  } catch (error) {
    throw new EntityValidationError(MODEL_SERVICE_KIND, [
      { field: '', message: messageOf(error) },
    ]);
  }
}
