/**
 * Catalog backend module for the LLM marketplace kinds.
 *
 * @packageDocumentation
 */
export { catalogModuleMarketplace as default } from './module';
export {
  MarketplaceEntitiesProcessor,
  type ApprovalStatusLookup,
} from './processor/MarketplaceEntitiesProcessor';
export {
  MarketplacePublishedServicesProvider,
  type PublishedServicesSource,
} from './provider/MarketplacePublishedServicesProvider';
