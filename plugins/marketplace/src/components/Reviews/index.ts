export { ReviewsContent } from './ReviewsContent';
