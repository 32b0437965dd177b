import Box from '@mui/material/Box';
import Chip from '@mui/material/Chip';
import Stack from '@mui/material/Stack';
import Table from '@mui/material/Table';
import TableBody from '@mui/material/TableBody';
import TableCell from '@mui/material/TableCell';
import TableHead from '@mui/material/TableHead';
import TableRow from '@mui/material/TableRow';
import Typography from '@mui/material/Typography';
import { InfoCard } from '@backstage/core-components';
import {
  ServiceIncident,
  ServiceQualityMetrics,
} from '@internal/plugin-marketplace-common';
import { formatDateTimeUtc, formatInteger, formatPercent } from '../../format';
import { dataTableSx } from '../shared/tables';
import { formatMs } from '../shared/measures';
import { errorKindLabel, formatDuration, METRIC_LABELS } from './qualityLabels';

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
