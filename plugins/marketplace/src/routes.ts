import { createRouteRef } from '@backstage/frontend-plugin-api';

/**
 * Route of the marketplace page (`/marketplace` by default).
 *
 * @public
 */
export const rootRouteRef = createRouteRef();

/**
 * Route of the signed-in user's subscriptions (`/marketplace/subscriptions` by default).
 *
 * @public
 */
export const subscriptionsRouteRef = createRouteRef();
