import { createBackendModule } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import {
  catalogCollatorExtensionPoint,
  defaultCatalogCollatorEntityTransformer,
} from '@backstage/plugin-search-backend-module-catalog';
import {
  isModelServiceEntity,
  modelServiceSearchTerms,
} from '@internal/plugin-marketplace-common';

/**
 * The search document of a catalog entity: Backstage's, and for a
 * ModelService also its features, family and names without punctuation, so
 * that the portal's search finds "vision" services and "gpt4o".
 */
export function marketplaceCatalogDocument(entity: Entity) {
  const document = defaultCatalogCollatorEntityTransformer(entity);
  if (!isModelServiceEntity(entity)) {
    return document;
  }
  return {
    ...document,
    text: [document.text, modelServiceSearchTerms(entity)]
      .filter(Boolean)
      .join(' '),
  };
}

/** The catalog collator of search with {@link marketplaceCatalogDocument}. */
export const searchModuleMarketplaceCatalog = createBackendModule({
  pluginId: 'search',
  moduleId: 'marketplace-catalog-document',
  register(reg) {
    reg.registerInit({
      deps: { collator: catalogCollatorExtensionPoint },
      async init({ collator }) {
        collator.setEntityTransformer(marketplaceCatalogDocument);
      },
    });
  },
});
