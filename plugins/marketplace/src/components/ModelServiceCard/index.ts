export { ModelServiceOverviewCard } from './ModelServiceOverviewCard';
