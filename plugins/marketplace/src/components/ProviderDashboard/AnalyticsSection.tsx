import { useMemo, useState } from 'react';
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
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
import { Link as RouterLink } from 'react-router-dom';
import {
  EmptyState,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import {
  AnalyticsGranularity,
  AnalyticsService,
  AnalyticsTotals,
  ANALYTICS_LIMITS,
  ProviderAnalytics,
  RetentionMonth,
  ProtocolTraffic,
  RouteTraffic,
  TopCustomer,
} from '@internal/plugin-marketplace-common';
import { marketplaceApiRef } from '../../api';
import { formatInteger, formatTokenCount } from '../../format';
import { RefLink } from '../shared/RefLink';
import {
  ChartSeries,
  DAY_MS,
  formatTrend,
  isoDay,
  KpiTile,
  RANGE_PRESETS,
  TimeSeriesChart,
} from '../Analytics/charts';
import { dataTableSx, tableContainerSx } from '../shared/tables';
import { formatMoney } from '../../format';

/** Rounded for its size (small amounts keep two significant digits). */
function usd(micros: number): string {
  return formatMoney(micros);
}

function pct(value: number | null): string {
  return value === null
    ? '—'
    : `${(Math.round(value * 1000) / 10).toLocaleString('en-US')}%`;
}

function ms(value: number | null): string {
  return value === null ? '—' : `${formatInteger(Math.round(value))} ms`;
}

function Kpis(props: { data: ProviderAnalytics }) {
  const {
    totals: t,
    previousTotals: p,
    range,
    usageDiscrepancies,
  } = props.data;
  const vs = (current: number, previous: number) =>
    `${formatTrend(current, previous)} vs previous ${range.days} day${
      range.days === 1 ? '' : 's'
    }`;
  const tiles: Array<[string, string, string, string]> = [
    [
      'Requests',
      formatInteger(t.requests),
      vs(t.requests, p.requests),
      'kpi-requests',
    ],
    [
      'Tokens',
      formatTokenCount(t.promptTokens + t.completionTokens),
      `${formatInteger(t.promptTokens)} prompt · ${formatInteger(
        t.completionTokens,
      )} completion`,
      'kpi-tokens',
    ],
    [
      'Gross revenue',
      usd(t.grossMicros),
      vs(t.grossMicros, p.grossMicros),
      'kpi-gross',
    ],
    [
      'Platform fee',
      usd(t.platformFeeMicros),
      'kept by the platform',
      'kpi-fee',
    ],
    ['Net revenue', usd(t.netMicros), vs(t.netMicros, p.netMicros), 'kpi-net'],
    [
      'Error rate',
      pct(t.errorRate),
      `${formatInteger(t.errorRequests)} failed of ${formatInteger(
        t.requests,
      )}`,
      'kpi-error-rate',
    ],
    [
      'Average latency',
      ms(t.averageLatencyMs),
      t.averageLatencyMs === null
        ? 'no successful request yet'
        : 'successful requests, upstream time',
      'kpi-latency',
    ],
    [
      'p95 latency',
      ms(t.p95LatencyMs),
      t.p95LatencyMs === null
        ? 'no successful request yet'
        : 'estimated from a latency histogram',
      'kpi-p95',
    ],
    [
      'Average rating',
      t.averageRating === null ? 'No reviews' : `${t.averageRating} / 5`,
      `${formatInteger(t.ratingCount)} review${
        t.ratingCount === 1 ? '' : 's'
      } so far`,
      'kpi-rating',
    ],
    [
      'Usage discrepancies',
      formatInteger(usageDiscrepancies),
      usageDiscrepancies === 0
        ? 'upstream usage within bounds'
        : `request${
            usageDiscrepancies === 1 ? '' : 's'
          } whose upstream reported more than possible, billed at the bound`,
      'kpi-usage-discrepancies',
    ],
  ];
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: {
          xs: '1fr',
          sm: 'repeat(3, minmax(0, 1fr))',
          lg: 'repeat(5, minmax(0, 1fr))',
        },
      }}
    >
      {tiles.map(([label, value, detail, testId]) => (
        <KpiTile
          key={label}
          label={label}
          value={value}
          detail={detail}
          testId={testId}
        />
      ))}
    </Box>
  );
}

