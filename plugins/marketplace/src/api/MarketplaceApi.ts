import {
  createApiRef,
  DiscoveryApi,
  FetchApi,
} from '@backstage/frontend-plugin-api';
import { ResponseError } from '@backstage/errors';
import {
  Budget,
  BudgetInput,
  BudgetScope,
  BudgetsResponse,
  PriceChange,
  PriceChangeInput,
  UsageSummary,
  ProviderCredential,
  ProviderCredentialsResponse,
  ProviderProfile,
  ProviderVerificationInfo,
  ProviderVerificationRequest,
  AdminUserSort,
  AdminUser,
  AdminUsersResponse,
  AuditAction,
  AuditLogResponse,
  MarketplaceRole,
  PlatformSettings,
  UserStatus,
  AnalyticsGranularity,
  ConsumerUsage,
  ProviderAnalytics,
  ProviderTeam,
  Statement,
  UsageExportScope,
  ApiKeyInfo,
  ApprovalStatus,
  ReviewRequest,
  ReviewSort,
  ReviewSummary,
  ServiceReview,
  ServiceReviewsResponse,
  ManagedService,
  ProviderApproval,
  ServiceApproval,
  UnpublishServiceResponse,
  BrowseFacets,
  BrowseQuery,
  ComplianceCertification,
  ExclusionReason,
  FinderNeeds,
  RouteSummary,
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
  /** The caller's role, as the permission framework decides it. */
  role?: MarketplaceRole;
  /** Set while an admin has suspended the caller: their keys do not work. */
  suspension?: { reason: string; suspendedAt: string } | null;
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
  /** Blended price per 1K tokens at 3:1 prompt:completion (micro-USD). */
  blendedPer1kMicros: number;
  /** When the marketplace first ingested or published the service. */
  createdAt: string;
  /** The last change of its spec. */
  updatedAt: string;
  metrics: {
    /** Uptime (probes and real requests) over `uptimeDays` days of data (at most 30). */
    uptimePercent: number | null;
    uptimeDays: number | null;
    /** p95 time to first token. */
    latencyP95Ms: number | null;
    /** Median output tokens per second. */
    tokensPerSecond: number | null;
    lastProbeUp: boolean | null;
    rating: number | null;
    reviewCount: number | null;
    requests30d: number;
    tokens30d: number;
    tokensTotal: number;
    activeUsers30d: number;
  };
}

/**
 * `GET /marketplace/providers/:id`: the profile and its live services.
 *
 * @public
 */
