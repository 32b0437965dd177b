import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  ADMIN_LIMITS,
  ADMIN_USER_SORTS,
  AdminUser,
  AdminUserSort,
  AdminUsersResponse,
  AUDIT_ACTIONS,
  AuditAction,
  AuditLogResponse,
  MARKETPLACE_ROLES,
  MARKETPLACE_ROLES_CHANGED_TOPIC,
  MarketplaceRole,
  MarketplaceRoleDirectory,
  marketplaceAuditReadPermission,
  marketplaceSettingsManagePermission,
  marketplaceUsersManagePermission,
  marketplaceUsersReadPermission,
  resolveMarketplaceRole,
  RoleGroups,
  USER_STATUSES,
  UserStatus,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { AuditLog } from '../database/AuditLog';
import { PlatformSettingsStore } from '../database/PlatformSettingsStore';
import { UsageLedger } from '../database/UsageLedger';
import { UserAdminStore } from '../database/UserAdminStore';
import { ServiceDirectory } from '../gateway/ServiceDirectory';
import { Access, Caller, ownerRefOf } from './access';
import { parse } from './parse';

export interface AdminRouterOptions {
  access: Access;
  httpAuth: HttpAuthService;
  auth: AuthService;
  logger: LoggerService;
  catalog: Pick<CatalogService, 'getEntities'>;
  directory: ServiceDirectory;
  users: UserAdminStore;
  settings: PlatformSettingsStore;
  audit: AuditLog;
  ledger: UsageLedger;
  events: EventsService;
  /** Admin and provider groups from config. */
  roleGroups: RoleGroups;
}

/** A query parameter that takes several values: repeated or comma-separated. */
function multi<T extends string>(values: readonly T[]) {
  return z.preprocess(
    v =>
      v === undefined
        ? undefined
        : (Array.isArray(v) ? v : [v])
            .flatMap(x => String(x).split(','))
            .map(x => x.trim())
            .filter(Boolean),
    z.array(z.enum(values as [T, ...T[]])).optional(),
  );
}

const usersQuery = z
  .object({
    q: z.string().max(ADMIN_LIMITS.searchMaxLength).optional(),
    role: multi(MARKETPLACE_ROLES),
    status: multi(USER_STATUSES),
    sort: z
      .enum(ADMIN_USER_SORTS as [AdminUserSort, ...AdminUserSort[]])
      .default('name'),
    order: z.enum(['asc', 'desc']).default('asc'),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(100).default(25),
  })
  .strict();

const roleBody = z
  .object({
    role: z
      .enum(MARKETPLACE_ROLES as [MarketplaceRole, ...MarketplaceRole[]], {
        message: 'must be consumer, provider, admin or null',
      })
      .nullable(),
  })
  .strict();

