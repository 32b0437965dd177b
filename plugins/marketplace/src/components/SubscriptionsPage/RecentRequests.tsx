import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import RefreshIcon from '@mui/icons-material/Refresh';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  GatewayEndpoint,
  UsageRecord,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatInteger, formatTimestampUtc } from '../../format';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { Money } from '../shared/Money';

/** How many of the newest requests to show. */
export const RECENT_REQUESTS_LIMIT = 20;

function ms(value: number | null): string {
  return value === null || value === undefined
    ? '—'
    : `${formatInteger(value)} ms`;
}

function StatusChip(props: { record: UsageRecord }) {
  const { status, httpStatus, errorCode } = props.record;
  return (
    <Chip
      size="small"
      variant="outlined"
      color={status === 'ok' ? 'success' : 'error'}
      label={`${status} · ${httpStatus}`}
      title={errorCode ?? undefined}
    />
  );
}

function tokens(record: UsageRecord): string {
  const base = `${formatInteger(record.promptTokens)} / ${formatInteger(
    record.completionTokens,
  )}`;
  return record.trialTokens > 0
    ? `${base} (${formatInteger(record.trialTokens)} trial)`
    : base;
}

/** The newest gateway requests of one subscription, from the usage ledger. */
export function RecentRequests(props: {
  subscriptionId: string;
  endpoint: GatewayEndpoint;
}) {
  const { subscriptionId, endpoint } = props;
  const api = useApi(marketplaceApiRef);
  const usage = useAsyncRetry(
    () => api.getUsage(subscriptionId, { limit: RECENT_REQUESTS_LIMIT }),
    [api, subscriptionId],
  );

  let body;
  if (usage.loading && !usage.value) {
    body = <Progress />;
  } else if (usage.error) {
    body = <ResponseErrorPanel error={usage.error} />;
  } else if (!usage.value?.length) {
    body = (
      <EmptyState
        missing="data"
        title="No requests yet"
        description={`No requests yet — use the snippet from the Start Using dialog, or any OpenAI SDK with the base URL ${endpoint.baseUrl}, model ${endpoint.model} and your key. Each request shows up here.`}
      />
    );
  } else {
    body = (
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Recent requests">
          <TableHead>
            <TableRow>
              <TableCell>Time</TableCell>
              <TableCell>Request ID</TableCell>
              <TableCell>Status</TableCell>
              <TableCell align="right">
                Tokens prompt / completion (trial)
              </TableCell>
              <TableCell align="right">Cost</TableCell>
              <TableCell align="right">Latency</TableCell>
              <TableCell align="right">TTFT</TableCell>
              <TableCell>Stream</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {usage.value.map(record => (
              <TableRow key={record.requestId}>
                <TableCell sx={{ whiteSpace: 'nowrap' }}>
                  {formatTimestampUtc(record.startedAt)}
                </TableCell>
                <TableCell>
                  <Box
                    component="code"
                    sx={{ fontFamily: 'monospace', fontSize: '0.8rem' }}
                  >
                    {record.requestId}
                  </Box>
                  {record.routeRef && (
                    <Typography
                      variant="caption"
                      display="block"
                      data-testid="route-attempt"
                    >
                      {`${record.serviceRef.slice(
                        record.serviceRef.indexOf('/') + 1,
                      )} · attempt ${record.routeAttempt ?? 1}${
                        record.status === 'ok' ? '' : ' (fallback, not charged)'
                      }`}
                    </Typography>
                  )}
                </TableCell>
                <TableCell>
                  <StatusChip record={record} />
                </TableCell>
                <TableCell align="right">{tokens(record)}</TableCell>
                <TableCell align="right">
                  <Money micros={record.costMicros} />
                </TableCell>
                <TableCell align="right">
                  {ms(record.upstreamLatencyMs)}
                </TableCell>
                <TableCell align="right">
                  {ms(record.timeToFirstTokenMs)}
                </TableCell>
                <TableCell>{record.stream ? 'Yes' : 'No'}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    );
  }

  return (
    <Stack spacing={1}>
      <Stack direction="row" alignItems="center" justifyContent="space-between">
        <Typography variant="subtitle1" component="h4">
          Recent requests
        </Typography>
        <Button
          size="small"
          startIcon={<RefreshIcon />}
          onClick={() => usage.retry()}
          disabled={usage.loading}
        >
          Refresh
        </Button>
      </Stack>
      {body}
    </Stack>
  );
}
