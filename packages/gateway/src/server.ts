import { DatabaseManager } from '@backstage/backend-defaults/database';
import {
  LifecycleService,
  LoggerService,
  RootLifecycleService,
} from '@backstage/backend-plugin-api';
import { CatalogClient } from '@backstage/catalog-client';
import { Config } from '@backstage/config';
import {
  createStandaloneGateway,
  StandaloneGateway,
} from '@internal/plugin-marketplace-backend';
import http from 'node:http';
import { AddressInfo } from 'node:net';

/** Shutdown hooks of the database manager (the stand-in for Backstage's lifecycle). */
function lifecycle(): RootLifecycleService &
  LifecycleService & { shutdown(): Promise<void> } {
  const hooks: Array<() => void | Promise<void>> = [];
  return {
    addStartupHook: () => undefined,
    addBeforeShutdownHook: () => undefined,
    addShutdownHook: (hook: () => void | Promise<void>) => {
      hooks.push(hook);
    },
    shutdown: async () => {
      for (const hook of hooks.splice(0)) {
        await hook();
      }
    },
  } as unknown as RootLifecycleService &
    LifecycleService & { shutdown(): Promise<void> };
}

export interface GatewayServer {
  url: string;
  gateway: StandaloneGateway;
  /**
   * Stops accepting (readiness answers 503 from then on), lets the requests in
   * flight finish (streams included, at most `maxRequestMs`), settles the
   * ledger and closes the connections.
   */
  stop(): Promise<void>;
}

/**
 * The standalone gateway server: the gateway routes at the portal's paths
 * (`/api/marketplace/gateway/v1/...`), plus
 *
 * - `GET /healthz`: 200 while the process runs, with what it holds: `redis`
 *   (`off`, `up`, or `down`: limits are per instance until it is back; then
 *   `status` is `degraded`), the services and their revision;
 * - `GET /readyz`: 200 once started, 503 from the start of a shutdown.
 *
 * Plain node:http: no framework, no per-request log line.
 */
export async function startGatewayServer(options: {
  config: Config;
  logger: LoggerService;
  /** Overrides `marketplace.gateway.standalone.listen`. */
  port?: number;
  host?: string;
  instanceId?: string;
}): Promise<GatewayServer> {
  const { config, logger } = options;
  const life = lifecycle();
  const database = DatabaseManager.fromConfig(config, {
    rootLifecycle: life,
  }).forPlugin('marketplace', { logger, lifecycle: life });

  const catalogToken = config.getOptionalString(
    'marketplace.gateway.standalone.catalogToken',
  );
  let catalog: Parameters<typeof createStandaloneGateway>[0]['catalog'];
  if (catalogToken) {
    const baseUrl = config.getString('backend.baseUrl').replace(/\/+$/, '');
    const client = new CatalogClient({
      discoveryApi: { getBaseUrl: async () => `${baseUrl}/api/catalog` },
    });
    catalog = {
      getEntityByRef: (ref: any) =>
        client.getEntityByRef(ref, { token: catalogToken }),
    };
  }

  const gateway = await createStandaloneGateway({
    config,
    logger,
    database,
    catalog,
    instanceId: options.instanceId,
  });

  let draining = false;
  const server = http.createServer((req, res) => {
    if (draining) {
      // Requests still arriving on open connections are served; the
      // connection closes after the answer.
      res.setHeader('connection', 'close');
    }
    if (req.method === 'GET' && req.url === '/healthz') {
      const health = gateway.health();
      const body = JSON.stringify({
        status: health.redis === 'down' ? 'degraded' : 'ok',
        draining,
        ...health,
      });
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(body);
      return;
    }
    if (req.method === 'GET' && req.url === '/readyz') {
      res.writeHead(draining ? 503 : 200, {
        'content-type': 'application/json',
      });
      res.end(JSON.stringify({ ready: !draining }));
      return;
    }
    gateway.handler(req, res);
  });
  server.keepAliveTimeout = 65_000;

  const port =
    options.port ??
    config.getOptionalNumber('marketplace.gateway.standalone.listen.port') ??
    7017;
  const host =
    options.host ??
    config.getOptionalString('marketplace.gateway.standalone.listen.host');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host, backlog: 2048 }, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const url = `http://${
    address.family === 'IPv6' ? `[${address.address}]` : address.address
  }:${address.port}`;
  logger.info(`Gateway listening on ${url}/api/marketplace/gateway/v1`);

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= (async () => {
      draining = true;
      logger.info('Gateway stopping: finishing the requests in flight');
      const closed = new Promise<void>(resolve =>
        server.close(() => resolve()),
      );
      server.closeIdleConnections();
      const idle = setInterval(() => server.closeIdleConnections(), 250);
      const timeout = new Promise<void>(resolve =>
        setTimeout(resolve, gateway.maxRequestMs).unref(),
      );
      await Promise.race([closed, timeout]);
      clearInterval(idle);
      server.closeAllConnections();
      await gateway.close();
      await life.shutdown();
      logger.info('Gateway stopped: every request settled in the ledger');
    })();
    return stopping;
  };

  return { url, gateway, stop };
}
