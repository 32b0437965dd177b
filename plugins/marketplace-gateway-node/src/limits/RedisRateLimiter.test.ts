import { Redis } from 'ioredis';
import {
  connectTestRedis,
  describeWithRedis,
  REDIS_NOTE,
  quietLogger,
  testPrefix,
} from '../__testUtils__/redis';
import { createRedisConnection } from '../redis';
import { RedisRateLimiter } from './RedisRateLimiter';

describeWithRedis(`RedisRateLimiter${REDIS_NOTE}`, () => {
  const connections: Redis[] = [];
  /** Two gateway instances: each with its own connection, one prefix. */
  async function instances(count = 2) {
    const keyPrefix = testPrefix();
    const logger = quietLogger();
    const limiters: RedisRateLimiter[] = [];
    for (let i = 0; i < count; i++) {
      const redis = await connectTestRedis();
      connections.push(redis);
      limiters.push(new RedisRateLimiter({ redis, logger, keyPrefix }));
    }
    return { limiters, logger };
  }

  afterEach(() => {
    for (const c of connections.splice(0)) {
      c.disconnect();
    }
  });

  it('lets N requests per minute through in total across instances, not N per instance', async () => {
    const {
      limiters: [a, b],
    } = await instances();
    const limits = { requestsPerMinute: 5, tokensPerMinute: 1_000_000 };
    const results = [];
    for (let i = 0; i < 8; i++) {
      results.push(await (i % 2 ? b : a).admit('sub-1', limits, 1));
    }
    expect(results.filter(r => r.ok)).toHaveLength(5);
    expect(results.slice(0, 5).every(r => r.ok)).toBe(true);
    const refused = results[5];
    expect(refused).toMatchObject({ ok: false, limit: 'requests' });
    expect(refused.ok === false && refused.retryAfterSeconds).toBeGreaterThan(
      0,
    );
    expect(
      refused.ok === false && refused.retryAfterSeconds,
    ).toBeLessThanOrEqual(60);
    // Other subscriptions have windows of their own.
    expect(await b.admit('sub-2', limits, 1)).toMatchObject({
      ok: true,
      remainingRequests: 4,
    });
  });

  it('holds under concurrency: 200 calls at once on two instances admit exactly the limit', async () => {
    const {
      limiters: [a, b],
    } = await instances();
    const limits = { requestsPerMinute: 50, tokensPerMinute: 1_000_000 };
    const results = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        (i % 2 ? b : a).admit('busy', limits, 10),
      ),
    );
    expect(results.filter(r => r.ok)).toHaveLength(50);
  });

  it('counts tokens per minute across instances, the completion tokens recorded afterwards included', async () => {
    const {
      limiters: [a, b],
    } = await instances();
    const limits = { requestsPerMinute: 1000, tokensPerMinute: 100 };
    expect(await a.admit('sub', limits, 10)).toMatchObject({
      ok: true,
      remainingRequests: 999,
      remainingTokens: 90,
    });
    a.record('sub', 80);
    // record is fire-and-forget: wait until Redis has it.
    await new Promise(r => setTimeout(r, 50));
    expect(await b.admit('sub', limits, 20)).toMatchObject({
      ok: false,
      limit: 'tokens',
    });
    expect(await b.admit('sub', limits, 10)).toMatchObject({ ok: true });
  });

  it('keeps serving with local limits while Redis is unreachable, says so once, and is unhealthy', async () => {
    // A port nothing listens on.
    const redis = createRedisConnection(
      { url: 'redis://127.0.0.1:1' },
      { logger: quietLogger() },
    );
    connections.push(redis);
    const logger = quietLogger();
    const limiter = new RedisRateLimiter({ redis, logger });
    const limits = { requestsPerMinute: 2, tokensPerMinute: 1_000_000 };
    expect(await limiter.admit('s', limits, 1)).toMatchObject({
      ok: true,
      remainingRequests: 1,
    });
    expect(await limiter.admit('s', limits, 1)).toMatchObject({ ok: true });
    expect(await limiter.admit('s', limits, 1)).toMatchObject({
      ok: false,
      limit: 'requests',
    });
    expect(limiter.healthy).toBe(false);
    expect(logger.error).toHaveBeenCalledTimes(1);
    expect(logger.error.mock.calls[0][0]).toMatch(
      /Redis is unreachable.*enforced by each gateway instance/,
    );
  });
});
