import { MarketplaceRole } from '../roles';

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
export type UserStatus = 'active' | 'suspended';

/**
 * Why and since when a user is suspended.
 *
 * @public
 */
export interface UserSuspension {
  reason: string;
  suspendedBy: string;
  suspendedAt: string;
}

/**
 * A role an admin set for one user; it wins over their group memberships.
 *
 * @public
 */
export interface RoleOverride {
  role: MarketplaceRole;
  setBy: string;
  setAt: string;
}

/**
 * A user as the admins see them: from the catalog, joined with marketplace data.
 *
 * @public
 */
export interface AdminUser {
  /** `user:default/<name>`. */
  userRef: string;
  name: string;
  /** The catalog profile's display name. */
  displayName: string | null;
  email: string | null;
  /** False for users the marketplace knows who left the catalog. */
  inCatalog: boolean;
  /** Group refs the user is a direct member of. */
  groups: string[];
  /** The role in effect: the override if there is one, else from the groups. */
  role: MarketplaceRole;
  /** The role the user's groups give. */
  groupRole: MarketplaceRole;
  roleOverride: RoleOverride | null;
  status: UserStatus;
  suspension: UserSuspension | null;
  /** Active subscriptions. */
  subscriptions: number;
  /** Keys that are not revoked. */
  activeKeys: number;
  /** Spend of all the user's subscriptions this UTC month, integer micro-USD. */
  monthSpendMicros: number;
  /** The user's latest gateway request (usage ledger). */
  lastActiveAt: string | null;
}

/**
 * How `GET /v1/admin/users` sorts.
 *
 * @public
 */
export type AdminUserSort =
  | 'name'
  | 'role'
  | 'status'
  | 'subscriptions'
  | 'activeKeys'
  | 'spend'
  | 'lastActive';

/**
 * Answer of `GET /v1/admin/users`: one page.
 *
 * @public
 */
export interface AdminUsersResponse {
  items: AdminUser[];
  total: number;
  offset: number;
  limit: number;
}

/**
 * Body of `PUT /v1/admin/users/:userRef/role`: `null` removes the override.
 *
 * @public
 */
export interface SetRoleRequest {
  role: MarketplaceRole | null;
}

/**
 * Body of `POST /v1/admin/users/:userRef/suspend`.
 *
 * @public
 */
export interface SuspendUserRequest {
  /** 1 to 500 characters; the user sees it. */
  reason: string;
}

/**
 * The platform settings admins change at runtime.
 *
 * @public
 */
export interface PlatformSettings {
  /** The platform's share of every charged request, in percent (2 decimals). */
  platformFeePercent: number;
  /** The same in basis points (1% = 100), as the ledger applies it. */
  platformFeeBasisPoints: number;
  /** `config` until an admin sets the fee, then `admin`. */
  platformFeeSource: 'config' | 'admin';
  updatedBy: string | null;
  updatedAt: string | null;
}

/**
 * Body of `PUT /v1/admin/settings/platform-fee`.
 *
 * @public
 */
export interface SetPlatformFeeRequest {
  /** 0 to 100, at most 2 decimals. */
  percent: number;
}

/**
 * What an admin did.
 *
 * @public
 */
export type AuditAction =
  | 'user.role.changed'
  | 'user.suspended'
  | 'user.reinstated'
  | 'platform.fee.changed'
  | 'service.approved'
  | 'service.rejected'
  | 'service.change_rejected'
  | 'provider.approved'
  | 'provider.rejected'
  | 'review.hidden'
  | 'review.unhidden'
  | 'payout.paid'
  | 'credential.created'
  | 'credential.rotated'
  | 'credential.deleted'
  | 'provider.verified'
  | 'provider.unverified'
  | 'budget.set'
  | 'budget.deleted'
  | 'price.announced';

/**
 * What an audited action was done to.
 *
 * @public
 */
export type AuditTargetType =
  | 'user'
  | 'service'
  | 'provider'
  | 'review'
  | 'platform'
  | 'payout'
  | 'credential'
  | 'budget';

/**
 * One admin action: who, what, when, to what, and the state before and after.
 *
 * @public
 */
export interface AuditEntry {
  id: string;
  at: string;
  /** The admin's user ref. */
  actor: string;
  action: AuditAction;
  targetType: AuditTargetType;
  /** A user or service entity ref, a review id, or `platform-fee`. */
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

/**
 * Answer of `GET /v1/admin/audit`: newest first.
 *
 * @public
 */
export interface AuditLogResponse {
  items: AuditEntry[];
  total: number;
  offset: number;
  limit: number;
}

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
