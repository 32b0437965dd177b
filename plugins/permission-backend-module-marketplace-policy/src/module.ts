import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MARKETPLACE_ROLES_CHANGED_TOPIC } from '@internal/plugin-marketplace-common';
import { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';
import { fetchRoleDirectory, RoleDirectoryCache } from './RoleDirectoryCache';

/**
 * Installs the marketplace permission policy into the permission backend. The
 * policy reads the admins' per-user role overrides and the Provider-owning
 * groups from the marketplace backend (`GET /v1/internal/roles`, service auth),
 * cached for `marketplace.admins.roleCacheSeconds` (default 5) and dropped at
 * once when the marketplace announces a change (`marketplace.roles.changed`).
 *
 * @public
 */
export const permissionModuleMarketplacePolicy = createBackendModule({
  pluginId: 'permission',
  moduleId: 'marketplace-policy',
  register(reg) {
    reg.registerInit({
      deps: {
        policy: policyExtensionPoint,
        config: coreServices.rootConfig,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        events: eventsServiceRef,
      },
      async init({
        policy,
        config,
        userInfo,
        logger,
        discovery,
        auth,
        events,
      }) {
        const roles = new RoleDirectoryCache({
          fetch: () => fetchRoleDirectory({ discovery, auth }),
          logger,
          ttlMs:
            (config.getOptionalNumber('marketplace.admins.roleCacheSeconds') ??
              5) * 1000,
        });
        await events.subscribe({
          id: 'permission-marketplace-policy-roles',
          topics: [MARKETPLACE_ROLES_CHANGED_TOPIC],
          onEvent: async () => roles.invalidate(),
        });
        policy.setPolicy(
          MarketplacePermissionPolicy.fromConfig(config, {
            userInfo,
            logger,
            roles,
          }),
        );
      },
    });
  },
});
