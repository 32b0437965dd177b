import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelServiceEntity,
  isProviderEntity,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  MARKETPLACE_LOCATION_TYPE,
  PROVIDER_KIND,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../stores/PublishingStore';
import { PublishedService } from '../stores/publishingRecords';
import {
  DirectoryService,
  inMarketplaceNamespace,
  providerRefOf,
} from './directoryService';

/*
 * The first step of a ServiceDirectory load: the ModelService and Provider
 * entities of the catalog and the services published through the portal, one
 * entry per service name, before their review state is applied
 * (reviewState.ts).
 */

/**
 * Reads the Providers and the services: portal-published ones from our
 * database, the others from the catalog (default namespace only; on a name
 * clash the first one wins, with a warning). Every entry starts `pending`.
 */
export async function loadServices(deps: {
  catalog: Pick<CatalogService, 'getEntities'>;
  auth: AuthService;
  logger: LoggerService;
  publishing: PublishingStore;
}): Promise<{
  byName: Map<string, DirectoryService>;
  providers: Map<string, ProviderEntityV1alpha1>;
}> {
  const credentials = await deps.auth.getOwnServiceCredentials();
  const { items } = await deps.catalog.getEntities(
    { filter: [{ kind: MODEL_SERVICE_KIND }, { kind: PROVIDER_KIND }] },
    { credentials },
  );
  const { publishing, logger } = deps;
  const providers = new Map<string, ProviderEntityV1alpha1>();
  for (const entity of items) {
    if (!inMarketplaceNamespace(entity)) {
      continue;
    }
    if (isProviderEntity(entity)) {
      providers.set(stringifyEntityRef(entity), entity);
    }
  }
  const byName = new Map<string, DirectoryService>();
  const add = (
    entity: ModelServiceEntityV1alpha1,
    published?: PublishedService,
  ) => {
    const ref = stringifyEntityRef(entity);
    const providerRef = providerRefOf(entity);
    byName.set(entity.metadata.name, {
      name: entity.metadata.name,
      ref,
      providerRef,
      entity,
      provider: providers.get(providerRef),
      status: 'pending',
      published,
    });
  };

  // Portal-published services come from our database: the catalog has them
  // only once our entity provider delivered them.
  for (const published of await publishing.listPublished()) {
    add(published.entity, published);
  }
  for (const entity of items) {
    if (!isModelServiceEntity(entity)) {
      continue;
    }
    if (!inMarketplaceNamespace(entity)) {
      // Names are the `model` callers send: an entity of another namespace
      // (ingested before the catalog refused them) never shadows the real one.
      logger.warn(
        `Ignoring ${stringifyEntityRef(
          entity,
        )}: marketplace services live in the default namespace only`,
      );
      continue;
    }
    const name = entity.metadata.name;
    const known = byName.get(name);
    if (known) {
      const location = entity.metadata.annotations?.[ANNOTATION_LOCATION] ?? '';
      // The catalog's copy of a published service is expected; anything else is a clash.
      if (
        !known.published ||
        !location.startsWith(`${MARKETPLACE_LOCATION_TYPE}:`)
      ) {
        logger.warn(
          `Two ModelServices are named '${name}'; the gateway uses ${
            known.published ? 'the one published through the portal' : known.ref
          }`,
        );
      }
      continue;
    }
    add(entity);
  }
  return { byName, providers };
}
