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
  AuditLogResponse,
  marketplaceAuditReadPermission,
  marketplaceSettingsManagePermission,
  marketplaceUsersManagePermission,
  marketplaceUsersReadPermission,
  RoleGroups,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import { AuditLog } from '../stores/AuditLog';
import { PlatformSettingsStore } from '../stores/PlatformSettingsStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { UserAdminStore } from '../stores/UserAdminStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Access, Caller } from './access';
import { UserAdministration } from './admin/UserAdministration';
import { plainText } from './plainText';

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

/**
 * At most 2 decimals: a binary float is not an exact multiple of 0.01, so the
 * document's `multipleOf` would refuse 0.29 and 33.33.
 */
function feePercent(percent: number): number {
  if (Math.abs(percent * 100 - Math.round(percent * 100)) >= 1e-6) {
    throw new InputError(
      "Invalid body field 'percent': must have at most 2 decimals",
    );
  }
  return percent;
}

/** A user ref from a path parameter: `lena.fischer`, `default/lena.fischer` or the full ref. */
function userRefParam(value: string): string {
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
    res.json(
      await users.list({
        ...req.query,
        sort: req.query.sort ?? 'name',
        order: req.query.order ?? 'asc',
        offset: req.query.offset ?? 0,
        limit: req.query.limit ?? 25,
      }),
    );
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
    const { role } = req.body;
    res.json({ user: await users.setRole(me, userRef, role) });
  });

  router.post('/v1/admin/users/:userRef/suspend', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'suspend users',
    );
    const userRef = userRefParam(req.params.userRef);
    const reason = plainText(req.body.reason, 'reason', 'is required');
    res.json({ user: await users.suspend(me, userRef, reason) });
  });

  router.post('/v1/admin/users/:userRef/reinstate', async (req, res) => {
    const me = await admin(
      req,
      marketplaceUsersManagePermission,
      'reinstate users',
    );
    const userRef = userRefParam(req.params.userRef);
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
    const percent = feePercent(req.body.percent);
    const updated = await settings.setFee(
      Math.round(percent * 100),
      me.userRef,
    );
    logger.info(`${me.userRef} set the platform fee to ${percent}%`);
    res.json({ settings: updated });
  });

  router.get('/v1/admin/audit', async (req, res) => {
    await admin(req, marketplaceAuditReadPermission, 'read the audit log');
    const { action, actor, target } = req.query;
    const offset = req.query.offset ?? 0;
    const limit = req.query.limit ?? 50;
    const page = await audit.list({
      action,
      actor: actor ? actorRef(actor) : undefined,
      target: target ? await users.auditTargetFilter(target) : undefined,
      offset,
      limit,
    });
    const body: AuditLogResponse = { ...page, offset, limit };
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
