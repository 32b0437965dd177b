import {
  ManagedService,
  MarketplaceRestClient,
  UnpublishServiceResponse,
} from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';

/** What providers manage, {@link MarketplaceApi}: their services and upstream credentials. */
export type ProviderApi = Pick<
  MarketplaceApi,
  | 'checkServiceName'
  | 'listManagedServices'
  | 'unpublishService'
  | 'listProviderCredentials'
  | 'addProviderCredential'
  | 'rotateProviderCredential'
  | 'deleteProviderCredential'
>;

export function createProviderClient(rest: MarketplaceRestClient): ProviderApi {
  return {
    async checkServiceName(name) {
      return rest.request('get', '/v1/provider/service-names/{name}', {
        path: { name },
      });
    },

    async listManagedServices() {
      const body = await rest.request('get', '/v1/provider/services');
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body.services as ManagedService[];
    },

    async unpublishService(id, options = {}) {
      const body = await rest.request('delete', '/v1/provider/services/{id}', {
        path: { id },
        body: options.sunsetAt ? { sunsetAt: options.sunsetAt } : {},
      });
      // The ModelService entity is the kind's interface; the spec describes it only in part.
      return body as UnpublishServiceResponse;
    },

    async listProviderCredentials(provider) {
      return rest.request('get', '/v1/providers/{id}/credentials', {
        path: { id: provider },
      });
    },

    async addProviderCredential(provider, name, value) {
      const body = await rest.request(
        'post',
        '/v1/providers/{id}/credentials',
        {
          path: { id: provider },
          body: { name, value },
        },
      );
      return body.credential;
    },

    async rotateProviderCredential(provider, name, value) {
      const body = await rest.request(
        'put',
        '/v1/providers/{id}/credentials/{name}',
        { path: { id: provider, name }, body: { value } },
      );
      return body.credential;
    },

    async deleteProviderCredential(provider, name) {
      await rest.request('delete', '/v1/providers/{id}/credentials/{name}', {
        path: { id: provider, name },
      });
    },
  };
}
