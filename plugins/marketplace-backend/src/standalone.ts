import { DatabaseService, LoggerService } from '@backstage/backend-plugin-api';
import { Config } from '@backstage/config';
import type { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ALL_PROTOCOLS,
  createGatewayCoordination,
  createGatewayHttpHandler,
  DEFAULT_STREAM_LIMITS,
  EgressPolicy,
  Gateway,
  GatewayHttpHandler,
  readGatewayRedisConfig,
} from '@internal/plugin-marketplace-gateway-node';
import os from 'os';
import { DatabaseAuditLog } from './stores/AuditLog';
import {
  CredentialCipher,
  DatabaseCredentialStore,
} from './stores/CredentialStore';
import { readEncryptionKeys } from './config';
import { connectDatabase } from './stores/migrate';
import { DatabasePlatformSettingsStore } from './stores/PlatformSettingsStore';
import { DatabaseSubscriptionStore } from './stores/SubscriptionStore';
import { DatabaseUsageLedger } from './stores/ledger/UsageLedger';
import { Reservation } from './stores/ledger/ledgerTypes';
import { DatabasePriceChangeStore } from './stores/PriceChangeStore';
import { upstreamCredentials } from './gateway/router';
import { SecretResolver } from './gateway/secrets';
import { ServiceSnapshotReader } from './catalog/ServiceSnapshot';
import { TeamMembership } from './gateway/TeamMembership';
import { DirectoryService } from './catalog/directoryService';
import { readBrowseMetrics } from './monitoring/browseMetrics';
import { DatabaseMonitoringStore } from './stores/monitoring/MonitoringStore';
import { MemberHealth } from './routing/MemberHealth';
import { readRoutingConfig } from './routing/routeConfig';
import { RouteDirectory } from './routing/RouteDirectory';
import { gatewayRoutes } from './routing/routeGateway';

/** Where the standalone gateway serves: the same paths as the portal's. */
export const GATEWAY_BASE_PATH = '/api/marketplace/gateway';

/** The gateway as a process of its own (see packages/gateway). */
export interface StandaloneGateway {
  /** The node:http handler of the gateway routes, under GATEWAY_BASE_PATH. */
  handler: GatewayHttpHandler;
  /** For the health endpoint: Redis, the services held, the ledger's in-flight requests. */
  health(): {
    redis: 'off' | 'up' | 'down';
    services: number;
    revision: number;
  };
  /** Settles what is queued and lets go of Redis and the database. */
  close(): Promise<void>;
  /** The longest a forwarded request may take (a drain waits at most this long). */
  maxRequestMs: number;
}

/**
 * The metering gateway without the portal: the same pipeline, stores and
 * config (`marketplace.*`) as the embedded one, on the marketplace's own
 * database. The services come from `gateway_services` (written by the portal
 * backend), never from the catalog, so it keeps serving while the portal is
 * down. Team memberships are read from the catalog when `catalog` is given
 * (as the embedded gateway does, and like it, from its cache while the catalog
 * cannot be reached); without it, team-billed subscriptions are served as if
 * their user were still a member.
 *
 * @public
 */
