import { ConflictError, NotFoundError } from '@backstage/errors';
import { ApiKeyInfo, IssuedApiKey } from '@internal/plugin-marketplace-common';
import { randomUUID, timingSafeEqual } from 'crypto';
import { Knex } from 'knex';
import {
  API_KEY_PREFIX,
  ApiKeyRow,
  hashApiKey,
  KeyGrant,
  MAX_ACTIVE_KEYS,
  newSecret,
  SubscriptionRow,
  toKeyInfo,
  VISIBLE_PREFIX_LENGTH,
} from './subscriptionRecords';

/*
 * The API keys of subscriptions (`api_keys`): issued, listed, revoked and
 * rotated, and looked up by the hash of a presented secret. Secrets are
 * generated here, returned once and stored only as SHA-256 hashes. Used by
 * DatabaseSubscriptionStore.
 */

export async function insertKey(
  tx: Knex | Knex.Transaction,
  subscriptionId: string,
  userRef: string,
  now: number,
): Promise<IssuedApiKey> {
  const secret = newSecret();
  const row: ApiKeyRow = {
    id: randomUUID(),
    subscription_id: subscriptionId,
    user_ref: userRef,
    prefix: secret.slice(0, VISIBLE_PREFIX_LENGTH),
    secret_hash: hashApiKey(secret),
    created_at: now,
    last_used_at: null,
    revoked_at: null,
  };
  await tx('api_keys').insert(row);
  return { ...toKeyInfo(row), secret };
}

export async function listKeys(
  db: Knex,
  filter: {
    userRef: string;
    subscriptionId?: string;
  },
): Promise<ApiKeyInfo[]> {
  const query = db<ApiKeyRow>('api_keys')
    .where({ user_ref: filter.userRef })
    .orderBy('created_at', 'desc');
  if (filter.subscriptionId) {
    query.andWhere({ subscription_id: filter.subscriptionId });
  }
  return (await query).map(toKeyInfo);
}

async function ownedActiveKey(
  tx: Knex.Transaction,
  userRef: string,
  keyId: string,
) {
  const key = await tx<ApiKeyRow>('api_keys')
    .where({ id: keyId, user_ref: userRef })
    .first();
  if (!key) {
    throw new NotFoundError(`No API key ${keyId}`);
  }
  if (key.revoked_at !== null) {
    throw new ConflictError(`API key ${key.prefix}… is already revoked`);
  }
  return key;
}

/**
 * Revokes a key only if it is still active, so that two concurrent rotations of
 * the same key cannot both issue a new one.
 */
async function markRevoked(tx: Knex.Transaction, key: ApiKeyRow, now: number) {
  const changed = await tx('api_keys')
    .where({ id: key.id })
    .whereNull('revoked_at')
    .update({ revoked_at: now });
  if (changed !== 1) {
    throw new ConflictError(`API key ${key.prefix}… is already revoked`);
  }
}

export async function revokeKey(
  db: Knex,
  userRef: string,
  keyId: string,
  now: number,
): Promise<ApiKeyInfo> {
  return db.transaction(async tx => {
    const key = await ownedActiveKey(tx, userRef, keyId);
    await markRevoked(tx, key, now);
    return toKeyInfo({ ...key, revoked_at: now });
  });
}

/** Revokes the key and issues a new one for the same (active) subscription. */
export async function rotateKey(
  db: Knex,
  userRef: string,
  keyId: string,
  now: number,
): Promise<IssuedApiKey> {
  return db.transaction(async tx => {
    const key = await ownedActiveKey(tx, userRef, keyId);
    const sub = await tx<SubscriptionRow>('subscriptions')
      .where({ id: key.subscription_id })
      .first();
    if (!sub || sub.status !== 'active') {
      throw new ConflictError(
        'The subscription of this key is no longer active',
      );
    }
    await markRevoked(tx, key, now);
    return insertKey(tx, key.subscription_id, userRef, now);
  });
}

/**
 * Issues a new key for an active subscription of the user, for example after the
 * last one was revoked. The secret is returned once, like the first key's. A
 * subscription holds at most {@link MAX_ACTIVE_KEYS} active keys.
 */
export async function issueKey(
  db: Knex,
  userRef: string,
  subscriptionId: string,
  now: number,
): Promise<IssuedApiKey> {
  return db.transaction(async tx => {
    const sub = await tx<SubscriptionRow>('subscriptions')
      .where({ id: subscriptionId, user_ref: userRef })
      .first();
    if (!sub) {
      throw new NotFoundError(`No subscription ${subscriptionId}`);
    }
    if (sub.status !== 'active') {
      throw new ConflictError(
        'This subscription was cancelled; subscribe again for a new key',
      );
    }
    // Locks the subscription row on PostgreSQL so that concurrent requests
    // cannot pass the limit together.
    await tx('subscriptions')
      .where({ id: subscriptionId })
      .update({ id: subscriptionId });
    const [{ n }] = await tx('api_keys')
      .where({ subscription_id: subscriptionId })
      .whereNull('revoked_at')
      .count({ n: '*' });
    if (Number(n) >= MAX_ACTIVE_KEYS) {
      throw new ConflictError(
        `This subscription already has ${MAX_ACTIVE_KEYS} active API keys; revoke one before creating another`,
      );
    }
    return insertKey(tx, subscriptionId, userRef, now);
  });
}

/**
 * Finds the grant of a presented key. The comparison of the stored hash is
 * constant-time; the lookup is by hash, so the secret itself is never compared
 * or stored.
 */
export async function findGrant(
  db: Knex,
  secret: string,
): Promise<KeyGrant | undefined> {
  if (!secret.startsWith(API_KEY_PREFIX) || secret.length > 128) {
    return undefined;
  }
  const hash = hashApiKey(secret);
  const row = await db('api_keys as k')
    .join('subscriptions as s', 's.id', 'k.subscription_id')
    .where('k.secret_hash', hash)
    .first(
      'k.id as key_id',
      'k.secret_hash',
      'k.revoked_at',
      's.id as subscription_id',
      's.user_ref',
      's.team_ref',
      's.service_ref',
      's.status',
    );
  if (
    !row ||
    !timingSafeEqual(
      Buffer.from(row.secret_hash, 'hex'),
      Buffer.from(hash, 'hex'),
    )
  ) {
    return undefined;
  }
  return {
    keyId: row.key_id,
    subscriptionId: row.subscription_id,
    userRef: row.user_ref,
    teamRef: row.team_ref,
    serviceRef: row.service_ref,
    keyRevoked: row.revoked_at !== null,
    subscriptionActive: row.status === 'active',
  };
}

/** Records use of a key, at most once a minute per key. */
export async function touchKey(
  db: Knex,
  keyId: string,
  now: number,
): Promise<void> {
  await db('api_keys')
    .where({ id: keyId })
    .andWhere(q =>
      q.whereNull('last_used_at').orWhere('last_used_at', '<', now - 60_000),
    )
    .update({ last_used_at: now });
}
