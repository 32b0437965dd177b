import { NotFoundError } from '@backstage/errors';
import {
  ReviewSort,
  ReviewSummary,
  ServiceReview,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { isUniqueViolation } from './SubscriptionStore';
import { num, numOrNull } from '../lib/numbers';
import { iso } from '../lib/periods';
import type { ReviewStore } from './ReviewStore';

export interface ReviewRow {
  id: string;
  service_ref: string;
  user_ref: string;
  rating: number | string;
  title: string;
  body: string;
  helpful_count: number | string;
  reply_body: string | null;
  reply_by: string | null;
  replied_at: number | string | null;
  hidden_at: number | string | null;
  hidden_by: string | null;
  hidden_reason: string | null;
  created_at: number | string;
  updated_at: number | string;
}

const ORDER: Record<ReviewSort, [string, 'asc' | 'desc'][]> = {
  newest: [
    ['created_at', 'desc'],
    ['id', 'asc'],
  ],
  helpful: [
    ['helpful_count', 'desc'],
    ['created_at', 'desc'],
    ['id', 'asc'],
  ],
  'rating-desc': [
    ['rating', 'desc'],
    ['created_at', 'desc'],
    ['id', 'asc'],
  ],
  'rating-asc': [
    ['rating', 'asc'],
    ['created_at', 'desc'],
    ['id', 'asc'],
  ],
};

/**
 * Reviews, helpful votes, provider replies and moderation. Aggregates are
 * computed from the visible (not hidden) reviews at read time, so they change
 * the moment a review does.
 */
export class DatabaseReviewStore implements ReviewStore {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Successful gateway requests of a user to a service: review eligibility. */
  async successfulRequests(userRef: string, serviceRef: string) {
    const [row] = await this.db('usage_ledger')
      .where({ user_ref: userRef, service_ref: serviceRef, status: 'ok' })
      .count({ n: '*' });
    return num(row?.n);
  }

  /** Successful requests per author, for the verified-usage badges of a page. */
  private async requestsBy(
    serviceRef: string,
    userRefs: string[],
  ): Promise<Map<string, number>> {
    if (userRefs.length === 0) {
      return new Map();
    }
    const rows = await this.db('usage_ledger')
      .where({ service_ref: serviceRef, status: 'ok' })
      .whereIn('user_ref', userRefs)
      .groupBy('user_ref')
      .select('user_ref')
      .count({ n: '*' });
    return new Map(
      (rows as { user_ref: string; n: unknown }[]).map(r => [
        r.user_ref,
        num(r.n),
      ]),
    );
  }

  /** Creates the user's review of a service, or edits it (one per user). */
  async upsert(input: {
    serviceRef: string;
    userRef: string;
    rating: number;
    title: string;
    text: string;
  }): Promise<{ created: boolean; id: string }> {
    const now = this.clock();
    const existing = await this.db<ReviewRow>('service_reviews')
      .where({ service_ref: input.serviceRef, user_ref: input.userRef })
      .first();
    if (existing) {
      await this.db('service_reviews').where({ id: existing.id }).update({
        rating: input.rating,
        title: input.title,
        body: input.text,
        updated_at: now,
      });
      return { created: false, id: existing.id };
    }
    const id = randomUUID();
    try {
      await this.db('service_reviews').insert({
        id,
        service_ref: input.serviceRef,
        user_ref: input.userRef,
        rating: input.rating,
        title: input.title,
        body: input.text,
        helpful_count: 0,
        created_at: now,
        updated_at: now,
      });
    } catch (e) {
      // Two first posts at once: the other one won; edit it instead.
      if (isUniqueViolation(e)) {
        return this.upsert(input);
      }
      throw e;
    }
    return { created: true, id };
  }

  async get(serviceRef: string, id: string): Promise<ReviewRow> {
    const row = await this.db<ReviewRow>('service_reviews')
      .where({ id, service_ref: serviceRef })
      .first();
    if (!row) {
      throw new NotFoundError(`No review '${id}' of ${serviceRef}`);
    }
    return row;
  }

  async delete(id: string): Promise<void> {
    await this.db.transaction(async tx => {
      await tx('service_review_votes').where({ review_id: id }).delete();
      await tx('service_reviews').where({ id }).delete();
    });
  }

  /** Marks a review helpful for a user; idempotent. */
  async vote(id: string, userRef: string, helpful: boolean): Promise<void> {
    await this.db.transaction(async tx => {
      if (helpful) {
        const inserted = await tx('service_review_votes')
          .insert({
            review_id: id,
            user_ref: userRef,
            created_at: this.clock(),
          })
          .onConflict(['review_id', 'user_ref'])
          .ignore()
          .returning('review_id');
        if (inserted.length > 0) {
          await tx('service_reviews')
            .where({ id })
            .increment('helpful_count', 1);
        }
      } else {
        const deleted = await tx('service_review_votes')
          .where({ review_id: id, user_ref: userRef })
          .delete();
        if (deleted > 0) {
          await tx('service_reviews')
            .where({ id })
            .decrement('helpful_count', deleted);
        }
      }
    });
  }

  async reply(id: string, reply: { text: string; userRef: string } | null) {
    await this.db('service_reviews')
      .where({ id })
      .update(
        reply
          ? {
              reply_body: reply.text,
              reply_by: reply.userRef,
              replied_at: this.clock(),
            }
          : { reply_body: null, reply_by: null, replied_at: null },
      );
  }

  /**
   * Hides a review (or shows it again with `null`). `onChanged` runs in the same
   * transaction with the review before and after (the audit log).
   */
  async hide(
    id: string,
    hide: { reason: string; userRef: string } | null,
    onChanged?: (
      tx: Knex.Transaction,
      before: ReviewRow,
      after: ReviewRow,
    ) => Promise<void>,
  ) {
    await this.db.transaction(async tx => {
      const before = await tx<ReviewRow>('service_reviews')
        .where({ id })
        .first();
      if (!before) {
        throw new NotFoundError(`No review '${id}'`);
      }
      const changes = hide
        ? {
            hidden_at: this.clock(),
            hidden_by: hide.userRef,
            hidden_reason: hide.reason,
          }
        : { hidden_at: null, hidden_by: null, hidden_reason: null };
      await tx('service_reviews').where({ id }).update(changes);
      await onChanged?.(tx, before, { ...before, ...changes });
    });
  }

  /** The aggregate over visible reviews of one service. */
  async summary(serviceRef: string): Promise<ReviewSummary> {
    const rows = (await this.db('service_reviews')
      .where({ service_ref: serviceRef })
      .whereNull('hidden_at')
      .groupBy('rating')
      .select('rating')
      .count({ n: '*' })) as { rating: unknown; n: unknown }[];
    const distribution = { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 };
    let count = 0;
    let sum = 0;
    for (const r of rows) {
      const stars = num(r.rating);
      const n = num(r.n);
      distribution[String(stars) as keyof typeof distribution] = n;
      count += n;
      sum += stars * n;
    }
    return {
      average: count ? Math.round((sum * 100) / count) / 100 : null,
      count,
      distribution,
    };
  }

  /**
   * A page of a service's reviews as `viewerRef` sees them: hidden ones only
   * when `includeHidden` (admins), plus the viewer's own.
   */
  async list(options: {
    serviceRef: string;
    viewerRef: string;
    includeHidden: boolean;
    sort: ReviewSort;
    offset: number;
    limit: number;
  }): Promise<{ items: ServiceReview[]; total: number }> {
    const { serviceRef, viewerRef, includeHidden } = options;
    const visible = () => {
      const q = this.db<ReviewRow>('service_reviews').where({
        service_ref: serviceRef,
      });
      if (!includeHidden) {
        q.andWhere(w =>
          w.whereNull('hidden_at').orWhere({ user_ref: viewerRef }),
        );
      }
      return q;
    };
    const [{ n }] = await visible().count({ n: '*' });
    let page = visible();
    for (const [column, direction] of ORDER[options.sort]) {
      page = page.orderBy(column, direction);
    }
    const rows = await page.offset(options.offset).limit(options.limit);
    return {
      items: await this.toReviews(serviceRef, viewerRef, rows),
      total: num(n),
    };
  }

  /** One review as `viewerRef` sees it. */
  async view(
    serviceRef: string,
    id: string,
    viewerRef: string,
  ): Promise<ServiceReview> {
    const row = await this.get(serviceRef, id);
    const [review] = await this.toReviews(serviceRef, viewerRef, [row]);
    return review;
  }

  async findByUser(
    serviceRef: string,
    userRef: string,
  ): Promise<ServiceReview | null> {
    const row = await this.db<ReviewRow>('service_reviews')
      .where({ service_ref: serviceRef, user_ref: userRef })
      .first();
    return row ? (await this.toReviews(serviceRef, userRef, [row]))[0] : null;
  }

  private async toReviews(
    serviceRef: string,
    viewerRef: string,
    rows: ReviewRow[],
  ): Promise<ServiceReview[]> {
    const ids = rows.map(r => r.id);
    const voted = new Set(
      ids.length
        ? (
            await this.db('service_review_votes')
              .whereIn('review_id', ids)
              .andWhere({ user_ref: viewerRef })
              .select('review_id')
          ).map((r: { review_id: string }) => r.review_id)
        : [],
    );
    const requests = await this.requestsBy(serviceRef, [
      ...new Set(rows.map(r => r.user_ref)),
    ]);
    return rows.map(r => {
      const hiddenAt = numOrNull(r.hidden_at);
      const repliedAt = numOrNull(r.replied_at);
      return {
        id: r.id,
        serviceRef: r.service_ref,
        userRef: r.user_ref,
        rating: num(r.rating),
        title: r.title,
        text: r.body,
        verifiedRequests: requests.get(r.user_ref) ?? 0,
        helpfulCount: num(r.helpful_count),
        votedHelpful: voted.has(r.id),
        mine: r.user_ref === viewerRef,
        createdAt: iso(r.created_at),
        updatedAt: iso(r.updated_at),
        reply:
          r.reply_body !== null && repliedAt !== null
            ? {
                text: r.reply_body,
                userRef: r.reply_by ?? '',
                repliedAt: iso(repliedAt),
              }
            : null,
        hidden:
          hiddenAt !== null
            ? {
                reason: r.hidden_reason ?? '',
                userRef: r.hidden_by ?? '',
                hiddenAt: iso(hiddenAt),
              }
            : null,
      };
    });
  }

  /** Rating aggregates over visible reviews, by service ref. */
  async ratingTotals(): Promise<Map<string, { count: number; sum: number }>> {
    const rows = (await this.db('service_reviews')
      .whereNull('hidden_at')
      .groupBy('service_ref')
      .select('service_ref')
      .count({ n: '*' })
      .sum({ total: 'rating' })) as {
      service_ref: string;
      n: unknown;
      total: unknown;
    }[];
    return new Map(
      rows.map(r => [r.service_ref, { count: num(r.n), sum: num(r.total) }]),
    );
  }
}
