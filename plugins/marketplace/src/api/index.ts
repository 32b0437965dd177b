export {
  marketplaceApiRef,
  MarketplaceClient,
  type MarketplaceApi,
  type MarketplaceMe,
  type MarketplaceTeam,
} from './MarketplaceClient';
export { errorMessage, errorStatus } from './errors';
