import {
  EntityCardBlueprint,
  EntityContentBlueprint,
} from '@backstage/plugin-catalog-react/alpha';
import {
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';

/*
 * The cards and tabs the marketplace plugin adds to the catalog's entity pages
 * of the ModelService and Provider kinds. Each is its blueprint's `make` with
 * its own name, place and lazily loaded component, as Backstage's plugins write them.
 */

/** Shows an extension only on entities of the ModelService kind. */
const modelServiceEntities = {
  kind: MODEL_SERVICE_KIND,
  apiVersion: MARKETPLACE_API_VERSION,
};

/** Shows an extension only on entities of the Provider kind. */
const providerEntities = {
  kind: PROVIDER_KIND,
  apiVersion: MARKETPLACE_API_VERSION,
};

/** `entity-card:marketplace/model-service-overview`, only on ModelService entities. */
export const modelServiceOverviewCard = EntityCardBlueprint.make({
  name: 'model-service-overview',
  params: {
    type: 'content',
    filter: modelServiceEntities,
    loader: () =>
      import('../components/ModelServiceCard').then(m => (
        <m.ModelServiceOverviewCard />
      )),
  },
});

/** `entity-content:marketplace/model-service-api`: the API tab with the Test API playground. */
export const modelServiceApiContent = EntityContentBlueprint.make({
  name: 'model-service-api',
  params: {
    path: 'api',
    title: 'API',
    filter: modelServiceEntities,
    loader: () =>
      import('../components/TestApi').then(m => <m.TestApiEntityContent />),
  },
});

/** `entity-content:marketplace/model-service-quality`: committed SLA vs measured, availability, geography. */
export const modelServiceQualityContent = EntityContentBlueprint.make({
  name: 'model-service-quality',
  params: {
    path: 'quality',
    title: 'Quality',
    filter: modelServiceEntities,
    loader: () =>
      import('../components/Quality').then(m => (
        <m.ModelServiceQualityContent />
      )),
  },
});

/** `entity-content:marketplace/model-service-reviews`: verified reviews and ratings. */
export const modelServiceReviewsContent = EntityContentBlueprint.make({
  name: 'model-service-reviews',
  params: {
    path: 'reviews',
    title: 'Reviews',
    filter: modelServiceEntities,
    loader: () =>
      import('../components/Reviews').then(m => <m.ReviewsContent />),
  },
});

/** `entity-content:marketplace/model-service-usage`: the user's own usage of the service. */
export const modelServiceUsageContent = EntityContentBlueprint.make({
  name: 'model-service-usage',
  params: {
    path: 'usage',
    title: 'Usage',
    filter: modelServiceEntities,
    loader: () =>
      import('../components/Usage').then(m => <m.ServiceUsageContent />),
  },
});

/** `entity-card:marketplace/provider-details`, only on Provider entities. */
export const providerDetailsCard = EntityCardBlueprint.make({
  name: 'provider-details',
  params: {
    type: 'info',
    filter: providerEntities,
    loader: () =>
      import('../components/ProviderCards').then(m => (
        <m.ProviderDetailsCard />
      )),
  },
});

/** `entity-card:marketplace/provider-services`, only on Provider entities. */
export const providerServicesCard = EntityCardBlueprint.make({
  name: 'provider-services',
  params: {
    type: 'content',
    filter: providerEntities,
    loader: () =>
      import('../components/ProviderCards').then(m => (
        <m.ProviderServicesCard />
      )),
  },
});

/** `entity-card:marketplace/provider-credentials`, on Provider entities, for their owners and admins. */
export const providerCredentialsCard = EntityCardBlueprint.make({
  name: 'provider-credentials',
  params: {
    type: 'content',
    filter: providerEntities,
    loader: () =>
      import('../components/ProviderCards').then(m => (
        <m.ProviderCredentialsCard />
      )),
  },
});
