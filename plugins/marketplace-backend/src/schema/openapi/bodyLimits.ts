import express from 'express';

/**
 * How large a JSON body each part of the REST API takes, by path (express
 * syntax, matching the path and everything under it); the first match wins.
 * Small objects get small limits, so a client cannot make the backend parse
 * megabytes to change a number.
 */
export const BODY_LIMITS: ReadonlyArray<{ path: string; limit: string }> = [
  { path: '/v1/budgets', limit: '16kb' },
  { path: '/v1/admin/payouts', limit: '16kb' },
  { path: '/marketplace/admin/providers', limit: '16kb' },
  { path: '/v1/provider/services/:name/price-changes', limit: '32kb' },
  { path: '/v1/routes', limit: '64kb' },
  { path: '/v1/providers/:id/credentials', limit: '64kb' },
  { path: '/marketplace/services/:name/reviews', limit: '64kb' },
  { path: '/v1/admin/users', limit: '64kb' },
  { path: '/v1/admin/settings', limit: '64kb' },
];

/**
 * Every other route: publishing takes a whole ModelService entity, the Test
 * API a chat request.
 */
export const DEFAULT_BODY_LIMIT = '256kb';

/**
 * Parses the JSON body of a REST request once, with the limit of its route.
 * A body over the limit is a 413 (body-parser's `PayloadTooLargeError`), bad
 * JSON a 400, both in Backstage's error shape.
 */
export function jsonBodies(): express.Router {
  const router = express.Router();
  for (const { path, limit } of BODY_LIMITS) {
    router.use(path, express.json({ limit }));
  }
  // Skips bodies parsed above (body-parser marks them).
  router.use(express.json({ limit: DEFAULT_BODY_LIMIT }));
  return router;
}
