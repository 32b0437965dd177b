import { AuthService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/**
 * The annotation on a Group naming the users who own the team: they set its
 * budget and get its budget alerts. A comma-separated list of user refs (or
 * names, in the group's namespace).
 */
export const TEAM_OWNERS_ANNOTATION = 'marketplace.acme.io/team-owners';

/** A group ref in full lowercase form, or undefined when it is not one. */
export function groupRefOf(ref: string): string | undefined {
  try {
    const parsed = parseEntityRef(ref, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    });
    if (parsed.kind.toLocaleLowerCase('en-US') !== 'group') {
      return undefined;
    }
    return stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
  } catch {
    return undefined;
  }
}

/** The owners a group entity names in {@link TEAM_OWNERS_ANNOTATION}. */
export function ownersOf(group: Entity | undefined): string[] {
  const value = group?.metadata.annotations?.[TEAM_OWNERS_ANNOTATION];
  if (!value) {
    return [];
  }
  const namespace = group!.metadata.namespace ?? 'default';
  return value
    .split(',')
    .map(v => v.trim())
    .filter(Boolean)
    .flatMap(v => {
      try {
        const ref = parseEntityRef(v, {
          defaultKind: 'user',
          defaultNamespace: namespace,
        });
        return ref.kind.toLocaleLowerCase('en-US') === 'user'
          ? [stringifyEntityRef(ref).toLocaleLowerCase('en-US')]
          : [];
      } catch {
        return [];
      }
    });
}

/** Who owns which team, read from the catalog (the group's annotation). */
export class TeamOwners {
  constructor(
    private readonly deps: {
      catalog: Pick<CatalogService, 'getEntityByRef' | 'getEntitiesByRefs'>;
      auth: AuthService;
    },
  ) {}

  async group(teamRef: string): Promise<Entity | undefined> {
    return this.deps.catalog.getEntityByRef(teamRef, {
      credentials: await this.deps.auth.getOwnServiceCredentials(),
    });
  }

  /** The team's owners (user refs, lowercase); none when it names none. */
  async owners(teamRef: string): Promise<string[]> {
    return ownersOf(await this.group(teamRef));
  }

  async isOwner(userRef: string, teamRef: string): Promise<boolean> {
    return (await this.owners(teamRef)).includes(
      userRef.toLocaleLowerCase('en-US'),
    );
  }

  /** Of the caller's groups, those they own, with their titles. */
  async ownedAmong(
    userRef: string,
    groupRefs: string[],
  ): Promise<Array<{ ref: string; title: string }>> {
    const refs = groupRefs.filter(r => r.startsWith('group:'));
    if (refs.length === 0) {
      return [];
    }
    const { items } = await this.deps.catalog.getEntitiesByRefs(
      { entityRefs: refs },
      { credentials: await this.deps.auth.getOwnServiceCredentials() },
    );
    const me = userRef.toLocaleLowerCase('en-US');
    return items.flatMap(g =>
      g && ownersOf(g).includes(me)
        ? [
            {
              ref: stringifyEntityRef(g).toLocaleLowerCase('en-US'),
              title: g.metadata.title ?? g.metadata.name,
            },
          ]
        : [],
    );
  }
}
