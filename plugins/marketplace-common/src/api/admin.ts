import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/*
 * Types of the admin API (`/v1/admin/...`): users with their role, status,
 * subscriptions and spend; role overrides, suspensions, the platform fee and the
 * audit log of admin actions.
 */

/**
 * Whether a user may use the marketplace: a suspended user's keys stop working
 * on their next request.
 *
 * @public
 */
export type UserStatus = Schemas['UserStatus'];

/**
 * Why and since when a user is suspended.
 *
 * @public
 */
export type UserSuspension = Schemas['UserSuspension'];

/**
 * A role an admin set for one user; it wins over their group memberships.
 *
 * @public
 */
export type RoleOverride = Schemas['RoleOverride'];

/**
 * A user as the admins see them: from the catalog, joined with marketplace data.
 *
 * @public
 */
export type AdminUser = Schemas['AdminUser'];

/**
 * How `GET /v1/admin/users` sorts.
 *
 * @public
 */
export type AdminUserSort = Schemas['AdminUserSort'];

/**
 * Answer of `GET /v1/admin/users`: one page.
 *
 * @public
 */
export type AdminUsersResponse = Schemas['AdminUsersResponse'];

/**
 * The platform settings admins change at runtime.
 *
 * @public
 */
export type PlatformSettings = Schemas['PlatformSettings'];

/**
 * What an admin did.
 *
 * @public
 */
export type AuditAction = Schemas['AuditAction'];

/**
 * What an audited action was done to.
 *
 * @public
 */
export type AuditTargetType = Schemas['AuditTargetType'];

/**
 * One admin action: who, what, when, to what, and the state before and after.
 *
 * @public
 */
export type AuditEntry = Schemas['AuditEntry'];

/**
 * Answer of `GET /v1/admin/audit`: newest first.
 *
 * @public
 */
export type AuditLogResponse = Schemas['AuditLogResponse'];

/** @public */
export const USER_STATUSES: readonly UserStatus[] = ['active', 'suspended'];

/** @public */
export const ADMIN_USER_SORTS: readonly AdminUserSort[] = [
  'name',
  'role',
  'status',
  'subscriptions',
  'activeKeys',
  'spend',
  'lastActive',
];

/** @public */
export const AUDIT_ACTIONS: readonly AuditAction[] = [
  'user.role.changed',
  'user.suspended',
  'user.reinstated',
  'platform.fee.changed',
  'service.approved',
  'service.rejected',
  'service.change_rejected',
  'provider.approved',
  'provider.rejected',
  'review.hidden',
  'review.unhidden',
  'payout.paid',
  'credential.created',
  'credential.rotated',
  'credential.deleted',
  'provider.verified',
  'provider.unverified',
  'budget.set',
  'budget.deleted',
  'price.announced',
];

/** Limits of the admin API's inputs. @public */
export const ADMIN_LIMITS = {
  suspensionReasonMaxLength: 500,
  searchMaxLength: 200,
} as const;