function Charts(props: { data: ProviderAnalytics }) {
  const { data } = props;
  const titleOf = new Map(data.services.map(s => [s.ref, s.title]));
  const active = data.series.filter(s => s.totals.requests > 0);
  const by = (
    pick: (
      p: ProviderAnalytics['series'][number]['points'][number],
    ) => number | null,
    series = active,
  ): ChartSeries[] =>
    series.map(s => ({
      key: s.serviceRef,
      label: titleOf.get(s.serviceRef) ?? s.serviceRef,
      values: s.points.map(pick),
    }));
  const rated = data.series.filter(s => s.totals.ratingCount > 0);
  const common = {
    buckets: data.buckets,
    granularity: data.range.granularity,
  };
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: { xs: '1fr', lg: 'repeat(2, minmax(0, 1fr))' },
      }}
    >
      <TimeSeriesChart
        {...common}
        title="Requests per service"
        kind="bar"
        stacked
        series={by(p => p.requests)}
        format={formatInteger}
      />
      <TimeSeriesChart
        {...common}
        title="Tokens per service"
        caption="Prompt + completion tokens"
        kind="area"
        stacked
        series={by(p => p.promptTokens + p.completionTokens)}
        format={formatTokenCount}
      />
      <TimeSeriesChart
        {...common}
        title="Net revenue per service"
        caption="What subscribers were charged, minus the platform fee"
        kind="bar"
        stacked
        series={by(p => p.netMicros)}
        format={v => usd(Math.round(v))}
      />
      <TimeSeriesChart
        {...common}
        title="Errors per service"
        caption="Requests the service failed (upstream errors and timeouts)"
        kind="bar"
        stacked
        series={by(p => p.errorRequests)}
        format={formatInteger}
      />
      <TimeSeriesChart
        {...common}
        title="Average latency per service"
        caption="Upstream time of successful requests; gaps where there were none"
        kind="line"
        series={by(p => p.averageLatencyMs)}
        format={v => ms(v)}
      />
      <TimeSeriesChart
        {...common}
        title="p95 latency per service"
        caption="Estimated from a latency histogram"
        kind="line"
        series={by(p => p.p95LatencyMs)}
        format={v => ms(v)}
      />
      {rated.length > 0 ? (
        <TimeSeriesChart
          {...common}
          title="Average rating per service"
          caption="Mean stars of the reviews written up to each point"
          kind="line"
          series={by(p => p.ratingAverage, rated)}
          format={v => v.toFixed(1)}
          yDomain={[0, 5]}
          decimals
        />
      ) : (
        <Box sx={{ p: 2 }}>
          <Typography variant="subtitle1">
            Average rating per service
          </Typography>
          <Typography variant="body2" color="text.secondary">
            No reviews of these services yet. Users who made a successful
            request can review a service on its Reviews tab.
          </Typography>
        </Box>
      )}
    </Box>
  );
}

