/**
 * Permission policy module for the LLM marketplace portal.
 *
 * @packageDocumentation
 */
export { permissionModuleMarketplacePolicy as default } from './module';
export { MarketplacePermissionPolicy } from './MarketplacePermissionPolicy';
export {
  fetchRoleDirectory,
  RoleDirectoryCache,
  type RoleDirectorySource,
} from './RoleDirectoryCache';
