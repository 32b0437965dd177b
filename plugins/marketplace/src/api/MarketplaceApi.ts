import { createApiRef } from '@backstage/frontend-plugin-api';
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
  ProviderVerificationInfo,
  ProviderVerificationRequest,
  AdminUser,
  AdminUsersResponse,
  AuditLogResponse,
  MarketplaceRole,
  PlatformSettings,
  ConsumerUsage,
  ProviderAnalytics,
  ProviderTeam,
  Statement,
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
  IssuedApiKey,
  ModelServicePricing,
  ServiceDetail,
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
import {
  AdminUsersQuery,
  AnalyticsQuery,
  AuditLogQuery,
  BrowseServicesQuery,
  BrowseServicesResponse,
  FinderQuery,
  MarketplaceMe,
  ProviderProfileResponse,
  RecommendationsResponse,
  RouteListItem,
  ServiceNameAvailability,
  UsageExportQuery,
  UsageQuery,
} from './types';

/**
 * What the marketplace frontend asks its backend (`/api/marketplace`); the
 * components reach it through {@link marketplaceApiRef}. `MarketplaceClient`
 * implements it over the typed client generated from the OpenAPI document.
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
 * Reference of the {@link MarketplaceApi}.
 *
 * @public
 */
export const marketplaceApiRef = createApiRef<MarketplaceApi>().with({
  id: 'plugin.marketplace.client',
  pluginId: 'marketplace',
});
