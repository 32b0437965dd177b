import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ApiKeyInfo,
  IssuedApiKey,
  ModelServicePricing,
  Subscription,
} from '@internal/plugin-marketplace-common';
import { randomUUID, timingSafeEqual } from 'crypto';
import { Knex } from 'knex';
import { DAY_MS, monthOf } from '../lib/periods';
import { num, numOrNull } from '../lib/numbers';
import {
  API_KEY_PREFIX,
  ApiKeyRow,
  hashApiKey,
  isUniqueViolation,
  KeyGrant,
  MAX_ACTIVE_KEYS,
  newSecret,
  SubscriptionRow,
  TeamBilledSubscription,
  toKeyInfo,
  toSubscription,
  VISIBLE_PREFIX_LENGTH,
} from './subscriptionRecords';
import type { SubscriptionStore } from './SubscriptionStore';
// The records are part of the store's interface.
export {
  API_KEY_PREFIX,
  hashApiKey,
  isUniqueViolation,
  MAX_ACTIVE_KEYS,
  toSubscription,
} from './subscriptionRecords';
export type {
  ApiKeyRow,
  KeyGrant,
  SubscriptionRow,
  TeamBilledSubscription,
} from './subscriptionRecords';

/**
 * Subscriptions and their API keys. Secrets are generated here, returned once and
 * stored only as SHA-256 hashes.
 */
export class DatabaseSubscriptionStore implements SubscriptionStore {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

  async create(options: {
    serviceRef: string;
    userRef: string;
    teamRef: string | null;
    spendCapMicros: number | null;
    trialTokens: number;
    trialDurationDays?: number;
    /** The service's prices now: later increases do not apply to this subscription. */
    pricing?: ModelServicePricing;
  }): Promise<{ subscription: Subscription; apiKey: IssuedApiKey }> {
    const now = this.clock();
    const id = randomUUID();
    const row: SubscriptionRow = {
      id,
      service_ref: options.serviceRef,
      user_ref: options.userRef,
      team_ref: options.teamRef,
      status: 'active',
      active_slot: `${options.userRef}|${options.serviceRef}`,
      spend_cap_micros: options.spendCapMicros,
      trial_tokens_granted: options.trialTokens,
      trial_tokens_used: 0,
      trial_tokens_reserved: 0,
      trial_expires_at:
        options.trialTokens > 0 && options.trialDurationDays
          ? now + options.trialDurationDays * DAY_MS
          : null,
      month: monthOf(now),
      month_spend_micros: 0,
      month_tokens: 0,
      reserved_micros: 0,
      total_spend_micros: 0,
      created_at: now,
      cancelled_at: null,
      pricing_json: options.pricing ? JSON.stringify(options.pricing) : null,
    };
    return this.db.transaction(async tx => {
      const existing = await tx('subscriptions')
        .where({ active_slot: row.active_slot })
        .first();
      if (existing) {
        throw new ConflictError(
          `You already have an active subscription to ${options.serviceRef}`,
        );
      }
      // A service's trial is granted once per user: a new subscription continues
      // where the earlier ones left it (tokens used, and the same expiry).
      const earlier = await tx('subscriptions')
        .where({ user_ref: options.userRef, service_ref: options.serviceRef })
        .first(
          tx.raw('COUNT(*) as n'),
          tx.raw(
            'COALESCE(SUM(trial_tokens_used + trial_tokens_reserved), 0) as used',
          ),
          tx.raw('MIN(created_at) as first_at'),
        );
      if (num(earlier?.n) > 0) {
        row.trial_tokens_granted = Math.max(
          0,
          options.trialTokens - num(earlier.used),
        );
        row.trial_expires_at =
          options.trialTokens > 0 && options.trialDurationDays
            ? num(earlier.first_at) + options.trialDurationDays * DAY_MS
            : null;
      }
      try {
        await tx('subscriptions').insert(row);
      } catch (e) {
        // A concurrent subscribe won the unique active_slot; anything else is a real error.
        if (isUniqueViolation(e)) {
          throw new ConflictError(
            `You already have an active subscription to ${options.serviceRef}`,
          );
        }
        throw e;
      }
      const apiKey = await this.insertKey(tx, id, options.userRef, now);
      return { subscription: toSubscription(row, now), apiKey };
    });
  }

