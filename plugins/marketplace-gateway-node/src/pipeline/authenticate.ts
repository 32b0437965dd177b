import { createHash } from 'crypto';
import { BoundedCache } from '../BoundedCache';
import type { GrantStore, KeyGrant } from './ports';
import { NO_KEY, REJECTIONS, WRONG_KEY } from './rejections';

const GRANT_CACHE_MS = 10_000;
/** How long an unknown key is answered 401 without asking the database again. */
const MISS_CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED_KEYS = 50_000;

/**
 * Step 1 of the pipeline: the marketplace API key of a request to its grant,
 * cached briefly (an unknown key too), with the key's last use recorded at
 * most once a minute.
 */
export class KeyAuthenticator {
  // Per-key state is bounded (least recently used first) and ages out.
  private readonly grants = new BoundedCache<string, KeyGrant | null>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: GRANT_CACHE_MS,
  });
  private readonly touched = new BoundedCache<string, true>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: TOUCH_EVERY_MS,
  });

  constructor(private readonly store: GrantStore) {}

  /** Forgets cached grants: all of them, or those of one key or subscription. */
  invalidate(filter?: { keyId?: string; subscriptionId?: string }) {
    if (!filter) {
      this.grants.clear();
      return;
    }
    this.grants.deleteWhere(
      grant =>
        !!grant &&
        (grant.keyId === filter.keyId ||
          grant.subscriptionId === filter.subscriptionId),
    );
  }

  /** Step 1: the `Authorization: Bearer mk_...` header to a grant. */
  async authenticate(authorization: string | undefined): Promise<KeyGrant> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw NO_KEY;
    }
    const secret = match[1];
    const cacheKey = createHash('sha256').update(secret, 'utf8').digest('hex');
    const now = Date.now();
    let grant = this.grants.get(cacheKey);
    if (grant === undefined) {
      grant = (await this.store.findGrant(secret)) ?? null;
      // An unknown key is remembered briefly, so repeating it does not reach the database.
      this.grants.set(cacheKey, grant, grant ? GRANT_CACHE_MS : MISS_CACHE_MS);
    }
    if (!grant) {
      throw WRONG_KEY;
    }
    if (grant.keyRevoked) {
      throw REJECTIONS.key_revoked;
    }
    if (!grant.subscriptionActive) {
      throw REJECTIONS.subscription_inactive;
    }
    if (!this.touched.get(grant.keyId)) {
      this.touched.set(grant.keyId, true);
      this.store.touchKey(grant.keyId, now).catch(() => undefined);
    }
    return grant;
  }
}
