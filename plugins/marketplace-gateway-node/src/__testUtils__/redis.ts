import { randomBytes } from 'crypto';
import { Redis } from 'ioredis';
import { createRedisConnection, redisReady } from '../redis';

/**
 * The Redis server of the tests: `MARKETPLACE_TEST_REDIS_URL`, set by
 * `source scripts/redis-test-server.sh start` (scripts/test.sh does). Without
 * it the Redis tests are skipped, and say so.
 */
export const TEST_REDIS_URL = process.env.MARKETPLACE_TEST_REDIS_URL;

/** `describe` with Redis, `describe.skip` without. */
export const describeWithRedis = TEST_REDIS_URL ? describe : describe.skip;

/** Appended to the suite's name: why it was skipped. */
export const REDIS_NOTE = TEST_REDIS_URL
  ? ''
  : ' (skipped: MARKETPLACE_TEST_REDIS_URL is not set; source scripts/redis-test-server.sh start)';

/** A key prefix of its own per test, so tests never see each other's keys. */
export function testPrefix(): string {
  return `test:${randomBytes(6).toString('hex')}:`;
}

export const quietLogger = () => ({
  error: jest.fn(),
  warn: jest.fn(),
  info: jest.fn(),
});

/** A connection like the gateway's, once ready. Close it with `disconnect()`. */
export async function connectTestRedis(url = TEST_REDIS_URL!): Promise<Redis> {
  const redis = createRedisConnection({ url }, { logger: quietLogger() });
  await redisReady(redis, 5_000);
  return redis;
}
