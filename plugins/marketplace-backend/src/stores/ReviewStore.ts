import type {
  ReviewSort,
  ReviewSummary,
  ServiceReview,
} from '@internal/plugin-marketplace-common';
import type { Knex } from 'knex';
import type { ReviewRow } from './DatabaseReviewStore';

/**
 * Reviews and ratings of services, and their moderation.
 */
export interface ReviewStore {
  /** Successful gateway requests of a user to a service: review eligibility. */
  successfulRequests(userRef: string, serviceRef: string): Promise<number>;
  /** Creates the user's review of a service, or edits it (one per user). */
  upsert(input: {
    serviceRef: string;
    userRef: string;
    rating: number;
    title: string;
    text: string;
  }): Promise<{
    created: boolean;
    id: string;
  }>;
  get(serviceRef: string, id: string): Promise<ReviewRow>;
  delete(id: string): Promise<void>;
  /** Marks a review helpful for a user; idempotent. */
  vote(id: string, userRef: string, helpful: boolean): Promise<void>;
  reply(
    id: string,
    reply: {
      text: string;
      userRef: string;
    } | null,
  ): Promise<void>;
  /**
   * Hides a review (or shows it again with `null`). `onChanged` runs in the same
   * transaction with the review before and after (the audit log).
   */
  hide(
    id: string,
    hide: {
      reason: string;
      userRef: string;
    } | null,
    onChanged?: (
      tx: Knex.Transaction,
      before: ReviewRow,
      after: ReviewRow,
    ) => Promise<void>,
  ): Promise<void>;
  /** The aggregate over visible reviews of one service. */
  summary(serviceRef: string): Promise<ReviewSummary>;
  /**
   * A page of a service's reviews as `viewerRef` sees them: hidden ones only
   * when `includeHidden` (admins), plus the viewer's own.
   */
  list(options: {
    serviceRef: string;
    viewerRef: string;
    includeHidden: boolean;
    sort: ReviewSort;
    offset: number;
    limit: number;
  }): Promise<{
    items: ServiceReview[];
    total: number;
  }>;
  /** One review as `viewerRef` sees it. */
  view(
    serviceRef: string,
    id: string,
    viewerRef: string,
  ): Promise<ServiceReview>;
  findByUser(
    serviceRef: string,
    userRef: string,
  ): Promise<ServiceReview | null>;
  /** Rating aggregates over visible reviews, by service ref. */
  ratingTotals(): Promise<
    Map<
      string,
      {
        count: number;
        sum: number;
      }
    >
  >;
}

export * from './DatabaseReviewStore';