function CustomersTable(props: {
  title: string;
  customers: TopCustomer[];
  kind: 'User' | 'Group';
  empty: string;
  days: number;
}) {
  return (
    <Box component="section" aria-label={props.title}>
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        {props.title}
      </Typography>
      {props.customers.length === 0 ? (
        <Typography variant="body2" color="text.secondary">
          {props.empty}
        </Typography>
      ) : (
        <TableContainer sx={tableContainerSx}>
          <Table size="small" sx={dataTableSx} aria-label={props.title}>
            <TableHead>
              <TableRow>
                <TableCell>{props.kind === 'User' ? 'User' : 'Team'}</TableCell>
                <TableCell align="right">Requests</TableCell>
                <TableCell align="right">Tokens</TableCell>
                <TableCell align="right">Gross</TableCell>
                <TableCell align="right">Share</TableCell>
                <TableCell align="right">
                  Trend vs previous {props.days} days
                </TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {props.customers.map(c => (
                <TableRow key={c.ref} data-testid="top-customer-row">
                  <TableCell>
                    <RefLink entityRef={c.ref} defaultKind={props.kind} />
                  </TableCell>
                  <TableCell align="right">
                    {formatInteger(c.requests)}
                  </TableCell>
                  <TableCell align="right">
                    {formatTokenCount(c.tokens)}
                  </TableCell>
                  <TableCell align="right">{usd(c.grossMicros)}</TableCell>
                  <TableCell align="right">{pct(c.revenueShare)}</TableCell>
                  <TableCell align="right">
                    {c.previousGrossMicros > 0 || c.grossMicros > 0
                      ? formatTrend(c.grossMicros, c.previousGrossMicros)
                      : formatTrend(c.requests, c.previousRequests)}
                  </TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </TableContainer>
      )}
    </Box>
  );
}

/** Requests that reached the team's services through routes (issue 24). */
const PROTOCOL_LABELS: Record<string, string> = {
  'openai-chat': 'OpenAI Chat Completions',
  'openai-responses': 'OpenAI Responses',
  'openai-completions': 'OpenAI Completions (legacy)',
  'openai-embeddings': 'OpenAI Embeddings',
  'anthropic-messages': 'Anthropic Messages',
  unknown: 'Unknown (never finished)',
};

/** The period's requests per protocol the clients spoke. */
function ProtocolTrafficTable(props: { rows: ProtocolTraffic[] }) {
  return (
    <Box component="section" aria-label="Traffic by protocol">
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Traffic by protocol
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Traffic by protocol">
          <TableHead>
            <TableRow>
              <TableCell>Protocol</TableCell>
              <TableCell align="right">Requests</TableCell>
              <TableCell align="right">Answered</TableCell>
              <TableCell align="right">Input tokens</TableCell>
              <TableCell align="right">Output tokens</TableCell>
              <TableCell align="right">Gross</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map(r => (
              <TableRow key={r.protocol} data-testid="protocol-traffic-row">
                <TableCell>
                  {PROTOCOL_LABELS[r.protocol] ?? r.protocol}
                </TableCell>
                <TableCell align="right">{formatInteger(r.requests)}</TableCell>
                <TableCell align="right">
                  {formatInteger(r.okRequests)}
                </TableCell>
                <TableCell align="right">
                  {formatInteger(r.promptTokens)}
                </TableCell>
                <TableCell align="right">
                  {formatInteger(r.completionTokens)}
                </TableCell>
                <TableCell align="right">{usd(r.grossMicros)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}

function RouteTrafficTable(props: { rows: RouteTraffic[] }) {
  const name = (ref: string) => ref.slice(ref.indexOf('/') + 1);
  return (
    <Box component="section" aria-label="Traffic through routes">
      <Typography variant="h6" component="h3" sx={{ mb: 1 }}>
        Traffic through routes
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table
          size="small"
          sx={dataTableSx}
          aria-label="Traffic through routes"
        >
          <TableHead>
            <TableRow>
              <TableCell>Route</TableCell>
              <TableCell>Service</TableCell>
              <TableCell align="right">Requests</TableCell>
              <TableCell align="right">Answered</TableCell>
              <TableCell align="right">Gross</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.rows.map(r => (
              <TableRow
                key={`${r.routeRef}|${r.serviceRef}`}
                data-testid="route-traffic-row"
              >
                <TableCell>
                  <code>{name(r.routeRef)}</code>
                </TableCell>
                <TableCell>{name(r.serviceRef)}</TableCell>
                <TableCell align="right">{formatInteger(r.requests)}</TableCell>
                <TableCell align="right">
                  {formatInteger(r.okRequests)}
                </TableCell>
                <TableCell align="right">{usd(r.grossMicros)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}

const monthName = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

function Retention(props: { months: RetentionMonth[] }) {
  return (
    <Box component="section" aria-label="Customer retention">
      <Typography variant="h6" component="h3">
        Customer retention
      </Typography>
      <Typography variant="caption" color="text.secondary" component="p">
        Users with at least one request in the calendar month, against the month
        before.
      </Typography>
      <TableContainer sx={tableContainerSx}>
        <Table size="small" sx={dataTableSx} aria-label="Customer retention">
          <TableHead>
            <TableRow>
              <TableCell>Month</TableCell>
              <TableCell align="right">Active</TableCell>
              <TableCell align="right">Stayed</TableCell>
              <TableCell align="right">New</TableCell>
              <TableCell align="right">Returning</TableCell>
              <TableCell align="right">Churned</TableCell>
              <TableCell align="right">Retention</TableCell>
            </TableRow>
          </TableHead>
          <TableBody>
            {props.months.map(m => (
              <TableRow key={m.month} data-testid="retention-row">
                <TableCell>
                  {monthName.format(Date.parse(`${m.month}-01T00:00:00Z`))}
                </TableCell>
                <TableCell align="right">{m.active}</TableCell>
                <TableCell align="right">{m.retained}</TableCell>
                <TableCell align="right">{m.new}</TableCell>
                <TableCell align="right">{m.returning}</TableCell>
                <TableCell align="right">{m.churned}</TableCell>
                <TableCell align="right">{pct(m.retentionRate)}</TableCell>
              </TableRow>
            ))}
          </TableBody>
        </Table>
      </TableContainer>
    </Box>
  );
}

function hasTraffic(t: AnalyticsTotals) {
  return t.requests > 0;
}

/**
 * The analytics of a provider team: range, granularity and service pickers,
 * KPI tiles with the change against the previous period, charts per service,
 * top customers and retention. Every number comes from the ledger (through
 * `GET /v1/provider/analytics`).
 */
export function AnalyticsSection(props: { team: string }) {
  const api = useApi(marketplaceApiRef);
  const [days, setDays] = useState<number>(30);
  const [granularity, setGranularity] = useState<AnalyticsGranularity>('day');
  const [service, setService] = useState('');
  const [known, setKnown] = useState<AnalyticsService[]>([]);
  const effectiveGranularity =
    granularity === 'hour' && days > ANALYTICS_LIMITS.maxHourlyRangeDays
      ? 'day'
      : granularity;
  const range = useMemo(() => {
    const today = Date.now() - (Date.now() % DAY_MS);
    return { from: isoDay(today - (days - 1) * DAY_MS), to: isoDay(today) };
  }, [days]);
  const analytics = useAsync(async () => {
    const result = await api.getProviderAnalytics({
      team: props.team,
      ...range,
      granularity: effectiveGranularity,
      service: service || undefined,
    });
    if (!service) {
      setKnown(result.services);
    }
    return result;
  }, [api, props.team, range, effectiveGranularity, service]);

  const controls = (
    <Stack direction="row" spacing={2} flexWrap="wrap" useFlexGap>
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
      <TextField
        select
        size="small"
        label="Per"
        value={effectiveGranularity}
        onChange={e => setGranularity(e.target.value as AnalyticsGranularity)}
        sx={{ minWidth: 120 }}
      >
        <MenuItem
          value="hour"
          disabled={days > ANALYTICS_LIMITS.maxHourlyRangeDays}
        >
          Hour
        </MenuItem>
        <MenuItem value="day">Day</MenuItem>
        <MenuItem value="month">Month</MenuItem>
      </TextField>
      <TextField
        select
        size="small"
        label="Service"
        value={service}
        onChange={e => setService(e.target.value)}
        sx={{ minWidth: 260 }}
      >
        <MenuItem value="">All services</MenuItem>
        {known.map(s => (
          <MenuItem key={s.ref} value={s.name}>
            {s.title}
          </MenuItem>
        ))}
      </TextField>
      {analytics.value && (
        <Typography
          variant="body2"
          color="text.secondary"
          sx={{ alignSelf: 'center' }}
        >
          {analytics.value.range.from} to {analytics.value.range.to} (UTC)
        </Typography>
      )}
    </Stack>
  );

  let body;
  if (analytics.loading && !analytics.value) {
    body = <Progress />;
  } else if (analytics.error) {
    body = <ResponseErrorPanel error={analytics.error} />;
  } else if (analytics.value) {
    const data = analytics.value;
    const first = data.services.find(s => s) ?? known[0];
    let main;
    if (data.services.length === 0) {
      main = (
        <EmptyState
          missing="content"
          title="This team offers no services yet"
          description="Publish a service; its requests, revenue and customers show up here."
        />
      );
    } else if (!hasTraffic(data.totals)) {
      main = (
        <EmptyState
          missing="data"
          title="No traffic yet in this period"
          description={`None of these services received a request through the gateway between ${
            data.range.from
          } and ${data.range.to}${
            hasTraffic(data.previousTotals)
              ? ' (the previous period had some: pick a longer period)'
              : ''
          }. Try Test API on a service's API tab: every request shows up here at once.`}
          action={
            first && (
              <Button
                variant="contained"
                component={RouterLink}
                to={`/catalog/default/modelservice/${first.name}/api`}
              >
                Try Test API on {first.title}
              </Button>
            )
          }
        />
      );
    } else {
      main = (
        <>
          <Charts data={data} />
          <Box
            sx={{
              display: 'grid',
              gap: 3,
              // Side by side only where each has room for its six columns:
              // at 1280 and 1440 px half the page squeezed them into a
              // sideways scroll and names onto two lines.
              gridTemplateColumns: {
                xs: '1fr',
                xl: 'repeat(2, minmax(0, 1fr))',
              },
            }}
          >
            <CustomersTable
              title="Top customers (users)"
              customers={data.topUsers}
              kind="User"
              days={data.range.days}
              empty="No users in this period."
            />
            <CustomersTable
              title="Top customers (teams)"
              customers={data.topTeams}
              kind="Group"
              days={data.range.days}
              empty="Nobody billed a team in this period: all usage was personal."
            />
          </Box>
        </>
      );
    }
    body = (
      <Stack spacing={3}>
        <Kpis data={data} />
        {main}
        {(data.protocolTraffic?.length ?? 0) > 0 && (
          <ProtocolTrafficTable rows={data.protocolTraffic!} />
        )}
        {data.routeTraffic?.length > 0 && (
          <RouteTrafficTable rows={data.routeTraffic} />
        )}
        {data.services.length > 0 && <Retention months={data.retention} />}
      </Stack>
    );
  }

  return (
    <Stack spacing={3}>
      {controls}
      {body}
    </Stack>
  );
}
