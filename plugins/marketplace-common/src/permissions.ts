import {
  AuthorizeResult,
  ConditionalPolicyDecision,
  createPermission,
  PermissionCondition,
  PermissionCriteria,
  ResourcePermission,
} from '@backstage/plugin-permission-common';

/**
 * Resource type of ModelServices in the permission framework. Resource refs are
 * entity refs (`modelservice:default/<name>`).
 *
 * @public
 */
export const MARKETPLACE_SERVICE_RESOURCE_TYPE = 'marketplace-model-service';

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
 * Change or unpublish one ModelService (a resource permission): policies grant it
 * to admins, and to providers on the condition that they own the service
 * ({@link marketplaceServiceConditions}).
 *
 * @public
 */
export const marketplaceServiceManagePermission = createPermission({
  name: 'marketplace.service.manage',
  attributes: { action: 'update' },
  resourceType: MARKETPLACE_SERVICE_RESOURCE_TYPE,
});

/**
 * Parameters of the `IS_SERVICE_OWNER` rule: the caller's ownership entity refs.
 *
 * @public
 */
export type IsServiceOwnerParams = { claims: string[] };

/**
 * Conditions on ModelServices for permission policies. The marketplace backend
 * registers the rules behind them (`IS_SERVICE_OWNER`: one of `claims` is the
 * service's `spec.owner`).
 *
 * @public
 */
export const marketplaceServiceConditions = {
  isServiceOwner(
    params: IsServiceOwnerParams,
  ): PermissionCondition<
    typeof MARKETPLACE_SERVICE_RESOURCE_TYPE,
    IsServiceOwnerParams
  > {
    return {
      rule: 'IS_SERVICE_OWNER',
      resourceType: MARKETPLACE_SERVICE_RESOURCE_TYPE,
      params,
    };
  },
};

/**
 * A conditional decision on a ModelService permission, evaluated by the
 * marketplace backend.
 *
 * @public
 */
export function createMarketplaceServiceConditionalDecision(
  permission: ResourcePermission<typeof MARKETPLACE_SERVICE_RESOURCE_TYPE>,
  conditions: PermissionCriteria<
    PermissionCondition<typeof MARKETPLACE_SERVICE_RESOURCE_TYPE>
  >,
): ConditionalPolicyDecision {
  return {
    result: AuthorizeResult.CONDITIONAL,
    pluginId: 'marketplace',
    resourceType: permission.resourceType,
    conditions,
  };
}

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
 * Hide and unhide abusive reviews.
 *
 * @public
 */
export const marketplaceReviewsModeratePermission = createPermission({
  name: 'marketplace.admin.reviews.moderate',
  attributes: { action: 'update' },
});

/**
 * Change platform settings such as the platform fee.
 *
 * @public
 */
export const marketplaceSettingsManagePermission = createPermission({
  name: 'marketplace.admin.settings.manage',
  attributes: { action: 'update' },
});

/**
 * Mark provider payout statements paid.
 *
 * @public
 */
export const marketplacePayoutsManagePermission = createPermission({
  name: 'marketplace.admin.payouts.manage',
  attributes: { action: 'update' },
});

/**
 * Read the usage statements (chargeback) of any team, not only one's own.
 *
 * @public
 */
export const marketplaceBillingReadPermission = createPermission({
  name: 'marketplace.admin.billing.read',
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
  marketplaceReviewsModeratePermission,
  marketplaceSettingsManagePermission,
  marketplacePayoutsManagePermission,
  marketplaceBillingReadPermission,
];

/**
 * Every marketplace permission.
 *
 * @public
 */
export const marketplacePermissions = [
  marketplaceServicePublishPermission,
  marketplaceServiceManagePermission,
  ...marketplaceAdminPermissions,
];
