import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  ApiKeyInfo,
  ApprovalStatus,
  ManagedService,
  ServiceApproval,
  UnpublishServiceResponse,
  BrowseFacets,
  BrowseQuery,
  ComplianceCertification,
  GeoRegion,
  IssuedApiKey,
  ModelFamily,
  ModelFeature,
  ModelServicePricing,
  ModelServiceTrial,
  ServiceDetail,
  ServiceLifecycle,
  ServiceScope,
  ServiceSummary,
  SubscribeRequest,
  SubscribeResponse,
  Subscription,
  SubscriptionStatus,
  SubscriptionWithKeys,
  UsageRecord,
  MetricsWindow,
  ServiceQualityMetrics,
} from '@internal/plugin-marketplace-common';

/**
 * A group the signed-in user can bill a subscription to.
 *
 * @public
 */
export interface MarketplaceTeam {
  /** Entity ref of the group, e.g. `group:default/checkout`. */
  ref: string;
  title: string;
}

/**
 * `GET /v1/me`: who the marketplace backend sees and which teams they can bill to.
 *
 * @public
 */
export interface MarketplaceMe {
  userRef: string;
  teams: MarketplaceTeam[];
}

/**
 * One service of the browse page (`GET /marketplace/services`): catalog data plus
 * what the marketplace measured. Metrics are `null` when nothing was measured yet.
 *
 * @public
 */
export interface ServiceCard {
  name: string;
  /** Entity ref of the ModelService. */
  ref: string;
  title: string;
  description: string | null;
  family: ModelFamily;
  baseModel: string | null;
  provider: { ref: string; name: string; verified: boolean };
  lifecycle: ServiceLifecycle;
  contextWindow: number;
  maxOutputTokens?: number;
  pricing: ModelServicePricing;
  trial: ModelServiceTrial | null;
  features: ModelFeature[];
  region: GeoRegion;
  country: string;
  compliance: ComplianceCertification[];
  firstSeenAt: string;
  metrics: {
    uptime30d: number | null;
    latencyP95Ms: number | null;
    rating: number | null;
    reviewCount: number | null;
    requests30d: number;
    tokens30d: number;
  };
}

/**
 * The browse filters, sort and page; the same names as the query parameters.
 *
 * @public
 */
export type BrowseServicesQuery = BrowseQuery;

/**
 * `GET /marketplace/services`: one page of services and the facet counts.
 *
 * @public
 */
export interface BrowseServicesResponse {
  items: ServiceCard[];
  total: number;
  offset: number;
  limit: number;
  facets: BrowseFacets;
}

/** The query string of a browse query: repeated parameters for several values. */
export function browseQueryString(query: BrowseServicesQuery): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value === undefined || value === null || value === '') {
      continue;
    }
    if (Array.isArray(value)) {
      value.forEach(v => params.append(key, String(v)));
    } else {
      params.append(key, String(value));
    }
  }
  return params.toString();
}

/**
 * Client of the marketplace backend's REST API (`/api/marketplace/v1`).
 *
 * @public
 */
