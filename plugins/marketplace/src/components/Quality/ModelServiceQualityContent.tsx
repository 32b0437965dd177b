import { ReactNode, useEffect, useState } from 'react';
import useAsyncRetry from 'react-use/esm/useAsyncRetry';
import Button from '@mui/material/Button';
import LinearProgress from '@mui/material/LinearProgress';
import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Grid from '@mui/material/Grid';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import {
  InfoCard,
  Progress,
  ResponseErrorPanel,
} from '@backstage/core-components';
import { useApi } from '@backstage/frontend-plugin-api';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isAvailableAt,
  isModelServiceEntity,
  MetricsWindow,
  ModelServiceEntityV1alpha1,
  ModelServiceSpec,
  ServiceQualityMetrics,
  SlaMetric,
  nextMaintenanceWindows,
  WeeklyHours,
} from '@internal/plugin-marketplace-common';
import {
  countryLabel,
  formatDateTimeUtc,
  formatInteger,
  formatPercent,
  formatWeeklyHours,
  regionLabel,
  scheduleLabel,
} from '../../format';
import { marketplaceApiRef } from '../../api';
import { Field } from '../shared/Field';
import {
  CapacityCard,
  formatMs,
  formatUptime,
  IncidentsCard,
  METRIC_LABELS,
  NO_DATA,
  NoData,
  SlaStatusChip,
  TrafficCard,
  UptimeCard,
} from './MeasuredQuality';
import { FullRow, Section } from '../shared/Section';
import { ChipList } from '../shared/chips';
import { dataTableSx } from '../shared/tables';

export { NO_DATA };

/** The Quality tab of a ModelService: SLA vs measured, availability, geography. */
export function ModelServiceQualityContent() {
  const { entity } = useEntity();
  if (!isModelServiceEntity(entity)) {
    return null;
  }
  return <ModelServiceQuality entity={entity} now={new Date()} />;
}

export function ModelServiceQuality(props: {
  entity: ModelServiceEntityV1alpha1;
  now: Date;
}) {
  const { spec, metadata } = props.entity;
  const api = useApi(marketplaceApiRef);
  const [window, setWindow] = useState<MetricsWindow>('24h');
  const { value, loading, error, retry } = useAsyncRetry(
    () => api.getServiceMetrics(metadata.name, { window }),
    [api, metadata.name, window],
  );
  // Keep showing the last answer while another window loads.
  const [metrics, setMetrics] = useState<ServiceQualityMetrics | undefined>();
  useEffect(() => {
    if (value) {
      setMetrics(value);
    }
  }, [value]);

  let measured: ReactNode = null;
  if (error) {
    measured = (
      <Grid item xs={12}>
        <ResponseErrorPanel error={error} />
        <Button sx={{ mt: 1 }} onClick={retry}>
          Try again
        </Button>
      </Grid>
    );
  } else if (!metrics) {
    measured = (
      <Grid item xs={12}>
        <Progress />
      </Grid>
    );
  } else {
    measured = (
      <>
        <Grid item xs={12} md={5}>
          <UptimeCard metrics={metrics} />
        </Grid>
        <Grid item xs={12} md={7}>
          <TrafficCard
            metrics={metrics}
            window={window}
            onWindowChange={setWindow}
          />
          {loading && <LinearProgress aria-label="Loading" />}
        </Grid>
        <Grid item xs={12}>
          <CapacityCard metrics={metrics} window={window} />
        </Grid>
        <Grid item xs={12}>
          <IncidentsCard metrics={metrics} now={props.now} />
        </Grid>
      </>
    );
  }

  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        <SlaCard spec={spec} metrics={metrics} failed={!!error} />
      </Grid>
      {measured}
      <Grid item xs={12} md={6}>
        <AvailabilityCard
          spec={spec}
          now={props.now}
          lastProbe={metrics?.lastProbe}
        />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfrastructureCard spec={spec} />
      </Grid>
    </Grid>
  );
}

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

