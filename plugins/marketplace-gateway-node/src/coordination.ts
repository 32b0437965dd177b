import { MemoryEventBus } from './events/MemoryEventBus';
import { RedisEventBus } from './events/RedisEventBus';
import { GatewayEventBus } from './events/types';
import { MemoryRateLimiter } from './limits/MemoryRateLimiter';
import { RedisRateLimiter } from './limits/RedisRateLimiter';
import { RateLimiter } from './limits/types';
import { GatewayLogger } from './pipeline/ports';
import { createRedisConnection, GatewayRedisConfig, redisReady } from './redis';

/** What gateway instances share: rate limits and change notifications. */
export interface GatewayCoordination {
  rateLimiter: RateLimiter;
  events: GatewayEventBus;
  /** `off`: one instance, all in memory; `up`: shared through Redis; `down`: Redis unreachable, limits per instance. */
  redisStatus(): 'off' | 'up' | 'down';
  close(): Promise<void>;
}

/** Reads `marketplace.gateway.redis` from a config (Backstage's Config or a ConfigReader). */
export function readGatewayRedisConfig(config: {
  getOptionalString(key: string): string | undefined;
}): GatewayRedisConfig | undefined {
  const url = config.getOptionalString('marketplace.gateway.redis.url');
  if (!url) {
    return undefined;
  }
  if (!/^rediss?:\/\//.test(url)) {
    throw new Error(
      'marketplace.gateway.redis.url must be a redis:// or rediss:// URL',
    );
  }
  return {
    url,
    keyPrefix: config.getOptionalString('marketplace.gateway.redis.keyPrefix'),
  };
}

/**
 * Rate limits and change notifications: in memory for one instance, through
 * Redis when `marketplace.gateway.redis` is configured. Does not wait for
 * Redis longer than `readyTimeoutMs`: the gateway starts with local limits
 * (and says so) when Redis is not there yet.
 */
export async function createGatewayCoordination(options: {
  redis?: GatewayRedisConfig;
  logger: GatewayLogger;
  readyTimeoutMs?: number;
}): Promise<GatewayCoordination> {
  const { logger } = options;
  if (!options.redis) {
    return {
      rateLimiter: new MemoryRateLimiter(),
      events: new MemoryEventBus(),
      redisStatus: () => 'off',
      close: async () => undefined,
    };
  }
  const publisher = createRedisConnection(options.redis, { logger });
  const subscriber = createRedisConnection(options.redis, { logger });
  const rateLimiter = new RedisRateLimiter({
    redis: publisher,
    logger,
    keyPrefix: options.redis.keyPrefix,
  });
  const events = new RedisEventBus({
    publisher,
    subscriber,
    logger,
    keyPrefix: options.redis.keyPrefix,
  });
  if (await redisReady(publisher, options.readyTimeoutMs ?? 2_000)) {
    logger.info(
      'Gateway rate limits and change notifications are shared through Redis',
    );
  } else {
    logger.error(
      'Redis (marketplace.gateway.redis) is unreachable: the gateway serves with rate limits per instance until it is back',
    );
  }
  return {
    rateLimiter,
    events,
    redisStatus: () =>
      publisher.status === 'ready' && rateLimiter.healthy ? 'up' : 'down',
    close: async () => {
      await events.close();
      publisher.disconnect();
    },
  };
}