export interface MarketplaceApi {
  /** `GET /v1/services?scope=` */
  listServices(options?: { scope?: ServiceScope }): Promise<ServiceSummary[]>;
  /** `GET /v1/services/:name` */
  getService(name: string): Promise<ServiceDetail>;
  /** `POST /v1/services/:name/subscribe`: the response holds the key secret, once. */
  subscribe(
    name: string,
    request: SubscribeRequest,
  ): Promise<SubscribeResponse>;
  /** `DELETE /v1/services/:name/subscribe`: cancels and revokes its keys. */
  unsubscribe(name: string): Promise<Subscription>;
  /** `GET /v1/subscriptions?status=` */
  listSubscriptions(options?: {
    status?: SubscriptionStatus;
  }): Promise<SubscriptionWithKeys[]>;
  /** `GET /v1/subscriptions/:id/usage?limit=`, newest first. */
  getUsage(
    subscriptionId: string,
    options?: { limit?: number },
  ): Promise<UsageRecord[]>;
  /** `POST /v1/keys/:keyId/rotate`: a new secret, shown once; the old key is revoked. */
  rotateKey(keyId: string): Promise<IssuedApiKey>;
  /** `DELETE /v1/keys/:keyId` */
  revokeKey(keyId: string): Promise<ApiKeyInfo>;
  /** `GET /v1/me` */
  getMe(): Promise<MarketplaceMe>;
  /** `GET /marketplace/services`: filtered, sorted and paged, with facet counts. */
  browseServices(query: BrowseServicesQuery): Promise<BrowseServicesResponse>;
  /**
   * `GET /v1/provider/service-names/:name`: whether a new service may take the
   * name (no catalog or portal-published service has it, pending ones included).
   */
  checkServiceName(name: string): Promise<ServiceNameAvailability>;
  /** `GET /v1/provider/services`: the services the caller may manage, in every state. */
  listManagedServices(): Promise<ManagedService[]>;
  /** `DELETE /v1/provider/services/:id`: unpublish; served until the sunset. */
  unpublishService(
    id: string,
    options?: { sunsetAt?: string },
  ): Promise<UnpublishServiceResponse>;
  /** `GET /v1/admin/approvals?status=` (admins only). */
  listApprovals(options?: {
    status?: ApprovalStatus;
  }): Promise<ServiceApproval[]>;
  /** `POST /v1/admin/approvals/:name/approve` (admins only). */
  approveService(name: string): Promise<ServiceApproval>;
  /** `POST /v1/admin/approvals/:name/reject` with a reason (admins only). */
  rejectService(name: string, reason: string): Promise<ServiceApproval>;

  // --- Monitoring -----------------------------------------------------------
  /**
   * `GET /marketplace/services/:name/metrics?window=`: measured uptime, latency
   * and traffic beside the committed SLA.
   */
  getServiceMetrics(
    name: string,
    options?: { window?: MetricsWindow },
  ): Promise<ServiceQualityMetrics>;
}

/**
 * Whether a service name is free.
 *
 * @public
 */
export interface ServiceNameAvailability {
  name: string;
  available: boolean;
  /** Why not, when it is not available. */
  reason?: string;
}

/**
 * Reference of the {@link MarketplaceApi}.
 *
 * @public
 */
export const marketplaceApiRef = createApiRef<MarketplaceApi>().with({
  id: 'plugin.marketplace.client',
  pluginId: 'marketplace',
});

/**
 * Default {@link MarketplaceApi}: Backstage-authenticated calls through the
 * fetch API, to the base URL discovery gives for the `marketplace` plugin.
 *
 * @public
 */
