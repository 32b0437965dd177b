/**
 * Marketplace roles. Consumers subscribe and call models; providers also publish
 * services and see their revenue; admins manage users, approvals and the platform.
 *
 * @public
 */
export type MarketplaceRole = 'consumer' | 'provider' | 'admin';

/** @public */
export const MARKETPLACE_ROLES: readonly MarketplaceRole[] = [
  'consumer',
  'provider',
  'admin',
];

/**
 * Which groups grant which role (full entity refs, e.g. `group:default/platform-admins`).
 *
 * @public
 */
export interface RoleGroups {
  admin: string[];
  provider: string[];
}

/**
 * Resolves the role a user holds. An admin's per-user override (stored by the
 * marketplace backend) wins; otherwise their group memberships (their ownership
 * entity refs) decide, and the highest role wins.
 *
 * @public
 */
export function resolveMarketplaceRole(
  ownershipEntityRefs: string[],
  groups: RoleGroups,
  override?: MarketplaceRole | null,
): MarketplaceRole {
  if (override && MARKETPLACE_ROLES.includes(override)) {
    return override;
  }
  const refs = new Set(
    ownershipEntityRefs.map(r => r.toLocaleLowerCase('en-US')),
  );
  const has = (list: string[]) =>
    list.some(g => refs.has(g.toLocaleLowerCase('en-US')));
  if (has(groups.admin)) {
    return 'admin';
  }
  if (has(groups.provider)) {
    return 'provider';
  }
  return 'consumer';
}

/** The part of Backstage's `Config` the role settings are read with. */
interface RoleConfig {
  getOptionalStringArray(key: string): string[] | undefined;
}

/** The groups whose members are admins unless the config names others. */
export const DEFAULT_ADMIN_GROUPS = ['group:default/platform-admins'];

/**
 * The role groups from config: admins from `marketplace.admins.groups` (or the
 * deprecated `marketplace.roles.adminGroups`), providers from
 * `marketplace.roles.providerGroups` (members of a group that owns a Provider
 * entity are providers too; the marketplace backend knows those). `warn` is told
 * about the deprecated key.
 *
 * @public
 */
export function readRoleGroups(
  config: RoleConfig,
  warn: (message: string) => void = () => undefined,
): RoleGroups {
  const admins = config.getOptionalStringArray('marketplace.admins.groups');
  const deprecated = config.getOptionalStringArray(
    'marketplace.roles.adminGroups',
  );
  if (deprecated && admins) {
    warn(
      'marketplace.roles.adminGroups is deprecated and ignored because marketplace.admins.groups is set',
    );
  } else if (deprecated) {
    warn(
      'marketplace.roles.adminGroups is deprecated: rename it to marketplace.admins.groups',
    );
  }
  return {
    admin: normalizeGroupRefs(admins ?? deprecated ?? DEFAULT_ADMIN_GROUPS),
    provider: normalizeGroupRefs(
      config.getOptionalStringArray('marketplace.roles.providerGroups') ?? [],
    ),
  };
}

/** `platform-admins` and `Group:default/Platform-Admins` alike: `group:default/platform-admins`. */
function normalizeGroupRefs(refs: string[]): string[] {
  return refs.map(ref => {
    const lower = ref.trim().toLocaleLowerCase('en-US');
    if (lower.includes(':')) {
      return lower.includes('/') ? lower : lower.replace(':', ':default/');
    }
    return lower.includes('/') ? `group:${lower}` : `group:default/${lower}`;
  });
}

/**
 * What the marketplace backend knows about roles beyond config (its internal
 * route `GET /v1/internal/roles`, read by the permission policy): the admins'
 * per-user overrides and the groups that own a Provider entity.
 *
 * @public
 */
export interface MarketplaceRoleDirectory {
  /** Role overrides by user entity ref (lowercase). */
  overrides: Record<string, MarketplaceRole>;
  /** Group refs (lowercase) that own a Provider: their members are providers. */
  providerGroups: string[];
}

/**
 * Announced (events service) when an admin changes a user's role override, so
 * policies drop their cached {@link MarketplaceRoleDirectory}.
 *
 * @public
 */
export const MARKETPLACE_ROLES_CHANGED_TOPIC = 'marketplace.roles.changed';
