import type {
  ApiKeyInfo,
  IssuedApiKey,
  ModelServicePricing,
  Subscription,
} from '@internal/plugin-marketplace-common';
import type {
  KeyGrant,
  SubscriptionRow,
  TeamBilledSubscription,
} from './subscriptionRecords';

/**
 * Subscriptions and their API keys (stored hashed), and the grants the gateway checks.
 */
export interface SubscriptionStore {
  create(options: {
    serviceRef: string;
    userRef: string;
    teamRef: string | null;
    spendCapMicros: number | null;
    trialTokens: number;
    trialDurationDays?: number;
    /** The service's prices now: later increases do not apply to this subscription. */
    pricing?: ModelServicePricing;
  }): Promise<{
    subscription: Subscription;
    apiKey: IssuedApiKey;
  }>;
  getRow(id: string): Promise<SubscriptionRow | undefined>;
  get(id: string): Promise<Subscription | undefined>;
  getActive(
    userRef: string,
    serviceRef: string,
  ): Promise<Subscription | undefined>;
  /** The users with an active subscription to a service. */
  listActiveSubscribers(serviceRef: string): Promise<string[]>;
  /** The active subscriptions billed to a team. */
  listTeamBilled(): Promise<TeamBilledSubscription[]>;
  /**
   * Records that the subscriber left the team the subscription bills. True
   * only for the first call (on any instance): the one that tells the user.
   */
  endTeamBilling(subscriptionId: string, at?: number): Promise<boolean>;
  /** The subscriber is a member of the team again: a later departure is told again. */
  resumeTeamBilling(subscriptionId: string): Promise<boolean>;
  listForUser(
    userRef: string,
    options?: {
      status?: 'active' | 'cancelled';
    },
  ): Promise<Subscription[]>;
  /** Ends the subscription and revokes all of its keys. */
  cancel(userRef: string, serviceRef: string): Promise<Subscription>;
  listKeys(filter: {
    userRef: string;
    subscriptionId?: string;
  }): Promise<ApiKeyInfo[]>;
  revokeKey(userRef: string, keyId: string): Promise<ApiKeyInfo>;
  /** Revokes the key and issues a new one for the same (active) subscription. */
  rotateKey(userRef: string, keyId: string): Promise<IssuedApiKey>;
  /**
   * Issues a new key for an active subscription of the user, for example after the
   * last one was revoked. The secret is returned once, like the first key's. A
   * subscription holds at most {@link MAX_ACTIVE_KEYS} active keys.
   */
  issueKey(userRef: string, subscriptionId: string): Promise<IssuedApiKey>;
  /**
   * Finds the grant of a presented key. The comparison of the stored hash is
   * constant-time; the lookup is by hash, so the secret itself is never compared
   * or stored.
   */
  findGrant(secret: string): Promise<KeyGrant | undefined>;
  /** Whether (and why) a user is suspended. */
  getSuspension(userRef: string): Promise<
    | {
        reason: string | null;
        suspendedAt: string;
      }
    | undefined
  >;
  /** Records use of a key, at most once a minute per key. */
  touchKey(keyId: string, now?: number): Promise<void>;
}

export * from './DatabaseSubscriptionStore';
