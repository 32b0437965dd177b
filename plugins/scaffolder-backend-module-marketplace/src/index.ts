/**
 * Scaffolder backend module for the LLM marketplace: the `marketplace:publish` action.
 *
 * @packageDocumentation
 */
export { scaffolderModuleMarketplace as default } from './module';
export { createPublishAction } from './actions/publish';
