import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * Whose spend a budget limits: one subscription, a user (all their
 * subscriptions) or a team (its team-billed subscriptions).
 *
 * @public
 */
export type BudgetScope = Schemas['BudgetScope'];

/**
 * `hard`: the gateway refuses requests (402 `budget_exceeded`) once the
 * month's spend and the requests in flight would pass it; `soft`: alerts only.
 *
 * @public
 */
export type BudgetMode = Schemas['BudgetMode'];

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
export type Budget = Schemas['Budget'];

/**
 * Body of `PUT /v1/budgets/{scope}/{ref}`.
 *
 * @public
 */
export type BudgetInput = Schemas['BudgetInput'];

/**
 * Answer of `GET /v1/budgets`.
 *
 * @public
 */
export type BudgetsResponse = Schemas['BudgetsResponse'];

/**
 * Answer of `GET /v1/subscriptions/{id}/usage` and `GET /v1/teams/{ref}/usage`:
 * for scripts.
 *
 * @public
 */
export type UsageSummary = Schemas['UsageSummary'];

/**
 * A price change a service's owners announced.
 *
 * @public
 */
export type PriceChange = Schemas['PriceChange'];

/**
 * Body of `POST /v1/provider/services/{name}/price-changes`.
 *
 * @public
 */
export type PriceChangeInput = Schemas['PriceChangeInput'];
