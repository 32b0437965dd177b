import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import { scaffolderActionsExtensionPoint } from '@backstage/plugin-scaffolder-node';
import { createPublishAction } from './actions/publish';

/**
 * Adds the `marketplace:publish` action to the scaffolder.
 *
 * @public
 */
export const scaffolderModuleMarketplace = createBackendModule({
  pluginId: 'scaffolder',
  moduleId: 'marketplace',
  register(env) {
    env.registerInit({
      deps: {
        scaffolder: scaffolderActionsExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
      },
      async init({ scaffolder, discovery, auth }) {
        scaffolder.addActions(createPublishAction({ discovery, auth }));
      },
    });
  },
});
