export { marketplaceApiRef, type MarketplaceApi } from './MarketplaceApi';
export { MarketplaceClient } from './MarketplaceClient';
export { browseQueryString } from './client/browseClient';
export type {
  BrowseServicesQuery,
  BrowseServicesResponse,
  ServiceCard,
  ProviderProfileResponse,
  FinderCard,
  RouteListItem,
  FinderQuery,
  RecommendationsResponse,
  MarketplaceMe,
  MarketplaceTeam,
  ServiceNameAvailability,
  AdminUsersQuery,
  AuditLogQuery,
  AnalyticsQuery,
  UsageQuery,
  UsageExportQuery,
} from './types';
export { errorMessage, errorStatus } from './errors';
