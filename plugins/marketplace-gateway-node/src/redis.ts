import { Redis } from 'ioredis';
import type { GatewayLogger } from './pipeline/ports';

/** `marketplace.gateway.redis`. */
export interface GatewayRedisConfig {
  /** `redis://[:password@]host:port[/db]` */
  url: string;
  /** Prepended to every key and channel. Defaults to `marketplace:gateway:`. */
  keyPrefix?: string;
}

/**
 * A Redis connection for the hot path: commands fail at once while it is
 * disconnected (no queueing behind a dead server) and give up after
 * `commandTimeoutMs`, so callers can fall back to local state; it reconnects
 * in the background. Connection errors are left to the callers to report.
 */
export function createRedisConnection(
  config: GatewayRedisConfig,
  options: { logger: GatewayLogger; commandTimeoutMs?: number },
): Redis {
  const redis = new Redis(config.url, {
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 1_000,
    connectTimeout: 2_000,
    retryStrategy: times => Math.min(times * 200, 2_000),
    lazyConnect: false,
  });
  // ioredis reports every failed reconnection as an 'error' event; the limiter
  // and the event bus log the transitions (down, back) instead.
  redis.on('error', () => undefined);
  return redis;
}

/** Waits until a connection is ready, or `timeoutMs` passed (then resolves false). */
export function redisReady(redis: Redis, timeoutMs = 2_000): Promise<boolean> {
  if (redis.status === 'ready') {
    return Promise.resolve(true);
  }
  return new Promise(resolve => {
    let timer: NodeJS.Timeout | undefined = undefined;
    const onReady = () => {
      clearTimeout(timer);
      resolve(true);
    };
    timer = setTimeout(() => {
      redis.off('ready', onReady);
      resolve(false);
    }, timeoutMs);
    redis.on('ready', onReady);
  });
}
