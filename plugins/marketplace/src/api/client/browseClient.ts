import {
  MarketplaceRestClient,
  toQueryString,
} from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';
import {
  BrowseServicesQuery,
  BrowseServicesResponse,
  ProviderProfileResponse,
} from '../types';

/** Browse, the model finder, measured quality and provider profiles of {@link MarketplaceApi}. */
export type BrowseApi = Required<
  Pick<
    MarketplaceApi,
    | 'browseServices'
    | 'prefetchBrowseServices'
    | 'getRecommendations'
    | 'getServiceMetrics'
    | 'getProviderProfile'
  >
>;

/** How old a prefetched browse response may be when the page takes it. */
const PREFETCH_MAX_AGE_MS = 10_000;

/** The query string of a browse query: repeated parameters for several values. */
export function browseQueryString(query: BrowseServicesQuery): string {
  return toQueryString(query).slice(1);
}

function flagOf(value: boolean | undefined): 'true' | 'false' | undefined {
  if (value === undefined) {
    return undefined;
  }
  return value ? 'true' : 'false';
}

export function createBrowseClient(rest: MarketplaceRestClient): BrowseApi {
  let prefetched:
    | {
        qs: string;
        startedAt: number;
        response: Promise<BrowseServicesResponse>;
      }
    | undefined;

  const requestBrowse = async (
    query: BrowseServicesQuery,
  ): Promise<BrowseServicesResponse> =>
    rest.request('get', '/marketplace/services', {
      // The query string carries the flag as text, as toQueryString writes it.
      query: { ...query, verified: flagOf(query.verified) },
    });

  return {
    prefetchBrowseServices(query) {
      const response = requestBrowse(query);
      // Whoever takes the response handles its failure; nobody may take it.
      response.catch(() => undefined);
      prefetched = {
        qs: browseQueryString(query),
        startedAt: Date.now(),
        response,
      };
    },

    async browseServices(query) {
      const taken = prefetched;
      prefetched = undefined;
      if (
        taken?.qs === browseQueryString(query) &&
        Date.now() - taken.startedAt <= PREFETCH_MAX_AGE_MS
      ) {
        // A failed prefetch is asked again, as if it had not been made.
        return taken.response.catch(() => requestBrowse(query));
      }
      return requestBrowse(query);
    },

    async getRecommendations(query) {
      return rest.request('get', '/marketplace/recommendations', { query });
    },

    async getServiceMetrics(name, options = {}) {
      const body = await rest.request(
        'get',
        '/marketplace/services/{name}/metrics',
        { path: { name }, query: { window: options.window } },
      );
      return body.metrics;
    },

    async getProviderProfile(id) {
      const body = await rest.request('get', '/marketplace/providers/{id}', {
        path: { id },
      });
      // The Provider entity is the kind's interface; the spec describes it only in part.
      return body as ProviderProfileResponse;
    },
  };
}
