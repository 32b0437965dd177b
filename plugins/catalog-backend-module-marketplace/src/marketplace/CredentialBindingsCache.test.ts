import { mockServices } from '@backstage/backend-test-utils';
import { CredentialBindingsCache } from './CredentialBindingsCache';

describe('CredentialBindingsCache', () => {
  it('fetches at most once per TTL, and keeps the last bindings when a fetch fails', async () => {
    let now = 0;
    const fetch = jest
      .fn()
      .mockResolvedValueOnce([
        { name: 'ACME_KEY', providers: ['provider:default/acme'] },
      ])
      .mockRejectedValueOnce(new Error('down'));
    const logger = mockServices.logger.mock();
    const cache = new CredentialBindingsCache({
      fetch,
      logger,
      ttlMs: 1000,
      clock: () => now,
    });
    expect((await cache.get())?.get('ACME_KEY')).toEqual([
      'provider:default/acme',
    ]);
    now = 500;
    await cache.get();
    expect(fetch).toHaveBeenCalledTimes(1);
    now = 1500;
    expect((await cache.get())?.get('ACME_KEY')).toEqual([
      'provider:default/acme',
    ]);
    expect(fetch).toHaveBeenCalledTimes(2);
    expect(logger.warn).toHaveBeenCalledTimes(1);
  });

  it('knows no bindings before the first successful fetch', async () => {
    const cache = new CredentialBindingsCache({
      fetch: jest.fn().mockRejectedValue(new Error('not up yet')),
      logger: mockServices.logger.mock(),
    });
    expect(await cache.get()).toBeUndefined();
  });
});
