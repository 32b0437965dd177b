import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import { InfoCard } from '@backstage/core-components';
import {
  isAvailableAt,
  ModelServiceSpec,
  ServiceQualityMetrics,
  nextMaintenanceWindows,
  WeeklyHours,
} from '@internal/plugin-marketplace-common';
import {
  formatDateTimeUtc,
  formatWeeklyHours,
  scheduleLabel,
} from '../../format';
import { Field } from '../shared/Field';
import { FullRow, Section } from '../shared/Section';

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

export function AvailabilityCard(props: {
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