export class MarketplaceClient implements MarketplaceApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;

  constructor(options: { discoveryApi: DiscoveryApi; fetchApi: FetchApi }) {
    this.discoveryApi = options.discoveryApi;
    this.fetchApi = options.fetchApi;
  }

  async listServices(
    options: { scope?: ServiceScope } = {},
  ): Promise<ServiceSummary[]> {
    const query = options.scope
      ? `?scope=${encodeURIComponent(options.scope)}`
      : '';
    const body = await this.request<{ services: ServiceSummary[] }>(
      'GET',
      `/v1/services${query}`,
    );
    return body.services;
  }

  async getService(name: string): Promise<ServiceDetail> {
    const body = await this.request<{ service: ServiceDetail }>(
      'GET',
      `/v1/services/${encodeURIComponent(name)}`,
    );
    return body.service;
  }

  async subscribe(
    name: string,
    request: SubscribeRequest,
  ): Promise<SubscribeResponse> {
    return this.request<SubscribeResponse>(
      'POST',
      `/v1/services/${encodeURIComponent(name)}/subscribe`,
      request,
    );
  }

  async unsubscribe(name: string): Promise<Subscription> {
    const body = await this.request<{ subscription: Subscription }>(
      'DELETE',
      `/v1/services/${encodeURIComponent(name)}/subscribe`,
    );
    return body.subscription;
  }

  async listSubscriptions(
    options: { status?: SubscriptionStatus } = {},
  ): Promise<SubscriptionWithKeys[]> {
    const query = options.status
      ? `?status=${encodeURIComponent(options.status)}`
      : '';
    const body = await this.request<{ subscriptions: SubscriptionWithKeys[] }>(
      'GET',
      `/v1/subscriptions${query}`,
    );
    return body.subscriptions;
  }

  async getUsage(
    subscriptionId: string,
    options: { limit?: number } = {},
  ): Promise<UsageRecord[]> {
    const query =
      options.limit !== undefined
        ? `?limit=${encodeURIComponent(String(options.limit))}`
        : '';
    const body = await this.request<{ usage: UsageRecord[] }>(
      'GET',
      `/v1/subscriptions/${encodeURIComponent(subscriptionId)}/usage${query}`,
    );
    return body.usage;
  }

  async rotateKey(keyId: string): Promise<IssuedApiKey> {
    const body = await this.request<{ apiKey: IssuedApiKey }>(
      'POST',
      `/v1/keys/${encodeURIComponent(keyId)}/rotate`,
    );
    return body.apiKey;
  }

  async revokeKey(keyId: string): Promise<ApiKeyInfo> {
    const body = await this.request<{ apiKey: ApiKeyInfo }>(
      'DELETE',
      `/v1/keys/${encodeURIComponent(keyId)}`,
    );
    return body.apiKey;
  }

  async getMe(): Promise<MarketplaceMe> {
    return this.request<MarketplaceMe>('GET', '/v1/me');
  }

  async browseServices(
    query: BrowseServicesQuery,
  ): Promise<BrowseServicesResponse> {
    const qs = browseQueryString(query);
    return this.request<BrowseServicesResponse>(
      'GET',
      `/marketplace/services${qs ? `?${qs}` : ''}`,
    );
  }

  async checkServiceName(name: string): Promise<ServiceNameAvailability> {
    return this.request<ServiceNameAvailability>(
      'GET',
      `/v1/provider/service-names/${encodeURIComponent(name)}`,
    );
  }

  async listManagedServices(): Promise<ManagedService[]> {
    const body = await this.request<{ services: ManagedService[] }>(
      'GET',
      '/v1/provider/services',
    );
    return body.services;
  }

  async unpublishService(
    id: string,
    options: { sunsetAt?: string } = {},
  ): Promise<UnpublishServiceResponse> {
    return this.request<UnpublishServiceResponse>(
      'DELETE',
      `/v1/provider/services/${encodeURIComponent(id)}`,
      options.sunsetAt ? { sunsetAt: options.sunsetAt } : {},
    );
  }

  async listApprovals(
    options: { status?: ApprovalStatus } = {},
  ): Promise<ServiceApproval[]> {
    const qs = options.status
      ? `?status=${encodeURIComponent(options.status)}`
      : '';
    const body = await this.request<{ approvals: ServiceApproval[] }>(
      'GET',
      `/v1/admin/approvals${qs}`,
    );
    return body.approvals;
  }

  async approveService(name: string): Promise<ServiceApproval> {
    const body = await this.request<{ approval: ServiceApproval }>(
      'POST',
      `/v1/admin/approvals/${encodeURIComponent(name)}/approve`,
      {},
    );
    return body.approval;
  }

  async rejectService(name: string, reason: string): Promise<ServiceApproval> {
    const body = await this.request<{ approval: ServiceApproval }>(
      'POST',
      `/v1/admin/approvals/${encodeURIComponent(name)}/reject`,
      { reason },
    );
    return body.approval;
  }

  // --- Monitoring -----------------------------------------------------------
  async getServiceMetrics(
    name: string,
    options: { window?: MetricsWindow } = {},
  ): Promise<ServiceQualityMetrics> {
    const qs = options.window
      ? `?window=${encodeURIComponent(options.window)}`
      : '';
    const body = await this.request<{ metrics: ServiceQualityMetrics }>(
      'GET',
      `/marketplace/services/${encodeURIComponent(name)}/metrics${qs}`,
    );
    return body.metrics;
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    const baseUrl = await this.discoveryApi.getBaseUrl('marketplace');
    const init: RequestInit = { method };
    if (body !== undefined) {
      init.headers = { 'Content-Type': 'application/json' };
      init.body = JSON.stringify(body);
    }
    const response = await this.fetchApi.fetch(`${baseUrl}${path}`, init);
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    return (await response.json()) as T;
  }
}