export interface ProviderProfileResponse {
  provider: ProviderProfile;
  services: ServiceCard[];
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
 * A route in `GET /v1/routes`, with whether the caller subscribes to it.
 *
 * @public
 */
export interface RouteListItem extends RouteSummary {
  subscribed: boolean;
}

/**
 * The model finder's needs (`GET /marketplace/recommendations`); the same names
 * as the query parameters.
 *
 * @public
 */
export type FinderQuery = Partial<FinderNeeds>;

/**
 * A finder card: a browse card plus measured time to first token and throughput.
 *
 * @public
 */
export interface FinderCard extends ServiceCard {
  metrics: ServiceCard['metrics'] & {
    timeToFirstTokenP95Ms: number | null;
    tokensPerSecond: number | null;
  };
}

/**
 * `GET /marketplace/recommendations`: services meeting every need, cheapest
 * first at the stated volume, and the others with the needs they fail.
 *
 * @public
 */
export interface RecommendationsResponse {
  needs: FinderNeeds;
  matches: {
    service: FinderCard;
    blendedPer1kMicros: number;
    expectedMonthlyCostMicros: number;
  }[];
  excluded: {
    service: FinderCard;
    blendedPer1kMicros: number;
    reasons: ExclusionReason[];
  }[];
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
  /** `GET /v1/routes`: the routes with their members, best first now. */
  listRoutes(): Promise<RouteListItem[]>;
  /** `POST /v1/routes/:name/subscribe`: one key for every member of the route. */
  subscribeRoute(
    name: string,
    request: SubscribeRequest,
  ): Promise<SubscribeResponse>;
  /** `DELETE /v1/routes/:name/subscribe` */
  unsubscribeRoute(name: string): Promise<Subscription>;
  /** `GET /v1/subscriptions?status=` */
  listSubscriptions(options?: {
    status?: SubscriptionStatus;
  }): Promise<SubscriptionWithKeys[]>;
  /** `GET /v1/subscriptions/:id/usage?limit=`, newest first. */
  getUsage(
    subscriptionId: string,
    options?: { limit?: number },
  ): Promise<UsageRecord[]>;
  /** `GET /v1/subscriptions/:id/usage?limit=1`: this month, the trial and the budgets that limit it. */
  getSubscriptionSummary(subscriptionId: string): Promise<UsageSummary>;
  /** `GET /v1/budgets` (`all`: admins, everyone's). */
  listBudgets(options?: { all?: boolean }): Promise<BudgetsResponse>;
  /** `PUT /v1/budgets/:scope/:ref` */
  putBudget(
    scope: BudgetScope,
    ref: string,
    input: BudgetInput,
  ): Promise<Budget>;
  /** `DELETE /v1/budgets/:scope/:ref` */
  deleteBudget(scope: BudgetScope, ref: string): Promise<void>;
  /** `GET /v1/services/:name/price-changes` */
  listPriceChanges(name: string): Promise<{
    current: ModelServicePricing;
    noticeDays: number;
    items: PriceChange[];
  }>;
  /** `POST /v1/provider/services/:name/price-changes` (owners, admins) */
  announcePriceChange(
    name: string,
    input: PriceChangeInput,
  ): Promise<PriceChange>;
  /** `POST /v1/keys/:keyId/rotate`: a new secret, shown once; the old key is revoked. */
  rotateKey(keyId: string): Promise<IssuedApiKey>;
  /** `DELETE /v1/keys/:keyId` */
  revokeKey(keyId: string): Promise<ApiKeyInfo>;
  /** `POST /v1/subscriptions/:id/keys`: a further key, its secret shown once. */
  createKey(subscriptionId: string): Promise<IssuedApiKey>;
  /** `GET /v1/me` */
  getMe(): Promise<MarketplaceMe>;
  /** `GET /marketplace/services`: filtered, sorted and paged, with facet counts. */
  browseServices(query: BrowseServicesQuery): Promise<BrowseServicesResponse>;
  /**
   * Starts `browseServices(query)` ahead of the page that will ask for it: the
   * browse page's loader calls it while the page's code loads. The next
   * `browseServices` call with the same query, within a few seconds, is answered
   * by that request instead of a new one.
   */
  prefetchBrowseServices?(query: BrowseServicesQuery): void;
  /** `GET /marketplace/recommendations`: the model finder. */
  getRecommendations(query: FinderQuery): Promise<RecommendationsResponse>;
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
  /** `GET /v1/admin/provider-approvals?status=` (admins only). */
  listProviderApprovals(options?: {
    status?: ApprovalStatus;
  }): Promise<ProviderApproval[]>;
  /** `POST /v1/admin/provider-approvals/:name/approve` (admins only). */
  approveProvider(name: string): Promise<ProviderApproval>;
  /** `POST /v1/admin/provider-approvals/:name/reject` with a reason (admins only). */
  rejectProvider(name: string, reason: string): Promise<ProviderApproval>;
  /** `GET /marketplace/services/:name/reviews` */
  listReviews(
    name: string,
    options?: { sort?: ReviewSort; offset?: number; limit?: number },
  ): Promise<ServiceReviewsResponse>;
  /** `POST /marketplace/services/:name/reviews`: writes or edits the caller's review. */
  writeReview(
    name: string,
    review: ReviewRequest,
  ): Promise<{ review: ServiceReview; summary: ReviewSummary }>;
  /** `DELETE /marketplace/services/:name/reviews/:id` (the author). */
  deleteReview(name: string, id: string): Promise<{ summary: ReviewSummary }>;
  /** `POST` / `DELETE /marketplace/services/:name/reviews/:id/helpful` */
  voteReview(
    name: string,
    id: string,
    helpful: boolean,
  ): Promise<ServiceReview>;
  /** `PUT` / `DELETE /marketplace/services/:name/reviews/:id/reply` (owners). */
  replyToReview(
    name: string,
    id: string,
    text: string | null,
  ): Promise<ServiceReview>;
  /** `POST` / `DELETE /marketplace/services/:name/reviews/:id/hide` (admins). */
  hideReview(
    name: string,
    id: string,
    reason: string | null,
  ): Promise<{ review: ServiceReview; summary: ReviewSummary }>;

