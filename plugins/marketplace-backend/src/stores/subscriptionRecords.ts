import { ApiKeyInfo, Subscription } from '@internal/plugin-marketplace-common';
import { createHash, randomBytes } from 'crypto';
import { monthOf } from '../lib/periods';
import { isoOrNull, num, numOrNull } from '../lib/numbers';

/*
 * Subscriptions and API keys: their rows, the grant a key gives the gateway, and how keys are made and hashed.
 */

/** Keys look like `mk_<43 base64url chars>`: 256 random bits. */
export const API_KEY_PREFIX = 'mk_';
export const VISIBLE_PREFIX_LENGTH = API_KEY_PREFIX.length + 8;

export interface SubscriptionRow {
  id: string;
  service_ref: string;
  user_ref: string;
  team_ref: string | null;
  status: string;
  active_slot: string | null;
  spend_cap_micros: number | string | null;
  trial_tokens_granted: number | string;
  trial_tokens_used: number | string;
  trial_tokens_reserved: number | string;
  trial_expires_at: number | string | null;
  month: string;
  month_spend_micros: number | string;
  month_tokens: number | string;
  reserved_micros: number | string;
  total_spend_micros: number | string;
  created_at: number | string;
  cancelled_at: number | string | null;
  /** The service's prices when the subscription started (JSON). */
  pricing_json?: string | null;
  /** When the subscriber was found no longer a member of team_ref (and told). */
  team_billing_ended_at?: number | string | null;
}

/** An active subscription billed to a team, for the membership check. */
export interface TeamBilledSubscription {
  subscriptionId: string;
  userRef: string;
  teamRef: string;
  serviceRef: string;
  /** When its team billing was found ended; null while it holds. */
  teamBillingEndedAt: number | null;
}

export interface ApiKeyRow {
  id: string;
  subscription_id: string;
  user_ref: string;
  prefix: string;
  secret_hash: string;
  created_at: number | string;
  last_used_at: number | string | null;
  revoked_at: number | string | null;
}

/** What the gateway needs to know about a key, joined with its subscription. */
export interface KeyGrant {
  keyId: string;
  subscriptionId: string;
  userRef: string;
  teamRef: string | null;
  serviceRef: string;
  keyRevoked: boolean;
  subscriptionActive: boolean;
  /**
   * Set when the request came through a route: the route's ref (the
   * subscription's), while serviceRef is the member service that was tried.
   */
  routeRef?: string;
  /** Through a route: 1 for the first member tried, 2 for the first fallback, ... */
  routeAttempt?: number;
}

export function isUniqueViolation(error: unknown): boolean {
  const e = error as { code?: string; message?: string };
  return (
    e?.code === '23505' || // PostgreSQL unique_violation
    e?.code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    /UNIQUE constraint failed/i.test(String(e?.message))
  );
}

export function hashApiKey(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

export function newSecret(): string {
  return API_KEY_PREFIX + randomBytes(32).toString('base64url');
}

export function modelOf(serviceRef: string): string {
  return serviceRef.slice(serviceRef.indexOf('/') + 1);
}

export function toSubscription(
  row: SubscriptionRow,
  now = Date.now(),
): Subscription {
  const currentMonth = monthOf(now);
  const sameMonth = row.month === currentMonth;
  return {
    id: row.id,
    serviceRef: row.service_ref,
    model: modelOf(row.service_ref),
    userRef: row.user_ref,
    teamRef: row.team_ref,
    status: row.status as Subscription['status'],
    spendCapMicros: numOrNull(row.spend_cap_micros),
    trialTokensGranted: num(row.trial_tokens_granted),
    trialTokensUsed: num(row.trial_tokens_used),
    trialExpiresAt: isoOrNull(row.trial_expires_at),
    month: currentMonth,
    monthSpendMicros: sameMonth ? num(row.month_spend_micros) : 0,
    monthTokens: sameMonth ? num(row.month_tokens) : 0,
    createdAt: new Date(num(row.created_at)).toISOString(),
    cancelledAt: isoOrNull(row.cancelled_at),
  };
}

export function toKeyInfo(row: ApiKeyRow): ApiKeyInfo {
  return {
    id: row.id,
    subscriptionId: row.subscription_id,
    prefix: row.prefix,
    createdAt: new Date(num(row.created_at)).toISOString(),
    lastUsedAt: isoOrNull(row.last_used_at),
    revokedAt: isoOrNull(row.revoked_at),
  };
}

/** The most active API keys one subscription may hold at a time. */
export const MAX_ACTIVE_KEYS = 5;
