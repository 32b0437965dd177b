import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * What people call an entity: a user's or group's display name, else the
 * entity's title, else its name. Notifications and messages name people and
 * teams this way, never by ref (`user:default/ada`).
 */
export function entityDisplayName(entity: Entity): string {
  const profile = (entity.spec as { profile?: { displayName?: unknown } })
    ?.profile;
  if (typeof profile?.displayName === 'string' && profile.displayName) {
    return profile.displayName;
  }
  return entity.metadata.title || entity.metadata.name;
}

/** The name part of a ref ("ada" for `user:default/ada`), the ref if unparsable. */
export function refName(ref: string): string {
  try {
    return parseEntityRef(ref).name;
  } catch {
    return ref;
  }
}

/**
 * The display name of the entity with this ref, read from the catalog; the
 * name part of the ref when the catalog does not have it or cannot be read.
 */
export async function displayNameOf(
  catalog: Pick<CatalogService, 'getEntityByRef'>,
  ref: string,
  credentials: BackstageCredentials,
): Promise<string> {
  try {
    const entity = await catalog.getEntityByRef(ref, { credentials });
    return entity ? entityDisplayName(entity) : refName(ref);
  } catch {
    return refName(ref);
  }
}