  // --- Monitoring -----------------------------------------------------------
  /**
   * `GET /marketplace/services/:name/metrics?window=`: measured uptime, latency
   * and traffic beside the committed SLA.
   */
  getServiceMetrics(
    name: string,
    options?: { window?: MetricsWindow },
  ): Promise<ServiceQualityMetrics>;
  // --- admin (issue 9): users, roles, suspensions, settings, audit log ---
  /** `GET /v1/admin/users`: one page of users (admins). */
  listUsers(query?: AdminUsersQuery): Promise<AdminUsersResponse>;
  /** `PUT /v1/admin/users/:userRef/role`: `null` removes the override (admins). */
  setUserRole(
    userRef: string,
    role: MarketplaceRole | null,
  ): Promise<AdminUser>;
  /** `POST /v1/admin/users/:userRef/suspend` with a reason (admins). */
  suspendUser(userRef: string, reason: string): Promise<AdminUser>;
  /** `POST /v1/admin/users/:userRef/reinstate` (admins). */
  reinstateUser(userRef: string): Promise<AdminUser>;
  /** `GET /v1/admin/settings` (admins). */
  getPlatformSettings(): Promise<PlatformSettings>;
  /** `PUT /v1/admin/settings/platform-fee` (admins). */
  setPlatformFee(percent: number): Promise<PlatformSettings>;
  /** `GET /v1/admin/audit`: newest first (admins). */
  listAuditLog(query?: AuditLogQuery): Promise<AuditLogResponse>;
  // Analytics, payouts and statements (issue 8).
  /** `GET /v1/provider/teams` */
  listProviderTeams(): Promise<ProviderTeam[]>;
  /** `GET /v1/provider/analytics` */
  getProviderAnalytics(query: AnalyticsQuery): Promise<ProviderAnalytics>;
  /** `GET /v1/provider/payouts?team=` */
  listPayouts(
    team: string,
  ): Promise<{ statements: Statement[]; canMarkPaid: boolean }>;
  /** `GET /v1/provider/payouts/:month?team=` */
  getPayout(team: string, month: string): Promise<Statement>;
  /** `POST /v1/admin/payouts/:month/paid` */
  markPayoutPaid(
    team: string,
    month: string,
    reference: string | null,
  ): Promise<Statement>;
  /** `GET /v1/me/usage` */
  getMyUsage(query: UsageQuery): Promise<ConsumerUsage>;
  /** `GET /v1/statements[?team=]` */
  listStatements(team?: string): Promise<Statement[]>;
  /** `GET /v1/statements/:month[?team=]` */
  getStatement(month: string, team?: string): Promise<Statement>;
  /** A statement's CSV: `.../payouts/:month/csv` (provider) or `.../statements/:month/csv`. */
  downloadStatementCsv(options: {
    kind: 'provider' | 'consumer';
    month: string;
    team?: string;
  }): Promise<{ fileName: string; blob: Blob }>;
  /** `GET /v1/exports/usage` as a file to save (CSV or JSON). */
  exportUsage(
    query: UsageExportQuery,
    format: 'csv' | 'json',
  ): Promise<{ fileName: string; blob: Blob }>;
  /** `GET /marketplace/providers/:id`: profile, live services, measured quality. */
  getProviderProfile(id: string): Promise<ProviderProfileResponse>;
  /** `PUT /marketplace/admin/providers/:id/verification` (admins; audited). */
  setProviderVerification(
    id: string,
    request: ProviderVerificationRequest,
  ): Promise<ProviderVerificationInfo>;
  /** `GET /v1/providers/:id/credentials` (owners and admins). */
  listProviderCredentials(
    provider: string,
  ): Promise<ProviderCredentialsResponse>;
  /** `POST /v1/providers/:id/credentials`: the value is never returned. */
  addProviderCredential(
    provider: string,
    name: string,
    value: string,
  ): Promise<ProviderCredential>;
  /** `PUT /v1/providers/:id/credentials/:name` */
  rotateProviderCredential(
    provider: string,
    name: string,
    value: string,
  ): Promise<ProviderCredential>;
  /** `DELETE /v1/providers/:id/credentials/:name` */
  deleteProviderCredential(provider: string, name: string): Promise<void>;
}

/**
 * Search, filters, sort and page of `GET /v1/admin/users`.
 *
 * @public
 */
export interface AdminUsersQuery {
  q?: string;
  role?: MarketplaceRole[];
  status?: UserStatus[];
  sort?: AdminUserSort;
  order?: 'asc' | 'desc';
  offset?: number;
  limit?: number;
}

/**
 * Filters and page of `GET /v1/admin/audit`.
 *
 * @public
 */
export interface AuditLogQuery {
  action?: AuditAction[];
  actor?: string;
  target?: string;
  offset?: number;
  limit?: number;
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
 * Query of `GET /v1/provider/analytics`: whole UTC days `YYYY-MM-DD`.
 *
 * @public
 */
export interface AnalyticsQuery {
  from?: string;
  to?: string;
  granularity?: AnalyticsGranularity;
  /** A service name. */
  service?: string;
  /** A provider team's entity ref. */
  team?: string;
}

/**
 * Query of `GET /v1/me/usage`.
 *
 * @public
 */
export interface UsageQuery {
  from?: string;
  to?: string;
  granularity?: 'day' | 'month';
  service?: string;
}

/** Whose usage and which days (`YYYY-MM-DD`, inclusive) to export. */
export interface UsageExportQuery {
  scope: UsageExportScope;
  user?: string;
  team?: string;
  service?: string;
  from?: string;
  to?: string;
}

function queryString(query: object): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== undefined && value !== null && value !== '') {
      params.append(key, String(value));
    }
  }
  const text = params.toString();
  return text ? `?${text}` : '';
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

