import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * Limits of a review, enforced by the API (400 beyond them) and shown by the form.
 *
 * @public
 */
export const REVIEW_LIMITS = {
  titleMaxLength: 120,
  textMaxLength: 4000,
  replyMaxLength: 2000,
  hideReasonMaxLength: 500,
} as const;

/**
 * Orders of `GET /marketplace/services/:name/reviews`.
 *
 * @public
 */
export const REVIEW_SORTS = [
  'newest',
  'helpful',
  'rating-desc',
  'rating-asc',
] as const;

/** @public */
export type ReviewSort = (typeof REVIEW_SORTS)[number];

/**
 * A review of a service by a user who called it (verified usage).
 *
 * @public
 */
export type ServiceReview = Schemas['ServiceReview'];

/**
 * The aggregate rating of a service over its visible reviews.
 *
 * @public
 */
export type ReviewSummary = Schemas['ReviewSummary'];

/**
 * Answer of `GET /marketplace/services/:name/reviews`.
 *
 * @public
 */
export type ServiceReviewsResponse = Schemas['ServiceReviewsResponse'];

/**
 * Body of `POST /marketplace/services/:name/reviews` (creates, or edits the
 * caller's review).
 *
 * @public
 */
export type ReviewRequest = Schemas['ReviewRequest'];
