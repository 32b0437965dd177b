import Box from '@mui/material/Box';
import Stack from '@mui/material/Stack';
import Tooltip from '@mui/material/Tooltip';
import Typography from '@mui/material/Typography';
import { useTheme } from '@mui/material/styles';
import { InfoCard } from '@backstage/core-components';
import {
  AvailabilityFigure,
  ServiceQualityMetrics,
  UptimeDay,
} from '@internal/plugin-marketplace-common';
import {
  formatDate,
  formatDateTimeUtc,
  formatInteger,
  formatPercent,
} from '../../format';
import { formatUptime } from '../shared/measures';
import { errorKindLabel, Stat } from './qualityLabels';

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
