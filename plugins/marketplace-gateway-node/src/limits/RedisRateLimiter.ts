import type { Redis } from 'ioredis';
import type { GatewayLogger } from '../pipeline/ports';
import { MemoryRateLimiter } from './MemoryRateLimiter';
import { Admission, RateLimiter, RateLimits } from './types';

/**
 * The sliding minute of one subscription in one Redis hash: fields `r<second>`
 * (requests) and `t<second>` (tokens), seconds from the Redis server's clock
 * (so instances with drifting clocks share one window). Dropped after 60 s,
 * the same window as MemoryRateLimiter. One round trip, atomic.
 */
const ADMIT = `
local key = KEYS[1]
local now = tonumber(redis.call('TIME')[1])
local rpm = tonumber(ARGV[1])
local tpm = tonumber(ARGV[2])
local tokens = tonumber(ARGV[3])
local all = redis.call('HGETALL', key)
local reqs, toks = 0, 0
local rb, tb, stale = {}, {}, {}
for i = 1, #all, 2 do
  local field = all[i]
  local value = tonumber(all[i + 1])
  local age = now - tonumber(string.sub(field, 2))
  if age >= 60 then
    stale[#stale + 1] = field
  else
    if age < 0 then age = 0 end
    if string.sub(field, 1, 1) == 'r' then
      reqs = reqs + value
      rb[age] = (rb[age] or 0) + value
    else
      toks = toks + value
      tb[age] = (tb[age] or 0) + value
    end
  end
end
if #stale > 0 then redis.call('HDEL', key, unpack(stale)) end
local function secondsUntil(buckets, excess)
  local freed = 0
  for age = 59, 0, -1 do
    freed = freed + (buckets[age] or 0)
    if freed >= excess then return 60 - age end
  end
  return 60
end
if reqs + 1 > rpm then
  return {0, 1, secondsUntil(rb, reqs + 1 - rpm)}
end
if toks > 0 and toks + tokens > tpm then
  return {0, 2, secondsUntil(tb, toks + tokens - tpm)}
end
redis.call('HINCRBY', key, 'r' .. now, 1)
if tokens > 0 then redis.call('HINCRBY', key, 't' .. now, tokens) end
redis.call('EXPIRE', key, 61)
rb[0] = (rb[0] or 0) + 1
tb[0] = (tb[0] or 0) + tokens
return {1, reqs + 1, toks + tokens, secondsUntil(rb, 1), secondsUntil(tb, toks + tokens)}
`;

const RECORD = `
local now = redis.call('TIME')[1]
redis.call('HINCRBY', KEYS[1], 't' .. now, ARGV[1])
redis.call('EXPIRE', KEYS[1], 61)
return 1
`;

type LimiterCommands = {
  marketplaceAdmit(
    key: string,
    rpm: number,
    tpm: number,
    tokens: number,
  ): Promise<number[]>;
  marketplaceRecord(key: string, tokens: number): Promise<number>;
};

/**
 * Rate limits shared by every gateway instance through Redis: a limit of N per
 * minute lets N through in total, not N per instance. While Redis is
 * unreachable the gateway keeps serving with limits in this process's memory
 * (each instance then enforces the limit on the traffic it sees), says so in
 * its log, and `healthy` is false until Redis answers again.
 */
export class RedisRateLimiter implements RateLimiter {
  private readonly local: MemoryRateLimiter;
  private readonly redis: Redis & LimiterCommands;
  private readonly prefix: string;
  private readonly logger: GatewayLogger;
  private down = false;

  constructor(options: {
    redis: Redis;
    logger: GatewayLogger;
    /** Prepended to every key. Defaults to `marketplace:gateway:`. */
    keyPrefix?: string;
    /** The limits used while Redis is unreachable. */
    fallback?: MemoryRateLimiter;
  }) {
    this.logger = options.logger;
    this.prefix = `${options.keyPrefix ?? 'marketplace:gateway:'}rl:`;
    this.local = options.fallback ?? new MemoryRateLimiter();
    const redis = options.redis as Redis & LimiterCommands;
    redis.defineCommand('marketplaceAdmit', { numberOfKeys: 1, lua: ADMIT });
    redis.defineCommand('marketplaceRecord', { numberOfKeys: 1, lua: RECORD });
    redis.on('ready', () => this.recovered());
    this.redis = redis;
  }

  /** False while Redis is unreachable (limits are then per instance). */
  get healthy(): boolean {
    return !this.down;
  }

  private failed(error: unknown) {
    if (!this.down) {
      this.down = true;
      this.logger.error(
        `Redis is unreachable (${
          (error as Error)?.message ?? error
        }): rate limits are enforced by each gateway instance on its own traffic until it is back`,
      );
    }
  }

  private recovered() {
    if (this.down) {
      this.down = false;
      this.logger.info(
        'Redis is reachable again: rate limits are shared by all gateway instances',
      );
    }
  }

  async admit(
    key: string,
    limits: RateLimits,
    tokens: number,
  ): Promise<Admission> {
    if (this.redis.status !== 'ready') {
      this.failed(new Error(`connection ${this.redis.status}`));
      return this.local.admit(key, limits, tokens);
    }
    let answer: number[];
    try {
      answer = await this.redis.marketplaceAdmit(
        `${this.prefix}${key}`,
        limits.requestsPerMinute,
        limits.tokensPerMinute,
        Math.max(0, Math.round(tokens)),
      );
    } catch (error) {
      this.failed(error);
      return this.local.admit(key, limits, tokens);
    }
    this.recovered();
    if (answer[0] === 1) {
      return answer.length >= 5
        ? {
            ok: true,
            remainingRequests: Math.max(
              0,
              limits.requestsPerMinute - answer[1],
            ),
            remainingTokens: Math.max(0, limits.tokensPerMinute - answer[2]),
            resetRequestsSeconds: answer[3],
            resetTokensSeconds: answer[4],
          }
        : { ok: true };
    }
    return {
      ok: false,
      limit: answer[1] === 1 ? 'requests' : 'tokens',
      retryAfterSeconds: answer[2],
    };
  }

  record(key: string, tokens: number): void {
    if (tokens <= 0) {
      return;
    }
    if (this.redis.status !== 'ready') {
      this.local.record(key, tokens);
      return;
    }
    this.redis
      .marketplaceRecord(`${this.prefix}${key}`, Math.round(tokens))
      .catch(error => {
        this.failed(error);
        this.local.record(key, tokens);
      });
  }
}
