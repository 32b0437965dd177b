export {
  MarketplaceRestClient,
  toQueryString,
  type MarketplaceDiscovery,
} from './MarketplaceRestClient';
export type {
  MarketplaceHttpMethod,
  MarketplaceOperation,
  MarketplacePath,
  MarketplaceRequest,
  MarketplaceRequestArgs,
  MarketplaceRequestOptions,
  MarketplaceResponse,
} from './types';
