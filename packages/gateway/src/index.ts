/*
 * The marketplace gateway as a process of its own:
 *
 *   yarn workspace gateway serve --config ../../app-config.yaml [--config ...]
 *
 * It reads the same app-config and database as the portal backend and serves
 * the same routes (/api/marketplace/gateway/v1/...) on
 * marketplace.gateway.standalone.listen.port (default 7017). SIGTERM or SIGINT
 * stop it gracefully.
 */
import { ConfigSources } from '@backstage/config-loader';
import { createLogger } from './logger';
import { startGatewayServer } from './server';

async function main() {
  const config = await ConfigSources.toConfig(
    ConfigSources.default({ argv: process.argv, env: process.env }),
  );
  const logger = createLogger(
    (process.env.LOG_LEVEL as 'info' | undefined) ?? 'info',
  );
  const server = await startGatewayServer({ config, logger });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      server.stop().then(
        () => process.exit(0),
        error => {
          logger.error(`Gateway shutdown failed: ${error}`);
          process.exit(1);
        },
      );
    });
  }
}

main().catch(error => {
  process.stderr.write(
    `The gateway could not start: ${error?.stack ?? error}\n`,
  );
  process.exit(1);
});
