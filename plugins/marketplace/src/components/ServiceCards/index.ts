export { ServiceCardGrid, type ServiceResultsProps } from './ServiceCardGrid';
export { ServiceCardView } from './ServiceCardView';
export { ServiceTable } from './ServiceTable';
