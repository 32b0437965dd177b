import { ReactNode } from 'react';
import Chip from '@mui/material/Chip';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  ModelServiceSpec,
  ServiceQualityMetrics,
  SlaMetric,
} from '@internal/plugin-marketplace-common';
import { formatInteger, formatPercent } from '../../format';
import { METRIC_LABELS, SlaStatusChip } from './qualityLabels';
import {
  formatMs,
  formatUptime,
  NO_DATA_YET as NO_DATA,
  NoData,
} from '../shared/measures';
import { dataTableSx } from '../shared/tables';

const LATENCY_KEYS = {
  latencyP50: 'p50',
  latencyP95: 'p95',
  latencyP99: 'p99',
} as const;

function MetricRow(props: {
  metric: string;
  committed: ReactNode;
  measured?: ReactNode;
  status?: ReactNode;
}) {
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {props.metric}
      </TableCell>
      <TableCell>{props.committed}</TableCell>
      <TableCell>{props.measured ?? <NoData />}</TableCell>
      <TableCell>{props.status ?? '—'}</TableCell>
    </TableRow>
  );
}

/** The committed SLA beside what was measured, per metric. */
export function SlaCard(props: {
  spec: ModelServiceSpec;
  metrics?: ServiceQualityMetrics;
  failed: boolean;
}) {
  const { sla } = props.spec;
  const { metrics, failed } = props;
  const pending = (
    <Typography variant="body2" color="text.secondary" component="span">
      {failed ? 'Unavailable' : 'Loading…'}
    </Typography>
  );
  const assessed = (metric: SlaMetric) => {
    const row = metrics?.sla.find(r => r.metric === metric);
    if (!metrics || !row) {
      return { measured: pending, status: undefined };
    }
    const value =
      row.measured === null
        ? undefined
        : (row.unit === 'percent'
            ? formatUptime(row.measured, row.coverageDays)
            : formatMs(row.measured)) ?? undefined;
    return {
      measured: value,
      status: <SlaStatusChip status={row.status} />,
    };
  };
  const uptime7d = () => {
    if (!metrics) {
      return pending;
    }
    const { percent, days } = metrics.uptime.last7d;
    return formatUptime(percent, days) ?? undefined;
  };
  const throughput = () => {
    if (!metrics) {
      return pending;
    }
    const { traffic, window } = metrics;
    if (traffic.requests === 0) {
      return undefined;
    }
    const peak = metrics.capacity.peakRequestsPerMinute;
    return `${
      peak > 0
        ? `Highest rate served ${formatInteger(peak)} requests/min (30 days)`
        : `${traffic.requestsPerSecond.toLocaleString('en-US', {
            maximumSignificantDigits: 3,
          })} requests/s on average (${window})`
    }${
      traffic.tokensPerSecondP50 === null
        ? ''
        : ` · ${formatInteger(
            traffic.tokensPerSecondP50,
          )} output tokens/s per request (p50, ${window})`
    }`;
  };
  return (
    <InfoCard
      title="Service level"
      subheader="What the provider commits to, next to what the marketplace measures over the last 30 days"
    >
      <Table
        size="small"
        sx={dataTableSx}
        aria-label="Committed and measured service level"
      >
        <TableHead>
          <TableRow>
            <TableCell>Metric</TableCell>
            <TableCell>
              Committed{' '}
              <Chip
                size="small"
                variant="outlined"
                color="info"
                label="by the provider"
              />
            </TableCell>
            <TableCell>Measured</TableCell>
            <TableCell>SLA status</TableCell>
          </TableRow>
        </TableHead>
        <TableBody>
          {(['latencyP50', 'latencyP95', 'latencyP99'] as const).map(m => (
            <MetricRow
              key={m}
              metric={METRIC_LABELS[m]}
              committed={`${formatInteger(sla.latencyMs[LATENCY_KEYS[m]])} ms`}
              {...assessed(m)}
            />
          ))}
          <MetricRow
            metric="Uptime (30 days)"
            committed={formatPercent(sla.uptimePercent)}
            {...assessed('uptime')}
          />
          <MetricRow
            metric="Uptime (7 days)"
            committed={formatPercent(sla.uptimePercent)}
            measured={uptime7d()}
          />
          <MetricRow
            metric="Throughput"
            committed={`${formatInteger(
              sla.throughput.requestsPerSecond,
            )} requests/s (${formatInteger(
              sla.throughput.requestsPerSecond * 60,
            )}/min) · ${formatInteger(
              sla.throughput.tokensPerSecond,
            )} tokens/s`}
            measured={throughput()}
            status={
              <Typography
                variant="body2"
                color="text.secondary"
                component="span"
              >
                A capacity: not judged on traffic
              </Typography>
            }
          />
          <MetricRow
            metric="Rate limits"
            committed={`${formatInteger(
              sla.rateLimits.requestsPerMinute,
            )} requests/min · ${formatInteger(
              sla.rateLimits.tokensPerMinute,
            )} tokens/min`}
            measured={
              <Typography
                variant="body2"
                color="text.secondary"
                component="span"
              >
                Enforced per subscription by the gateway
              </Typography>
            }
          />
        </TableBody>
      </Table>
      <Typography
        variant="caption"
        color="text.secondary"
        component="p"
        sx={{ mt: 1.5 }}
      >
        Measured values come from the marketplace's health probes and the
        gateway's request log, never from the provider's description. Latency
        targets are judged against the time to first token; uptime counts the
        probes and the real requests (upstream errors and timeouts are down).
        The SLA status is judged over the last 30 days, or the days of data
        there are: at risk within 10% of a latency target or with more than 90%
        of the allowed downtime used. Percentiles are read from histograms,
        within 5% of the exact value. Where a value says “{NO_DATA}”, the
        service has no measurements yet.
      </Typography>
    </InfoCard>
  );
}
