/*
 * The request and answer types of MarketplaceApi that only the frontend uses;
 * the shared ones come from `@internal/plugin-marketplace-common`.
 */
import {
  ProviderProfile,
  AdminUserSort,
  AuditAction,
  MarketplaceRole,
  UserStatus,
  AnalyticsGranularity,
  UsageExportScope,
  BrowseFacets,
  BrowseQuery,
  ComplianceCertification,
  ExclusionReason,
  FinderNeeds,
  RouteSummary,
  GeoRegion,
  ModelFamily,
  ModelFeature,
  ModelServicePricing,
  ModelServiceTrial,
  ServiceLifecycle,
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