  private async insertKey(
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

  async getRow(id: string): Promise<SubscriptionRow | undefined> {
    return this.db<SubscriptionRow>('subscriptions').where({ id }).first();
  }

  async get(id: string): Promise<Subscription | undefined> {
    const row = await this.db<SubscriptionRow>('subscriptions')
      .where({ id })
      .first();
    return row ? toSubscription(row, this.clock()) : undefined;
  }

  async getActive(
    userRef: string,
    serviceRef: string,
  ): Promise<Subscription | undefined> {
    const row = await this.db<SubscriptionRow>('subscriptions')
      .where({ active_slot: `${userRef}|${serviceRef}` })
      .first();
    return row ? toSubscription(row, this.clock()) : undefined;
  }

  /** The users with an active subscription to a service. */
  async listActiveSubscribers(serviceRef: string): Promise<string[]> {
    const rows = await this.db('subscriptions')
      .where({ service_ref: serviceRef, status: 'active' })
      .distinct('user_ref')
      .orderBy('user_ref');
    return rows.map(r => r.user_ref as string);
  }

  /** The active subscriptions billed to a team. */
  async listTeamBilled(): Promise<TeamBilledSubscription[]> {
    const rows = await this.db<SubscriptionRow>('subscriptions')
      .where({ status: 'active' })
      .whereNotNull('team_ref')
      .orderBy('id')
      .select(
        'id',
        'user_ref',
        'team_ref',
        'service_ref',
        'team_billing_ended_at',
      );
    return rows.map(r => ({
      subscriptionId: r.id,
      userRef: r.user_ref,
      teamRef: r.team_ref!,
      serviceRef: r.service_ref,
      teamBillingEndedAt: numOrNull(r.team_billing_ended_at ?? null),
    }));
  }

  /**
   * Records that the subscriber left the team the subscription bills. True
   * only for the first call (on any instance): the one that tells the user.
   */
  async endTeamBilling(
    subscriptionId: string,
    at = this.clock(),
  ): Promise<boolean> {
    const updated = await this.db('subscriptions')
      .where({ id: subscriptionId, status: 'active' })
      .whereNotNull('team_ref')
      .whereNull('team_billing_ended_at')
      .update({ team_billing_ended_at: at });
    return updated === 1;
  }

  /** The subscriber is a member of the team again: a later departure is told again. */
  async resumeTeamBilling(subscriptionId: string): Promise<boolean> {
    const updated = await this.db('subscriptions')
      .where({ id: subscriptionId })
      .whereNotNull('team_billing_ended_at')
      .update({ team_billing_ended_at: null });
    return updated === 1;
  }

  async listForUser(
    userRef: string,
    options: { status?: 'active' | 'cancelled' } = {},
  ): Promise<Subscription[]> {
    const query = this.db<SubscriptionRow>('subscriptions')
      .where({ user_ref: userRef })
      .orderBy('created_at', 'desc');
    if (options.status) {
      query.andWhere({ status: options.status });
    }
    const now = this.clock();
    return (await query).map(r => toSubscription(r, now));
  }

  /** Ends the subscription and revokes all of its keys. */
  async cancel(userRef: string, serviceRef: string): Promise<Subscription> {
    const now = this.clock();
    return this.db.transaction(async tx => {
      const row = await tx<SubscriptionRow>('subscriptions')
        .where({ active_slot: `${userRef}|${serviceRef}` })
        .first();
      if (!row) {
        throw new NotFoundError(
          `You have no active subscription to ${serviceRef}`,
        );
      }
      await tx('subscriptions')
        .where({ id: row.id })
        .update({ status: 'cancelled', active_slot: null, cancelled_at: now });
      await tx('api_keys')
        .where({ subscription_id: row.id })
        .whereNull('revoked_at')
        .update({ revoked_at: now });
      return toSubscription(
        { ...row, status: 'cancelled', active_slot: null, cancelled_at: now },
        now,
      );
    });
  }

  async listKeys(filter: {
    userRef: string;
    subscriptionId?: string;
  }): Promise<ApiKeyInfo[]> {
    const query = this.db<ApiKeyRow>('api_keys')
      .where({ user_ref: filter.userRef })
      .orderBy('created_at', 'desc');
    if (filter.subscriptionId) {
      query.andWhere({ subscription_id: filter.subscriptionId });
    }
    return (await query).map(toKeyInfo);
  }

  private async ownedActiveKey(
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
  private async markRevoked(tx: Knex.Transaction, key: ApiKeyRow, now: number) {
    const changed = await tx('api_keys')
      .where({ id: key.id })
      .whereNull('revoked_at')
      .update({ revoked_at: now });
    if (changed !== 1) {
      throw new ConflictError(`API key ${key.prefix}… is already revoked`);
    }
  }

  async revokeKey(userRef: string, keyId: string): Promise<ApiKeyInfo> {
    const now = this.clock();
    return this.db.transaction(async tx => {
      const key = await this.ownedActiveKey(tx, userRef, keyId);
      await this.markRevoked(tx, key, now);
      return toKeyInfo({ ...key, revoked_at: now });
    });
  }

  /** Revokes the key and issues a new one for the same (active) subscription. */
  async rotateKey(userRef: string, keyId: string): Promise<IssuedApiKey> {
    const now = this.clock();
    return this.db.transaction(async tx => {
      const key = await this.ownedActiveKey(tx, userRef, keyId);
      const sub = await tx<SubscriptionRow>('subscriptions')
        .where({ id: key.subscription_id })
        .first();
      if (!sub || sub.status !== 'active') {
        throw new ConflictError(
          'The subscription of this key is no longer active',
        );
      }
      await this.markRevoked(tx, key, now);
      return this.insertKey(tx, key.subscription_id, userRef, now);
    });
  }

  /**
   * Issues a new key for an active subscription of the user, for example after the
   * last one was revoked. The secret is returned once, like the first key's. A
   * subscription holds at most {@link MAX_ACTIVE_KEYS} active keys.
   */
  async issueKey(
    userRef: string,
    subscriptionId: string,
  ): Promise<IssuedApiKey> {
    const now = this.clock();
    return this.db.transaction(async tx => {
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
      return this.insertKey(tx, subscriptionId, userRef, now);
    });
  }

  /**
   * Finds the grant of a presented key. The comparison of the stored hash is
   * constant-time; the lookup is by hash, so the secret itself is never compared
   * or stored.
   */
  async findGrant(secret: string): Promise<KeyGrant | undefined> {
    if (!secret.startsWith(API_KEY_PREFIX) || secret.length > 128) {
      return undefined;
    }
    const hash = hashApiKey(secret);
    const row = await this.db('api_keys as k')
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

  /** Whether (and why) a user is suspended. */
  async getSuspension(
    userRef: string,
  ): Promise<{ reason: string | null; suspendedAt: string } | undefined> {
    const row = await this.db('user_suspensions')
      .where({ user_ref: userRef })
      .first('reason', 'suspended_at');
    return row
      ? {
          reason: row.reason ?? null,
          suspendedAt: new Date(num(row.suspended_at)).toISOString(),
        }
      : undefined;
  }

  /** Records use of a key, at most once a minute per key. */
  async touchKey(keyId: string, now = this.clock()): Promise<void> {
    await this.db('api_keys')
      .where({ id: keyId })
      .andWhere(q =>
        q.whereNull('last_used_at').orWhere('last_used_at', '<', now - 60_000),
      )
      .update({ last_used_at: now });
  }
}
