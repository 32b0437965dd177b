import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Typography from '@mui/material/Typography';
import {
  MetricsWindow,
  ProbeErrorKind,
  SlaMetric,
  SlaStatus,
} from '@internal/plugin-marketplace-common';
import { NoData } from '../shared/measures';

/*
 * The labels, chips and figures the quality cards share.
 */

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

export const WINDOW_LABELS: Record<MetricsWindow, string> = {
  '1h': 'last hour',
  '24h': 'last 24 hours',
  '7d': 'last 7 days',
  '30d': 'last 30 days',
};

export function formatRate(value: number): string {
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

export function formatDuration(ms: number): string {
  const minutes = Math.max(1, Math.round(ms / 60_000));
  if (minutes < 60) {
    return `${minutes} min`;
  }
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

export function Stat(props: { label: string; value: string | null }) {
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
