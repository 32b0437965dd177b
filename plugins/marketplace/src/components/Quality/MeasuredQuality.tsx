import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import ToggleButton from '@mui/material/ToggleButton';
import ToggleButtonGroup from '@mui/material/ToggleButtonGroup';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { InfoCard } from '@backstage/core-components';
import {
  AvailabilityFigure,
  METRICS_WINDOWS,
  MetricsWindow,
  ProbeErrorKind,
  ServiceIncident,
  ServiceQualityMetrics,
  SlaMetric,
  SlaStatus,
  UptimeDay,
} from '@internal/plugin-marketplace-common';
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip as ChartTooltip,
  XAxis,
  YAxis,
} from 'recharts';
import {
  formatDate,
  formatDateTimeUtc,
  formatInteger,
  formatPercent,
} from '../../format';
import { dataTableSx } from '../shared/tables';
import { formatDays } from './formatDays';

/** What a measured value shows until the service has measurements. */
export const NO_DATA = 'No data yet';

export function NoData() {
  return (
    <Typography variant="body2" color="text.secondary" component="span">
      {NO_DATA}
    </Typography>
  );
}

const STATUS_CHIPS: Record<
  SlaStatus,
  { label: string; color: 'success' | 'warning' | 'error' | 'default' }
> = {
  met: { label: 'Met', color: 'success' },
  at_risk: { label: 'At risk', color: 'warning' },
  breached: { label: 'Breached', color: 'error' },
  no_data: { label: 'Not enough data', color: 'default' },
};

export function SlaStatusChip(props: { status: SlaStatus }) {
  const chip = STATUS_CHIPS[props.status];
  return (
    <Chip
      size="small"
      color={chip.color}
      variant={props.status === 'no_data' ? 'outlined' : 'filled'}
      label={chip.label}
    />
  );
}

export const METRIC_LABELS: Record<SlaMetric, string> = {
  uptime: 'Uptime (30 days)',
  latencyP50: 'Time to first token p50',
  latencyP95: 'Time to first token p95',
  latencyP99: 'Time to first token p99',
};

export { formatDays };

/** "99.2 % over 3 days of data", or null when there is no figure. */
export function formatUptime(
  percent: number | null,
  days: number | null,
): string | null {
  if (percent === null) {
    return null;
  }
  if (days === null) {
    return formatPercent(percent);
  }
  return days < 1 / 24
    ? `${formatPercent(percent)} from under an hour of data`
    : `${formatPercent(percent)} over ${formatDays(days)} of data`;
}

const WINDOW_LABELS: Record<MetricsWindow, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};

export function formatMs(ms: number | null): string | null {
  return ms === null ? null : `${formatInteger(ms)} ms`;
}

function formatRate(value: number): string {
  return value.toLocaleString('en-US', { maximumSignificantDigits: 3 });
}

export function errorKindLabel(
  kind: ProbeErrorKind | null,
  httpStatus: number | null,
): string {
  switch (kind) {
    case 'timeout':
      return 'Timed out';
    case 'connection':
      return 'Connection failed';
    case 'bad_status':
      return `HTTP ${httpStatus ?? 'error'}`;
    case 'bad_response':
      return 'Not an OpenAI answer';
    case 'credentials_missing':
      return 'No credential configured';
    default:
      return '—';
  }
}

function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

function Stat(props: { label: string; value: string | null }) {
  return (
    <Box>
      <Typography variant="caption" color="text.secondary" component="div">
        {props.label}
      </Typography>
      <Typography variant="h6" component="div" aria-label={props.label}>
        {props.value ?? <NoData />}
      </Typography>
    </Box>
  );
}

function dayBarLabel(day: UptimeDay): string {
  const date = formatDate(day.date);
  if (day.uptimePercent === null) {
    return day.maintenanceProbes > 0
      ? `${date}: maintenance only (${day.maintenanceProbes} checks)`
      : `${date}: no checks`;
  }
  return `${date}: ${formatPercent(day.uptimePercent)} up (${
    day.upProbes
  } up, ${day.downProbes} down${
    day.maintenanceProbes ? `, ${day.maintenanceProbes} in maintenance` : ''
  })`;
}

