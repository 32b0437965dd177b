import { BoundedCache } from './BoundedCache';
import { MemoryRateLimiter as RateLimiter } from './limits/MemoryRateLimiter';
import { SseEventSplitter, StreamLimitError } from './streamLimits';

/* The gateway's resource limits (issue 16, item 6). */

describe('BoundedCache', () => {
  it('keeps at most maxEntries, dropping the least recently used', () => {
    const cache = new BoundedCache<string, number>({
      maxEntries: 3,
      ttlMs: 1000,
    });
    cache.set('a', 1);
    cache.set('b', 2);
    cache.set('c', 3);
    expect(cache.get('a')).toBe(1); // a is now the most recently used
    cache.set('d', 4);
    expect(cache.size).toBe(3);
    expect(cache.get('b')).toBeUndefined();
    expect([cache.get('a'), cache.get('c'), cache.get('d')]).toEqual([1, 3, 4]);
  });

  it('forgets entries past their age, each with its own', () => {
    let now = 0;
    const cache = new BoundedCache<string, string | null>({
      maxEntries: 10,
      ttlMs: 10_000,
      clock: () => now,
    });
    cache.set('hit', 'grant');
    cache.set('miss', null, 5_000);
    now = 5_000;
    expect(cache.get('miss')).toBeUndefined();
    expect(cache.get('hit')).toBe('grant');
    now = 10_000;
    expect(cache.get('hit')).toBeUndefined();
    expect(cache.size).toBe(0);
  });
});

describe('SseEventSplitter', () => {
  it('splits events across chunks and keeps the rest for the end', () => {
    const splitter = new SseEventSplitter({
      maxEventBytes: 100,
      maxStreamBytes: 1000,
    });
    expect(splitter.push('data: 1\n\ndata: ')).toEqual(['data: 1']);
    expect(splitter.push('2\r\n\r\n\n\ndata: 3')).toEqual(['data: 2']);
    expect(splitter.rest()).toBe('data: 3');
    expect(splitter.rest()).toBeUndefined();
  });

  it('refuses an event larger than its cap without buffering more', () => {
    const splitter = new SseEventSplitter({
      maxEventBytes: 100,
      maxStreamBytes: 10_000,
    });
    expect(splitter.push(`data: ${'x'.repeat(90)}`)).toEqual([]);
    expect(() => splitter.push('x'.repeat(20))).toThrow(
      new StreamLimitError('event', 100),
    );
    // The whole events before the limit are handed over with the error.
    const next = new SseEventSplitter({
      maxEventBytes: 100,
      maxStreamBytes: 10_000,
    });
    let error: StreamLimitError | undefined;
    try {
      next.push(`data: 1\n\ndata: ${'x'.repeat(200)}`);
    } catch (e) {
      error = e as StreamLimitError;
    }
    expect(error?.events).toEqual(['data: 1']);
  });

  it('refuses a stream larger than its cap, even of small events', () => {
    const splitter = new SseEventSplitter({
      maxEventBytes: 100,
      maxStreamBytes: 1000,
    });
    const event = `data: ${'y'.repeat(40)}\n\n`;
    let sent = 0;
    expect(() => {
      for (;;) {
        splitter.push(event);
        sent += event.length;
      }
    }).toThrow(/stream is larger than 1000 bytes/);
    expect(sent).toBeLessThanOrEqual(1000);
  });
});

describe('RateLimiter', () => {
  it('drops the windows of subscriptions idle for a minute', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const limits = { requestsPerMinute: 10, tokensPerMinute: 1000 };
    for (let i = 0; i < 500; i++) {
      expect(limiter.admit(`sub-${i}`, limits, 1).ok).toBe(true);
    }
    expect(limiter.size).toBe(500);
    now += 61_000;
    expect(limiter.admit('sub-new', limits, 1).ok).toBe(true);
    expect(limiter.size).toBe(1);
  });

  it('still enforces the limit of a subscription in use', () => {
    let now = 1_000_000;
    const limiter = new RateLimiter(() => now);
    const limits = { requestsPerMinute: 2, tokensPerMinute: 1000 };
    expect(limiter.admit('first', limits, 1).ok).toBe(true); // sweeps at the start
    now += 59_000;
    expect(limiter.admit('a', limits, 1).ok).toBe(true);
    expect(limiter.admit('a', limits, 1).ok).toBe(true);
    now += 1_500; // the next sweep runs; a was used within the minute
    expect(limiter.admit('other', limits, 1).ok).toBe(true);
    expect(limiter.admit('a', limits, 1)).toMatchObject({
      ok: false,
      limit: 'requests',
    });
  });
});
