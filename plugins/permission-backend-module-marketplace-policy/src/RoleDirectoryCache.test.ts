import { mockServices } from '@backstage/backend-test-utils';
import { RoleDirectoryCache } from './RoleDirectoryCache';

describe('RoleDirectoryCache', () => {
  let now = 0;
  const logger = mockServices.logger.mock();
  const fetch = jest.fn();
  const cache = new RoleDirectoryCache({
    fetch,
    logger,
    ttlMs: 5_000,
    clock: () => now,
  });

  it('fetches at most once per TTL, shared by concurrent callers, lowercasing refs', async () => {
    now = 10_000;
    fetch.mockResolvedValue({
      overrides: { 'user:default/Lena': 'admin' },
      providerGroups: ['group:default/AI-Platform-Team'],
    });
    const [a, b] = await Promise.all([cache.get(), cache.get()]);
    expect(a).toEqual({
      overrides: { 'user:default/lena': 'admin' },
      providerGroups: ['group:default/ai-platform-team'],
    });
    expect(b).toBe(a);
    now += 4_999;
    await cache.get();
    expect(fetch).toHaveBeenCalledTimes(1);
    now += 1;
    await cache.get();
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('fetches again at once after an announced change', async () => {
    fetch.mockResolvedValue({ overrides: {}, providerGroups: [] });
    cache.invalidate();
    await expect(cache.get()).resolves.toEqual({
      overrides: {},
      providerGroups: [],
    });
    expect(fetch).toHaveBeenCalledTimes(3);
  });

  it('keeps the last known directory when the marketplace cannot be reached, logging once a minute', async () => {
    now += 10_000;
    fetch.mockRejectedValue(new Error('ECONNREFUSED'));
    await expect(cache.get()).resolves.toEqual({
      overrides: {},
      providerGroups: [],
    });
    now += 5_000;
    await cache.get();
    expect(fetch).toHaveBeenCalledTimes(5);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('ECONNREFUSED');
  });

  it('knows nothing before its first successful fetch', async () => {
    const fresh = new RoleDirectoryCache({
      fetch: async () => {
        throw new Error('not yet');
      },
      logger: mockServices.logger.mock(),
    });
    await expect(fresh.get()).resolves.toBeUndefined();
  });
});
