export { ProviderServicesPage } from './ProviderServicesPage';
