/** A subscription's limits, from the service's `spec.sla.rateLimits`. */
export interface RateLimits {
  requestsPerMinute: number;
  tokensPerMinute: number;
}

/** Whether a request may go ahead, or how long to wait and which limit it hit. */
export type Admission =
  | ({ ok: true } & Partial<RateLimitState>)
  | { ok: false; retryAfterSeconds: number; limit: 'requests' | 'tokens' };

/**
 * Requests-per-minute and tokens-per-minute limits per subscription, over a
 * sliding window of the last 60 seconds. In memory for one instance, in Redis
 * for several.
 */
export interface RateLimiter {
  /** Admits a request that will use at least `tokens` tokens, or says how long to wait. */
  admit(
    key: string,
    limits: RateLimits,
    tokens: number,
  ): Admission | Promise<Admission>;
  /** Adds tokens learned after the request (the completion). */
  record(key: string, tokens: number): void;
}

/** Where a subscription stands in its window after a request was admitted. */
export interface RateLimitState {
  requestsPerMinute: number;
  tokensPerMinute: number;
  remainingRequests: number;
  remainingTokens: number;
  /** Seconds until the window has room for one more request. */
  resetRequestsSeconds: number;
  /** Seconds until the window's tokens are all freed. */
  resetTokensSeconds: number;
}
