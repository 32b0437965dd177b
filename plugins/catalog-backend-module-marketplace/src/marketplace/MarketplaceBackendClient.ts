import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import {
  ApprovalStatus,
  MarketplaceRestClient,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { CredentialBinding } from './CredentialBindingsCache';

/**
 * Reads the marketplace backend's internal routes (service-to-service auth):
 * the portal-published services and the review state of every service.
 */
export class MarketplaceBackendClient {
  private readonly rest: MarketplaceRestClient;

  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {
    this.rest = new MarketplaceRestClient({ discoveryApi: deps.discovery });
  }

  private async token(): Promise<string> {
    const { auth } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'marketplace',
    });
    return token;
  }

  /** Portal-published services that have not reached their sunset. */
  async getPublishedEntities(): Promise<ModelServiceEntityV1alpha1[]> {
    const body = await this.rest.request(
      'get',
      '/v1/internal/published-entities',
      {},
      { token: await this.token() },
    );
    // The spec describes the entity only in part; these are whole
    // ModelServices, validated against the kind when they were published.
    return body.entities as ModelServiceEntityV1alpha1[];
  }

  /** Review state by entity ref (`modelservice:default/<name>`). */
  async getApprovals(): Promise<Record<string, ApprovalStatus>> {
    const body = await this.rest.request(
      'get',
      '/v1/internal/approvals',
      {},
      { token: await this.token() },
    );
    return body.approvals;
  }

  /** Which providers may use each upstream credential name (never values). */
  async getCredentialBindings(): Promise<CredentialBinding[]> {
    const body = await this.rest.request(
      'get',
      '/v1/internal/credential-bindings',
      {},
      { token: await this.token() },
    );
    return body.bindings;
  }
}
