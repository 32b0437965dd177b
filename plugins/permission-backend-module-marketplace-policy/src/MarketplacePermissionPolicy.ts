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
  readRoleGroups,
  resolveMarketplaceRole,
  RoleGroups,
} from '@internal/plugin-marketplace-common';
import { RoleDirectorySource } from './RoleDirectoryCache';

/**
 * The marketplace's permission policy. Roles: admins are the members of the
 * groups in `marketplace.admins.groups` (deprecated alias
 * `marketplace.roles.adminGroups`); providers the members of a group that owns a
 * Provider entity or is listed in `marketplace.roles.providerGroups`; everyone
 * else signed in is a consumer. A per-user override set by an admin (stored by
 * the marketplace backend, read through `roles`) wins over the groups; until
 * the overrides could be read once, nobody is an admin by group (an override
 * may have demoted them).
 * - platform admins may do everything;
 * - the marketplace admin permissions are denied to everyone else;
 * - publishing services needs the provider role;
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
    deps: {
      userInfo: UserInfoService;
      logger: LoggerService;
      /** The admins' role overrides and the Provider-owning groups. */
      roles?: RoleDirectorySource;
    },
  ): MarketplacePermissionPolicy {
    const groups = readRoleGroups(config, m => deps.logger.warn(m));
    deps.logger.info(
      `Marketplace permission policy: admins ${groups.admin.join(
        ', ',
      )}; providers ${
        groups.provider.join(', ') || '(none)'
      } and the owners of Provider entities${
        deps.roles ? '; per-user overrides from the marketplace' : ''
      }`,
    );
    return new MarketplacePermissionPolicy(groups, deps.userInfo, deps.roles);
  }

  private constructor(
    private readonly groups: RoleGroups,
    private readonly userInfo: UserInfoService,
    private readonly roles?: RoleDirectorySource,
  ) {}

  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    if (!user) {
      return { result: AuthorizeResult.DENY };
    }
    const [{ userEntityRef, ownershipEntityRefs }, directory] =
      await Promise.all([
        this.userInfo.getUserInfo(user.credentials),
        this.roles?.get(),
      ]);
    const role = resolveMarketplaceRole(
      ownershipEntityRefs,
      {
        // Fails closed: while the overrides could not be read yet, an override
        // demoting an admin is unknown, so no admin rights come from groups.
        admin: this.roles && !directory ? [] : this.groups.admin,
        provider: [
          ...this.groups.provider,
          ...(directory?.providerGroups ?? []),
        ],
      },
      directory?.overrides[userEntityRef.toLocaleLowerCase('en-US')],
    );
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
