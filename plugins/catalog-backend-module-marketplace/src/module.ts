import {
  coreServices,
  createBackendModule,
} from '@backstage/backend-plugin-api';
import {
  catalogProcessingExtensionPoint,
  catalogServiceRef,
} from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import {
  MARKETPLACE_SERVICE_CHANGED_TOPIC,
  MarketplaceServiceChangedEvent,
} from '@internal/plugin-marketplace-common';
import { ApprovalStatusCache } from './marketplace/ApprovalStatusCache';
import { CredentialBindingsCache } from './marketplace/CredentialBindingsCache';
import { MarketplaceBackendClient } from './marketplace/MarketplaceBackendClient';
import { CatalogReferenceLookup } from './processor/CatalogReferenceLookup';
import { MarketplaceEntitiesProcessor } from './processor/MarketplaceEntitiesProcessor';
import { MarketplacePublishedServicesProvider } from './provider/MarketplacePublishedServicesProvider';

/**
 * Teaches the catalog the marketplace kinds: validation, relations and the
 * approval-status annotation; and emits the services published through the
 * portal as ModelService entities.
 *
 * @public
 */
export const catalogModuleMarketplace = createBackendModule({
  pluginId: 'catalog',
  moduleId: 'marketplace',
  register(env) {
    env.registerInit({
      deps: {
        catalog: catalogProcessingExtensionPoint,
        discovery: coreServices.discovery,
        auth: coreServices.auth,
        logger: coreServices.logger,
        scheduler: coreServices.scheduler,
        events: eventsServiceRef,
        catalogApi: catalogServiceRef,
        urlReader: coreServices.urlReader,
        config: coreServices.rootConfig,
      },
      async init({
        catalog,
        discovery,
        auth,
        logger,
        scheduler,
        events,
        catalogApi,
        urlReader,
        config,
      }) {
        const marketplace = new MarketplaceBackendClient({ discovery, auth });
        const approvals = new ApprovalStatusCache({
          fetch: () => marketplace.getApprovals(),
          logger,
        });
        const credentials = new CredentialBindingsCache({
          fetch: () => marketplace.getCredentialBindings(),
          logger,
        });
        const references = new CatalogReferenceLookup({
          catalog: catalogApi,
          auth,
          urlReader,
          config,
          logger,
        });
        catalog.addProcessor(
          new MarketplaceEntitiesProcessor({
            approvals,
            credentials,
            references,
            logger,
          }),
        );

        const provider = new MarketplacePublishedServicesProvider({
          source: marketplace,
          logger,
          taskRunner: scheduler.createScheduledTaskRunner({
            frequency: { seconds: 30 },
            timeout: { minutes: 1 },
            scope: 'global',
          }),
        });
        catalog.addEntityProvider(provider);

        await events.subscribe({
          id: 'catalog-marketplace-published-services',
          topics: [MARKETPLACE_SERVICE_CHANGED_TOPIC],
          onEvent: async ({ eventPayload }) => {
            const event = eventPayload as MarketplaceServiceChangedEvent;
            if (!event || typeof event.serviceRef !== 'string') {
              return;
            }
            if (event.approvalStatus) {
              approvals.set(event.serviceRef, event.approvalStatus);
            }
            await provider
              .handleEvent(event)
              .catch(error =>
                logger.warn(
                  `Could not apply the change of ${event.serviceRef} to the catalog: ${error}`,
                ),
              );
          },
        });
      },
    });
  },
});
