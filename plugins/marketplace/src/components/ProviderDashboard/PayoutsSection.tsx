import { useState } from 'react';
import Stack from '@mui/material/Stack';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import { Progress, ResponseErrorPanel } from '@backstage/core-components';
import { toastApiRef, useApi } from '@backstage/frontend-plugin-api';
import { Statement } from '@internal/plugin-marketplace-common';
import { errorMessage, marketplaceApiRef } from '../../api';
import { saveFile } from '../shared/saveFile';
import { ConfirmDialog } from '../shared/ConfirmDialog';
import { formatMonth } from '../shared/dates';
import { serviceNameOf, StatementsTable } from '../shared/StatementsTable';
import { formatMoney } from '../../format';
import { UsageExportForm } from '../Usage';

/**
 * The payout schedule of a provider team: one statement per month (open during
 * the month, closed after it, paid once an admin marked it), with the lines
 * per service and a CSV download; admins mark closed months paid.
 */
export function PayoutsSection(props: { team: string }) {
  const api = useApi(marketplaceApiRef);
  const toastApi = useApi(toastApiRef);
  const payouts = useAsyncRetry(
    () => api.listPayouts(props.team),
    [api, props.team],
  );
  const [paying, setPaying] = useState<Statement>();
  const [reference, setReference] = useState('');
  const [busy, setBusy] = useState(false);

  const download = async (month: string) => {
    try {
      const file = await api.downloadStatementCsv({
        kind: 'provider',
        month,
        team: props.team,
      });
      saveFile(file.fileName, file.blob);
    } catch (e) {
      toastApi.post({
        title: `Could not download the statement: ${errorMessage(e)}`,
        status: 'danger',
      });
    }
  };

  const markPaid = async () => {
    if (!paying) {
      return;
    }
    setBusy(true);
    try {
      await api.markPayoutPaid(
        props.team,
        paying.month,
        reference.trim() || null,
      );
      toastApi.post({
        title: `${formatMonth(paying.month)} is marked paid`,
        status: 'success',
        timeout: 5000,
      });
      setPaying(undefined);
      setReference('');
      payouts.retry();
    } catch (e) {
      toastApi.post({
        title: `Could not mark ${formatMonth(
          paying.month,
        )} paid: ${errorMessage(e)}`,
        status: 'danger',
      });
    } finally {
      setBusy(false);
    }
  };

  let body;
  if (payouts.loading && !payouts.value) {
    body = <Progress />;
  } else if (payouts.error) {
    body = <ResponseErrorPanel error={payouts.error} />;
  } else if (payouts.value) {
    const { statements, canMarkPaid } = payouts.value;
    const earned = statements.some(s => s.totals.requests > 0);
    body = (
      <Stack spacing={1}>
        {!earned && (
          <Typography variant="body2" color="text.secondary">
            No requests to this team's services yet, so nothing to pay out:
            statements fill as soon as subscribers call the services (Test API
            on a service's API tab counts too).
          </Typography>
        )}
        <StatementsTable
          label="Payout statements"
          statements={statements}
          provider
          loadLines={month => api.getPayout(props.team, month)}
          onDownload={download}
          onMarkPaid={canMarkPaid ? s => setPaying(s) : undefined}
          titleOf={serviceNameOf}
        />
      </Stack>
    );
  }

  return (
    <Stack spacing={2}>
      <Typography variant="body2" color="text.secondary">
        Monthly statements from the usage ledger (UTC months). Net payout =
        gross revenue − platform fee. A month is open until it ends, then closed
        until a platform admin marks it paid.
      </Typography>
      {body}
      <Typography variant="h6" component="h3">
        Export usage
      </Typography>
      <UsageExportForm
        owners={[
          {
            label: `All services of ${serviceNameOf(props.team)}`,
            query: { scope: 'provider', team: props.team },
          },
        ]}
      />
      <ConfirmDialog
        open={!!paying}
        title={`Mark ${paying ? formatMonth(paying.month) : ''} paid?`}
        confirmLabel="Mark paid"
        confirmColor="success"
        busy={busy}
        onCancel={() => setPaying(undefined)}
        onConfirm={markPaid}
      >
        <Typography variant="body2" sx={{ mb: 2 }}>
          Records a payout of{' '}
          {paying
            ? formatMoney(paying.totals.netMicros - paying.slaCreditMicros)
            : ''}{' '}
          to {props.team}
          {paying?.slaCreditMicros
            ? ` (the net less ${formatMoney(
                paying.slaCreditMicros,
              )} of SLA credits)`
            : ''}
          .
        </Typography>
        <TextField
          label="Payment reference (optional)"
          value={reference}
          onChange={e => setReference(e.target.value)}
          inputProps={{ maxLength: 200 }}
          fullWidth
        />
      </ConfirmDialog>
    </Stack>
  );
}
