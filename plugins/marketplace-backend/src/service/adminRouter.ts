import {
  AuthService,
  HttpAuthService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { BasicPermission } from '@backstage/plugin-permission-common';
import {
  ADMIN_LIMITS,
  ADMIN_USER_SORTS,
  AdminUserSort,
  AUDIT_ACTIONS,
  AuditAction,
  AuditLogResponse,
  MARKETPLACE_ROLES,
  MarketplaceRole,
  marketplaceAuditReadPermission,
  marketplaceSettingsManagePermission,
  marketplaceUsersManagePermission,
  marketplaceUsersReadPermission,
  RoleGroups,
  USER_STATUSES,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { z } from 'zod';
import { AuditLog } from '../stores/AuditLog';
import { PlatformSettingsStore } from '../stores/PlatformSettingsStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { UserAdminStore } from '../stores/UserAdminStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Access, Caller } from './access';
import { UserAdministration } from './admin/UserAdministration';
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

/**
 * The admin API (`/v1/admin/users`, `/v1/admin/settings`, `/v1/admin/audit`)
 * and the role directory the permission policy reads
 * (`/v1/internal/roles`, service principals only). Every route is authorized
 * with the marketplace's admin permissions before its input is read; every
 * change is audited in the same transaction.
 */
export function createAdminRouter(options: AdminRouterOptions): express.Router {
  const { access, settings, audit, logger } = options;
  const users = new UserAdministration(options);
  const router = createApiRouter();

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

  router.get('/v1/admin/users', async (req, res) => {
    await admin(req, marketplaceUsersReadPermission, 'list users');
    res.json(await users.list(parse(usersQuery, req.query, 'query')));
  });

  router.get('/v1/admin/users/:userRef', async (req, res) => {
    await admin(req, marketplaceUsersReadPermission, 'see users');
    res.json({ user: await users.get(userRefParam(req.params.userRef)) });
  });

  router.put('/v1/admin/users/:userRef/role', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      "change users' roles",
    );
    const userRef = userRefParam(req.params.userRef);
    const { role } = parse(roleBody, req.body ?? {}, 'body');
    res.json({ user: await users.setRole(me, userRef, role) });
  });

  router.post('/v1/admin/users/:userRef/suspend', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'suspend users',
    );
    const userRef = userRefParam(req.params.userRef);
    const { reason } = parse(suspendBody, req.body ?? {}, 'body');
    res.json({ user: await users.suspend(me, userRef, reason) });
  });

  router.post('/v1/admin/users/:userRef/reinstate', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'reinstate users',
    );
    const userRef = userRefParam(req.params.userRef);
    parse(emptyBody, req.body ?? {}, 'body');
    res.json({ user: await users.reinstate(me, userRef) });
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
      target: query.target
        ? await users.auditTargetFilter(query.target)
        : undefined,
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
    res.json(await users.roleDirectory());
  });

  return router;
}
