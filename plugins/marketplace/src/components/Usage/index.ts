export { ServiceUsageContent } from './ServiceUsageContent';
export { ConsumerUsageSection } from './ConsumerUsageSection';
export { StatementsSection } from './StatementsSection';
export { UsageExportForm } from './UsageExportForm';
