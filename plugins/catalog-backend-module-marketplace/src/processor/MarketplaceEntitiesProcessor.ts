import {
  ANNOTATION_EDIT_URL,
  Entity,
  getCompoundEntityRef,
  parseEntityRef,
  RELATION_OWNED_BY,
  RELATION_OWNER_OF,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LoggerService } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  CatalogProcessor,
  CatalogProcessorEmit,
  processingResult,
} from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_APPROVAL_STATUS,
  ANNOTATION_CLAIMED_VERIFICATION,
  ApprovalStatus,
  EntityProblem,
  formatEntityProblems,
  problemsOf,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  modelServiceEntityV1alpha1Validator,
  PROVIDER_KIND,
  providerEntityV1alpha1Validator,
  RELATION_PROVIDED_BY,
  RELATION_PROVIDES,
} from '@internal/plugin-marketplace-common';
import { MarketplaceReferenceLookup, unresolvedReferences } from './references';

const validators = [
  modelServiceEntityV1alpha1Validator,
  providerEntityV1alpha1Validator,
];

/** How long a reference of a config file may stay unresolved before it is logged. */
const WARN_AFTER_MS = 60_000;

/** The verification a Provider claims while it waits for an admin's review. */
export { ANNOTATION_CLAIMED_VERIFICATION };

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
 * Every problem of an entity is reported at once, in one processing error that
 * names the file and each field. References that do not resolve (`spec.owner`,
 * `spec.providedBy`, `spec.endpoint.auth.secretRef`) are errors for files
 * registered by URL (a team's repository); for the `file` locations of the
 * backend's own config they are logged as warnings when they stay unresolved
 * for a minute, because the catalog reads those files together at start in no
 * guaranteed order and an error would keep a service out of the catalog until
 * its next processing round.
 *
 * @public
 */
export class MarketplaceEntitiesProcessor implements CatalogProcessor {
  constructor(
    private readonly options: {
      approvals?: ApprovalStatusLookup;
      credentials?: CredentialBindingLookup;
      references?: MarketplaceReferenceLookup;
      logger?: LoggerService;
      clock?: () => number;
    } = {},
  ) {}

  /** Entities of config files with unresolved references, since when. */
  private readonly unresolvedSince = new Map<string, number>();

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
    const problems = await this.problemsOf(entity, location);
    if (problems.length) {
      throw new InputError(
        `Invalid ${entity.kind} '${entity.metadata?.name}' in ${
          location.type
        }:${location.target}: ${formatEntityProblems(entity.kind, problems)}`,
      );
    }
    return entity;
  }

  /**
   * The credential a service names must be one its provider may use: the problem
   * when it is not, else undefined.
   */
  private async credentialProblem(
    entity: Entity,
  ): Promise<EntityProblem | undefined> {
    const spec = entity.spec as {
      providedBy?: string;
      endpoint?: { auth?: { type?: string; secretRef?: string } };
    };
    const auth = spec?.endpoint?.auth;
    if (
      !auth ||
      auth.type === 'none' ||
      !auth.secretRef ||
      typeof spec.providedBy !== 'string'
    ) {
      return undefined;
    }
    // Unknown bindings (the marketplace backend is not reachable yet): let it
    // through; the gateway and the prober check again on every use.
    const bindings = await this.options.credentials
      ?.get()
      .catch(() => undefined);
    if (!bindings) {
      return undefined;
    }
    const providerRef = providerRefOf(
      spec.providedBy,
      entity.metadata.namespace ?? 'default',
    );
    const name = auth.secretRef;
    const allowed = bindings.get(name);
    if (allowed === null || allowed?.includes(providerRef)) {
      return undefined;
    }
    return {
      field: 'spec.endpoint.auth.secretRef',
      message:
        allowed === undefined
          ? `names '${name}', but ${providerRef} has no credential of that name. Add it on the provider's page (Upstream credentials), or ask the platform team to bind it to ${providerRef} in marketplace.secrets`
          : `names the credential '${name}', which belongs to ${allowed.join(
              ', ',
            )}, not to ${providerRef}; a service may only use its own provider's credentials`,
    };
  }

  /** Every problem of one of our entities: its kind's schema and rules, then its references. */
  private async problemsOf(
    entity: Entity,
    location: LocationSpec,
  ): Promise<EntityProblem[]> {
    const problems: EntityProblem[] = [];
    for (const validate of validators) {
      try {
        validate(entity);
      } catch (error) {
        problems.push(...problemsOf(error));
      }
    }
    const { references, logger } = this.options;
    if (references && entity.metadata?.name) {
      const unresolved = await unresolvedReferences(
        entity,
        location,
        references,
      );
      if (location.type === 'url') {
        problems.push(...unresolved);
      } else {
        // At start the referenced entity may simply not be processed yet: warn
        // only when the reference is still unresolved a processing round later.
        const key = stringifyEntityRef(entity);
        const now = (this.options.clock ?? Date.now)();
        const since = this.unresolvedSince.get(key);
        if (!unresolved.length) {
          this.unresolvedSince.delete(key);
        } else if (since === undefined) {
          this.unresolvedSince.set(key, now);
        } else if (now - since >= WARN_AFTER_MS) {
          logger?.warn(
            `${entity.kind} '${entity.metadata.name}' in ${location.type}:${
              location.target
            }: ${formatEntityProblems(entity.kind, unresolved)}`,
          );
        }
      }
    }
    if (entity.kind === MODEL_SERVICE_KIND) {
      const credential = await this.credentialProblem(entity);
      if (credential) {
        problems.push(credential);
      }
    }
    return problems;
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
    return this.withReviewedVerification(entity);
  }

  /**
   * A Provider's `spec.verification` is its own claim: it counts only once an
   * admin approved the Provider. Before (or when the review state is unknown)
   * the catalog shows it as `unverified`, and the claim in an annotation.
   */
  private async withReviewedVerification(entity: Entity): Promise<Entity> {
    const status = await this.options.approvals
      ?.get(stringifyEntityRef(entity))
      .catch(() => undefined);
    const annotations = { ...entity.metadata.annotations };
    delete annotations[ANNOTATION_APPROVAL_STATUS];
    delete annotations[ANNOTATION_CLAIMED_VERIFICATION];
    if (status) {
      annotations[ANNOTATION_APPROVAL_STATUS] = status;
    }
    const spec = entity.spec as { verification?: { status?: string } };
    if (status === 'approved' || spec.verification?.status === 'unverified') {
      return { ...entity, metadata: { ...entity.metadata, annotations } };
    }
    if (spec.verification?.status) {
      annotations[ANNOTATION_CLAIMED_VERIFICATION] = spec.verification.status;
    }
    return {
      ...entity,
      metadata: { ...entity.metadata, annotations },
      spec: { ...entity.spec, verification: { status: 'unverified' } },
    };
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
    // The About card's Edit: the portal's edit flow for the owning team (the
    // publish form for portal services; for catalog YAML ones, the statement
    // that the YAML is the source of truth, with a link to it). An edit URL
    // the catalog already derived from the location (an SCM integration's
    // editor for the YAML) is kept.
    if (!annotations[ANNOTATION_EDIT_URL]) {
      annotations[ANNOTATION_EDIT_URL] = serviceEditPath(entity.metadata.name);
    }
    return { ...entity, metadata: { ...entity.metadata, annotations } };
  }
}

/** Where the owning team edits a service in the portal (the provider dashboard). */
export function serviceEditPath(name: string): string {
  return `/marketplace/provider?tab=services&edit=${encodeURIComponent(name)}`;
}