function SlaCard(props: {
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

function HoursList(props: { hours: WeeklyHours[] | undefined; none: string }) {
  const { hours, none } = props;
  if (!hours?.length) {
    return <>{none}</>;
  }
  return (
    <Box component="ul" sx={{ m: 0, pl: 2.5 }}>
      {hours.map(h => {
        const text = formatWeeklyHours(h);
        return <li key={text}>{text}</li>;
      })}
    </Box>
  );
}

function inMaintenance(spec: ModelServiceSpec, now: Date): boolean {
  return nextMaintenanceWindows(spec.availability, now, { limit: 1 }).some(
    w => Date.parse(w.start) <= now.getTime(),
  );
}

function AvailabilityNow(props: {
  spec: ModelServiceSpec;
  now: Date;
  lastProbe?: ServiceQualityMetrics['lastProbe'];
}) {
  const { spec, now, lastProbe } = props;
  if (isAvailableAt(spec.availability, now)) {
    // Inside its schedule, but the last health check failed: not available.
    if (lastProbe?.outcome === 'down') {
      return (
        <Chip
          size="small"
          color="error"
          label={`Down now: the last check failed (${formatDateTimeUtc(
            lastProbe.probedAt,
          )})`}
        />
      );
    }
    return <Chip size="small" color="success" label="Available now" />;
  }
  if (inMaintenance(spec, now)) {
    return <Chip size="small" color="warning" label="In maintenance now" />;
  }
  return (
    <Chip
      size="small"
      variant="outlined"
      label="Outside its service hours now"
    />
  );
}

function AvailabilityCard(props: {
  spec: ModelServiceSpec;
  now: Date;
  lastProbe?: ServiceQualityMetrics['lastProbe'];
}) {
  const { spec, now, lastProbe } = props;
  const av = spec.availability;
  const windows = nextMaintenanceWindows(av, now, { days: 14, limit: 6 });
  return (
    <InfoCard title="Availability">
      <Stack spacing={2}>
        <Box>
          <AvailabilityNow spec={spec} now={now} lastProbe={lastProbe} />
        </Box>
        <Section title="Schedule">
          <Field label="Schedule">{scheduleLabel(av.schedule)}</Field>
          <Field label="Time zone">{av.timezone ?? 'UTC'}</Field>
          <Field label="Service hours">
            <HoursList
              hours={av.customHours}
              none={
                av.schedule === 'business_hours'
                  ? 'Mon–Fri 09:00–17:00'
                  : 'Around the clock'
              }
            />
          </Field>
          <Field label="Weekly maintenance">
            <HoursList
              hours={av.weeklyMaintenance}
              none="No recurring maintenance"
            />
          </Field>
          <FullRow>
            <Field label="Next maintenance windows (14 days)">
              {windows.length === 0 ? (
                'None scheduled'
              ) : (
                <Box
                  component="ul"
                  sx={{ m: 0, pl: 2.5 }}
                  aria-label="Next maintenance windows"
                >
                  {windows.map(w => (
                    <li key={`${w.start}-${w.end}`}>
                      {formatDateTimeUtc(w.start)} – {formatDateTimeUtc(w.end)}
                      {w.recurring ? ' (weekly)' : ''}
                      {w.description ? `: ${w.description}` : ''}
                    </li>
                  ))}
                </Box>
              )}
            </Field>
          </FullRow>
        </Section>
      </Stack>
    </InfoCard>
  );
}

function InfrastructureCard(props: { spec: ModelServiceSpec }) {
  const geo = props.spec.geographic;
  return (
    <InfoCard title="Geography and compliance">
      <Section title="Where requests are served">
        <Field label="Country">{countryLabel(geo?.country)}</Field>
        <Field label="Region">{regionLabel(geo?.region)}</Field>
        <Field label="City">{geo?.city}</Field>
        <FullRow>
          <Field label="Data centers">
            <ChipList items={geo?.dataCenters} emptyText="—" />
          </Field>
        </FullRow>
        <FullRow>
          <Field label="Compliance">
            <ChipList
              items={props.spec.compliance}
              color="info"
              emptyText="None declared"
            />
          </Field>
        </FullRow>
      </Section>
    </InfoCard>
  );
}
