import { ResponseError } from '@backstage/errors';
import {
  MarketplaceHttpMethod,
  MarketplaceOperation,
  MarketplacePath,
  MarketplaceRequestArgs,
  MarketplaceRequestOptions,
  MarketplaceResponse,
} from './types';

/**
 * Where the marketplace backend is: Backstage's `DiscoveryApi` (frontend) and
 * `DiscoveryService` (backend) both fit.
 *
 * @public
 */
export interface MarketplaceDiscovery {
  getBaseUrl(pluginId: string): Promise<string>;
}

/**
 * The query string of a request: `?a=1&b=x&b=y`, repeated parameters for the
 * values of an array; `undefined`, `null` and `''` are left out. `''` when
 * nothing is left.
 *
 * @public
 */
export function toQueryString(query: object | undefined): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    for (const item of Array.isArray(value) ? value : [value]) {
      params.append(key, String(item));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

/** `/v1/services/{name}` with `{ name: 'a b' }` is `/v1/services/a%20b`. */
function fillPath(path: string, params: object | undefined): string {
  const values = (params ?? {}) as Record<string, unknown>;
  return path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const value = values[name];
    if (value === undefined || value === null) {
      throw new TypeError(`Missing path parameter '${name}' of ${path}`);
    }
    return encodeURIComponent(String(value));
  });
}

/**
 * The typed client of the marketplace backend's REST API, one for every caller
 * (the frontend's `MarketplaceClient`, the catalog module, the scaffolder action,
 * the permission policy). A call names the method and the path as the OpenAPI
 * document does; its parameters, body and answer are typed by the operation
 * generated from the document (`src/schema/openapi.generated.ts`), so a change
 * of the spec that a caller does not follow fails `yarn tsc`.
 *
 * A failed call (any status that is not 2xx) throws `ResponseError` from
 * `@backstage/errors`, whose `cause` is the server's error (`cause.message`
 * names the bad field of a 400) and `statusCode` its status.
 *
 * Isomorphic: it takes the fetch function (Backstage's `fetchApi` in the
 * frontend, which adds the user's token; the global `fetch` in backends, with a
 * `token` per call) and the discovery to find the backend.
 *
 * @public
 */
export class MarketplaceRestClient {
  private readonly discoveryApi: MarketplaceDiscovery;
  private readonly fetchApi: { fetch: typeof fetch };

  constructor(options: {
    discoveryApi: MarketplaceDiscovery;
    fetchApi?: { fetch: typeof fetch };
  }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi ?? { fetch: (...a) => fetch(...a) };
  }

  /**
   * Calls one operation and answers its JSON body (`undefined` for a 204).
   *
   * @example
   * ```ts
   * const { service } = await client.request('get', '/v1/services/{name}', {
   *   path: { name: 'acme-gpt-4o' },
   * });
   * ```
   */
  async request<M extends MarketplaceHttpMethod, P extends MarketplacePath<M>>(
    method: M,
    path: P,
    ...args: MarketplaceRequestArgs<MarketplaceOperation<M, P>>
  ): Promise<MarketplaceResponse<MarketplaceOperation<M, P>>> {
    const response = await this.fetch(method, path, ...args);
    if (response.status === 204) {
      return undefined as MarketplaceResponse<MarketplaceOperation<M, P>>;
    }
    return response.json();
  }

  /**
   * Calls one operation and answers the successful `Response` itself, for
   * answers that are not JSON (a CSV file, its `Content-Disposition`).
   */
  async fetch<M extends MarketplaceHttpMethod, P extends MarketplacePath<M>>(
    method: M,
    path: P,
    ...args: MarketplaceRequestArgs<MarketplaceOperation<M, P>>
  ): Promise<Response> {
    const [request, options] = args as [
      { path?: object; query?: object; body?: unknown } | undefined,
      MarketplaceRequestOptions | undefined,
    ];
    const baseUrl = await this.discoveryApi.getBaseUrl('marketplace');
    const url = `${baseUrl}${fillPath(path, request?.path)}${toQueryString(
      request?.query,
    )}`;

    const init: RequestInit = { method: method.toUpperCase() };
    const headers: Record<string, string> = {};
    if (request?.body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(request.body);
    }
    if (options?.token) {
      headers.Authorization = `Bearer ${options.token}`;
    }
    Object.assign(headers, options?.headers);
    if (Object.keys(headers).length > 0) {
      init.headers = headers;
    }

    const response = await this.fetchApi.fetch(url, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return response;
  }
}
