import {
  DefaultNamespaceEntityPolicy,
  EntityPolicies,
  FieldFormatEntityPolicy,
  NoForeignRootFieldsEntityPolicy,
  parseEntityRef,
  SchemaValidEntityPolicy,
} from '@backstage/catalog-model';
import {
  ModelServiceEntityV1alpha1,
  modelServiceEntityV1alpha1Validator,
} from './kinds/ModelServiceEntityV1alpha1';
import { MODEL_SERVICE_KIND } from './kinds/constants';
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
 * catalog's own entity checks, then the ModelService kind's schema (the same
 * messages as the catalog processor gives for YAML, e.g.
 * `ModelService spec.contextWindow must be integer`), then the rules for
 * portal-published services (default namespace, a lowercase name, an owner
 * group, no fields the catalog or the marketplace manage).
 *
 * Throws a TypeError whose message names the field.
 *
 * @public
 */
export async function validatePublishedModelService(
  data: unknown,
): Promise<ModelServiceEntityV1alpha1> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new TypeError('ModelService <root> must be an object');
  }
  const raw = data as Record<string, any>;
  if (raw.kind !== MODEL_SERVICE_KIND) {
    throw new TypeError(`ModelService kind must be '${MODEL_SERVICE_KIND}'`);
  }
  for (const field of ['relations', 'status'] as const) {
    if (field in raw) {
      throw new TypeError(
        `ModelService ${field} is set by the catalog and must not be sent`,
      );
    }
  }
  const metadata = raw.metadata;
  if (metadata && typeof metadata === 'object') {
    for (const field of ['uid', 'etag', 'generation']) {
      if (field in metadata) {
        throw new TypeError(
          `ModelService metadata.${field} is set by the catalog and must not be sent`,
        );
      }
    }
    for (const annotation of Object.keys(metadata.annotations ?? {})) {
      if (MANAGED_ANNOTATIONS.includes(annotation)) {
        throw new TypeError(
          `ModelService metadata.annotations.${annotation} is set by the marketplace and must not be sent`,
        );
      }
    }
  }
  let entity: ModelServiceEntityV1alpha1 | false;
  try {
    entity = modelServiceEntityV1alpha1Validator(structuredClone(raw));
    if (entity) {
      // The catalog's own checks; also applies its defaults (the namespace).
      entity = (await entityPolicy.enforce(
        entity,
      )) as ModelServiceEntityV1alpha1;
    }
  } catch (error) {
    const message = messageOf(error);
    throw new TypeError(
      message.startsWith(`${MODEL_SERVICE_KIND} `)
        ? message
        : `${MODEL_SERVICE_KIND} ${message}`,
    );
  }
  if (!entity) {
    throw new TypeError(
      `ModelService apiVersion must be the marketplace's apiVersion`,
    );
  }
  if (entity.metadata.namespace !== 'default') {
    throw new TypeError(`ModelService metadata.namespace must be 'default'`);
  }
  if (!PUBLISHED_NAME.test(entity.metadata.name)) {
    throw new TypeError(
      'ModelService metadata.name must be lowercase letters, digits, ".", "_" or "-" (at most 63), starting with a letter or digit',
    );
  }
  let owner;
  try {
    owner = parseEntityRef(entity.spec.owner, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new TypeError(`ModelService spec.owner ${messageOf(error)}`);
  }
  if (owner.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new TypeError('ModelService spec.owner must be a group');
  }
  return entity;
}
