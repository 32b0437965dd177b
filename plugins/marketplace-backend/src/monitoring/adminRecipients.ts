import type { UserAdminStore } from '../stores/UserAdminStore';

/**
 * Who hears about every SLA breach besides the service's owner: the admin groups
 * (`marketplace.admins.groups`) and every user an admin made an admin by a role
 * override, read at the time of the breach so a new override counts at once.
 */
export function adminRecipients(
  adminGroups: string[],
  users: Pick<UserAdminStore, 'listOverrides'>,
): () => Promise<string[]> {
  return async () => {
    const overrides = await users.listOverrides();
    const admins = [...overrides]
      .filter(([, override]) => override.role === 'admin')
      .map(([userRef]) => userRef)
      .sort();
    return [...new Set([...adminGroups, ...admins])];
  };
}
