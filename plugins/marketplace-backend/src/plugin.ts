import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { eventsServiceRef } from '@backstage/plugin-events-node';
import { notificationService } from '@backstage/plugin-notifications-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import {
  MARKETPLACE_SERVICE_CHANGED_TOPIC,
  marketplacePermissions,
  marketplaceServiceManagePermission,
  readRoleGroups,
} from '@internal/plugin-marketplace-common';
import Router from 'express-promise-router';
import os from 'os';
import { AuditLog } from './database/AuditLog';
import {
  CredentialCipher,
  CredentialStore,
  readEncryptionKeys,
} from './database/CredentialStore';
import { connectDatabase } from './database/migrate';
import { PlatformSettingsStore } from './database/PlatformSettingsStore';
import { UserAdminStore } from './database/UserAdminStore';
import { adminRecipients } from './monitoring/adminRecipients';
import { PublishingStore } from './database/PublishingStore';
import { SubscriptionStore } from './database/SubscriptionStore';
import { UsageLedger } from './database/UsageLedger';
import { createGatewayRouter } from './gateway/router';
import {
  createGatewayCoordination,
  DEFAULT_STREAM_LIMITS,
  EgressPolicy,
  readGatewayRedisConfig,
} from '@internal/plugin-marketplace-gateway-node';
import { Monitoring, readMonitoringConfig } from './monitoring/Monitoring';
import { MonitoringStore } from './monitoring/MonitoringStore';
import { Prober } from './monitoring/Prober';
import { SecretResolver } from './gateway/secrets';
import { createSchemasRouter } from './service/schemasRouter';
import { ServiceDirectory } from './gateway/ServiceDirectory';
import { ServiceSnapshotWriter } from './gateway/ServiceSnapshot';
import { TeamMembership } from './gateway/TeamMembership';
import { serviceResourceRef, serviceRules } from './permissions/rules';
import { Access } from './service/access';
import { createAdminRouter } from './service/adminRouter';
import { LifecycleNotices } from './service/LifecycleNotices';
import { BudgetStore } from './database/BudgetStore';
import { PriceChangeStore } from './database/PriceChangeStore';
import { BudgetAlerts } from './service/BudgetAlerts';
import { createBudgetsRouter } from './service/budgetsRouter';
import { createPriceChangesRouter } from './service/priceChangesRouter';
import { TeamOwners } from './service/TeamOwners';
import { readSlaCreditConfig, SlaCredits } from './analytics/SlaCredits';
import { createFinderRouter } from './service/finderRouter';
import { createRoutesRouter } from './service/routesRouter';
import { MemberHealth } from './routing/MemberHealth';
import { RouteDirectory } from './routing/RouteDirectory';
import { readRoutingConfig } from './routing/routeConfig';
import { BrowseIndex } from './service/BrowseIndex';
import { createProvidersRouter } from './service/providersRouter';
import { ProviderVerificationStore } from './database/ProviderVerificationStore';
import { createMetricsRouter } from './service/metricsRouter';
import { createPublishingRouter } from './service/publishingRouter';
import { createReviewsRouter } from './service/reviewsRouter';
import { ReviewStore } from './database/ReviewStore';
import { createRouter } from './service/router';
import { createOpenApiRouter } from './schema/openapi';
import { AnalyticsStore } from './analytics/AnalyticsStore';
import { StatementStore } from './analytics/StatementStore';
import { createAnalyticsRouter } from './service/analyticsRouter';
import { createCredentialsRouter } from './service/credentialsRouter';

/**
 * The marketplace backend: the REST API under /api/marketplace/v1 and the
 * OpenAI-compatible metering gateway under /api/marketplace/gateway/v1. Both share
 * one store (subscriptions, keys, the usage ledger), so the gateway's hot path
 * needs no network hop.
 *
 * @public
 */