/** One bar per UTC day: its height and colour show the uptime of that day. */
function UptimeBars(props: { days: UptimeDay[] }) {
  const theme = useTheme();
  const colour = (day: UptimeDay) => {
    if (day.uptimePercent === null) {
      return theme.palette.action.disabledBackground;
    }
    if (day.uptimePercent >= 99.9) {
      return theme.palette.success.main;
    }
    return day.uptimePercent >= 99
      ? theme.palette.warning.main
      : theme.palette.error.main;
  };
  return (
    <Box
      role="list"
      aria-label="Uptime per day"
      sx={{ display: 'flex', alignItems: 'flex-end', gap: '3px', height: 48 }}
    >
      {props.days.map(day => {
        const label = dayBarLabel(day);
        return (
          <Tooltip key={day.date} title={label}>
            <Box
              role="listitem"
              aria-label={label}
              sx={{
                flex: 1,
                minWidth: 4,
                borderRadius: 0.5,
                bgcolor: colour(day),
                height:
                  day.uptimePercent === null
                    ? '30%'
                    : `${Math.max(15, day.uptimePercent)}%`,
              }}
            />
          </Tooltip>
        );
      })}
    </Box>
  );
}

function AvailabilitySources(props: { figure: AvailabilityFigure }) {
  const f = props.figure;
  const part = (label: string, n: number, percent: number | null) =>
    `${label}: ${
      percent === null ? 'none' : formatPercent(percent)
    } of ${formatInteger(n)}`;
  return (
    <Typography variant="caption" color="text.secondary" component="div">
      {part('probes', f.probes, f.probePercent)} ·{' '}
      {part('requests', f.requests, f.trafficPercent)}
    </Typography>
  );
}

export function UptimeCard(props: { metrics: ServiceQualityMetrics }) {
  const { uptime, lastProbe } = props.metrics;
  const first = uptime.daily[0]?.date;
  const last = uptime.daily[uptime.daily.length - 1]?.date;
  return (
    <InfoCard
      title="Uptime"
      subheader="From the marketplace's health checks and the real requests through the gateway (upstream errors and timeouts count as down, client errors do not); maintenance windows and hours outside the schedule do not count"
    >
      <Stack spacing={2}>
        <Stack direction="row" spacing={4} flexWrap="wrap" useFlexGap>
          <Box>
            <Stat
              label="Last 7 days"
              value={formatUptime(uptime.last7d.percent, uptime.last7d.days)}
            />
            <AvailabilitySources figure={uptime.last7d} />
          </Box>
          <Box>
            <Stat
              label="Last 30 days"
              value={formatUptime(uptime.last30d.percent, uptime.last30d.days)}
            />
            <AvailabilitySources figure={uptime.last30d} />
          </Box>
          <Stat
            label="Available now"
            value={uptime.availableNow ? 'Yes' : 'No'}
          />
        </Stack>
        <Box>
          <UptimeBars days={uptime.daily} />
          {first && last && (
            <Stack
              direction="row"
              justifyContent="space-between"
              sx={{ mt: 0.5 }}
            >
              <Typography variant="caption" color="text.secondary">
                {formatDate(first)}
              </Typography>
              <Typography variant="caption" color="text.secondary">
                Today (UTC)
              </Typography>
            </Stack>
          )}
        </Box>
        <Typography variant="body2" color="text.secondary">
          {lastProbe ? (
            <>
              Last check {formatDateTimeUtc(lastProbe.probedAt)}:{' '}
              <strong>{lastProbe.outcome}</strong>
              {lastProbe.outcome !== 'up' && lastProbe.errorKind
                ? ` (${errorKindLabel(
                    lastProbe.errorKind,
                    lastProbe.httpStatus,
                  )})`
                : ''}
              {lastProbe.latencyMs !== null
                ? `, ${formatInteger(lastProbe.latencyMs)} ms`
                : ''}
            </>
          ) : (
            'Not checked yet: the prober checks every live service about once a minute.'
          )}
        </Typography>
      </Stack>
    </InfoCard>
  );
}

