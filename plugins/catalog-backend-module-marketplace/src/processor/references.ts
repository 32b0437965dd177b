import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { LocationSpec } from '@backstage/plugin-catalog-common';
import {
  EntityProblem,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';

/**
 * What the processor asks to tell whether a marketplace entity's references resolve.
 *
 * @public
 */
export interface MarketplaceReferenceLookup {
  /** Whether the catalog has the entity (`provider:default/acme`); true when it cannot tell. */
  hasEntity(entityRef: string): Promise<boolean>;
  /** The refs of the entities the location's file itself defines (they may reference each other). */
  entitiesAt(location: LocationSpec): Promise<string[]>;
  /**
   * The `spec.owner` of a catalog entity (`provider:default/acme`); undefined
   * when the catalog does not have it or cannot tell.
   */
  ownerOf?(entityRef: string): Promise<string | undefined>;
}

/** A group ref as compared here: `group:default/name`, lowercase. */
function groupRefOf(ref: string, namespace: string): string | undefined {
  try {
    return stringifyEntityRef(
      parseEntityRef(ref, {
        defaultKind: 'group',
        defaultNamespace: namespace,
      }),
    ).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

type Reference = {
  field: string;
  value: string;
  defaultKind: string;
  what: string;
};

function referencesOf(entity: Entity): Reference[] {
  const spec = (entity.spec ?? {}) as Record<string, any>;
  const references: Reference[] = [];
  if (typeof spec.owner === 'string') {
    references.push({
      field: 'spec.owner',
      value: spec.owner,
      defaultKind: 'Group',
      what: 'group',
    });
  }
  if (
    entity.kind === MODEL_SERVICE_KIND &&
    typeof spec.providedBy === 'string'
  ) {
    references.push({
      field: 'spec.providedBy',
      value: spec.providedBy,
      defaultKind: PROVIDER_KIND,
      what: 'Provider',
    });
  }
  return references;
}

/**
 * The references of a valid ModelService or Provider that do not resolve:
 * `spec.owner` (a group or user in the catalog), `spec.providedBy` (a Provider in
 * the catalog) and `spec.endpoint.auth.secretRef` (a credential the backend has).
 * An entity defined in the same file counts as resolved: the catalog processes
 * the entities of a file in no particular order.
 */
export async function unresolvedReferences(
  entity: Entity,
  location: LocationSpec,
  lookup: MarketplaceReferenceLookup,
): Promise<EntityProblem[]> {
  const problems: EntityProblem[] = [];
  const namespace = entity.metadata.namespace ?? 'default';
  let sameFile: string[] | undefined;
  for (const reference of referencesOf(entity)) {
    let ref: string;
    try {
      ref = stringifyEntityRef(
        parseEntityRef(reference.value, {
          defaultKind: reference.defaultKind,
          defaultNamespace: namespace,
        }),
      ).toLocaleLowerCase('en-US');
    } catch (error) {
      problems.push({
        field: reference.field,
        message: `is not an entity reference: ${(error as Error).message}`,
      });
      continue;
    }
    if (await lookup.hasEntity(ref)) {
      // A service speaks only for a Provider of its own team: the credentials
      // bound to a Provider must not go to another team's endpoint (issue 14).
      if (
        reference.field === 'spec.providedBy' &&
        typeof (entity.spec as any)?.owner === 'string' &&
        lookup.ownerOf
      ) {
        const providerOwner = await lookup.ownerOf(ref);
        const owner = groupRefOf((entity.spec as any).owner, namespace);
        const expected = providerOwner
          ? groupRefOf(providerOwner, parseEntityRef(ref).namespace)
          : undefined;
        if (owner && expected && owner !== expected) {
          problems.push({
            field: reference.field,
            message: `names ${ref}, which belongs to ${expected}, not to ${owner} (spec.owner); a service may only name a Provider of its own team`,
          });
        }
      }
      continue;
    }
    sameFile ??= (await lookup.entitiesAt(location).catch(() => [])).map(r =>
      r.toLocaleLowerCase('en-US'),
    );
    if (!sameFile.includes(ref)) {
      problems.push({
        field: reference.field,
        message: `names ${ref}, but there is no such ${reference.what} in the catalog`,
      });
    }
  }
  return problems;
}