export const marketplacePlugin = createBackendPlugin({
  pluginId: 'marketplace',
  register(env) {
    env.registerInit({
      deps: {
        httpRouter: coreServices.httpRouter,
        httpAuth: coreServices.httpAuth,
        auth: coreServices.auth,
        userInfo: coreServices.userInfo,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
        database: coreServices.database,
        discovery: coreServices.discovery,
        lifecycle: coreServices.lifecycle,
        scheduler: coreServices.scheduler,
        permissions: coreServices.permissions,
        permissionsRegistry: coreServices.permissionsRegistry,
        catalog: catalogServiceRef,
        events: eventsServiceRef,
        notifications: notificationService,
      },
      async init(deps) {
        const { httpRouter, logger, config, lifecycle } = deps;
        const db = await connectDatabase(deps.database);

        const feePercent =
          config.getOptionalNumber('marketplace.platformFeePercent') ?? 10;
        if (!(feePercent >= 0 && feePercent <= 100)) {
          throw new Error(
            `marketplace.platformFeePercent must be between 0 and 100, got ${feePercent}`,
          );
        }
        // backend.listen is `{ host, port }` or a string `[host]:port`.
        const listen = config.getOptional('backend.listen');
        const listenPort =
          typeof listen === 'string'
            ? listen.slice(listen.lastIndexOf(':') + 1)
            : config.getOptionalNumber('backend.listen.port');
        const instanceId =
          config.getOptionalString('marketplace.gateway.instanceId') ??
          `${os.hostname()}:${listenPort || 7007}`;
        const upstreamTimeoutMs =
          config.getOptionalNumber('marketplace.gateway.upstreamTimeoutMs') ??
          120_000;
        // The longest a forwarded request (a stream included) may take; the
        // reservation sweep only settles reservations older than that.
        const maxRequestMs =
          config.getOptionalNumber(
            'marketplace.gateway.maxRequestDurationMs',
          ) ?? 30 * 60_000;
        if (!(Number.isInteger(maxRequestMs) && maxRequestMs >= 1000)) {
          throw new Error(
            `marketplace.gateway.maxRequestDurationMs must be a whole number of milliseconds of at least 1000, got ${maxRequestMs}`,
          );
        }
        const reservationMaxAgeMs =
          Math.max(maxRequestMs, upstreamTimeoutMs) + 2 * 60_000;

        const requireApproval =
          config.getOptionalBoolean('marketplace.publishing.requireApproval') ??
          true;
        const sunsetDays =
          config.getOptionalNumber('marketplace.publishing.sunsetDays') ?? 30;
        if (
          !(
            Number.isInteger(sunsetDays) &&
            sunsetDays >= 0 &&
            sunsetDays <= 365
          )
        ) {
          throw new Error(
            `marketplace.publishing.sunsetDays must be a whole number of days between 0 and 365, got ${sunsetDays}`,
          );
        }

        // Who may change which service: the resource permission
        // marketplace.service.manage with the IS_SERVICE_OWNER rule.
        deps.permissionsRegistry.addPermissions(
          marketplacePermissions.filter(
            p => p !== marketplaceServiceManagePermission,
          ),
        );
        deps.permissionsRegistry.addResourceType({
          resourceRef: serviceResourceRef,
          permissions: [marketplaceServiceManagePermission],
          rules: serviceRules,
        });
        const access = new Access({
          httpAuth: deps.httpAuth,
          userInfo: deps.userInfo,
          permissions: deps.permissions,
          authorizeService: createConditionAuthorizer(
            deps.permissionsRegistry.getPermissionRuleset(serviceResourceRef),
          ),
        });

        const subscriptions = new SubscriptionStore(db);
        const publishing = new PublishingStore(db);
        const audit = new AuditLog(db);
        // The fee from config until an admin sets one (then the stored one).
        const settings = new PlatformSettingsStore(db, audit, {
          configFeeBasisPoints: Math.round(feePercent * 100),
          logger,
        });
        await settings.start();
        const noticeDays =
          config.getOptionalNumber('marketplace.pricing.noticeDays') ?? 30;
        if (
          !(
            Number.isInteger(noticeDays) &&
            noticeDays >= 0 &&
            noticeDays <= 365
          )
        ) {
          throw new Error(
            `marketplace.pricing.noticeDays must be a whole number of days between 0 and 365, got ${noticeDays}`,
          );
        }
        // Announced price changes, in memory on every instance.
        const prices = new PriceChangeStore(db, { audit, logger });
        await prices.start();
        const budgets = new BudgetStore(db, audit);
        const teamOwners = new TeamOwners({
          catalog: deps.catalog,
          auth: deps.auth,
        });
        const budgetAlerts = new BudgetAlerts({
          db,
          budgets,
          notifications: deps.notifications,
          teamOwners,
          logger,
        });
        const ledger = new UsageLedger(db, {
          instanceId,
          platformFeeBasisPoints: () => settings.feeBasisPoints(),
          onError: e => logger.error(`Could not write usage ledger rows: ${e}`),
          prices,
          // Threshold alerts right after the settlements that crossed them.
          onSettled: settled => budgetAlerts.trigger(settled),
        });
        // This instance's leftovers from a previous run can no longer finish.
        const reconciled = await ledger.reconcile({
          maxAgeMs: reservationMaxAgeMs,
          ownLeftovers: true,
        });
        if (reconciled > 0) {
          logger.warn(
            `Settled ${reconciled} request(s) left in flight by a previous run as abandoned (not charged)`,
          );
        }
        // Reservations older than any request may take, from any instance (one
        // that died): never a request still in flight.
        const sweep = setInterval(() => {
          ledger
            .reconcile({ maxAgeMs: reservationMaxAgeMs })
            .catch(e => logger.warn(`Reservation sweep failed: ${e}`));
        }, 5 * 60_000);
        sweep.unref();

        // Rate limits and change notifications: in memory, or shared by the
        // instances through Redis (marketplace.gateway.redis).
        const coordination = await createGatewayCoordination({
          redis: readGatewayRedisConfig(config),
          logger,
        });
        const roleGroups = readRoleGroups(config, m => logger.warn(m));
        const directory = new ServiceDirectory({
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          publishing,
          requireApproval,
          events: coordination.events,
          // Standalone gateways read the services from the database.
          snapshot: new ServiceSnapshotWriter(db),
          // A Provider of these groups grants nothing new: approved at once.
          trustedProviderOwners: [...roleGroups.admin, ...roleGroups.provider],
          // New services get their approval-status annotation in the catalog now,
          // not at their next processing.
          onQueued: async queued => {
            const credentials = await deps.auth.getOwnServiceCredentials();
            for (const { ref, status } of queued) {
              await deps.events.publish({
                topic: MARKETPLACE_SERVICE_CHANGED_TOPIC,
                eventPayload: { serviceRef: ref, approvalStatus: status },
              });
              await deps.catalog
                .refreshEntity(ref, { credentials })
                .catch(() => undefined);
            }
          },
        });
        // Upstream credentials: bound to providers in config, or managed by
        // the providers in the portal (encrypted with the configured keys).
        const credentials = new CredentialStore(
          db,
          new CredentialCipher(readEncryptionKeys(config)),
          audit,
        );
        if (!credentials.enabled) {
          logger.warn(
            'marketplace.credentials.encryptionKeys is not set: providers cannot store upstream credentials in the portal',
          );
        }
        const reencrypted = await credentials.reencrypt();
        if (reencrypted > 0) {
          logger.info(
            `Re-encrypted ${reencrypted} provider credential(s) with the first key of marketplace.credentials.encryptionKeys`,
          );
        }
        const secrets = new SecretResolver(config, {
          store: credentials,
          logger,
        });
        const monitoringConfig = readMonitoringConfig(config);
        const egress = EgressPolicy.fromConfig(config);
        const users = new UserAdminStore(db, audit);
        const monitoringStore = new MonitoringStore(db);
        const monitoring = new Monitoring({
          store: monitoringStore,
          prober: new Prober({
            secrets,
            logger,
            timeoutMs: monitoringConfig.probeTimeoutMs,
            concurrency: monitoringConfig.probeConcurrency,
            mode: monitoringConfig.probeMode,
            egress,
          }),
          directory,
          notifications: deps.notifications,
          logger,
          config: monitoringConfig,
          admins: adminRecipients(roleGroups.admin, users),
        });
        // Team billing holds only while the user is a member of the team.
        const teamMembership = new TeamMembership({
          catalog: deps.catalog,
          auth: deps.auth,
          logger,
          notifications: deps.notifications,
          subscriptions,
        });
        lifecycle.addStartupHook(async () => {
          await directory.start();
          // The prober needs the services: it starts once they are loaded.
          if (monitoringConfig.enabled) {
            await monitoring.schedule(deps.scheduler);
          }
          // Team billing ends with the membership: checked every few minutes
          // too, so users who left are told without sending a request first.
          await teamMembership.schedule(deps.scheduler);
          // Reminders to subscribers of retiring services (30 and 7 days, the day).
          await new LifecycleNotices({
            db,
            directory,
            subscriptions,
            notifications: deps.notifications,
            logger,
          }).schedule(deps.scheduler);
          // Budget alerts for spend settled by standalone gateways, too.
          await budgetAlerts.schedule(deps.scheduler);
        });
        lifecycle.addShutdownHook(async () => {
          clearInterval(sweep);
          prices.stop();
          settings.stop();
          directory.stop();
          await ledger.flush();
          await coordination.close();
        });

        const gatewayBaseUrl = async () =>
          `${await deps.discovery.getExternalBaseUrl(
            'marketplace',
          )}/gateway/v1`;

        // Routes: one model in front of several services of one base model.
        const routes = new RouteDirectory({
          directory,
          routing: readRoutingConfig(config),
          health: new MemberHealth(),
          metrics: () => monitoring.browseMetrics(),
          lastProbe: ref => monitoringStore.lastProbe(ref),
          logger,
        });
        const gateway = createGatewayRouter({
          portalBaseUrl: config.getOptionalString('app.baseUrl'),
          routes,
          logger,
          subscriptions,
          ledger,
          directory,
          secrets,
          upstreamTimeoutMs,
          maxRequestMs,
          rateLimiter: coordination.rateLimiter,
          egress,
          streamLimits: {
            maxEventBytes:
              config.getOptionalNumber(
                'marketplace.gateway.maxStreamEventBytes',
              ) ?? DEFAULT_STREAM_LIMITS.maxEventBytes,
            maxStreamBytes:
              config.getOptionalNumber('marketplace.gateway.maxStreamBytes') ??
              DEFAULT_STREAM_LIMITS.maxStreamBytes,
          },
          teamMembership,
        });
        coordination.events.subscribe(event => {
          if (event.type === 'grants.changed') {
            gateway.gateway.invalidateGrants(event);
          }
        });
        // Provider verification is the admins' decision (issue 21).
        const verifications = new ProviderVerificationStore(db, audit);
        const browseIndex = new BrowseIndex(
          db,
          directory,
          monitoring,
          Date.now,
          verifications,
        );
        const router = Router();
        // The gateway reads its own bodies and answers in its protocols' shapes:
        // it is mounted before the REST API's JSON parsing and validation.
        router.use('/gateway', gateway);
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
            store: new MonitoringStore(db),
            verifications,
          }),
        );
        api.use(createFinderRouter({ access, browseIndex }));
        api.use(
          createBudgetsRouter({ access, db, budgets, ledger, teamOwners }),
        );
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
            gateway,
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
            reviews: new ReviewStore(db),
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
        const analytics = new AnalyticsStore(db);
        api.use(
          createAnalyticsRouter({
            access,
            directory,
            ledger,
            subscriptions,
            analytics,
            statements: new StatementStore(
              db,
              analytics,
              new SlaCredits(db, {
                ...readSlaCreditConfig(config),
                committedUptime: ref =>
                  directory.getByRef(ref)?.entity.spec.sla?.uptimePercent,
              }),
            ),
            audit,
          }),
        );
        httpRouter.use(router);
        // The JSON Schemas of the kinds are public, for editors and CI validators.
        httpRouter.addAuthPolicy({
          path: '/schemas',
          allow: 'unauthenticated',
        });
        // The gateway authenticates callers by their marketplace API key.
        httpRouter.addAuthPolicy({
          path: '/gateway',
          allow: 'unauthenticated',
        });
      },
    });
  },
});
