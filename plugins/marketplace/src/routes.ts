import { createRouteRef } from '@backstage/frontend-plugin-api';

/**
 * Route of the marketplace page (`/marketplace` by default).
 *
 * @public
 */
export const rootRouteRef = createRouteRef();
