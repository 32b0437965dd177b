import { createPermission } from '@backstage/plugin-permission-common';

/**
 * Publish, update and unpublish ModelServices through the portal.
 *
 * @public
 */
export const marketplaceServicePublishPermission = createPermission({
  name: 'marketplace.service.publish',
  attributes: { action: 'create' },
});

/**
 * List marketplace users with their role, status, subscriptions and spend.
 *
 * @public
 */
export const marketplaceUsersReadPermission = createPermission({
  name: 'marketplace.admin.users.read',
  attributes: { action: 'read' },
});

/**
 * Change a user's role, suspend or reinstate them.
 *
 * @public
 */
export const marketplaceUsersManagePermission = createPermission({
  name: 'marketplace.admin.users.manage',
  attributes: { action: 'update' },
});

/**
 * Approve or reject services waiting for review.
 *
 * @public
 */
export const marketplaceApprovalsManagePermission = createPermission({
  name: 'marketplace.admin.approvals.manage',
  attributes: { action: 'update' },
});

/**
 * Read the audit log of admin actions and the platform-wide reports.
 *
 * @public
 */
export const marketplaceAuditReadPermission = createPermission({
  name: 'marketplace.admin.audit.read',
  attributes: { action: 'read' },
});

/**
 * Permissions only platform admins hold by default.
 *
 * @public
 */
export const marketplaceAdminPermissions = [
  marketplaceUsersReadPermission,
  marketplaceUsersManagePermission,
  marketplaceApprovalsManagePermission,
  marketplaceAuditReadPermission,
];

/**
 * Every marketplace permission.
 *
 * @public
 */
export const marketplacePermissions = [
  marketplaceServicePublishPermission,
  ...marketplaceAdminPermissions,
];
