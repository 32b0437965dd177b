import type { ModelServicePricing } from '../kinds/ModelServiceEntityV1alpha1';

/**
 * Whose spend a budget limits: one subscription, a user (all their
 * subscriptions) or a team (its team-billed subscriptions).
 *
 * @public
 */
export type BudgetScope = 'subscription' | 'user' | 'team';

/**
 * `hard`: the gateway refuses requests (402 `budget_exceeded`) once the
 * month's spend and the requests in flight would pass it; `soft`: alerts only.
 *
 * @public
 */
export type BudgetMode = 'hard' | 'soft';

/** @public */
export const BUDGET_SCOPES: readonly BudgetScope[] = [
  'subscription',
  'user',
  'team',
];

/** @public */
export const BUDGET_MODES: readonly BudgetMode[] = ['hard', 'soft'];

/** The alert thresholds of a budget without its own, in percent. @public */
export const DEFAULT_BUDGET_THRESHOLDS: readonly number[] = [50, 80, 95, 100];

/**
 * A monthly budget with this month's state.
 *
 * @public
 */
export interface Budget {
  scope: BudgetScope;
  /** The subscription id, or the user or group entity ref (lowercase). */
  ref: string;
  amountMicros: number;
  mode: BudgetMode;
  /** Alert thresholds in percent, ascending. */
  thresholds: number[];
  /** The UTC month the numbers below are for, YYYY-MM. */
  period: string;
  /** Settled spend this month. */
  spendMicros: number;
  /** Held by requests in flight. */
  reservedMicros: number;
  /** amount - spend - reserved, never below 0. */
  remainingMicros: number;
  /** The thresholds already alerted this month. */
  alertsSent: number[];
  /** Who set it last; null for a subscription's cap set when subscribing. */
  updatedBy: string | null;
  updatedAt: string | null;
  /** Subscription budgets: the service subscribed to. */
  serviceRef?: string;
  /** Subscription budgets: the subscriber. */
  userRef?: string;
}

/**
 * Body of `PUT /v1/budgets/{scope}/{ref}`.
 *
 * @public
 */
export interface BudgetInput {
  /** Integer micro-USD, above 0. */
  amountMicros: number;
  mode: BudgetMode;
  /** 1-100, ascending, no repeats; default 50, 80, 95, 100. */
  thresholds?: number[];
}

/**
 * Answer of `GET /v1/budgets`.
 *
 * @public
 */
export interface BudgetsResponse {
  period: string;
  items: Budget[];
  /** Teams the caller may set budgets for (owner or admin). */
  ownedTeams: Array<{ ref: string; title: string }>;
}

/**
 * Answer of `GET /v1/subscriptions/{id}/usage` and `GET /v1/teams/{ref}/usage`:
 * for scripts.
 *
 * @public
 */
export interface UsageSummary {
  scope: BudgetScope;
  ref: string;
  period: string;
  spendMicros: number;
  reservedMicros: number;
  /** Subscriptions only. */
  trial?: {
    grantedTokens: number;
    usedTokens: number;
    reservedTokens: number;
    remainingTokens: number;
    expiresAt: string | null;
  };
  /** Every budget that limits this spend (subscription, user, team). */
  budgets: Budget[];
}

/**
 * A price change a service's owners announced.
 *
 * @public
 */
export interface PriceChange {
  id: string;
  serviceRef: string;
  pricing: ModelServicePricing;
  previousPricing: ModelServicePricing;
  effectiveAt: string;
  announcedAt: string;
  announcedBy: string;
  /** `scheduled` until its instant, then `effective` (or `withdrawn`). */
  status: 'scheduled' | 'effective' | 'withdrawn';
}

/**
 * Body of `POST /v1/provider/services/{name}/price-changes`.
 *
 * @public
 */
export interface PriceChangeInput {
  pricing: ModelServicePricing;
  /**
   * ISO 8601; at least `marketplace.pricing.noticeDays` ahead for increases; a
   * decrease without it applies at once.
   */
  effectiveAt?: string;
}