const suspendBody = z
  .object({
    reason: z
      .string({ message: 'is required' })
      .transform(s => s.trim())
      .pipe(
        z
          .string()
          .min(1, 'is required')
          .max(
            ADMIN_LIMITS.suspensionReasonMaxLength,
            `must be at most ${ADMIN_LIMITS.suspensionReasonMaxLength} characters`,
          )
          .refine(
            // eslint-disable-next-line no-control-regex
            s => !/[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/.test(s),
            'must not contain control characters',
          ),
      ),
  })
  .strict();

const emptyBody = z.object({}).strict();

const feeBody = z
  .object({
    percent: z
      .number({ message: 'is required: a number from 0 to 100' })
      .min(0, 'must be between 0 and 100')
      .max(100, 'must be between 0 and 100')
      .refine(
        p => Math.abs(p * 100 - Math.round(p * 100)) < 1e-6,
        'must have at most 2 decimals',
      ),
  })
  .strict();

const refText = z.string().min(1).max(300);
const auditQuery = z
  .object({
    action: multi(AUDIT_ACTIONS as readonly AuditAction[]),
    actor: refText.optional(),
    target: refText.optional(),
    offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
    limit: z.coerce.number().int().min(1).max(200).default(50),
  })
  .strict();

/** A user ref from a path parameter: `lena.fischer`, `default/lena.fischer` or the full ref. */
function userRefParam(raw: string | undefined): string {
  const value = parse(refText, raw, "path parameter 'userRef'");
  let ref;
  try {
    ref = parseEntityRef(value, {
      defaultKind: 'user',
      defaultNamespace: 'default',
    });
  } catch (error) {
    throw new InputError(
      `Invalid path parameter 'userRef': ${(error as Error).message}`,
    );
  }
  if (ref.kind.toLocaleLowerCase('en-US') !== 'user') {
    throw new InputError(
      `Invalid path parameter 'userRef': must be a user, not a ${ref.kind}`,
    );
  }
  return stringifyEntityRef(ref);
}

/** An actor filter: a user ref in any of the forms above. */
function actorRef(raw: string): string {
  try {
    return stringifyEntityRef(
      parseEntityRef(raw, { defaultKind: 'user', defaultNamespace: 'default' }),
    );
  } catch (error) {
    throw new InputError(
      `Invalid query field 'actor': ${(error as Error).message}`,
    );
  }
}

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

/**
 * The admin API (`/v1/admin/users`, `/v1/admin/settings`, `/v1/admin/audit`)
 * and the role directory the permission policy reads
 * (`/v1/internal/roles`, service principals only). Every route is authorized
 * with the marketplace's admin permissions before its input is read; every
 * change is audited in the same transaction.
 */
export function createAdminRouter(options: AdminRouterOptions): express.Router {
  const { access, users, settings, audit, directory, logger } = options;
  const router = createApiRouter();
  // Only its own routes: a body parser mounted for every path would set
  // the body limit of the routers mounted after it.
  router.use(
    ['/v1/admin/users', '/v1/admin/settings'],
    express.json({ limit: '64kb' }),
  );

  async function admin(
    req: ApiRequest,
    permission: BasicPermission,
    what: string,
  ): Promise<Caller> {
    const me = await access.caller(req);
    if (!(await access.allowed(me, permission))) {
      throw new NotAllowedError(`Only platform admins ${what}`);
    }
    return me;
  }

  /**
   * Groups whose members are providers: config, and the owners of Provider
   * entities an admin approved (a Provider anyone can register grants nothing
   * before that).
   */
  function providerGroups(): string[] {
    const owners = directory
      .listProviders()
      .filter(([ref]) => directory.isProviderApproved(ref))
      .map(([, provider]) => ownerRefOf(provider.spec.owner))
      .filter(Boolean);
    return [...new Set([...options.roleGroups.provider, ...owners])].sort();
  }

  function groupRole(userRef: string, groups: string[]): MarketplaceRole {
    return resolveMarketplaceRole([userRef, ...groups], {
      admin: options.roleGroups.admin,
      provider: providerGroups(),
    });
  }

  /**
   * The audit log's Target filter: the text itself (part of a ref, service or
   * setting) and the users whose name, display name or e-mail match it, so that
   * "priya", "Priya Raman" and "priya.raman" all find user:default/priya.raman.
   */
  async function targetFilter(
    raw: string,
  ): Promise<{ text: string; refs: string[] }> {
    const text = raw.trim();
    const words = (value: unknown) =>
      String(value ?? '')
        .toLocaleLowerCase('en-US')
        .replace(/[\s._@-]+/g, ' ')
        .trim();
    const term = words(text);
    const { items } = await options.catalog.getEntities(
      { filter: { kind: 'User' } },
      { credentials: await options.auth.getOwnServiceCredentials() },
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

  /** Every user: the catalog's, joined with the marketplace's data about them. */
  async function loadUsers(): Promise<AdminUser[]> {
    const { items } = await options.catalog.getEntities(
      { filter: { kind: 'User' } },
      { credentials: await options.auth.getOwnServiceCredentials() },
    );
    // Settlements still queued in this process count too.
    await options.ledger.flush();
    const [activity, suspensions, overrides] = await Promise.all([
      users.activity(),
      users.listSuspensions(),
      users.listOverrides(),
    ]);
    const result = new Map<string, AdminUser>();
    const add = (
      userRef: string,
      entity: Entity | undefined,
    ): AdminUser | undefined => {
      if (result.has(userRef)) {
        return undefined;
      }
      const profile = (entity?.spec as any)?.profile ?? {};
      const groups = entity ? groupsOf(entity) : [];
      const fromGroups = groupRole(userRef, groups);
      const override = overrides.get(userRef) ?? null;
      const suspension = suspensions.get(userRef) ?? null;
      const stats = activity.get(userRef);
      const user: AdminUser = {
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
      };
      result.set(userRef, user);
      return user;
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

  async function findUser(userRef: string): Promise<AdminUser> {
    const user = (await loadUsers()).find(u => u.userRef === userRef);
    if (!user) {
      throw new NotFoundError(
        `No user ${userRef} in the catalog or the marketplace`,
      );
    }
    return user;
  }

  function notYourself(me: Caller, userRef: string, what: string) {
    if (me.userRef.toLocaleLowerCase('en-US') === userRef) {
      throw new ConflictError(
        `You cannot ${what} yourself: ask another platform admin`,
      );
    }
  }

  router.get('/v1/admin/users', async (req, res) => {
    await admin(req, marketplaceUsersReadPermission, 'list users');
    const query = parse(usersQuery, req.query, 'query');
    const q = query.q?.trim().toLocaleLowerCase('en-US');
    const roles = query.role?.length ? new Set(query.role) : undefined;
    const statuses = query.status?.length
      ? new Set<UserStatus>(query.status)
      : undefined;
    const compare = SORTS[query.sort];
    const direction = query.order === 'desc' ? -1 : 1;
    const matching = (await loadUsers())
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
    const body: AdminUsersResponse = {
      items: matching.slice(query.offset, query.offset + query.limit),
      total: matching.length,
      offset: query.offset,
      limit: query.limit,
    };
    res.json(body);
  });

  router.get('/v1/admin/users/:userRef', async (req, res) => {
    await admin(req, marketplaceUsersReadPermission, 'see users');
    res.json({ user: await findUser(userRefParam(req.params.userRef)) });
  });

  router.put('/v1/admin/users/:userRef/role', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      "change users' roles",
    );
    const userRef = userRefParam(req.params.userRef);
    const { role } = parse(roleBody, req.body ?? {}, 'body');
    const user = await findUser(userRef);
    notYourself(me, userRef, 'change the role of');
    await users.setRole({
      userRef,
      role,
      groupRole: user.groupRole,
      actor: me.userRef,
    });
    try {
      await options.events.publish({
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
    res.json({ user: await findUser(userRef) });
  });

  router.post('/v1/admin/users/:userRef/suspend', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'suspend users',
    );
    const userRef = userRefParam(req.params.userRef);
    const { reason } = parse(suspendBody, req.body ?? {}, 'body');
    await findUser(userRef);
    notYourself(me, userRef, 'suspend');
    await users.suspend({ userRef, reason, actor: me.userRef });
    logger.info(`${me.userRef} suspended ${userRef}`);
    res.json({ user: await findUser(userRef) });
  });

  router.post('/v1/admin/users/:userRef/reinstate', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'reinstate users',
    );
    const userRef = userRefParam(req.params.userRef);
    parse(emptyBody, req.body ?? {}, 'body');
    await findUser(userRef);
    await users.reinstate({ userRef, actor: me.userRef });
    logger.info(`${me.userRef} reinstated ${userRef}`);
    res.json({ user: await findUser(userRef) });
  });

  router.get('/v1/admin/settings', async (req, res) => {
    await admin(
      req,
      marketplaceSettingsManagePermission,
      'see the platform settings',
    );
    res.json({ settings: await settings.get() });
  });

  router.put('/v1/admin/settings/platform-fee', async (req, res) => {
    const me = await admin(
      req,
      marketplaceSettingsManagePermission,
      'change the platform fee',
    );
    const { percent } = parse(feeBody, req.body ?? {}, 'body');
    const updated = await settings.setFee(
      Math.round(percent * 100),
      me.userRef,
    );
    logger.info(`${me.userRef} set the platform fee to ${percent}%`);
    res.json({ settings: updated });
  });

  router.get('/v1/admin/audit', async (req, res) => {
    await admin(req, marketplaceAuditReadPermission, 'read the audit log');
    const query = parse(auditQuery, req.query, 'query');
    const page = await audit.list({
      action: query.action,
      actor: query.actor ? actorRef(query.actor) : undefined,
      target: query.target ? await targetFilter(query.target) : undefined,
      offset: query.offset,
      limit: query.limit,
    });
    const body: AuditLogResponse = {
      ...page,
      offset: query.offset,
      limit: query.limit,
    };
    res.json(body);
  });

  // --- Internal: the permission policy (service principals only) -------------

  router.get('/v1/internal/roles', async (req, res) => {
    // Users (even admins) are refused with 403; only backend plugins may call.
    await options.httpAuth.credentials(req, { allow: ['service'] });
    const overrides: Record<string, MarketplaceRole> = {};
    for (const [ref, o] of await users.listOverrides()) {
      overrides[ref] = o.role;
    }
    const body: MarketplaceRoleDirectory = {
      overrides,
      providerGroups: providerGroups(),
    };
    res.json(body);
  });

  return router;
}
