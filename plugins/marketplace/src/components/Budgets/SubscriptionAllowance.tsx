import useAsync from 'react-use/esm/useAsync';
import Typography from '@mui/material/Typography';
import { useApi } from '@backstage/frontend-plugin-api';
import { BudgetScope } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatInteger } from '../../format';
import { Money } from '../shared/Money';

const WHOSE: Record<BudgetScope, (ref: string) => string> = {
  subscription: () => 'this subscription',
  user: () => 'your monthly budget',
  team: ref => `team ${ref}`,
};

/**
 * One line for the service page: the trial and the budget left on the
 * caller's subscription this month (the tightest of its budgets).
 */
export function SubscriptionAllowance(props: { subscriptionId: string }) {
  const api = useApi(marketplaceApiRef);
  const summary = useAsync(
    () => api.getSubscriptionSummary(props.subscriptionId),
    [api, props.subscriptionId],
  );
  const value = summary.value;
  if (!value) {
    return null;
  }
  const hard = value.budgets.filter(b => b.mode === 'hard');
  const pool = hard.length > 0 ? hard : value.budgets;
  const tightest = pool.length
    ? pool.reduce((a, b) => (b.remainingMicros < a.remainingMicros ? b : a))
    : undefined;
  return (
    <Typography
      variant="body2"
      color="text.secondary"
      data-testid="subscription-allowance"
    >
      {value.trial && value.trial.grantedTokens > 0 && (
        <>Trial left: {formatInteger(value.trial.remainingTokens)} tokens · </>
      )}
      {tightest ? (
        <>
          Budget left: <Money micros={tightest.remainingMicros} /> of{' '}
          <Money micros={tightest.amountMicros} /> (
          {WHOSE[tightest.scope](tightest.ref)}, {tightest.mode})
        </>
      ) : (
        'No budget set'
      )}
    </Typography>
  );
}
