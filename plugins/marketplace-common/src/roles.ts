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
 * Resolves the role a user holds through their group memberships (their
 * ownership entity refs). The highest role wins.
 *
 * @public
 */
export function resolveMarketplaceRole(
  ownershipEntityRefs: string[],
  groups: RoleGroups,
): MarketplaceRole {
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
