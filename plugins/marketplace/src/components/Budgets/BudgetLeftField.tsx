import useAsync from 'react-use/esm/useAsync';
import Typography from '@mui/material/Typography';
import { useApi } from '@backstage/frontend-plugin-api';
import { Budget } from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { Field } from '../shared/Field';
import { Money } from '../shared/Money';

function whose(budget: Budget): string {
  if (budget.scope === 'subscription') {
    return 'this subscription';
  }
  return budget.scope === 'user' ? 'your monthly budget' : `team ${budget.ref}`;
}

/**
 * The budget left for a subscription this month: the tightest of the budgets
 * that limit it (its own, the user's, its team's), hard ones first.
 */
export function BudgetLeftField(props: {
  subscriptionId: string;
  reloadToken?: number;
}) {
  const api = useApi(marketplaceApiRef);
  const summary = useAsync(
    () => api.getSubscriptionSummary(props.subscriptionId),
    [api, props.subscriptionId, props.reloadToken],
  );
  if (summary.loading || summary.error || !summary.value) {
    return <Field label="Budget left">{summary.loading ? '…' : ''}</Field>;
  }
  const budgets = summary.value.budgets;
  if (budgets.length === 0) {
    return <Field label="Budget left">No budget set</Field>;
  }
  const hard = budgets.filter(b => b.mode === 'hard');
  const tightest = (hard.length > 0 ? hard : budgets).reduce((a, b) =>
    b.remainingMicros < a.remainingMicros ? b : a,
  );
  return (
    <Field label="Budget left">
      <span data-testid="subscription-budget-left">
        <Money micros={tightest.remainingMicros} /> of{' '}
        <Money micros={tightest.amountMicros} />
      </span>
      <Typography variant="caption" color="text.secondary" component="div">
        {whose(tightest)} ({tightest.mode}), {tightest.period}
      </Typography>
    </Field>
  );
}
