export { ProviderDashboardPage } from './ProviderDashboardPage';
