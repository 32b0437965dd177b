import { createBackendModule } from '@backstage/backend-plugin-api';
import { catalogProcessingExtensionPoint } from '@backstage/plugin-catalog-node';
import { MarketplaceEntitiesProcessor } from './processor/MarketplaceEntitiesProcessor';

/**
 * Teaches the catalog the marketplace kinds: validation and relations.
 *
 * @public
 */
export const catalogModuleMarketplace = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'marketplace',
  register(env) {
    env.registerInit({
      deps: { catalog: catalogProcessingExtensionPoint },
      async init({ catalog }) {
        catalog.addProcessor(new MarketplaceEntitiesProcessor());
      },
    });
  },
});
