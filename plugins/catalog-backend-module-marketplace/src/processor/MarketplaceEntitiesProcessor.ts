import {
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_APPROVAL_STATUS,
  ApprovalStatus,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  modelServiceEntityV1alpha1Validator,
  PROVIDER_KIND,
  providerEntityV1alpha1Validator,
  RELATION_PROVIDED_BY,
  RELATION_PROVIDES,
} from '@internal/plugin-marketplace-common';

const validators = [
  modelServiceEntityV1alpha1Validator,
  providerEntityV1alpha1Validator,
];

function isOurs(entity: Entity): boolean {
  return (
    entity.apiVersion === MARKETPLACE_API_VERSION &&
    (entity.kind === MODEL_SERVICE_KIND || entity.kind === PROVIDER_KIND)
  );
}

/**
 * Where the processor reads the review state of ModelServices.
 *
 * @public
 */
export interface ApprovalStatusLookup {
  /** The state of a service by entity ref; undefined when unknown. */
  get(serviceRef: string): Promise<ApprovalStatus | undefined>;
}

/**
 * Where the processor reads which providers may use each upstream credential.
 *
 * @public
 */
export interface CredentialBindingLookup {
  /** Provider refs (or null: every provider) by credential name; undefined when unknown. */
  get(): Promise<Map<string, string[] | null> | undefined>;
}

/** A provider ref in full lowercase form. */
function providerRefOf(ref: string, namespace: string): string {
  return stringifyEntityRef(
    parseEntityRef(ref, {
      defaultKind: PROVIDER_KIND,
      defaultNamespace: namespace,
    }),
  ).toLocaleLowerCase('en-US');
}

/**
 * Validates the marketplace kinds (ModelService, Provider) and emits their relations:
 * ModelService `providedBy` Provider (and the reverse `provides`), and `ownedBy`/`ownerOf`
 * for both kinds. Sets the `marketplace.acme.io/approval-status` annotation of
 * ModelServices from the marketplace backend's review state (an annotation set in
 * YAML is always replaced: nobody approves their own service). Refuses a
 * ModelService whose `spec.endpoint.auth.secretRef` names a credential its
 * provider may not use (another provider's): a team must not be able to make
 * the gateway send another provider's credential to a server of its choosing.
 *
 * @public
 */
export class MarketplaceEntitiesProcessor implements CatalogProcessor {
  constructor(
    private readonly options: {
      approvals?: ApprovalStatusLookup;
      credentials?: CredentialBindingLookup;
    } = {},
  ) {}

  getProcessorName(): string {
    return 'MarketplaceEntitiesProcessor';
  }

  /**
   * Validation happens here, where the location is known, so that the processing
   * error names both the file and the field.
   */
  async preProcessEntity(
    entity: Entity,
    location: LocationSpec,
  ): Promise<Entity> {
    if (!isOurs(entity)) {
      return entity;
    }
    try {
      for (const validate of validators) {
        validate(entity);
      }
    } catch (error) {
      const message =
        typeof (error as { message?: unknown })?.message === 'string'
          ? (error as Error).message
          : String(error);
      throw new InputError(
        `Invalid ${entity.kind} '${entity.metadata?.name}' in ${location.type}:${location.target}: ${message}`,
      );
    }
    if (entity.kind === MODEL_SERVICE_KIND) {
      await this.checkCredential(entity, location);
    }
    return entity;
  }

  /** The credential a service names must be one its provider may use. */
  private async checkCredential(entity: Entity, location: LocationSpec) {
    const spec = entity.spec as {
      providedBy: string;
      endpoint: { auth: { type: string; secretRef?: string } };
    };
    const { auth } = spec.endpoint;
    if (auth.type === 'none' || !auth.secretRef) {
      return;
    }
    // Unknown bindings (the marketplace backend is not reachable yet): let it
    // through; the gateway and the prober check again on every use.
    const bindings = await this.options.credentials
      ?.get()
      .catch(() => undefined);
    if (!bindings) {
      return;
    }
    const providerRef = providerRefOf(
      spec.providedBy,
      entity.metadata.namespace ?? 'default',
    );
    const name = auth.secretRef;
    const allowed = bindings.get(name);
    if (allowed === null || allowed?.includes(providerRef)) {
      return;
    }
    const where = `${location.type}:${location.target}`;
    throw new InputError(
      allowed === undefined
        ? `Invalid ModelService '${entity.metadata.name}' in ${where}: spec.endpoint.auth.secretRef: ${providerRef} has no credential named '${name}'. Add it on the provider's page (Upstream credentials), or ask the platform team to bind it to ${providerRef} in marketplace.secrets`
        : `Invalid ModelService '${
            entity.metadata.name
          }' in ${where}: spec.endpoint.auth.secretRef: the credential '${name}' belongs to ${allowed.join(
            ', ',
          )}, not to ${providerRef}; a service may only use its own provider's credentials`,
    );
  }

  async validateEntityKind(entity: Entity): Promise<boolean> {
    for (const validate of validators) {
      if (validate(entity)) {
        return true;
      }
    }
    return false;
  }

  async postProcessEntity(
    entity: Entity,
    _location: LocationSpec,
    emit: CatalogProcessorEmit,
  ): Promise<Entity> {
    if (!isOurs(entity)) {
      return entity;
    }
    const selfRef = getCompoundEntityRef(entity);
    const spec = entity.spec as { owner?: string; providedBy?: string };

    const emitPair = (
      forward: string,
      reverse: string,
      target: string,
      defaultKind: string,
    ) => {
      const targetRef = parseEntityRef(target, {
        defaultKind,
        defaultNamespace: selfRef.namespace,
      });
      emit(
        processingResult.relation({
          source: selfRef,
          type: forward,
          target: targetRef,
        }),
      );
      emit(
        processingResult.relation({
          source: targetRef,
          type: reverse,
          target: selfRef,
        }),
      );
    };

    if (spec.owner) {
      emitPair(RELATION_OWNED_BY, RELATION_OWNER_OF, spec.owner, 'Group');
    }
    if (entity.kind === MODEL_SERVICE_KIND && spec.providedBy) {
      emitPair(
        RELATION_PROVIDED_BY,
        RELATION_PROVIDES,
        spec.providedBy,
        PROVIDER_KIND,
      );
    }
    if (entity.kind === MODEL_SERVICE_KIND) {
      return this.withApprovalStatus(entity);
    }
    return entity;
  }

  private async withApprovalStatus(entity: Entity): Promise<Entity> {
    // The lookup never throws: an unknown state leaves the annotation out.
    const status = await this.options.approvals
      ?.get(stringifyEntityRef(entity))
      .catch(() => undefined);
    const annotations = { ...entity.metadata.annotations };
    delete annotations[ANNOTATION_APPROVAL_STATUS];
    if (status) {
      annotations[ANNOTATION_APPROVAL_STATUS] = status;
    }
    return { ...entity, metadata: { ...entity.metadata, annotations } };
  }
}
