import { ConflictError, NotFoundError } from '@backstage/errors';
import {
  ApiKeyInfo,
  IssuedApiKey,
  ModelServicePricing,
  Subscription,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { DAY_MS, monthOf } from '../lib/periods';
import { num, numOrNull } from '../lib/numbers';
import {
  findGrant,
  insertKey,
  issueKey,
  listKeys,
  revokeKey,
  rotateKey,
  touchKey,
} from './apiKeyQueries';
import {
  isUniqueViolation,
  KeyGrant,
  SubscriptionRow,
  TeamBilledSubscription,
  toSubscription,
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
 * Subscriptions and their API keys. Secrets are generated (in apiKeyQueries.ts,
 * where the key queries are), returned once and stored only as SHA-256 hashes.
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
      const apiKey = await insertKey(tx, id, options.userRef, now);
      return { subscription: toSubscription(row, now), apiKey };
    });
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

  // --- API keys (apiKeyQueries.ts) ------------------------------------------

  listKeys(filter: {
    userRef: string;
    subscriptionId?: string;
  }): Promise<ApiKeyInfo[]> {
    return listKeys(this.db, filter);
  }

  revokeKey(userRef: string, keyId: string): Promise<ApiKeyInfo> {
    return revokeKey(this.db, userRef, keyId, this.clock());
  }

  rotateKey(userRef: string, keyId: string): Promise<IssuedApiKey> {
    return rotateKey(this.db, userRef, keyId, this.clock());
  }

  issueKey(userRef: string, subscriptionId: string): Promise<IssuedApiKey> {
    return issueKey(this.db, userRef, subscriptionId, this.clock());
  }

  findGrant(secret: string): Promise<KeyGrant | undefined> {
    return findGrant(this.db, secret);
  }

  touchKey(keyId: string, now = this.clock()): Promise<void> {
    return touchKey(this.db, keyId, now);
  }

  // --- users ----------------------------------------------------------------

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
}
