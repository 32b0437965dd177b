export {
  marketplaceApiRef,
  MarketplaceClient,
  browseQueryString,
  type BrowseServicesQuery,
  type BrowseServicesResponse,
  type ServiceCard,
  type ProviderProfileResponse,
  type MarketplaceApi,
  type MarketplaceMe,
  type MarketplaceTeam,
  type ServiceNameAvailability,
  type AdminUsersQuery,
  type AuditLogQuery,
  type AnalyticsQuery,
  type UsageQuery,
  type UsageExportQuery,
} from './MarketplaceClient';
export { errorMessage, errorStatus } from './errors';
