import Typography from '@mui/material/Typography';
import { formatInteger, formatPercent } from '../../format';
import { formatDays } from './formatDays';

/**
 * A figure of a service card or a table row nothing was measured for yet;
 * never a made-up number.
 */
export const NO_DATA = 'no data yet';

/** What a measured value shows on its own until the service has measurements. */
export const NO_DATA_YET = 'No data yet';

export function NoData() {
  return (
    <Typography variant="body2" color="text.secondary" component="span">
      {NO_DATA_YET}
    </Typography>
  );
}

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

export function formatMs(ms: number | null): string | null {
  return ms === null ? null : `${formatInteger(ms)} ms`;
}
