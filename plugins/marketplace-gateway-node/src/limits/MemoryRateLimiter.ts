import { Admission, RateLimiter, RateLimits } from './types';

class Window {
  private readonly reqs = new Float64Array(60);
  private readonly toks = new Float64Array(60);
  last = 0;
  requests = 0;
  tokens = 0;

  advance(second: number) {
    if (second - this.last >= 60) {
      this.reqs.fill(0);
      this.toks.fill(0);
      this.requests = 0;
      this.tokens = 0;
    } else {
      for (let s = this.last + 1; s <= second; s++) {
        const i = s % 60;
        this.requests -= this.reqs[i];
        this.tokens -= this.toks[i];
        this.reqs[i] = 0;
        this.toks[i] = 0;
      }
    }
    this.last = Math.max(this.last, second);
  }

  add(second: number, requests: number, tokens: number) {
    const i = second % 60;
    this.reqs[i] += requests;
    this.toks[i] += tokens;
    this.requests += requests;
    this.tokens += tokens;
  }

  /** Seconds until at least `excess` requests/tokens have left the window. */
  secondsUntil(
    second: number,
    what: 'requests' | 'tokens',
    excess: number,
  ): number {
    const arr = what === 'requests' ? this.reqs : this.toks;
    let freed = 0;
    for (let age = 59; age >= 0; age--) {
      freed += arr[(second - age + 60) % 60];
      if (freed >= excess) {
        return 60 - age;
      }
    }
    return 60;
  }
}

/**
 * Per-subscription requests-per-minute and tokens-per-minute limits over a sliding
 * window of 60 one-second buckets. O(1) per check. State is per process: with
 * several instances, {@link RedisRateLimiter} shares the same windows through
 * Redis (and falls back to this one while Redis is unreachable).
 */
export class MemoryRateLimiter implements RateLimiter {
  private readonly windows = new Map<string, Window>();
  private lastSweep = 0;

  constructor(private readonly clock: () => number = Date.now) {}

  /** How many subscriptions have a window (those used in the last minute or two). */
  get size(): number {
    return this.windows.size;
  }

  /** Drops the windows of subscriptions idle for a minute: they are empty. */
  private sweep(second: number) {
    if (second - this.lastSweep < 60) {
      return;
    }
    this.lastSweep = second;
    for (const [key, window] of this.windows) {
      if (second - window.last >= 60) {
        this.windows.delete(key);
      }
    }
  }

  /**
   * Admits a request that will use at least `tokens` tokens, or says how many
   * seconds to wait.
   */
  admit(key: string, limits: RateLimits, tokens: number): Admission {
    const second = Math.floor(this.clock() / 1000);
    this.sweep(second);
    let window = this.windows.get(key);
    if (!window) {
      window = new Window();
      this.windows.set(key, window);
    }
    window.advance(second);
    if (window.requests + 1 > limits.requestsPerMinute) {
      return {
        ok: false,
        limit: 'requests',
        retryAfterSeconds: window.secondsUntil(
          second,
          'requests',
          window.requests + 1 - limits.requestsPerMinute,
        ),
      };
    }
    if (window.tokens > 0 && window.tokens + tokens > limits.tokensPerMinute) {
      return {
        ok: false,
        limit: 'tokens',
        retryAfterSeconds: window.secondsUntil(
          second,
          'tokens',
          window.tokens + tokens - limits.tokensPerMinute,
        ),
      };
    }
    window.add(second, 1, tokens);
    return {
      ok: true,
      remainingRequests: Math.max(
        0,
        limits.requestsPerMinute - window.requests,
      ),
      remainingTokens: Math.max(0, limits.tokensPerMinute - window.tokens),
      resetRequestsSeconds: window.secondsUntil(second, 'requests', 1),
      resetTokensSeconds: window.secondsUntil(second, 'tokens', window.tokens),
    };
  }

  /** Adds tokens learned after the request (the completion). */
  record(key: string, tokens: number) {
    const window = this.windows.get(key);
    if (window && tokens > 0) {
      const second = Math.floor(this.clock() / 1000);
      window.advance(second);
      window.add(second, 0, tokens);
    }
  }
}
