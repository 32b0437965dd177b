import { ReactNode } from 'react';
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
import { InfoCard } from '@backstage/core-components';
import { useEntity } from '@backstage/plugin-catalog-react';
import {
  isAvailableAt,
  isModelServiceEntity,
  ModelServiceEntityV1alpha1,
  ModelServiceSpec,
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
import { Field } from '../shared/Field';
import { FullRow, Section } from '../shared/Section';
import { ChipList } from '../shared/chips';

/** What a measured value shows until the service has measurements. */
export const NO_DATA = 'No data yet';

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
  const { spec } = props.entity;
  return (
    <Grid container spacing={3} alignItems="stretch">
      <Grid item xs={12}>
        <SlaCard spec={spec} />
      </Grid>
      <Grid item xs={12} md={6}>
        <AvailabilityCard spec={spec} now={props.now} />
      </Grid>
      <Grid item xs={12} md={6}>
        <InfrastructureCard spec={spec} />
      </Grid>
    </Grid>
  );
}

function MetricRow(props: {
  metric: string;
  committed: ReactNode;
  measured?: ReactNode;
}) {
  return (
    <TableRow>
      <TableCell component="th" scope="row">
        {props.metric}
      </TableCell>
      <TableCell>{props.committed}</TableCell>
      <TableCell>
        {props.measured ?? (
          <Typography variant="body2" color="text.secondary" component="span">
            {NO_DATA}
          </Typography>
        )}
      </TableCell>
    </TableRow>
  );
}

function SlaCard(props: { spec: ModelServiceSpec }) {
  const { sla } = props.spec;
  return (
    <InfoCard
      title="Service level"
      subheader="What the provider commits to, next to what the marketplace measures"
    >
      <Table size="small" aria-label="Committed and measured service level">
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
          </TableRow>
        </TableHead>
        <TableBody>
          <MetricRow
            metric="Latency p50"
            committed={`${sla.latencyMs.p50} ms`}
          />
          <MetricRow
            metric="Latency p95"
            committed={`${sla.latencyMs.p95} ms`}
          />
          <MetricRow
            metric="Latency p99"
            committed={`${sla.latencyMs.p99} ms`}
          />
          <MetricRow
            metric="Uptime (30 days)"
            committed={formatPercent(sla.uptimePercent)}
          />
          <MetricRow
            metric="Throughput"
            committed={`${formatInteger(
              sla.throughput.requestsPerSecond,
            )} requests/s · ${formatInteger(
              sla.throughput.tokensPerSecond,
            )} tokens/s`}
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
        gateway's request log, never from the provider's description. Where a
        value says “{NO_DATA}”, the service has no measurements yet.
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

function AvailabilityNow(props: { spec: ModelServiceSpec; now: Date }) {
  const { spec, now } = props;
  if (isAvailableAt(spec.availability, now)) {
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

function AvailabilityCard(props: { spec: ModelServiceSpec; now: Date }) {
  const { spec, now } = props;
  const av = spec.availability;
  const windows = nextMaintenanceWindows(av, now, { days: 14, limit: 6 });
  return (
    <InfoCard title="Availability">
      <Stack spacing={2}>
        <Box>
          <AvailabilityNow spec={spec} now={now} />
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
