import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { ConflictError, NotFoundError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import {
  AdminUser,
  AdminUserSort,
  AdminUsersResponse,
  MARKETPLACE_ROLES_CHANGED_TOPIC,
  MarketplaceRole,
  MarketplaceRoleDirectory,
  resolveMarketplaceRole,
  RoleGroups,
  UserStatus,
} from '@internal/plugin-marketplace-common';
import { UsageLedger } from '../../stores/ledger/UsageLedger';
import { UserAdminStore } from '../../stores/UserAdminStore';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { Caller, ownerRefOf } from '../access';

/** The groups a User entity is a direct member of, as lowercase refs. */
function groupsOf(entity: Entity): string[] {
  const fromRelations = (entity.relations ?? [])
    .filter(r => r.type === 'memberOf')
    .map(r => r.targetRef.toLocaleLowerCase('en-US'));
  if (fromRelations.length > 0) {
    return [...new Set(fromRelations)].sort();
  }
  const memberOf = (entity.spec as { memberOf?: unknown } | undefined)
    ?.memberOf;
  if (!Array.isArray(memberOf)) {
    return [];
  }
  const refs = memberOf.flatMap(m => {
    try {
      return [
        stringifyEntityRef(
          parseEntityRef(String(m), {
            defaultKind: 'group',
            defaultNamespace: entity.metadata.namespace ?? 'default',
          }),
        ),
      ];
    } catch {
      return [];
    }
  });
  return [...new Set(refs)].sort();
}

const ROLE_RANK: Record<MarketplaceRole, number> = {
  consumer: 0,
  provider: 1,
  admin: 2,
};

const SORTS: Record<AdminUserSort, (a: AdminUser, b: AdminUser) => number> = {
  name: (a, b) =>
    (a.displayName ?? a.name).localeCompare(b.displayName ?? b.name, 'en'),
  role: (a, b) => ROLE_RANK[a.role] - ROLE_RANK[b.role],
  status: (a, b) => a.status.localeCompare(b.status),
  subscriptions: (a, b) => a.subscriptions - b.subscriptions,
  activeKeys: (a, b) => a.activeKeys - b.activeKeys,
  spend: (a, b) => a.monthSpendMicros - b.monthSpendMicros,
  lastActive: (a, b) =>
    (a.lastActiveAt ? Date.parse(a.lastActiveAt) : -Infinity) -
      (b.lastActiveAt ? Date.parse(b.lastActiveAt) : -Infinity) || 0,
};

export interface UserQuery {
  q?: string;
  role?: MarketplaceRole[];
  status?: UserStatus[];
  sort: AdminUserSort;
  order: 'asc' | 'desc';
  offset: number;
  limit: number;
}

/**
 * The admins' view of the marketplace's users: the catalog's users joined
 * with what the marketplace knows of them (role from groups and override,
 * suspension, activity), and the changes admins make (role overrides,
 * suspensions), audited by the store in the same transaction.
 */
export class UserAdministration {
  constructor(
    private readonly options: {
      auth: AuthService;
      catalog: Pick<CatalogService, 'getEntities'>;
      directory: ServiceDirectory;
      users: UserAdminStore;
      ledger: UsageLedger;
      events: EventsService;
      logger: LoggerService;
      /** Admin and provider groups from config. */
      roleGroups: RoleGroups;
    },
  ) {}

  /**
   * Groups whose members are providers: config, and the owners of Provider
   * entities an admin approved (a Provider anyone can register grants nothing
   * before that).
   */
  private providerGroups(): string[] {
    const { directory, roleGroups } = this.options;
    const owners = directory
      .listProviders()
      .filter(([ref]) => directory.isProviderApproved(ref))
      .map(([, provider]) => ownerRefOf(provider.spec.owner))
      .filter(Boolean);
    return [...new Set([...roleGroups.provider, ...owners])].sort();
  }

  private groupRole(userRef: string, groups: string[]): MarketplaceRole {
    return resolveMarketplaceRole([userRef, ...groups], {
      admin: this.options.roleGroups.admin,
      provider: this.providerGroups(),
    });
  }

  /** Every user: the catalog's, joined with the marketplace's data about them. */
  private async loadUsers(): Promise<AdminUser[]> {
    const { catalog, auth, ledger, users } = this.options;
    const { items } = await catalog.getEntities(
      { filter: { kind: 'User' } },
      { credentials: await auth.getOwnServiceCredentials() },
    );
    // Settlements still queued in this process count too.
    await ledger.flush();
    const [activity, suspensions, overrides] = await Promise.all([
      users.activity(),
      users.listSuspensions(),
      users.listOverrides(),
    ]);
    const result = new Map<string, AdminUser>();
    const add = (userRef: string, entity: Entity | undefined) => {
      if (result.has(userRef)) {
        return;
      }
      const profile = (entity?.spec as any)?.profile ?? {};
      const groups = entity ? groupsOf(entity) : [];
      const fromGroups = this.groupRole(userRef, groups);
      const override = overrides.get(userRef) ?? null;
      const suspension = suspensions.get(userRef) ?? null;
      const stats = activity.get(userRef);
      result.set(userRef, {
        userRef,
        name: userRef.slice(userRef.indexOf('/') + 1),
        displayName:
          typeof profile.displayName === 'string'
            ? profile.displayName
            : entity?.metadata.title ?? null,
        email: typeof profile.email === 'string' ? profile.email : null,
        inCatalog: entity !== undefined,
        groups,
        role: override?.role ?? fromGroups,
        groupRole: fromGroups,
        roleOverride: override,
        status: suspension ? 'suspended' : 'active',
        suspension,
        subscriptions: stats?.subscriptions ?? 0,
        activeKeys: stats?.activeKeys ?? 0,
        monthSpendMicros: stats?.monthSpendMicros ?? 0,
        lastActiveAt: stats?.lastActiveAt ?? null,
      });
    };
    for (const entity of items) {
      add(stringifyEntityRef(entity), entity);
    }
    // Users who left the catalog but still have subscriptions, keys, a
    // suspension or an override stay manageable.
    for (const ref of activity.keys()) {
      if (ref.startsWith('user:')) {
        add(ref, undefined);
      }
    }
    return [...result.values()];
  }

  async get(userRef: string): Promise<AdminUser> {
    const user = (await this.loadUsers()).find(u => u.userRef === userRef);
    if (!user) {
      throw new NotFoundError(
        `No user ${userRef} in the catalog or the marketplace`,
      );
    }
    return user;
  }

  /** Users matching a search and filters, sorted and paged. */
  async list(query: UserQuery): Promise<AdminUsersResponse> {
    const q = query.q?.trim().toLocaleLowerCase('en-US');
    const roles = query.role?.length ? new Set(query.role) : undefined;
    const statuses = query.status?.length
      ? new Set<UserStatus>(query.status)
      : undefined;
    const compare = SORTS[query.sort];
    const direction = query.order === 'desc' ? -1 : 1;
    const matching = (await this.loadUsers())
      .filter(
        u =>
          !q ||
          [u.userRef, u.name, u.displayName ?? '', u.email ?? ''].some(f =>
            f.toLocaleLowerCase('en-US').includes(q),
          ),
      )
      .filter(u => !roles || roles.has(u.role))
      .filter(u => !statuses || statuses.has(u.status))
      .sort(
        (a, b) =>
          direction * compare(a, b) || a.userRef.localeCompare(b.userRef),
      );
    return {
      items: matching.slice(query.offset, query.offset + query.limit),
      total: matching.length,
      offset: query.offset,
      limit: query.limit,
    };
  }

  private notYourself(me: Caller, userRef: string, what: string) {
    if (me.userRef.toLocaleLowerCase('en-US') === userRef) {
      throw new ConflictError(
        `You cannot ${what} yourself: ask another platform admin`,
      );
    }
  }

  /** Sets (or with null, removes) a user's role override; policies pick it up at once. */
  async setRole(
    me: Caller,
    userRef: string,
    role: MarketplaceRole | null,
  ): Promise<AdminUser> {
    const { users, events, logger } = this.options;
    const user = await this.get(userRef);
    this.notYourself(me, userRef, 'change the role of');
    await users.setRole({
      userRef,
      role,
      groupRole: user.groupRole,
      actor: me.userRef,
    });
    try {
      await events.publish({
        topic: MARKETPLACE_ROLES_CHANGED_TOPIC,
        eventPayload: { userRef },
      });
    } catch (error) {
      logger.warn(
        `Could not announce the role change of ${userRef} (policies pick it up within seconds): ${error}`,
      );
    }
    logger.info(
      `${me.userRef} set the role override of ${userRef} to ${role ?? 'none'}`,
    );
    return this.get(userRef);
  }

  async suspend(
    me: Caller,
    userRef: string,
    reason: string,
  ): Promise<AdminUser> {
    await this.get(userRef);
    this.notYourself(me, userRef, 'suspend');
    await this.options.users.suspend({ userRef, reason, actor: me.userRef });
    this.options.logger.info(`${me.userRef} suspended ${userRef}`);
    return this.get(userRef);
  }

  async reinstate(me: Caller, userRef: string): Promise<AdminUser> {
    await this.get(userRef);
    await this.options.users.reinstate({ userRef, actor: me.userRef });
    this.options.logger.info(`${me.userRef} reinstated ${userRef}`);
    return this.get(userRef);
  }

  /** The role overrides and provider groups the permission policy reads. */
  async roleDirectory(): Promise<MarketplaceRoleDirectory> {
    const overrides: Record<string, MarketplaceRole> = {};
    for (const [ref, o] of await this.options.users.listOverrides()) {
      overrides[ref] = o.role;
    }
    return { overrides, providerGroups: this.providerGroups() };
  }

  /**
   * The audit log's Target filter: the text itself (part of a ref, service or
   * setting) and the users whose name, display name or e-mail match it, so that
   * "priya", "Priya Raman" and "priya.raman" all find user:default/priya.raman.
   */
  async auditTargetFilter(
    raw: string,
  ): Promise<{ text: string; refs: string[] }> {
    const text = raw.trim();
    const words = (value: unknown) =>
      String(value ?? '')
        .toLocaleLowerCase('en-US')
        .replace(/[\s._@-]+/g, ' ')
        .trim();
    const term = words(text);
    const { items } = await this.options.catalog.getEntities(
      { filter: { kind: 'User' } },
      { credentials: await this.options.auth.getOwnServiceCredentials() },
    );
    const refs = term
      ? items
          .filter(user => {
            const profile = (user.spec as any)?.profile ?? {};
            return [
              user.metadata.name,
              user.metadata.title,
              profile.displayName,
              profile.email,
            ].some(v => words(v).includes(term));
          })
          .map(user => stringifyEntityRef(user).toLocaleLowerCase('en-US'))
      : [];
    return { text, refs };
  }
}