/** How old a prefetched browse response may be when the page takes it. */
const PREFETCH_MAX_AGE_MS = 10_000;

/**
 * Default {@link MarketplaceApi}: Backstage-authenticated calls through the
 * fetch API, to the base URL discovery gives for the `marketplace` plugin.
 *
 * @public
 */
export class MarketplaceClient implements MarketplaceApi {
  private readonly discoveryApi: DiscoveryApi;
  private readonly fetchApi: FetchApi;
  private prefetchedBrowse?: {
    qs: string;
    startedAt: number;
    response: Promise<BrowseServicesResponse>;
  };

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

  async listRoutes(): Promise<RouteListItem[]> {
    const body = await this.request<{ routes: RouteListItem[] }>(
      'GET',
      '/v1/routes',
    );
    return body.routes;
  }

  async subscribeRoute(
    name: string,
    request: SubscribeRequest,
  ): Promise<SubscribeResponse> {
    return this.request<SubscribeResponse>(
      'POST',
      `/v1/routes/${encodeURIComponent(name)}/subscribe`,
      request,
    );
  }

  async unsubscribeRoute(name: string): Promise<Subscription> {
    const body = await this.request<{ subscription: Subscription }>(
      'DELETE',
      `/v1/routes/${encodeURIComponent(name)}/subscribe`,
    );
    return body.subscription;
  }

  async getSubscriptionSummary(subscriptionId: string): Promise<UsageSummary> {
    return this.request(
      'GET',
      `/v1/subscriptions/${encodeURIComponent(subscriptionId)}/usage?limit=1`,
    );
  }

  async listBudgets(options: { all?: boolean } = {}): Promise<BudgetsResponse> {
    return this.request('GET', `/v1/budgets${options.all ? '?all=true' : ''}`);
  }

  async putBudget(
    scope: BudgetScope,
    ref: string,
    input: BudgetInput,
  ): Promise<Budget> {
    const body = await this.request<{ budget: Budget }>(
      'PUT',
      `/v1/budgets/${scope}/${encodeURIComponent(ref)}`,
      input,
    );
    return body.budget;
  }

