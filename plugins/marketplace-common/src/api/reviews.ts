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
export interface ServiceReview {
  id: string;
  serviceRef: string;
  userRef: string;
  /** 1 to 5 stars. */
  rating: number;
  title: string;
  /** Stored as given; render it as text. */
  text: string;
  /** Successful requests the author made to the service (the verified-usage badge). */
  verifiedRequests: number;
  helpfulCount: number;
  /** Whether the caller marked it helpful. */
  votedHelpful: boolean;
  /** Whether the caller wrote it. */
  mine: boolean;
  createdAt: string;
  updatedAt: string;
  /** The provider's answer. */
  reply: { text: string; userRef: string; repliedAt: string } | null;
  /** Set when an admin hid it (only its author and admins see hidden reviews). */
  hidden: { reason: string; userRef: string; hiddenAt: string } | null;
}

/**
 * The aggregate rating of a service over its visible reviews.
 *
 * @public
 */
export interface ReviewSummary {
  /** Mean of the star ratings, rounded to 2 decimals; null without reviews. */
  average: number | null;
  count: number;
  /** Reviews per star rating, `1` to `5`. */
  distribution: Record<'1' | '2' | '3' | '4' | '5', number>;
}

/**
 * What the caller may do with the reviews of a service.
 *
 * @public
 */
export interface ReviewPermissions {
  /** May write (or edit) a review: has a successful request to the service. */
  canReview: boolean;
  /** Why not, when `canReview` is false. */
  reason: string | null;
  /** The caller's own review, if any (also when hidden). */
  review: ServiceReview | null;
  /** Owners of the service may reply to reviews. */
  canReply: boolean;
  /** Admins may hide and unhide reviews. */
  canModerate: boolean;
}

/**
 * Answer of `GET /marketplace/services/:name/reviews`.
 *
 * @public
 */
export interface ServiceReviewsResponse {
  summary: ReviewSummary;
  items: ServiceReview[];
  total: number;
  offset: number;
  limit: number;
  me: ReviewPermissions;
}

/**
 * Body of `POST /marketplace/services/:name/reviews` (creates, or edits the
 * caller's review).
 *
 * @public
 */
export interface ReviewRequest {
  rating: number;
  title: string;
  text: string;
}
