export { ProviderDetailsCard } from './ProviderDetailsCard';
export { ProviderServicesCard } from './ProviderServicesCard';
