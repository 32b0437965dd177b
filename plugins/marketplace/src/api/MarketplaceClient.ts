import { DiscoveryApi, FetchApi } from '@backstage/frontend-plugin-api';
import { MarketplaceRestClient } from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from './MarketplaceApi';
import { createAdminClient } from './client/adminClient';
import { createAnalyticsClient } from './client/analyticsClient';
import { createBrowseClient } from './client/browseClient';
import { createProviderClient } from './client/providerClient';
import { createReviewsClient } from './client/reviewsClient';
import { createSubscriptionsClient } from './client/subscriptionsClient';

/**
 * Default {@link MarketplaceApi}: Backstage-authenticated calls through the
 * fetch API, to the base URL discovery gives for the `marketplace` plugin.
 *
 * Every call goes through `MarketplaceRestClient` (marketplace-common), typed
 * from the OpenAPI document; the methods are written by area in `./client/`
 * and put together here.
 *
 * @public
 */
export class MarketplaceClient {
  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    const rest = new MarketplaceRestClient(options);
    // Typed as the whole interface: a method of MarketplaceApi that no area
    // implements fails to compile here.
    const api: Required<MarketplaceApi> = {
      ...createSubscriptionsClient(rest),
      ...createBrowseClient(rest),
      ...createReviewsClient(rest),
      ...createProviderClient(rest),
      ...createAdminClient(rest),
      ...createAnalyticsClient(rest),
    };
    Object.assign(this, api);
  }
}

/**
 * The methods {@link MarketplaceClient}'s constructor puts on it.
 *
 * @public
 */
export interface MarketplaceClient extends Required<MarketplaceApi> {}
