export { ProviderDetailsCard } from './ProviderDetailsCard';
export { ProviderServicesCard } from './ProviderServicesCard';
export { ProviderCredentialsCard } from './ProviderCredentialsCard';
