import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  marketplacePermissions,
  marketplaceServiceManagePermission,
} from '@internal/plugin-marketplace-common';
import { embeddedGatewayLane } from '@internal/plugin-marketplace-gateway-node';
import { readMarketplaceConfig } from './config';
import { createMarketplace } from './createMarketplace';
import { mountRoutes } from './mountRoutes';
import { serviceResourceRef, serviceRules } from './permissions/rules';

/**
 * The marketplace backend: the REST API under /api/marketplace/v1 and the
 * OpenAI-compatible metering gateway under /api/marketplace/gateway/v1. Both share
 * one store (subscriptions, keys, the usage ledger), so the gateway's hot path
 * needs no network hop.
 *
 * This file only wires: settings are read in config.ts, the parts are built in
 * createMarketplace.ts, the routes are mounted in mountRoutes.ts.
 *
 * @public
 */
export const marketplacePlugin = createBackendPlugin({
  pluginId: 'marketplace',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
        rootConfig: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const { httpRouter, lifecycle, scheduler } = deps;
        const config = readMarketplaceConfig(deps.rootConfig, deps.logger);

        // Who may change which service: the resource permission
        // marketplace.service.manage with the IS_SERVICE_OWNER rule.
        deps.permissionsRegistry.addPermissions(
          marketplacePermissions.filter(
            p => p !== marketplaceServiceManagePermission,
          ),
        );
        deps.permissionsRegistry.addResourceType({
          resourceRef: serviceResourceRef,
          permissions: [marketplaceServiceManagePermission],
          rules: serviceRules,
        });

        const marketplace = await createMarketplace(deps, config);
        lifecycle.addStartupHook(() => marketplace.start(scheduler));
        // Gateway calls skip the backend's express stack once it has started
        // (the fast lane packages/backend puts in front of it); browsers'
        // cross-origin calls and every other path still go through it.
        lifecycle.addStartupHook(async () => {
          const basePath = new URL(
            await deps.discovery.getBaseUrl('marketplace'),
          ).pathname;
          lifecycle.addShutdownHook(
            embeddedGatewayLane.register(
              `${basePath}/gateway`,
              marketplace.gateway.handleHttp,
            ),
          );
        });
        lifecycle.addShutdownHook(() => marketplace.stop());

        httpRouter.use(await mountRoutes(marketplace));
        // The JSON Schemas of the kinds are public, for editors and CI validators.
        httpRouter.addAuthPolicy({
          path: '/schemas',
          allow: 'unauthenticated',
        });
        // The gateway authenticates callers by their marketplace API key.
        httpRouter.addAuthPolicy({
          path: '/gateway',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
