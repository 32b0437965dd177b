/**
 * Catalog backend module for the LLM marketplace kinds.
 *
 * @packageDocumentation
 */
export { catalogModuleMarketplace as default } from './module';
export { MarketplaceEntitiesProcessor } from './processor/MarketplaceEntitiesProcessor';
