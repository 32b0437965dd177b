export { ModelServiceQualityContent } from './ModelServiceQualityContent';
