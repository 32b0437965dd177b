import { formatMicros } from '@internal/plugin-marketplace-common';
import { GatewayError } from '../errors';
import { BudgetRefusal } from './ports';

/**
 * 402 `budget_exceeded` (type `insufficient_quota`) in the protocol's error
 * shape, naming the hard budget that is used up: "the team budget of
 * group:default/ml-platform for 2026-12 ($50.00) is used up".
 */
export function budgetExceededError(
  budget: BudgetRefusal,
  serviceName: string,
): GatewayError {
  const whose =
    budget.scope === 'subscription'
      ? `the budget of your subscription to ${serviceName}`
      : `the ${budget.scope} budget of ${budget.ref}`;
  const raise =
    budget.scope === 'team'
      ? "Ask the team's owners to raise it in the marketplace"
      : 'Raise it in the marketplace (My subscriptions)';
  return new GatewayError({
    status: 402,
    type: 'insufficient_quota',
    message: `${capitalize(whose)} for ${budget.period} (${formatMicros(
      budget.amountMicros,
    )}) is used up. ${raise} or wait for next month.`,
    code: 'budget_exceeded',
    param: budget.scope,
  });
}

function capitalize(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1);
}
