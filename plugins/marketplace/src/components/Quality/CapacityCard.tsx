import Box from '@mui/material/Box';
import Typography from '@mui/material/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  MetricsWindow,
  ServiceQualityMetrics,
} from '@internal/plugin-marketplace-common';
import { formatInteger } from '../../format';
import { formatMs } from '../shared/measures';
import { Stat, WINDOW_LABELS } from './qualityLabels';

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
