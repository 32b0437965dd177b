import type { paths } from '../schema/openapi.generated';

/**
 * The HTTP methods of the REST API, as the generated `paths` name them.
 *
 * @public
 */
export type MarketplaceHttpMethod = 'get' | 'post' | 'put' | 'delete';

/**
 * The paths of the OpenAPI document (`/v1/services/{name}`) that have an
 * operation for the method `M`.
 *
 * @public
 */
export type MarketplacePath<M extends MarketplaceHttpMethod> = {
  [P in keyof paths]: paths[P][M] extends { responses: unknown } ? P : never;
}[keyof paths];

/**
 * The generated operation of a method and path.
 *
 * @public
 */
export type MarketplaceOperation<
  M extends MarketplaceHttpMethod,
  P extends MarketplacePath<M>,
> = Extract<paths[P][M], { responses: unknown }>;

type PathParamsOf<O> = O extends { parameters: { path: infer X } }
  ? { path: X }
  : { path?: undefined };

type QueryOf<O> = O extends { parameters: { query?: never } }
  ? { query?: undefined }
  : O extends { parameters: { query: infer Q } }
  ? { query: Q }
  : O extends { parameters: { query?: infer Q } }
  ? { query?: Q }
  : { query?: undefined };

type BodyOf<O> = O extends { requestBody?: never }
  ? { body?: undefined }
  : O extends { requestBody: { content: { 'application/json': infer B } } }
  ? { body: B }
  : O extends { requestBody?: { content: { 'application/json': infer B } } }
  ? { body?: B }
  : { body?: undefined };

/**
 * What a call sends: the path parameters (filled into the path, encoded), the
 * query parameters and the JSON body, each typed from the operation.
 *
 * @public
 */
export type MarketplaceRequest<O> = PathParamsOf<O> & QueryOf<O> & BodyOf<O>;

type JsonOf<R> = R extends { content: { 'application/json': infer J } }
  ? J
  : undefined;

/**
 * The JSON body of a successful answer (2xx) of an operation; `undefined` for a
 * `204`.
 *
 * @public
 */
export type MarketplaceResponse<O> = O extends { responses: infer R }
  ? {
      [S in keyof R]: S extends 200 | 201 | 202 | 204 ? JsonOf<R[S]> : never;
    }[keyof R]
  : never;

/**
 * Per-call options: the Backstage token to send (service-to-service calls;
 * frontend calls get theirs from the fetch API) and extra headers.
 *
 * @public
 */
export interface MarketplaceRequestOptions {
  token?: string;
  headers?: Record<string, string>;
}

/**
 * The request argument is optional when the operation needs nothing.
 *
 * @public
 */
export type MarketplaceRequestArgs<O> = {} extends MarketplaceRequest<O>
  ? [request?: MarketplaceRequest<O>, options?: MarketplaceRequestOptions]
  : [request: MarketplaceRequest<O>, options?: MarketplaceRequestOptions];
