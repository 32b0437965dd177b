import {
  MarketplaceRestClient,
  ServiceDetail,
  ServiceSummary,
} from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';

/** Services, subscriptions, keys, routes, budgets and price changes of {@link MarketplaceApi}. */
export type SubscriptionsApi = Pick<
  MarketplaceApi,
  | 'listServices'
  | 'getService'
  | 'subscribe'
  | 'unsubscribe'
  | 'listRoutes'
  | 'subscribeRoute'
  | 'unsubscribeRoute'
  | 'listSubscriptions'
  | 'getUsage'
  | 'getSubscriptionSummary'
  | 'listBudgets'
  | 'putBudget'
  | 'deleteBudget'
  | 'listPriceChanges'
  | 'announcePriceChange'
  | 'rotateKey'
  | 'revokeKey'
  | 'createKey'
  | 'getMe'
>;

export function createSubscriptionsClient(
  rest: MarketplaceRestClient,
): SubscriptionsApi {
  return {
    async listServices(options = {}) {
      const body = await rest.request('get', '/v1/services', {
        query: { scope: options.scope },
      });
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.services as ServiceSummary[];
    },

    async getService(name) {
      const body = await rest.request('get', '/v1/services/{name}', {
        path: { name },
      });
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.service as ServiceDetail;
    },

    async subscribe(name, request) {
      return rest.request('post', '/v1/services/{name}/subscribe', {
        path: { name },
        body: request,
      });
    },

    async unsubscribe(name) {
      const body = await rest.request(
        'delete',
        '/v1/services/{name}/subscribe',
        {
          path: { name },
        },
      );
      return body.subscription;
    },

    async listRoutes() {
      const body = await rest.request('get', '/v1/routes');
      return body.routes;
    },

    async subscribeRoute(name, request) {
      return rest.request('post', '/v1/routes/{name}/subscribe', {
        path: { name },
        body: request,
      });
    },

    async unsubscribeRoute(name) {
      const body = await rest.request('delete', '/v1/routes/{name}/subscribe', {
        path: { name },
      });
      return body.subscription;
    },

    async listSubscriptions(options = {}) {
      const body = await rest.request('get', '/v1/subscriptions', {
        query: { status: options.status },
      });
      return body.subscriptions;
    },

    async getUsage(subscriptionId, options = {}) {
      const body = await rest.request('get', '/v1/subscriptions/{id}/usage', {
        path: { id: subscriptionId },
        query: { limit: options.limit },
      });
      return body.usage;
    },

    async getSubscriptionSummary(subscriptionId) {
      return rest.request('get', '/v1/subscriptions/{id}/usage', {
        path: { id: subscriptionId },
        query: { limit: 1 },
      });
    },

    async listBudgets(options = {}) {
      return rest.request('get', '/v1/budgets', {
        query: { all: options.all ? 'true' : undefined },
      });
    },

    async putBudget(scope, ref, input) {
      const body = await rest.request('put', '/v1/budgets/{scope}/{ref}', {
        path: { scope, ref },
        body: input,
      });
      return body.budget;
    },

    async deleteBudget(scope, ref) {
      await rest.request('delete', '/v1/budgets/{scope}/{ref}', {
        path: { scope, ref },
      });
    },

    async listPriceChanges(name) {
      return rest.request('get', '/v1/services/{name}/price-changes', {
        path: { name },
      });
    },

    async announcePriceChange(name, input) {
      const body = await rest.request(
        'post',
        '/v1/provider/services/{name}/price-changes',
        { path: { name }, body: input },
      );
      return body.priceChange;
    },

    async rotateKey(keyId) {
      const body = await rest.request('post', '/v1/keys/{keyId}/rotate', {
        path: { keyId },
      });
      return body.apiKey;
    },

    async revokeKey(keyId) {
      const body = await rest.request('delete', '/v1/keys/{keyId}', {
        path: { keyId },
      });
      return body.apiKey;
    },

    async createKey(subscriptionId) {
      const body = await rest.request('post', '/v1/subscriptions/{id}/keys', {
        path: { id: subscriptionId },
      });
      return body.apiKey;
    },

    async getMe() {
      return rest.request('get', '/v1/me');
    },
  };
}
