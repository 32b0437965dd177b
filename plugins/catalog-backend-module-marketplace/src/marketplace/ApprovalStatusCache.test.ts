import { mockServices } from '@backstage/backend-test-utils';
import { ApprovalStatusCache } from './ApprovalStatusCache';

describe('ApprovalStatusCache', () => {
  let now = 0;
  const logger = mockServices.logger.mock();
  const fetch = jest.fn();
  const cache = new ApprovalStatusCache({
    fetch,
    logger,
    ttlMs: 5_000,
    clock: () => now,
  });

  it('fetches at most once per TTL, shared by concurrent callers', async () => {
    now = 10_000;
    fetch.mockResolvedValue({ 'modelservice:default/a': 'pending' });
    const [a, b] = await Promise.all([
      cache.get('modelservice:default/a'),
      cache.get('ModelService:default/A'),
    ]);
    expect([a, b]).toEqual(['pending', 'pending']);
    expect(await cache.get('modelservice:default/b')).toBeUndefined();
    expect(fetch).toHaveBeenCalledTimes(1);

    // An announced change applies at once.
    cache.set('modelservice:default/a', 'approved');
    expect(await cache.get('modelservice:default/a')).toBe('approved');

    now += 5_000;
    fetch.mockResolvedValue({ 'modelservice:default/a': 'rejected' });
    expect(await cache.get('modelservice:default/a')).toBe('rejected');
    expect(fetch).toHaveBeenCalledTimes(2);
  });

  it('keeps the last known states when the marketplace cannot be reached, logging once a minute', async () => {
    now += 10_000;
    fetch.mockRejectedValue(new Error('ECONNREFUSED'));
    expect(await cache.get('modelservice:default/a')).toBe('rejected');
    now += 5_000;
    expect(await cache.get('modelservice:default/a')).toBe('rejected');
    expect(fetch).toHaveBeenCalledTimes(4);
    expect(logger.warn).toHaveBeenCalledTimes(1);
    expect(logger.warn.mock.calls[0][0]).toContain('ECONNREFUSED');
  });

  it('knows nothing before its first successful fetch', async () => {
    const fresh = new ApprovalStatusCache({
      fetch: async () => {
        throw new Error('not yet');
      },
      logger: mockServices.logger.mock(),
    });
    await expect(fresh.get('modelservice:default/a')).resolves.toBeUndefined();
  });
});
