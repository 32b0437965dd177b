import {
  AuthService,
  DatabaseService,
  DiscoveryService,
  HttpAuthService,
  LoggerService,
  PermissionsRegistryService,
  PermissionsService,
  RootConfigService,
  SchedulerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { createConditionAuthorizer } from '@backstage/plugin-permission-node';
import { MARKETPLACE_SERVICE_CHANGED_TOPIC } from '@internal/plugin-marketplace-common';
import { createGatewayCoordination } from '@internal/plugin-marketplace-gateway-node';
import { MarketplaceConfig } from './config';
import { DatabaseAuditLog } from './stores/AuditLog';
import {
  CredentialCipher,
  DatabaseCredentialStore,
} from './stores/CredentialStore';
import { connectDatabase } from './stores/migrate';
import { DatabasePlatformSettingsStore } from './stores/PlatformSettingsStore';
import { DatabaseUserAdminStore } from './stores/UserAdminStore';
import { adminRecipients } from './monitoring/adminRecipients';
import { DatabasePublishingStore } from './stores/PublishingStore';
import { DatabaseSubscriptionStore } from './stores/SubscriptionStore';
import { DatabaseUsageLedger } from './stores/ledger/UsageLedger';
import { createEmbeddedGateway } from './gateway/router';
import { Monitoring } from './monitoring/Monitoring';
import { DatabaseMonitoringStore } from './stores/monitoring/MonitoringStore';
import { Prober } from './monitoring/Prober';
import { SecretResolver } from './gateway/secrets';
import { ServiceDirectory } from './catalog/ServiceDirectory';
import { ServiceSnapshotWriter } from './catalog/ServiceSnapshot';
import { TeamMembership } from './gateway/TeamMembership';
import { serviceResourceRef } from './permissions/rules';
import { Access } from './service/access';
import { LifecycleNotices } from './service/LifecycleNotices';
import { DatabaseBudgetStore } from './stores/BudgetStore';
import { DatabasePriceChangeStore } from './stores/PriceChangeStore';
import { BudgetAlerts } from './service/BudgetAlerts';
import { TeamOwners } from './service/TeamOwners';
import { SlaCredits } from './stores/analytics/SlaCredits';
import { MemberHealth } from './routing/MemberHealth';
import { RouteDirectory } from './routing/RouteDirectory';
import { BrowseIndex } from './service/BrowseIndex';
import { DatabaseProviderVerificationStore } from './stores/ProviderVerificationStore';
import { DatabaseReviewStore } from './stores/ReviewStore';
import { DatabaseServiceTimesStore } from './stores/ServiceTimesStore';
import { DatabaseAnalyticsStore } from './stores/analytics/AnalyticsStore';
import { DatabaseStatementStore } from './stores/analytics/StatementStore';

/** The core services the marketplace plugin is built from. */
export interface MarketplaceDeps {
  rootConfig: RootConfigService;
  httpAuth: HttpAuthService;
  auth: AuthService;
  userInfo: UserInfoService;
  logger: LoggerService;
  database: DatabaseService;
  discovery: DiscoveryService;
  permissions: PermissionsService;
  permissionsRegistry: PermissionsRegistryService;
  catalog: CatalogService;
  events: EventsService;
  notifications: NotificationService;
}

/** How often the reservation sweep runs (it settles what dead instances left). */
const RESERVATION_SWEEP_MINUTES = 5;

/**
 * Builds the marketplace: the stores on the plugin's database, the catalog
 * view, the gateway, monitoring and the services the REST routers call. What
 * it returns is what `mountRoutes` mounts; `start` schedules the periodic work
 * once the backend is up, `stop` lets go of timers, Redis and queued writes.
 */
export async function createMarketplace(
  deps: MarketplaceDeps,
  config: MarketplaceConfig,
) {
  const { logger } = deps;
  const db = await connectDatabase(deps.database);

  const access = new Access({
    httpAuth: deps.httpAuth,
    userInfo: deps.userInfo,
    permissions: deps.permissions,
    authorizeService: createConditionAuthorizer(
      deps.permissionsRegistry.getPermissionRuleset(serviceResourceRef),
    ),
  });

  const subscriptions = new DatabaseSubscriptionStore(db);
  const publishing = new DatabasePublishingStore(db);
  const audit = new DatabaseAuditLog(db);
  // The fee from config until an admin sets one (then the stored one).
  const settings = new DatabasePlatformSettingsStore(db, audit, {
    configFeeBasisPoints: Math.round(config.platformFeePercent * 100),
    logger,
  });
  await settings.start();
  // Announced price changes, in memory on every instance.
  const prices = new DatabasePriceChangeStore(db, { audit, logger });
  await prices.start();
  const budgets = new DatabaseBudgetStore(db, audit);
  const teamOwners = new TeamOwners({ catalog: deps.catalog, auth: deps.auth });
  const budgetAlerts = new BudgetAlerts({
    db,
    budgets,
    notifications: deps.notifications,
    teamOwners,
    logger,
  });
  const ledger = new DatabaseUsageLedger(db, {
    instanceId: config.instanceId,
    platformFeeBasisPoints: () => settings.feeBasisPoints(),
    onError: e => logger.error(`Could not write usage ledger rows: ${e}`),
    prices,
    // Threshold alerts right after the settlements that crossed them.
    onSettled: settled => budgetAlerts.trigger(settled),
  });
  // This instance's leftovers from a previous run can no longer finish.
  const reconciled = await ledger.reconcile({
    maxAgeMs: config.reservationMaxAgeMs,
    ownLeftovers: true,
  });
  if (reconciled > 0) {
    logger.warn(
      `Settled ${reconciled} request(s) left in flight by a previous run as abandoned (not charged)`,
    );
  }

  // Rate limits and change notifications: in memory, or shared by the
  // instances through Redis (marketplace.gateway.redis).
  const coordination = await createGatewayCoordination({
    redis: config.redis,
    logger,
  });
  const { roleGroups } = config;
  const directory = new ServiceDirectory({
    catalog: deps.catalog,
    auth: deps.auth,
    logger,
    publishing,
    requireApproval: config.requireApproval,
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
  const credentials = new DatabaseCredentialStore(
    db,
    new CredentialCipher(config.encryptionKeys),
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
  const secrets = new SecretResolver(deps.rootConfig, {
    store: credentials,
    logger,
  });
  const { egress } = config;
  const users = new DatabaseUserAdminStore(db, audit);
  const monitoringStore = new DatabaseMonitoringStore(db);
  const monitoring = new Monitoring({
    store: monitoringStore,
    prober: new Prober({
      secrets,
      logger,
      timeoutMs: config.monitoring.probeTimeoutMs,
      concurrency: config.monitoring.probeConcurrency,
      mode: config.monitoring.probeMode,
      egress,
    }),
    directory,
    notifications: deps.notifications,
    logger,
    config: config.monitoring,
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

  const gatewayBaseUrl = async () =>
    `${await deps.discovery.getExternalBaseUrl('marketplace')}/gateway/v1`;

  // Routes: one model in front of several services of one base model.
  const routes = new RouteDirectory({
    directory,
    routing: config.routing,
    health: new MemberHealth(),
    metrics: () => monitoring.browseMetrics(),
    lastProbe: ref => monitoringStore.lastProbe(ref),
    logger,
  });
  const gateway = createEmbeddedGateway({
    portalBaseUrl: config.portalBaseUrl,
    routes,
    logger,
    subscriptions,
    ledger,
    directory,
    secrets,
    upstreamTimeoutMs: config.upstreamTimeoutMs,
    maxRequestMs: config.maxRequestMs,
    rateLimiter: coordination.rateLimiter,
    egress,
    streamLimits: config.streamLimits,
    teamMembership,
  });
  coordination.events.subscribe(event => {
    if (event.type === 'grants.changed') {
      gateway.pipeline.invalidateGrants(event);
    }
  });
  // Provider verification is the admins' decision (issue 21).
  const verifications = new DatabaseProviderVerificationStore(db, audit);
  const reviews = new DatabaseReviewStore(db);
  const browseIndex = new BrowseIndex({
    directory,
    times: new DatabaseServiceTimesStore(db),
    usage: monitoringStore,
    reviews,
    monitoring,
    verifications,
  });
  const analytics = new DatabaseAnalyticsStore(db);
  const statements = new DatabaseStatementStore(
    db,
    analytics,
    new SlaCredits(db, {
      ...config.sla,
      committedUptime: ref =>
        directory.getByRef(ref)?.entity.spec.sla?.uptimePercent,
    }),
  );

  return {
    ...deps,
    db,
    config,
    access,
    subscriptions,
    publishing,
    audit,
    settings,
    prices,
    budgets,
    teamOwners,
    ledger,
    directory,
    credentials,
    secrets,
    users,
    monitoring,
    monitoringStore,
    routes,
    gateway,
    gatewayBaseUrl,
    verifications,
    browseIndex,
    reviews,
    analytics,
    statements,

    /**
     * The periodic work, on the scheduler: `global` tasks run on one instance
     * of the cluster at a time. Started once the backend is up.
     */
    async start(scheduler: SchedulerService) {
      await directory.start();
      // Reservations older than any request may take, from any instance (one
      // that died): never a request still in flight.
      await scheduler.scheduleTask({
        id: 'marketplace-reservation-sweep',
        scope: 'global',
        frequency: { minutes: RESERVATION_SWEEP_MINUTES },
        timeout: { minutes: RESERVATION_SWEEP_MINUTES },
        initialDelay: { minutes: RESERVATION_SWEEP_MINUTES },
        fn: async () => {
          await ledger
            .reconcile({ maxAgeMs: config.reservationMaxAgeMs })
            .catch(e => logger.warn(`Reservation sweep failed: ${e}`));
        },
      });
      // The prober needs the services: it starts once they are loaded.
      if (config.monitoring.enabled) {
        await monitoring.schedule(scheduler);
      }
      // Team billing ends with the membership: checked every few minutes
      // too, so users who left are told without sending a request first.
      await teamMembership.schedule(scheduler);
      // Reminders to subscribers of retiring services (30 and 7 days, the day).
      await new LifecycleNotices({
        db,
        directory,
        subscriptions,
        notifications: deps.notifications,
        logger,
      }).schedule(scheduler);
      // Budget alerts for spend settled by standalone gateways, too.
      await budgetAlerts.schedule(scheduler);
    },

    /** Timers of the in-memory views, queued ledger writes, Redis. */
    async stop() {
      prices.stop();
      settings.stop();
      directory.stop();
      await ledger.flush();
      await coordination.close();
    },
  };
}

/** The built marketplace: what the routers are given. */
export type Marketplace = Awaited<ReturnType<typeof createMarketplace>>;