function LatencyChart(props: {
  points: ServiceQualityMetrics['latencyHistory'];
  step: 'hour' | 'day';
}) {
  const theme = useTheme();
  const data = props.points.map(p => ({
    label:
      props.step === 'hour'
        ? `${p.start.slice(11, 16)} UTC`
        : formatDate(p.start.slice(0, 10)),
    p50: p.p50Ms,
    p95: p.p95Ms,
    p99: p.p99Ms,
  }));
  return (
    <Box
      role="figure"
      aria-label="Time to first token percentiles over time"
      sx={{ width: '100%', height: 240 }}
    >
      <ResponsiveContainer width="100%" height="100%">
        <LineChart data={data} margin={{ top: 8, right: 16, left: 0 }}>
          <CartesianGrid strokeDasharray="3 3" />
          <XAxis dataKey="label" fontSize={12} />
          <YAxis unit=" ms" fontSize={12} width={72} />
          <ChartTooltip />
          <Legend />
          <Line
            type="monotone"
            dataKey="p50"
            name="p50"
            stroke={theme.palette.success.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="p95"
            name="p95"
            stroke={theme.palette.warning.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
          <Line
            type="monotone"
            dataKey="p99"
            name="p99"
            stroke={theme.palette.error.main}
            dot={data.length < 3}
            isAnimationActive={false}
          />
        </LineChart>
      </ResponsiveContainer>
    </Box>
  );
}

export function TrafficCard(props: {
  metrics: ServiceQualityMetrics;
  window: MetricsWindow;
  onWindowChange: (window: MetricsWindow) => void;
}) {
  const { traffic, latencyHistory } = props.metrics;
  const step = props.window === '1h' || props.window === '24h' ? 'hour' : 'day';
  return (
    <InfoCard
      title="Gateway traffic"
      subheader={`Measured on the requests through the marketplace gateway, ${
        WINDOW_LABELS[props.window]
      }. Latency is the time to first token: from sending the request upstream to the first token (streamed) or the answer's first byte (not streamed); total duration runs to the answer's end.`}
    >
      <Stack spacing={2}>
        <ToggleButtonGroup
          size="small"
          exclusive
          value={props.window}
          aria-label="Window"
          onChange={(_e, value: MetricsWindow | null) => {
            if (value) {
              props.onWindowChange(value);
            }
          }}
        >
          {METRICS_WINDOWS.map(w => (
            <ToggleButton key={w} value={w}>
              {w}
            </ToggleButton>
          ))}
        </ToggleButtonGroup>
        {traffic.requests === 0 ? (
          <Typography variant="body2" color="text.secondary">
            {NO_DATA}: no requests through the gateway in the{' '}
            {WINDOW_LABELS[props.window]}.
          </Typography>
        ) : (
          <>
            <Box
              sx={{
                display: 'grid',
                gridTemplateColumns: 'repeat(auto-fill, minmax(140px, 1fr))',
                gap: 2,
              }}
            >
              <Stat label="Requests" value={formatInteger(traffic.requests)} />
              <Stat
                label="Error rate"
                value={
                  traffic.errorRatePercent === null
                    ? null
                    : formatPercent(traffic.errorRatePercent)
                }
              />
              <Stat
                label="Time to first token p50"
                value={formatMs(traffic.latencyP50Ms)}
              />
              <Stat
                label="Time to first token p95"
                value={formatMs(traffic.latencyP95Ms)}
              />
              <Stat
                label="Time to first token p99"
                value={formatMs(traffic.latencyP99Ms)}
              />
              <Stat
                label="Total duration p50"
                value={formatMs(traffic.durationP50Ms)}
              />
              <Stat
                label="Total duration p95"
                value={formatMs(traffic.durationP95Ms)}
              />
              <Stat
                label="Output tokens/s p50"
                value={
                  traffic.tokensPerSecondP50 === null
                    ? null
                    : formatRate(traffic.tokensPerSecondP50)
                }
              />
              <Stat
                label="Output tokens/s p95"
                value={
                  traffic.tokensPerSecondP95 === null
                    ? null
                    : formatRate(traffic.tokensPerSecondP95)
                }
              />
              <Stat
                label="Requests/s"
                value={formatRate(traffic.requestsPerSecond)}
              />
            </Box>
            {latencyHistory.length > 0 ? (
              <LatencyChart points={latencyHistory} step={step} />
            ) : (
              <Typography variant="body2" color="text.secondary">
                No successful requests to chart.
              </Typography>
            )}
          </>
        )}
      </Stack>
    </InfoCard>
  );
}

/** In flight now, peaks, the wait before going upstream, beside the committed capacity. */
export function CapacityCard(props: {
  metrics: ServiceQualityMetrics;
  window: MetricsWindow;
}) {
  const { capacity, traffic } = props.metrics;
  return (
    <InfoCard
      title="Capacity and queueing"
      subheader={`Measured at the gateway; peaks and wait over the ${
        WINDOW_LABELS[props.window]
      }, the busiest minute over the last 30 days`}
    >
      <Box
        sx={{
          display: 'grid',
          gridTemplateColumns: 'repeat(auto-fill, minmax(160px, 1fr))',
          gap: 2,
        }}
      >
        <Stat
          label="In flight now"
          value={formatInteger(capacity.inFlightNow)}
        />
        <Stat
          label="Peak in flight (busiest hour)"
          value={
            capacity.hourly.length === 0
              ? null
              : formatInteger(capacity.peakInFlight)
          }
        />
        <Stat label="Wait p50" value={formatMs(traffic.waitP50Ms)} />
        <Stat label="Wait p95" value={formatMs(traffic.waitP95Ms)} />
        <Stat
          label="Highest rate served"
          value={
            capacity.peakRequestsPerMinute === 0
              ? null
              : `${formatInteger(capacity.peakRequestsPerMinute)} req/min`
          }
        />
        <Stat
          label="Committed capacity"
          value={`${formatInteger(
            capacity.committedRequestsPerMinute,
          )} req/min`}
        />
      </Box>
      <Typography variant="caption" color="text.secondary" component="p">
        Wait is the time from the gateway receiving a request to sending it
        upstream (authentication, limits, the budget check and the upstream
        connection). The highest rate served is the most successful requests
        started in one minute.
      </Typography>
    </InfoCard>
  );
}

function IncidentRow(props: { incident: ServiceIncident; now: number }) {
  const { incident, now } = props;
  const start = Date.parse(incident.startedAt);
  const end = incident.endedAt ? Date.parse(incident.endedAt) : now;
  return (
    <TableRow>
      <TableCell>{formatDateTimeUtc(incident.startedAt)}</TableCell>
      <TableCell>
        {incident.endedAt ? (
          formatDateTimeUtc(incident.endedAt)
        ) : (
          <Chip size="small" color="error" label="Ongoing" />
        )}
      </TableCell>
      <TableCell>{formatDuration(end - start)}</TableCell>
      <TableCell align="right">{formatInteger(incident.downProbes)}</TableCell>
      <TableCell>
        {errorKindLabel(incident.lastErrorKind, incident.lastHttpStatus)}
      </TableCell>
    </TableRow>
  );
}

export function IncidentsCard(props: {
  metrics: ServiceQualityMetrics;
  now: Date;
}) {
  const { incidents, breaches } = props.metrics;
  return (
    <InfoCard
      title="Incidents"
      subheader="Down periods in the last 30 days: from the first failed check to the next successful one"
    >
      <Stack spacing={2}>
        {incidents.length === 0 ? (
          <Typography variant="body2" color="text.secondary">
            No incidents in the last 30 days.
          </Typography>
        ) : (
          <Table size="small" sx={dataTableSx} aria-label="Incidents">
            <TableHead>
              <TableRow>
                <TableCell>Started</TableCell>
                <TableCell>Ended</TableCell>
                <TableCell>Duration</TableCell>
                <TableCell align="right">Failed checks</TableCell>
                <TableCell>Last error</TableCell>
              </TableRow>
            </TableHead>
            <TableBody>
              {incidents.map(i => (
                <IncidentRow
                  key={i.startedAt}
                  incident={i}
                  now={props.now.getTime()}
                />
              ))}
            </TableBody>
          </Table>
        )}
        {breaches.length > 0 && (
          <Box>
            <Typography variant="subtitle2" gutterBottom>
              Recorded SLA breaches
            </Typography>
            <Box
              component="ul"
              sx={{ m: 0, pl: 2.5 }}
              aria-label="SLA breaches"
            >
              {breaches.map(b => (
                <li key={`${b.metric}-${b.windowStart}`}>
                  {METRIC_LABELS[b.metric].replace(' (30 days)', '')}:{' '}
                  {b.metric === 'uptime'
                    ? formatPercent(b.measured)
                    : formatMs(b.measured)}{' '}
                  measured, committed{' '}
                  {b.metric === 'uptime'
                    ? formatPercent(b.committed)
                    : formatMs(b.committed)}{' '}
                  (detected {formatDateTimeUtc(b.detectedAt)})
                </li>
              ))}
            </Box>
          </Box>
        )}
      </Stack>
    </InfoCard>
  );
}