  async deleteBudget(scope: BudgetScope, ref: string): Promise<void> {
    const baseUrl = await this.discoveryApi.getBaseUrl('marketplace');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/v1/budgets/${scope}/${encodeURIComponent(ref)}`,
      { method: 'DELETE' },
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
  }

  async listPriceChanges(name: string) {
    return this.request<{
      current: ModelServicePricing;
      noticeDays: number;
      items: PriceChange[];
    }>('GET', `/v1/services/${encodeURIComponent(name)}/price-changes`);
  }

  async announcePriceChange(
    name: string,
    input: PriceChangeInput,
  ): Promise<PriceChange> {
    const body = await this.request<{ priceChange: PriceChange }>(
      'POST',
      `/v1/provider/services/${encodeURIComponent(name)}/price-changes`,
      input,
    );
    return body.priceChange;
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

  async createKey(subscriptionId: string): Promise<IssuedApiKey> {
    const body = await this.request<{ apiKey: IssuedApiKey }>(
      'POST',
      `/v1/subscriptions/${encodeURIComponent(subscriptionId)}/keys`,
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

  prefetchBrowseServices(query: BrowseServicesQuery): void {
    const qs = browseQueryString(query);
    const response = this.requestBrowse(qs);
    // Whoever takes the response handles its failure; nobody may take it.
    response.catch(() => undefined);
    this.prefetchedBrowse = { qs, startedAt: Date.now(), response };
  }

  async browseServices(
    query: BrowseServicesQuery,
  ): Promise<BrowseServicesResponse> {
    const qs = browseQueryString(query);
    const prefetched = this.prefetchedBrowse;
    this.prefetchedBrowse = undefined;
    if (
      prefetched?.qs === qs &&
      Date.now() - prefetched.startedAt <= PREFETCH_MAX_AGE_MS
    ) {
      // A failed prefetch is asked again, as if it had not been made.
      return prefetched.response.catch(() => this.requestBrowse(qs));
    }
    return this.requestBrowse(qs);
  }

  private requestBrowse(qs: string): Promise<BrowseServicesResponse> {
    return this.request<BrowseServicesResponse>(
      'GET',
      `/marketplace/services${qs ? `?${qs}` : ''}`,
    );
  }

  async getRecommendations(
    query: FinderQuery,
  ): Promise<RecommendationsResponse> {
    const qs = browseQueryString(query as BrowseServicesQuery);
    return this.request<RecommendationsResponse>(
      'GET',
      `/marketplace/recommendations${qs ? `?${qs}` : ''}`,
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

  async listProviderApprovals(
    options: { status?: ApprovalStatus } = {},
  ): Promise<ProviderApproval[]> {
    const qs = options.status
      ? `?status=${encodeURIComponent(options.status)}`
      : '';
    const body = await this.request<{ approvals: ProviderApproval[] }>(
      'GET',
      `/v1/admin/provider-approvals${qs}`,
    );
    return body.approvals;
  }

  async approveProvider(name: string): Promise<ProviderApproval> {
    const body = await this.request<{ approval: ProviderApproval }>(
      'POST',
      `/v1/admin/provider-approvals/${encodeURIComponent(name)}/approve`,
      {},
    );
    return body.approval;
  }

  async rejectProvider(
    name: string,
    reason: string,
  ): Promise<ProviderApproval> {
    const body = await this.request<{ approval: ProviderApproval }>(
      'POST',
      `/v1/admin/provider-approvals/${encodeURIComponent(name)}/reject`,
      { reason },
    );
    return body.approval;
  }

  async listReviews(
    name: string,
    options: { sort?: ReviewSort; offset?: number; limit?: number } = {},
  ): Promise<ServiceReviewsResponse> {
    const qs = new URLSearchParams();
    for (const [key, value] of Object.entries(options)) {
      if (value !== undefined) {
        qs.set(key, String(value));
      }
    }
    const query = qs.toString();
    return this.request<ServiceReviewsResponse>(
      'GET',
      `${this.reviewsPath(name)}${query ? `?${query}` : ''}`,
    );
  }

  async writeReview(
    name: string,
    review: ReviewRequest,
  ): Promise<{ review: ServiceReview; summary: ReviewSummary }> {
    return this.request('POST', this.reviewsPath(name), review);
  }

  async deleteReview(
    name: string,
    id: string,
  ): Promise<{ summary: ReviewSummary }> {
    return this.request('DELETE', this.reviewsPath(name, id));
  }

  async voteReview(
    name: string,
    id: string,
    helpful: boolean,
  ): Promise<ServiceReview> {
    const path = `${this.reviewsPath(name, id)}/helpful`;
    const body = await this.request<{ review: ServiceReview }>(
      helpful ? 'POST' : 'DELETE',
      path,
      helpful ? {} : undefined,
    );
    return body.review;
  }

  async replyToReview(
    name: string,
    id: string,
    text: string | null,
  ): Promise<ServiceReview> {
    const path = `${this.reviewsPath(name, id)}/reply`;
    const body = await this.request<{ review: ServiceReview }>(
      text === null ? 'DELETE' : 'PUT',
      path,
      text === null ? undefined : { text },
    );
    return body.review;
  }

  async hideReview(
    name: string,
    id: string,
    reason: string | null,
  ): Promise<{ review: ServiceReview; summary: ReviewSummary }> {
    const path = `${this.reviewsPath(name, id)}/hide`;
    return this.request(
      reason === null ? 'DELETE' : 'POST',
      path,
      reason === null ? undefined : { reason },
    );
  }

  // --- admin (issue 9): users, roles, suspensions, settings, audit log ---

  async listUsers(query: AdminUsersQuery = {}): Promise<AdminUsersResponse> {
    const qs = this.adminQueryString(query);
    return this.request<AdminUsersResponse>(
      'GET',
      `/v1/admin/users${qs ? `?${qs}` : ''}`,
    );
  }

  async setUserRole(
    userRef: string,
    role: MarketplaceRole | null,
  ): Promise<AdminUser> {
    const body = await this.request<{ user: AdminUser }>(
      'PUT',
      `/v1/admin/users/${encodeURIComponent(userRef)}/role`,
      { role },
    );
    return body.user;
  }

  async suspendUser(userRef: string, reason: string): Promise<AdminUser> {
    const body = await this.request<{ user: AdminUser }>(
      'POST',
      `/v1/admin/users/${encodeURIComponent(userRef)}/suspend`,
      { reason },
    );
    return body.user;
  }

  async reinstateUser(userRef: string): Promise<AdminUser> {
    const body = await this.request<{ user: AdminUser }>(
      'POST',
      `/v1/admin/users/${encodeURIComponent(userRef)}/reinstate`,
      {},
    );
    return body.user;
  }

  async getPlatformSettings(): Promise<PlatformSettings> {
    const body = await this.request<{ settings: PlatformSettings }>(
      'GET',
      '/v1/admin/settings',
    );
    return body.settings;
  }

  async setPlatformFee(percent: number): Promise<PlatformSettings> {
    const body = await this.request<{ settings: PlatformSettings }>(
      'PUT',
      '/v1/admin/settings/platform-fee',
      { percent },
    );
    return body.settings;
  }

  async listAuditLog(query: AuditLogQuery = {}): Promise<AuditLogResponse> {
    const qs = this.adminQueryString(query);
    return this.request<AuditLogResponse>(
      'GET',
      `/v1/admin/audit${qs ? `?${qs}` : ''}`,
    );
  }

  /** Repeated parameters for lists, like browse. */
  private adminQueryString(query: AdminUsersQuery | AuditLogQuery): string {
    return browseQueryString(query as BrowseServicesQuery);
  }

  private reviewsPath(name: string, id?: string): string {
    const base = `/marketplace/services/${encodeURIComponent(name)}/reviews`;
    return id ? `${base}/${encodeURIComponent(id)}` : base;
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

  // --- Provider profiles ------------------------------------------------------
  async getProviderProfile(id: string): Promise<ProviderProfileResponse> {
    return this.request(
      'GET',
      `/marketplace/providers/${encodeURIComponent(id)}`,
    );
  }

  async setProviderVerification(
    id: string,
    request: ProviderVerificationRequest,
  ): Promise<ProviderVerificationInfo> {
    const body = await this.request<{
      verification: ProviderVerificationInfo;
    }>(
      'PUT',
      `/marketplace/admin/providers/${encodeURIComponent(id)}/verification`,
      request,
    );
    return body.verification;
  }

  async listProviderCredentials(
    provider: string,
  ): Promise<ProviderCredentialsResponse> {
    return this.request(
      'GET',
      `/v1/providers/${encodeURIComponent(provider)}/credentials`,
    );
  }

  async addProviderCredential(
    provider: string,
    name: string,
    value: string,
  ): Promise<ProviderCredential> {
    const body = await this.request<{ credential: ProviderCredential }>(
      'POST',
      `/v1/providers/${encodeURIComponent(provider)}/credentials`,
      { name, value },
    );
    return body.credential;
  }

  async rotateProviderCredential(
    provider: string,
    name: string,
    value: string,
  ): Promise<ProviderCredential> {
    const body = await this.request<{ credential: ProviderCredential }>(
      'PUT',
      `/v1/providers/${encodeURIComponent(
        provider,
      )}/credentials/${encodeURIComponent(name)}`,
      { value },
    );
    return body.credential;
  }

  async deleteProviderCredential(
    provider: string,
    name: string,
  ): Promise<void> {
    await this.request(
      'DELETE',
      `/v1/providers/${encodeURIComponent(
        provider,
      )}/credentials/${encodeURIComponent(name)}`,
    );
  }

  private async request<T>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
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

  // Analytics, payouts and statements (issue 8).
  async listProviderTeams(): Promise<ProviderTeam[]> {
    const body = await this.request<{ teams: ProviderTeam[] }>(
      'GET',
      '/v1/provider/teams',
    );
    return body.teams;
  }

  async getProviderAnalytics(
    query: AnalyticsQuery,
  ): Promise<ProviderAnalytics> {
    return this.request('GET', `/v1/provider/analytics${queryString(query)}`);
  }

  async listPayouts(
    team: string,
  ): Promise<{ statements: Statement[]; canMarkPaid: boolean }> {
    return this.request('GET', `/v1/provider/payouts${queryString({ team })}`);
  }

  async getPayout(team: string, month: string): Promise<Statement> {
    const body = await this.request<{ statement: Statement }>(
      'GET',
      `/v1/provider/payouts/${encodeURIComponent(month)}${queryString({
        team,
      })}`,
    );
    return body.statement;
  }

  async markPayoutPaid(
    team: string,
    month: string,
    reference: string | null,
  ): Promise<Statement> {
    const body = await this.request<{ statement: Statement }>(
      'POST',
      `/v1/admin/payouts/${encodeURIComponent(month)}/paid`,
      { team, reference },
    );
    return body.statement;
  }

  async getMyUsage(query: UsageQuery): Promise<ConsumerUsage> {
    return this.request('GET', `/v1/me/usage${queryString(query)}`);
  }

  async listStatements(team?: string): Promise<Statement[]> {
    const body = await this.request<{ statements: Statement[] }>(
      'GET',
      `/v1/statements${queryString({ team })}`,
    );
    return body.statements;
  }

  async getStatement(month: string, team?: string): Promise<Statement> {
    const body = await this.request<{ statement: Statement }>(
      'GET',
      `/v1/statements/${encodeURIComponent(month)}${queryString({ team })}`,
    );
    return body.statement;
  }

  async downloadStatementCsv(options: {
    kind: 'provider' | 'consumer';
    month: string;
    team?: string;
  }): Promise<{ fileName: string; blob: Blob }> {
    const baseUrl = await this.discoveryApi.getBaseUrl('marketplace');
    const path =
      options.kind === 'provider' ? '/v1/provider/payouts' : '/v1/statements';
    const response = await this.fetchApi.fetch(
      `${baseUrl}${path}/${encodeURIComponent(options.month)}/csv${queryString({
        team: options.team,
      })}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const disposition = response.headers.get('content-disposition') ?? '';
    // The server's name (payout-<team>-<month>.csv); the same when the header is
    // not readable.
    const owner = options.team
      ? `-${options.team
          .replace(/^[a-z]+:/i, '')
          .replace(/[^A-Za-z0-9._-]+/g, '-')}`
      : '';
    const fileName =
      /filename="([^"]+)"/.exec(disposition)?.[1] ??
      `${options.kind === 'provider' ? 'payout' : 'statement'}${owner}-${
        options.month
      }.csv`;
    return { fileName, blob: await response.blob() };
  }

  async exportUsage(
    query: UsageExportQuery,
    format: 'csv' | 'json',
  ): Promise<{ fileName: string; blob: Blob }> {
    const baseUrl = await this.discoveryApi.getBaseUrl('marketplace');
    const response = await this.fetchApi.fetch(
      `${baseUrl}/v1/exports/usage${queryString({ ...query, format })}`,
    );
    if (!response.ok) {
      throw await ResponseError.fromResponse(response);
    }
    const owner = (query.team ?? query.service ?? query.user ?? 'me')
      .replace(/^[a-z]+:/i, '')
      .replace(/[^A-Za-z0-9._-]+/g, '-');
    const period = [query.from, query.to].filter(Boolean).join('-');
    const fileName =
      /filename="([^"]+)"/.exec(
        response.headers.get('content-disposition') ?? '',
      )?.[1] ?? `usage-${owner}${period ? `-${period}` : ''}.${format}`;
    return { fileName, blob: await response.blob() };
  }
}
