/*
 * The standalone gateway (packages/gateway) as side-by-side.ts runs it: on the
 * bench server's database, with the bench's upstream credential, optionally
 * with Redis. BENCH_STANDALONE='{"databaseConfig":...,"instanceId":...}'.
 */
import { ConfigReader } from '@backstage/config';
import { createLogger } from '../../packages/gateway/src/logger';
import { startGatewayServer } from '../../packages/gateway/src/server';

async function main() {
  const options = JSON.parse(process.env.BENCH_STANDALONE ?? '{}') as {
    databaseConfig: object;
    instanceId: string;
    upstreamKey: string;
    redisUrl?: string;
  };
  const server = await startGatewayServer({
    config: new ConfigReader({
      backend: {
        baseUrl: 'http://127.0.0.1:1',
        database: options.databaseConfig,
      },
      marketplace: {
        secrets: {
          BENCH_UPSTREAM_KEY: {
            value: options.upstreamKey,
            providers: ['provider:default/bench-provider'],
          },
        },
        gateway: options.redisUrl ? { redis: { url: options.redisUrl } } : {},
        // The bench's upstream runs on loopback: allowed explicitly.
        egress: { allowedHosts: ['127.0.0.1'] },
      },
    }),
    logger: createLogger('warn'),
    port: 0,
    host: '127.0.0.1',
    instanceId: options.instanceId,
  });
  process.send?.({ type: 'ready', url: server.url, pid: process.pid });
  const stop = () =>
    server.stop().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  process.on('message', (m: { type?: string }) => {
    if (m?.type === 'stop') {
      void stop();
    }
  });
  process.on('disconnect', () => void stop());
}

main().catch(error => {
  process.stderr.write(`[standalone] ${error?.stack ?? error}\n`);
  process.exit(1);
});
