import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import MenuItem from '@mui/material/MenuItem';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableContainer from '@mui/material/TableContainer';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import useAsync from 'react-use/esm/useAsync';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  ConsumerUsage,
  UsageSeries,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatInteger, formatTokenCount } from '../../format';
import { KpiTile, RANGE_PRESETS, TimeSeriesChart } from '../Analytics';
import { DAY_MS, isoDay } from '../shared/dates';
import { RefLink } from '../shared/RefLink';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { Money } from '../shared/Money';
import { formatMoney } from '../../format';

function nameOf(ref: string): string {
  return ref.slice(ref.indexOf('/') + 1);
}

function KeyTable(props: { keys: UsageSeries[]; showService: boolean }) {
  return (
    <TableContainer sx={tableContainerSx}>
      <Table size="small" sx={dataTableSx} aria-label="Usage per API key">
        <TableHead>
          <TableRow>
            <TableCell>API key</TableCell>
            {props.showService && <TableCell>Service</TableCell>}
            <TableCell>Billed to</TableCell>
            <TableCell align="right">Requests</TableCell>
            <TableCell align="right">Failed</TableCell>
            <TableCell align="right">Tokens</TableCell>
            <TableCell align="right">From the trial</TableCell>
            <TableCell align="right">Spend</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {props.keys.map(k => (
            <TableRow
              key={`${k.keyId}|${k.teamRef}`}
              data-testid="usage-key-row"
            >
              <TableCell>
                <Box component="code" sx={{ fontFamily: 'monospace' }}>
                  {k.keyPrefix ? `${k.keyPrefix}…` : k.keyId}
                </Box>
              </TableCell>
              {props.showService && (
                <TableCell>
                  <RefLink
                    entityRef={k.serviceRef}
                    defaultKind="ModelService"
                  />
                </TableCell>
              )}
              <TableCell>
                {k.teamRef ? (
                  <RefLink entityRef={k.teamRef} defaultKind="Group" />
                ) : (
                  'Personal'
                )}
              </TableCell>
              <TableCell align="right">
                {formatInteger(k.totals.requests)}
              </TableCell>
              <TableCell align="right">
                {formatInteger(k.totals.errorRequests)}
              </TableCell>
              <TableCell align="right">
                {formatInteger(
                  k.totals.promptTokens + k.totals.completionTokens,
                )}
              </TableCell>
              <TableCell align="right">
                {formatInteger(k.totals.trialTokens)}
              </TableCell>
              <TableCell align="right">
                <Money micros={k.totals.costMicros} />
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </TableContainer>
  );
}

function UsageCharts(props: { usage: ConsumerUsage; perKey: boolean }) {
  const { usage } = props;
  const series = props.perKey ? usage.keys : usage.services;
  const label = (s: UsageSeries) =>
    props.perKey
      ? `${s.keyPrefix ?? s.keyId}…${
          s.teamRef ? ` (${nameOf(s.teamRef)})` : ''
        }`
      : nameOf(s.serviceRef);
  const common = {
    buckets: usage.buckets,
    granularity: usage.range.granularity,
  };
  const chartSeries = (pick: (p: UsageSeries['points'][number]) => number) =>
    series.map(s => ({
      key: `${s.serviceRef}|${s.keyId}|${s.teamRef}`,
      label: label(s),
      values: s.points.map(pick),
    }));
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: '1fr', lg: 'repeat(3, minmax(0, 1fr))' },
      }}
    >
      <TimeSeriesChart
        {...common}
        title={`Requests per ${props.perKey ? 'key' : 'service'}`}
        kind="bar"
        stacked
        series={chartSeries(p => p.requests)}
        format={formatInteger}
        height={220}
      />
      <TimeSeriesChart
        {...common}
        title={`Tokens per ${props.perKey ? 'key' : 'service'}`}
        kind="area"
        stacked
        series={chartSeries(p => p.promptTokens + p.completionTokens)}
        format={formatTokenCount}
        height={220}
      />
      <TimeSeriesChart
        {...common}
        title={`Spend per ${props.perKey ? 'key' : 'service'}`}
        caption="Trial tokens cost nothing"
        kind="bar"
        stacked
        series={chartSeries(p => p.costMicros)}
        format={v => formatMoney(Math.round(v))}
        height={220}
      />
    </Box>
  );
}

/**
 * The signed-in user's own usage from the ledger (`GET /v1/me/usage`):
 * requests, tokens and spend over time, per service (or, for one service, per
 * key) and a table per API key.
 */
export function ConsumerUsageSection(props: {
  /** Only this service (its name): the Usage tab of a service. */
  service?: string;
  /** What to say when there is no usage at all. */
  emptyHint: string;
}) {
  const api = useApi(marketplaceApiRef);
  const [days, setDays] = useState(30);
  const range = useMemo(() => {
    const today = Date.now() - (Date.now() % DAY_MS);
    return { from: isoDay(today - (days - 1) * DAY_MS), to: isoDay(today) };
  }, [days]);
  const granularity = days > 90 ? 'month' : 'day';
  const usage = useAsync(
    () => api.getMyUsage({ ...range, granularity, service: props.service }),
    [api, range, granularity, props.service],
  );

  let body;
  if (usage.loading && !usage.value) {
    body = <Progress />;
  } else if (usage.error) {
    body = <ResponseErrorPanel error={usage.error} />;
  } else if (usage.value) {
    const { totals } = usage.value;
    body = (
      <Stack spacing={2}>
        <Box
          sx={{
            display: 'grid',
            gap: 2,
            gridTemplateColumns: {
              xs: '1fr',
              sm: 'repeat(4, minmax(0, 1fr))',
            },
          }}
        >
          <KpiTile
            label="Requests"
            value={formatInteger(totals.requests)}
            detail={`${formatInteger(
              totals.errorRequests,
            )} failed (not charged)`}
            testId="usage-requests"
          />
          <KpiTile
            label="Tokens"
            value={formatTokenCount(
              totals.promptTokens + totals.completionTokens,
            )}
            detail={`${formatInteger(
              totals.promptTokens,
            )} prompt · ${formatInteger(totals.completionTokens)} completion`}
            testId="usage-tokens"
          />
          <KpiTile
            label="From trials"
            value={formatTokenCount(totals.trialTokens)}
            detail="tokens that cost nothing"
            testId="usage-trial"
          />
          <KpiTile
            label="Spend"
            value={formatMoney(totals.costMicros)}
            detail={`${usage.value.range.from} to ${usage.value.range.to} (UTC)`}
            testId="usage-spend"
          />
        </Box>
        {totals.requests === 0 ? (
          <EmptyState
            missing="data"
            title="No requests in this period"
            description={props.emptyHint}
          />
        ) : (
          <>
            <UsageCharts usage={usage.value} perKey={!!props.service} />
            <KeyTable keys={usage.value.keys} showService={!props.service} />
          </>
        )}
      </Stack>
    );
  }

  return (
    <Stack spacing={2}>
      <Stack direction="row" spacing={2} alignItems="center">
        <TextField
          select
          size="small"
          label="Period"
          value={days}
          onChange={e => setDays(Number(e.target.value))}
          sx={{ minWidth: 180 }}
        >
          {RANGE_PRESETS.map(p => (
            <MenuItem key={p.days} value={p.days}>
              {p.label}
            </MenuItem>
          ))}
        </TextField>
        <Typography variant="body2" color="text.secondary">
          {granularity === 'month' ? 'Per month' : 'Per day'}, UTC
        </Typography>
      </Stack>
      {body}
    </Stack>
  );
}
