import { AuthService } from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  EntityProblem,
  formatEntityProblems,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  problemsOf,
  PROVIDER_KIND,
  SECRET_REF_PATTERN,
  validatePublishedModelService,
} from '@internal/plugin-marketplace-common';
import { SecretResolver } from '../../gateway/secrets';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { Access, Caller, ownerRefOf } from '../access';

const SECRET_NAME = new RegExp(SECRET_REF_PATTERN);

/** The body of a publish or update request (`PublishServiceRequest`). */
export type PublishedEntityBody = { entity: Record<string, unknown> };

/** "The credential ..." inside a sentence: "the credential ...". */
function lowerFirst(text: string): string {
  return text.charAt(0).toLocaleLowerCase('en-US') + text.slice(1);
}

/** The Provider a service names, as a full ref. */
export function providerRefOf(entity: ModelServiceEntityV1alpha1): string {
  return stringifyEntityRef(
    parseEntityRef(entity.spec.providedBy, {
      defaultKind: PROVIDER_KIND,
      defaultNamespace: 'default',
    }),
  );
}

/**
 * The checks a ModelService entity sent to the Provider Management API goes
 * through: the kind's schema and the portal's rules, the references it makes
 * (Provider, owner group, upstream credential), and whether the caller may
 * publish for that owner and Provider.
 */
export class PublishedEntityChecks {
  constructor(
    private readonly options: {
      access: Access;
      auth: AuthService;
      catalog: Pick<CatalogService, 'getEntityByRef'>;
      directory: ServiceDirectory;
      /** Which credentials each provider may use. */
      secrets?: SecretResolver;
    },
  ) {}

  /**
   * The entity of a publish or update request, with every problem at once in one
   * 400: the schema's and the portal's rules, and the references that do not
   * resolve (the Provider, the owner group, the upstream credential's name).
   */
  async validEntity(
    body: PublishedEntityBody,
  ): Promise<ModelServiceEntityV1alpha1> {
    // The document checks that `entity` is an object; its rules are the kind's
    // JSON Schema and the portal's, checked here with every problem at once.
    const { entity } = body;
    const problems: EntityProblem[] = [];
    let valid: ModelServiceEntityV1alpha1 | undefined;
    try {
      valid = await validatePublishedModelService(entity);
    } catch (error) {
      problems.push(...problemsOf(error));
    }
    problems.push(...(await this.unresolvedReferences(entity)));
    if (!valid || problems.length) {
      throw new InputError(
        `Invalid body field 'entity': ${formatEntityProblems(
          MODEL_SERVICE_KIND,
          problems,
        )}`,
      );
    }
    return valid;
  }

  private async unresolvedReferences(
    entity: Record<string, any>,
  ): Promise<EntityProblem[]> {
    const { directory, secrets } = this.options;
    const spec =
      entity.spec && typeof entity.spec === 'object' ? entity.spec : {};
    const problems: EntityProblem[] = [];
    const refOf = (value: unknown, defaultKind: string) => {
      try {
        return typeof value === 'string' && value
          ? stringifyEntityRef(
              parseEntityRef(value, {
                defaultKind,
                defaultNamespace: 'default',
              }),
            )
          : undefined;
      } catch {
        return undefined; // the schema check names it
      }
    };
    const providerRef = refOf(spec.providedBy, PROVIDER_KIND);
    if (providerRef && !directory.provider(providerRef)) {
      problems.push({
        field: 'spec.providedBy',
        message: `names ${providerRef}, but there is no such Provider in the catalog`,
      });
    }
    const ownerRef = refOf(spec.owner, 'group');
    if (ownerRef?.startsWith('group:')) {
      const group = await this.options.catalog
        .getEntityByRef(ownerRef, {
          credentials: await this.options.auth.getOwnServiceCredentials(),
        })
        .catch(() => ({})); // the catalog did not answer: the owner check decides
      if (!group) {
        problems.push({
          field: 'spec.owner',
          message: `names ${ownerRef}, but there is no such group in the catalog`,
        });
      }
    }
    // The credential must be one this provider may use (also checked again after
    // the ownership checks, and by the gateway and the prober on every use).
    const secretRef = spec.endpoint?.auth?.secretRef;
    if (
      secrets &&
      providerRef &&
      spec.endpoint?.auth?.type !== 'none' &&
      typeof secretRef === 'string' &&
      SECRET_NAME.test(secretRef)
    ) {
      const credential = await secrets.describe(secretRef, providerRef);
      if (!credential.usable) {
        problems.push({
          field: 'spec.endpoint.auth.secretRef',
          message: `cannot be used: ${lowerFirst(
            credential.problem ?? `${providerRef} may not use '${secretRef}'`,
          )}`,
        });
      }
    }
    return problems;
  }

  /**
   * The owner group and the Provider must be the caller's: members of a group
   * publish for it, under a Provider one of their groups owns (admins: any).
   */
  async checkOwnership(
    me: Caller,
    entity: ModelServiceEntityV1alpha1,
  ): Promise<{ owner: string; providerRef: string }> {
    const { access, directory } = this.options;
    const decision = await access.manageDecision(me);
    const owner = ownerRefOf(entity.spec.owner);
    if (!access.canManage(decision, { ref: '', owner })) {
      throw new NotAllowedError(
        `Invalid body field 'entity.spec.owner': you can only publish services owned by a group you are a member of, not ${owner}`,
      );
    }
    const providerRef = providerRefOf(entity);
    const provider = directory.provider(providerRef);
    if (!provider) {
      throw new InputError(
        `Invalid body field 'entity.spec.providedBy': there is no Provider ${providerRef} in the catalog`,
      );
    }
    if (
      !access.canManage(decision, {
        ref: providerRef,
        owner: ownerRefOf(provider.spec.owner),
      })
    ) {
      throw new NotAllowedError(
        `Invalid body field 'entity.spec.providedBy': ${providerRef} is not owned by one of your groups`,
      );
    }
    await this.checkCredential(entity, providerRef);
    return { owner, providerRef };
  }

  /** The credential the service names must be one its provider may use. */
  private async checkCredential(
    entity: ModelServiceEntityV1alpha1,
    providerRef: string,
  ) {
    const auth = entity.spec.endpoint.auth;
    if (auth.type === 'none' || !this.options.secrets) {
      return;
    }
    const d = await this.options.secrets.describe(
      auth.secretRef ?? '',
      providerRef,
    );
    if (!d.usable) {
      throw new InputError(
        `Invalid body field 'entity.spec.endpoint.auth.secretRef': ${d.problem}`,
      );
    }
  }
}
