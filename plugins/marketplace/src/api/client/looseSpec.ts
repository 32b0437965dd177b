import { MarketplaceOperations } from '@internal/plugin-marketplace-common';

/*
 * Where the OpenAPI document is looser than the types the pages rely on (the
 * catalog kinds' entities, which it describes only in part; `ServiceCard`; the
 * finder's needs; a route's regions) or lags behind the values the backend
 * takes (browse and finder: family `embedding`, feature `embeddings`;
 * `verified` as a boolean). Each use marks a place where the spec should be as
 * precise as the type; until it is, the JSON is taken as the type says (the
 * same JSON either way).
 */

/** An answer the spec types more loosely than the frontend does. */
export function fromLooseSpec<T>(value: unknown): T {
  return value as T;
}

/** The browse filters as the spec types the query. */
export type BrowseParams = NonNullable<
  MarketplaceOperations['browseServices']['parameters']['query']
>;

/** The finder's needs as the spec types the query. */
export type FinderParams = NonNullable<
  MarketplaceOperations['getRecommendations']['parameters']['query']
>;
