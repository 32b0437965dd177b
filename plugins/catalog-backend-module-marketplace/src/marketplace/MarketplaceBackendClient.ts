import { AuthService, DiscoveryService } from '@backstage/backend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApprovalStatus,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';
import { CredentialBinding } from './CredentialBindingsCache';

/**
 * Reads the marketplace backend's internal routes (service-to-service auth):
 * the portal-published services and the review state of every service.
 */
export class MarketplaceBackendClient {
  constructor(
    private readonly deps: { discovery: DiscoveryService; auth: AuthService },
  ) {}

  private async get<T>(path: string): Promise<T> {
    const { auth, discovery } = this.deps;
    const { token } = await auth.getPluginRequestToken({
      onBehalfOf: await auth.getOwnServiceCredentials(),
      targetPluginId: 'marketplace',
    });
    const response = await fetch(
      `${await discovery.getBaseUrl('marketplace')}${path}`,
      { headers: { authorization: `Bearer ${token}` } },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }

  /** Portal-published services that have not reached their sunset. */
  async getPublishedEntities(): Promise<ModelServiceEntityV1alpha1[]> {
    const body = await this.get<{ entities: ModelServiceEntityV1alpha1[] }>(
      '/v1/internal/published-entities',
    );
    return body.entities;
  }

  /** Review state by entity ref (`modelservice:default/<name>`). */
  async getApprovals(): Promise<Record<string, ApprovalStatus>> {
    const body = await this.get<{
      approvals: Record<string, ApprovalStatus>;
    }>('/v1/internal/approvals');
    return body.approvals;
  }

  /** Which providers may use each upstream credential name (never values). */
  async getCredentialBindings(): Promise<CredentialBinding[]> {
    const body = await this.get<{ bindings: CredentialBinding[] }>(
      '/v1/internal/credential-bindings',
    );
    return body.bindings;
  }
}
