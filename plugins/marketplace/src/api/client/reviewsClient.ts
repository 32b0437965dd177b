import { MarketplaceRestClient } from '@internal/plugin-marketplace-common';
import { MarketplaceApi } from '../MarketplaceApi';

/** The reviews of a service, {@link MarketplaceApi}. */
export type ReviewsApi = Pick<
  MarketplaceApi,
  | 'listReviews'
  | 'writeReview'
  | 'deleteReview'
  | 'voteReview'
  | 'replyToReview'
  | 'hideReview'
>;

export function createReviewsClient(rest: MarketplaceRestClient): ReviewsApi {
  return {
    async listReviews(name, options = {}) {
      return rest.request('get', '/marketplace/services/{name}/reviews', {
        path: { name },
        query: options,
      });
    },

    async writeReview(name, review) {
      return rest.request('post', '/marketplace/services/{name}/reviews', {
        path: { name },
        body: review,
      });
    },

    async deleteReview(name, reviewId) {
      return rest.request(
        'delete',
        '/marketplace/services/{name}/reviews/{reviewId}',
        { path: { name, reviewId } },
      );
    },

    async voteReview(name, reviewId, helpful) {
      const path = '/marketplace/services/{name}/reviews/{reviewId}/helpful';
      const body = helpful
        ? await rest.request('post', path, {
            path: { name, reviewId },
            body: {},
          })
        : await rest.request('delete', path, { path: { name, reviewId } });
      return body.review;
    },

    async replyToReview(name, reviewId, text) {
      const path = '/marketplace/services/{name}/reviews/{reviewId}/reply';
      const body =
        text === null
          ? await rest.request('delete', path, { path: { name, reviewId } })
          : await rest.request('put', path, {
              path: { name, reviewId },
              body: { text },
            });
      return body.review;
    },

    async hideReview(name, reviewId, reason) {
      const path = '/marketplace/services/{name}/reviews/{reviewId}/hide';
      return reason === null
        ? rest.request('delete', path, { path: { name, reviewId } })
        : rest.request('post', path, {
            path: { name, reviewId },
            body: { reason },
          });
    },
  };
}
