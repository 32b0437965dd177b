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

/**
 * Route of the provider teams' page (`/marketplace/provider` by default).
 *
 * @public
 */
export const providerRouteRef = createRouteRef();

/**
 * Route of the admins' approval queue (`/admin/approvals` by default).
 *
 * @public
 */
export const approvalsRouteRef = createRouteRef();

/**
 * Route of the admins' users page (`/admin/users` by default).
 *
 * @public
 */
export const usersRouteRef = createRouteRef();

/**
 * Route of the audit log of admin actions (`/admin/audit` by default).
 *
 * @public
 */
export const auditRouteRef = createRouteRef();

/**
 * Route of the model finder (`/marketplace/finder` by default).
 *
 * @public
 */
export const finderRouteRef = createRouteRef();
