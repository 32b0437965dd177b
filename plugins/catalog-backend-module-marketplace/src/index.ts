/**
 * Catalog backend module for the LLM marketplace kinds.
 *
 * @packageDocumentation
 */
export { catalogModuleMarketplace as default } from './module';
export {
  MarketplaceEntitiesProcessor,
  type ApprovalStatusLookup,
  type CredentialBindingLookup,
} from './processor/MarketplaceEntitiesProcessor';
export type { CredentialBinding } from './marketplace/CredentialBindingsCache';
export {
  MarketplacePublishedServicesProvider,
  type PublishedServicesSource,
} from './provider/MarketplacePublishedServicesProvider';
