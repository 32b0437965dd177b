import { useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import LinearProgress from '@mui/material/LinearProgress';
import Paper from '@mui/material/Paper';
import Stack from '@mui/material/Stack';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  Budget,
  BudgetScope,
  BudgetsResponse,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { Money } from '../shared/Money';
import { useToastedAction } from '../shared/useToastedAction';
import { BudgetDialog } from './BudgetDialog';

/** `modelservice:default/acme-gpt` -> `acme-gpt`. */
function nameOf(ref: string): string {
  return ref.slice(ref.lastIndexOf('/') + 1);
}

/** What a budget is, in words. */
export function budgetTitle(
  budget: Pick<Budget, 'scope' | 'ref' | 'serviceRef'>,
  teams: BudgetsResponse['ownedTeams'] = [],
): string {
  if (budget.scope === 'user') {
    return 'Your monthly budget';
  }
  if (budget.scope === 'team') {
    const team = teams.find(t => t.ref === budget.ref);
    return `Team budget of ${team?.title ?? budget.ref}`;
  }
  return `Budget of your ${
    budget.serviceRef ? nameOf(budget.serviceRef) : budget.ref
  } subscription`;
}

/** Spend, what is left and the thresholds of one budget. */
export function BudgetSummary(props: { budget: Budget }) {
  const { budget } = props;
  const used = budget.spendMicros + budget.reservedMicros;
  const percent =
    budget.amountMicros > 0
      ? Math.min(100, (budget.spendMicros / budget.amountMicros) * 100)
      : 100;
  return (
    <Stack spacing={0.75}>
      <Typography variant="body2">
        <Money micros={budget.spendMicros} /> of{' '}
        <Money micros={budget.amountMicros} /> spent in {budget.period}
        {budget.reservedMicros > 0 && (
          <>
            {' '}
            (+
            <Money micros={budget.reservedMicros} /> in flight)
          </>
        )}{' '}
        ·{' '}
        <strong data-testid="budget-left">
          <Money micros={budget.remainingMicros} /> left
        </strong>
      </Typography>
      <LinearProgress
        variant="determinate"
        value={percent}
        color={used >= budget.amountMicros ? 'error' : 'primary'}
        aria-label="Budget used"
      />
      <Typography variant="caption" color="text.secondary">
        Alerts at {budget.thresholds.map(t => `${t} %`).join(' · ')}
        {budget.alertsSent.length > 0 &&
          ` (sent this month: ${budget.alertsSent
            .map(t => `${t} %`)
            .join(', ')})`}
      </Typography>
    </Stack>
  );
}

function BudgetCard(props: {
  title: string;
  budget?: Budget;
  emptyText: string;
  onEdit: () => void;
  onRemove?: () => void;
  testId: string;
}) {
  const { budget } = props;
  return (
    <Paper variant="outlined" sx={{ p: 2 }} data-testid={props.testId}>
      <Stack
        direction={{ xs: 'column', md: 'row' }}
        spacing={2}
        alignItems={{ md: 'center' }}
      >
        <Box sx={{ flex: 1, minWidth: 0 }}>
          <Stack direction="row" spacing={1} alignItems="center" mb={0.5}>
            <Typography variant="subtitle1" component="h3">
              {props.title}
            </Typography>
            {budget && (
              <Chip
                size="small"
                label={budget.mode === 'hard' ? 'Hard' : 'Soft'}
                color={budget.mode === 'hard' ? 'warning' : 'default'}
                variant="outlined"
              />
            )}
          </Stack>
          {budget ? (
            <BudgetSummary budget={budget} />
          ) : (
            <Typography variant="body2" color="text.secondary">
              {props.emptyText}
            </Typography>
          )}
        </Box>
        <Stack direction="row" spacing={1} flexShrink={0}>
          <Button variant="outlined" size="small" onClick={props.onEdit}>
            {budget ? 'Edit' : 'Set a budget'}
          </Button>
          {budget && props.onRemove && (
            <Button color="error" size="small" onClick={props.onRemove}>
              Remove
            </Button>
          )}
        </Stack>
      </Stack>
    </Paper>
  );
}

type Editing = {
  title: string;
  target: { scope: BudgetScope; ref: string };
  budget?: Budget;
};

/**
 * My subscriptions' Budgets: the user's own monthly budget, the budgets of the
 * teams they own and of their subscriptions (each subscription's is its spend
 * cap), with spend, what is left and the alert thresholds; set, edit, remove.
 */
export function BudgetsSection(props: {
  userRef: string;
  reloadToken?: number;
  onChanged?: () => void;
}) {
  const api = useApi(marketplaceApiRef);
  const [token, setToken] = useState(0);
  const budgets = useAsyncRetry(
    () => api.listBudgets(),
    [api, token, props.reloadToken],
  );
  const [editing, setEditing] = useState<Editing | undefined>();
  const [removing, setRemoving] = useState<Budget | undefined>();
  const changed = () => {
    setToken(t => t + 1);
    props.onChanged?.();
  };
  const remove = useToastedAction(() => {
    setRemoving(undefined);
    changed();
  });

  if (budgets.loading && !budgets.value) {
    return <Progress />;
  }
  if (budgets.error) {
    return <ResponseErrorPanel error={budgets.error} />;
  }
  const { items, ownedTeams } = budgets.value!;
  const userRef = props.userRef.toLocaleLowerCase('en-US');
  const mine = items.find(b => b.scope === 'user' && b.ref === userRef);
  const subscriptionBudgets = items.filter(b => b.scope === 'subscription');

  return (
    <Stack spacing={1.5}>
      <BudgetCard
        testId="budget-user"
        title="Your monthly budget"
        budget={mine}
        emptyText="No budget: your spend across all your subscriptions is not limited."
        onEdit={() =>
          setEditing({
            title: 'Your monthly budget',
            target: { scope: 'user', ref: userRef },
            budget: mine,
          })
        }
        onRemove={mine && (() => setRemoving(mine))}
      />
      {ownedTeams.map(team => {
        const budget = items.find(
          b => b.scope === 'team' && b.ref === team.ref,
        );
        const title = `Team budget of ${team.title}`;
        return (
          <BudgetCard
            key={team.ref}
            testId={`budget-team-${team.ref}`}
            title={title}
            budget={budget}
            emptyText={`No budget: the team-billed subscriptions of ${team.title} are not limited. You own this team.`}
            onEdit={() =>
              setEditing({
                title,
                target: { scope: 'team', ref: team.ref },
                budget,
              })
            }
            onRemove={budget && (() => setRemoving(budget))}
          />
        );
      })}
      {subscriptionBudgets.map(budget => {
        const title = budgetTitle(budget);
        return (
          <BudgetCard
            key={budget.ref}
            testId={`budget-subscription-${budget.ref}`}
            title={title}
            budget={budget}
            emptyText=""
            onEdit={() =>
              setEditing({
                title,
                target: { scope: 'subscription', ref: budget.ref },
                budget,
              })
            }
            onRemove={() => setRemoving(budget)}
          />
        );
      })}
      <BudgetDialog
        open={!!editing}
        title={editing?.title ?? ''}
        target={editing?.target}
        budget={editing?.budget}
        onClose={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          changed();
        }}
      />
      <ConfirmDialog
        open={!!removing}
        title="Remove this budget?"
        confirmLabel="Remove budget"
        busy={remove.busy}
        onCancel={() => setRemoving(undefined)}
        onConfirm={() =>
          removing &&
          remove.run(
            () => api.deleteBudget(removing.scope, removing.ref),
            'Budget removed',
            'Could not remove the budget',
          )
        }
      >
        {removing &&
          `${budgetTitle(removing, ownedTeams)} stops limiting spend${
            removing.scope === 'subscription' ? ' (its spend cap goes too)' : ''
          }; no more alerts are sent for it.`}
      </ConfirmDialog>
    </Stack>
  );
}