export async function createStandaloneGateway(options: {
  config: Config;
  logger: LoggerService;
  /** The marketplace plugin's database (`DatabaseManager.forPlugin('marketplace')`). */
  database: DatabaseService;
  catalog?: Pick<CatalogService, 'getEntityByRef'>;
  /** Identifies this instance in its reservations (unique, stable per instance). */
  instanceId?: string;
}): Promise<StandaloneGateway> {
  const { config, logger } = options;
  const db = await connectDatabase(options.database);
  const feePercent =
    config.getOptionalNumber('marketplace.platformFeePercent') ?? 10;
  const instanceId =
    options.instanceId ??
    config.getOptionalString('marketplace.gateway.instanceId') ??
    `${os.hostname()}:gateway:${process.pid}`;
  const upstreamTimeoutMs =
    config.getOptionalNumber('marketplace.gateway.upstreamTimeoutMs') ??
    120_000;
  const maxRequestMs =
    config.getOptionalNumber('marketplace.gateway.maxRequestDurationMs') ??
    30 * 60_000;
  const reservationMaxAgeMs =
    Math.max(maxRequestMs, upstreamTimeoutMs) + 2 * 60_000;

  const audit = new DatabaseAuditLog(db);
  const settings = new DatabasePlatformSettingsStore(db, audit, {
    configFeeBasisPoints: Math.round(feePercent * 100),
    logger,
  });
  await settings.start();
  // Announced price changes (the portal's budget alerts cover this gateway's
  // spend: its scheduled check reads all budgets).
  const prices = new DatabasePriceChangeStore(db, { logger });
  await prices.start();
  const ledger = new DatabaseUsageLedger(db, {
    instanceId,
    platformFeeBasisPoints: () => settings.feeBasisPoints(),
    onError: e => logger.error(`Could not write usage ledger rows: ${e}`),
    prices,
  });
  const reconciled = await ledger.reconcile({
    maxAgeMs: reservationMaxAgeMs,
    ownLeftovers: true,
  });
  if (reconciled > 0) {
    logger.warn(
      `Settled ${reconciled} request(s) left in flight by a previous run as abandoned (not charged)`,
    );
  }
  const sweep = setInterval(() => {
    ledger
      .reconcile({ maxAgeMs: reservationMaxAgeMs })
      .catch(e => logger.warn(`Reservation sweep failed: ${e}`));
  }, 5 * 60_000);
  sweep.unref();

  const coordination = await createGatewayCoordination({
    redis: readGatewayRedisConfig(config),
    logger,
  });
  const services = new ServiceSnapshotReader(db, {
    logger,
    events: coordination.events,
  });
  await services.start();
  if (services.state().services === 0) {
    logger.warn(
      'No services in gateway_services yet: start the portal backend once (it writes them) on this database',
    );
  }
  const secrets = new SecretResolver(config, {
    store: new DatabaseCredentialStore(
      db,
      new CredentialCipher(readEncryptionKeys(config)),
      audit,
    ),
    logger,
  });
  let teamMembership: TeamMembership | undefined = undefined;
  if (options.catalog) {
    teamMembership = new TeamMembership({
      catalog: options.catalog,
      // The catalog client given carries its own token.
      auth: {
        getOwnServiceCredentials: async () => ({}),
      } as unknown as ConstructorParameters<typeof TeamMembership>[0]['auth'],
      logger,
    });
  } else {
    logger.warn(
      'No catalog access (marketplace.gateway.standalone.catalogToken): team-billed subscriptions are served without checking that their user is still a member of the team',
    );
  }
  // Routes over the services of the snapshot, as the portal's gateway has
  // them: the measured values and latest probes the portal's monitoring
  // writes, and this instance's requests.
  const monitoringStore = new DatabaseMonitoringStore(db);
  const routes = new RouteDirectory({
    directory: {
      // The snapshot holds what resolving routes reads of a service.
      list: () => services.list() as DirectoryService[],
      get version() {
        return services.state().revision;
      },
    },
    routing: readRoutingConfig(config),
    health: new MemberHealth(),
    // The portal's measurements (its monitoring writes the rollups).
    metrics: async () =>
      (await readBrowseMetrics(monitoringStore, Date.now())).browse,
    lastProbe: ref => monitoringStore.lastProbe(ref),
    logger,
  });
  const gateway = new Gateway<Reservation>({
    logger,
    grants: new DatabaseSubscriptionStore(db),
    ledger,
    services,
    credentials: upstreamCredentials(secrets),
    rateLimiter: coordination.rateLimiter,
    upstreamTimeoutMs,
    maxRequestMs,
    teamMembership,
    // The same egress policy, stream caps, lifecycle headers and routes as
    // the gateway embedded in the portal.
    egress: EgressPolicy.fromConfig(config),
    streamLimits: {
      maxEventBytes:
        config.getOptionalNumber('marketplace.gateway.maxStreamEventBytes') ??
        DEFAULT_STREAM_LIMITS.maxEventBytes,
      maxStreamBytes:
        config.getOptionalNumber('marketplace.gateway.maxStreamBytes') ??
        DEFAULT_STREAM_LIMITS.maxStreamBytes,
    },
    portalBaseUrl: config.getOptionalString('app.baseUrl'),
    routes: gatewayRoutes(routes),
  });
  coordination.events.subscribe(event => {
    if (event.type === 'grants.changed') {
      gateway.invalidateGrants(event);
    }
  });
  const handler = createGatewayHttpHandler({
    gateway,
    protocols: ALL_PROTOCOLS,
    logger,
    basePath: GATEWAY_BASE_PATH,
  });

  return {
    handler,
    maxRequestMs,
    health: () => ({
      redis: coordination.redisStatus(),
      ...services.state(),
    }),
    close: async () => {
      clearInterval(sweep);
      prices.stop();
      services.stop();
      settings.stop();
      await ledger.flush();
      await coordination.close();
    },
  };
}
