import Router from 'express-promise-router';
import { Marketplace } from './createMarketplace';
import { createAdminRouter } from './service/adminRouter';
import { createAnalyticsRouter } from './service/analyticsRouter';
import { createBudgetsRouter } from './service/budgetsRouter';
import { createCredentialsRouter } from './service/credentialsRouter';
import { createFinderRouter } from './service/finderRouter';
import { createMetricsRouter } from './service/metricsRouter';
import { createPriceChangesRouter } from './service/priceChangesRouter';
import { createProvidersRouter } from './service/providersRouter';
import { createPublishingRouter } from './service/publishingRouter';
import { createReviewsRouter } from './service/reviewsRouter';
import { createRouter } from './service/router';
import { createRoutesRouter } from './service/routesRouter';
import { createSchemasRouter } from './service/schemasRouter';
import { createOpenApiRouter } from './schema/openapi';

/**
 * The plugin's HTTP routes: the gateway under /gateway (it reads its own
 * bodies and answers in its protocols' shapes), then the REST API's routers.
 */
export async function mountRoutes(marketplace: Marketplace) {
  const { noticeDays, requireApproval, sunsetDays, roleGroups } =
    marketplace.config;
  const {
    access,
    analytics,
    audit,
    browseIndex,
    budgets,
    credentials,
    db,
    directory,
    gateway,
    gatewayBaseUrl,
    ledger,
    logger,
    monitoring,
    monitoringStore,
    prices,
    publishing,
    reviews,
    routes,
    secrets,
    settings,
    statements,
    subscriptions,
    teamOwners,
    users,
    verifications,
  } = marketplace;
  // The core services (auth, catalog, events, ...), as plugin.ts names them.
  const deps = marketplace;

  const router = Router();
  // The gateway reads its own bodies and answers in its protocols' shapes:
  // it is mounted before the REST API's JSON parsing and validation.
  router.use('/gateway', gateway.router);
  const api = await createOpenApiRouter();
  router.use(api);
  api.use(createSchemasRouter());
  api.use(
    createMetricsRouter({
      access,
      directory,
      monitoring,
      // The browse index keeps the times of every service up to date.
      times: async ref => {
        await browseIndex.services();
        return browseIndex.times.get(ref);
      },
    }),
  );
  api.use(
    createProvidersRouter({
      access,
      directory,
      browseIndex,
      monitoring,
      store: monitoringStore,
      verifications,
    }),
  );
  api.use(createFinderRouter({ access, browseIndex }));
  api.use(createBudgetsRouter({ access, db, budgets, ledger, teamOwners }));
  api.use(
    createPriceChangesRouter({
      access,
      directory,
      prices,
      subscriptions,
      notifications: deps.notifications,
      logger,
      noticeDays,
    }),
  );
  api.use(
    createRoutesRouter({ access, routes, subscriptions, gatewayBaseUrl }),
  );
  api.use(
    await createRouter({
      auth: deps.auth,
      access,
      catalog: deps.catalog,
      subscriptions,
      ledger,
      directory,
      gatewayBaseUrl,
      browseIndex,
      gateway: gateway.testApi,
      budgets,
      prices,
    }),
  );
  api.use(
    await createPublishingRouter({
      access,
      httpAuth: deps.httpAuth,
      auth: deps.auth,
      logger,
      catalog: deps.catalog,
      directory,
      publishing,
      subscriptions,
      notifications: deps.notifications,
      events: deps.events,
      requireApproval,
      sunsetDays,
      audit,
      secrets,
      serviceTimes: browseIndex.times,
    }),
  );
  api.use(
    createCredentialsRouter({
      access,
      httpAuth: deps.httpAuth,
      logger,
      directory,
      credentials,
      secrets,
    }),
  );
  api.use(
    createReviewsRouter({
      access,
      directory,
      reviews,
      onRatingChanged: () => browseIndex.invalidateRatings(),
      audit,
    }),
  );
  api.use(
    createAdminRouter({
      access,
      httpAuth: deps.httpAuth,
      auth: deps.auth,
      logger,
      catalog: deps.catalog,
      directory,
      users,
      settings,
      audit,
      ledger,
      events: deps.events,
      roleGroups,
    }),
  );
  api.use(
    createAnalyticsRouter({
      access,
      directory,
      ledger,
      subscriptions,
      analytics,
      statements,
      audit,
    }),
  );
  return router;
}
