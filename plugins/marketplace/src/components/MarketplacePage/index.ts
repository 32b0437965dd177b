export { MarketplacePage } from './MarketplacePage';
export { ModelServicesTable } from './ModelServicesTable';
