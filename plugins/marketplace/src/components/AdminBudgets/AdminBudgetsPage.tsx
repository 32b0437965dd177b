import { useState } from 'react';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  Content,
  ContentHeader,
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { Budget } from '@internal/plugin-marketplace-common';
import { errorStatus, marketplaceApiRef } from '../../api';
import { BudgetDialog } from '../Budgets';
import { Money } from '../shared/Money';
import { NotAllowed } from '../shared/NotAllowed';
import { RefLink } from '../shared/RefLink';
import { dataTableSx, tableContainerSx } from '../shared/tables';

const SCOPE_LABELS = {
  user: 'User',
  team: 'Team',
  subscription: 'Subscription',
} as const;

/**
 * `/admin/budgets`: every budget with this month's spend; admins set or change
 * anyone's (audited as `budget.set`).
 */
export function AdminBudgetsPage() {
  const api = useApi(marketplaceApiRef);
  const [token, setToken] = useState(0);
  const budgets = useAsyncRetry(
    () => api.listBudgets({ all: true }),
    [api, token],
  );
  const [editing, setEditing] = useState<
    { budget?: Budget; title: string } | undefined
  >();

  let body;
  if (budgets.loading && !budgets.value) {
    body = <Progress />;
  } else if (budgets.error && errorStatus(budgets.error) === 403) {
    body = (
      <NotAllowed>Only platform admins see everyone's budgets.</NotAllowed>
    );
  } else if (budgets.error) {
    body = <ResponseErrorPanel error={budgets.error} />;
  } else if (!budgets.value?.items.length) {
    body = (
      <EmptyState
        missing="data"
        title="No budgets yet"
        description="Users set their own on My subscriptions, team owners their team's; set one for anyone with “Set a budget”."
      />
    );
  } else {
    body = (
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Budgets">
          <TableHead>
            <TableRow>
              <TableCell>Scope</TableCell>
              <TableCell>For</TableCell>
              <TableCell align="right">Budget</TableCell>
              <TableCell>Mode</TableCell>
              <TableCell align="right">
                Spent ({budgets.value.period})
              </TableCell>
              <TableCell align="right">Left</TableCell>
              <TableCell>Alerts</TableCell>
              <TableCell>Set by</TableCell>
              <TableCell />
            </TableRow>
          </TableHead>
          <TableBody>
            {budgets.value.items.map(b => (
              <TableRow key={`${b.scope}:${b.ref}`}>
                <TableCell>{SCOPE_LABELS[b.scope]}</TableCell>
                <TableCell>
                  {b.scope === 'subscription' ? (
                    <>
                      {b.serviceRef && (
                        <RefLink
                          entityRef={b.serviceRef}
                          defaultKind="ModelService"
                        />
                      )}{' '}
                      of{' '}
                      {b.userRef && (
                        <RefLink entityRef={b.userRef} defaultKind="User" />
                      )}
                    </>
                  ) : (
                    <RefLink
                      entityRef={b.ref}
                      defaultKind={b.scope === 'team' ? 'Group' : 'User'}
                    />
                  )}
                </TableCell>
                <TableCell align="right">
                  <Money micros={b.amountMicros} />
                </TableCell>
                <TableCell>
                  <Chip
                    size="small"
                    variant="outlined"
                    label={b.mode === 'hard' ? 'Hard' : 'Soft'}
                    color={b.mode === 'hard' ? 'warning' : 'default'}
                  />
                </TableCell>
                <TableCell align="right">
                  <Money micros={b.spendMicros} />
                </TableCell>
                <TableCell align="right">
                  <Money micros={b.remainingMicros} />
                </TableCell>
                <TableCell>
                  {b.thresholds.map(t => `${t} %`).join(' · ')}
                </TableCell>
                <TableCell>
                  {b.updatedBy ? (
                    <RefLink entityRef={b.updatedBy} defaultKind="User" />
                  ) : (
                    'at subscribing'
                  )}
                </TableCell>
                <TableCell>
                  <Button
                    size="small"
                    onClick={() =>
                      setEditing({
                        budget: b,
                        title: `${SCOPE_LABELS[b.scope]} budget of ${b.ref}`,
                      })
                    }
                  >
                    Edit
                  </Button>
                </TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <Content>
      <ContentHeader
        title="Budgets"
        description="Monthly budgets of users, teams and subscriptions, with this month's spend. Changes are audited."
      >
        <Button
          variant="contained"
          onClick={() => setEditing({ title: 'Set a budget' })}
        >
          Set a budget
        </Button>
      </ContentHeader>
      <Stack spacing={2}>{body}</Stack>
      <BudgetDialog
        open={!!editing}
        title={editing?.title ?? ''}
        budget={editing?.budget}
        target={
          editing?.budget
            ? { scope: editing.budget.scope, ref: editing.budget.ref }
            : undefined
        }
        onClose={() => setEditing(undefined)}
        onSaved={() => {
          setEditing(undefined);
          setToken(t => t + 1);
        }}
      />
    </Content>
  );
}
