/*
 * The request and answer types of MarketplaceApi that only the frontend uses;
 * the shared ones come from `@internal/plugin-marketplace-common`.
 */
import {
  ProviderProfile,
  AdminUserSort,
  AuditAction,
  MarketplaceComponents,
  MarketplaceRole,
  UserStatus,
  AnalyticsGranularity,
  UsageExportScope,
  BrowseQuery,
  FinderNeeds,
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

type Schemas = MarketplaceComponents['schemas'];

/**
 * One service of the browse page (`GET /marketplace/services`): catalog data plus
 * what the marketplace measured. Metrics are `null` when nothing was measured yet.
 *
 * @public
 */
export type ServiceCard = Schemas['ServiceCard'];

/**
 * `GET /marketplace/providers/:id`: the profile and its live services.
 *
 * @public
 */
export type ProviderProfileResponse = Omit<
  Schemas['ProviderProfileResponse'],
  'provider'
> & {
  provider: ProviderProfile;
};

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
export type BrowseServicesResponse = Schemas['BrowseServicesResponse'];

/**
 * A route in `GET /v1/routes`, with whether the caller subscribes to it.
 *
 * @public
 */
export type RouteListItem = Schemas['RouteListItem'];

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
export type FinderCard = Schemas['FinderCard'];

/**
 * `GET /marketplace/recommendations`: services meeting every need, cheapest
 * first at the stated volume, and the others with the needs they fail.
 *
 * @public
 */
export type RecommendationsResponse = Schemas['RecommendationsResponse'];

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
