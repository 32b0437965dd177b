import { LoggerService, UserInfoService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import {
  catalogEntityDeletePermission,
  catalogEntityReadPermission,
  catalogLocationDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  ANNOTATION_APPROVAL_STATUS,
  createMarketplaceServiceConditionalDecision,
  marketplaceAdminPermissions,
  marketplaceServiceConditions,
  marketplaceServiceManagePermission,
  marketplaceServicePublishPermission,
  MODEL_SERVICE_KIND,
  resolveMarketplaceRole,
  RoleGroups,
} from '@internal/plugin-marketplace-common';

/**
 * The marketplace's permission policy:
 * - platform admins (members of `marketplace.roles.adminGroups`) may do everything;
 * - the marketplace admin permissions are denied to everyone else;
 * - publishing services needs the provider role (`marketplace.roles.providerGroups`);
 * - changing or unpublishing a service (`marketplace.service.manage`): providers
 *   only for the services their groups own (`IS_SERVICE_OWNER`), consumers never;
 * - ModelServices that are not approved (the `marketplace.acme.io/approval-status`
 *   annotation is not `approved`, e.g. waiting for review) are hidden in the
 *   catalog from everyone but their owners;
 * - catalog entities can only be deleted by their owners; locations only by admins;
 * - everything else (reading the catalog, subscribing, running templates) is allowed.
 *
 * @public
 */
export class MarketplacePermissionPolicy implements PermissionPolicy {
  static fromConfig(
    config: Config,
    deps: { userInfo: UserInfoService; logger: LoggerService },
  ): MarketplacePermissionPolicy {
    const groups: RoleGroups = {
      admin: config.getOptionalStringArray('marketplace.roles.adminGroups') ?? [
        'group:default/platform-admins',
      ],
      provider:
        config.getOptionalStringArray('marketplace.roles.providerGroups') ?? [],
    };
    deps.logger.info(
      `Marketplace permission policy: admins ${groups.admin.join(
        ', ',
      )}; providers ${groups.provider.join(', ') || '(none)'}`,
    );
    return new MarketplacePermissionPolicy(groups, deps.userInfo);
  }

  private constructor(
    private readonly groups: RoleGroups,
    private readonly userInfo: UserInfoService,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const { ownershipEntityRefs } = await this.userInfo.getUserInfo(
      user.credentials,
    );
    const role = resolveMarketplaceRole(ownershipEntityRefs, this.groups);
    if (role === 'admin') {
      return { result: AuthorizeResult.ALLOW };
    }
    const { permission } = request;
    if (marketplaceAdminPermissions.some(p => isPermission(permission, p))) {
      return { result: AuthorizeResult.DENY };
    }
    if (isPermission(permission, marketplaceServicePublishPermission)) {
      return {
        result:
          role === 'provider' ? AuthorizeResult.ALLOW : AuthorizeResult.DENY,
      };
    }
    if (isPermission(permission, marketplaceServiceManagePermission)) {
      if (role !== 'provider') {
        return { result: AuthorizeResult.DENY };
      }
      return createMarketplaceServiceConditionalDecision(
        permission,
        marketplaceServiceConditions.isServiceOwner({
          claims: ownershipEntityRefs,
        }),
      );
    }
    if (isPermission(permission, catalogEntityReadPermission)) {
      // Everything but a ModelService under review, unless the caller owns it.
      return createCatalogConditionalDecision(permission, {
        anyOf: [
          {
            not: catalogConditions.isEntityKind({
              kinds: [MODEL_SERVICE_KIND],
            }),
          },
          catalogConditions.hasAnnotation({
            annotation: ANNOTATION_APPROVAL_STATUS,
            value: 'approved',
          }),
          catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
        ],
      });
    }
    if (isPermission(permission, catalogEntityDeletePermission)) {
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({ claims: ownershipEntityRefs }),
      );
    }
    if (isPermission(permission, catalogLocationDeletePermission)) {
      return { result: AuthorizeResult.DENY };
    }
    return { result: AuthorizeResult.ALLOW };
  }
}
