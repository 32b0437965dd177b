/**
 * Catalog kinds, API types and pure logic shared by the marketplace frontend and backends.
 *
 * @packageDocumentation
 */
export * from './kinds';
export * from './money';
export * from './permissions';
export * from './publishing';
export * from './roles';
export * from './api';
export * from './client';
export * from './pricing';
export * from './browse';
export * from './finder';
export * from './routes';
export type {
  components as MarketplaceComponents,
  operations as MarketplaceOperations,
  paths as MarketplacePaths,
} from './schema/openapi.generated';
