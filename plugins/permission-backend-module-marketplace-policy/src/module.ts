import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { policyExtensionPoint } from '@backstage/plugin-permission-node/alpha';
import { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';

/**
 * Installs the marketplace permission policy into the permission backend.
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
      },
      async init({ policy, config, userInfo, logger }) {
        policy.setPolicy(
          MarketplacePermissionPolicy.fromConfig(config, { userInfo, logger }),
        );
      },
    });
  },
});
