import Box from '@mui/material/Box';
import { ProviderAnalytics } from '@internal/plugin-marketplace-common';
import { formatInteger, formatTokenCount } from '../../format';
import { formatTrend, KpiTile } from '../Analytics';
import { ms, pct, usd } from './analyticsFormat';

/** The period's KPI tiles, with the change against the previous period. */
export function AnalyticsKpis(props: { data: ProviderAnalytics }) {
  const {
    totals: t,
    previousTotals: p,
    range,
    usageDiscrepancies,
  } = props.data;
  const vs = (current: number, previous: number) =>
    `${formatTrend(current, previous)} vs previous ${range.days} day${
      range.days === 1 ? '' : 's'
    }`;
  const tiles: Array<[string, string, string, string]> = [
    [
      'Requests',
      formatInteger(t.requests),
      vs(t.requests, p.requests),
      'kpi-requests',
    ],
    [
      'Tokens',
      formatTokenCount(t.promptTokens + t.completionTokens),
      `${formatInteger(t.promptTokens)} prompt · ${formatInteger(
        t.completionTokens,
      )} completion`,
      'kpi-tokens',
    ],
    [
      'Gross revenue',
      usd(t.grossMicros),
      vs(t.grossMicros, p.grossMicros),
      'kpi-gross',
    ],
    [
      'Platform fee',
      usd(t.platformFeeMicros),
      'kept by the platform',
      'kpi-fee',
    ],
    ['Net revenue', usd(t.netMicros), vs(t.netMicros, p.netMicros), 'kpi-net'],
    [
      'Error rate',
      pct(t.errorRate),
      `${formatInteger(t.errorRequests)} failed of ${formatInteger(
        t.requests,
      )}`,
      'kpi-error-rate',
    ],
    [
      'Average latency',
      ms(t.averageLatencyMs),
      t.averageLatencyMs === null
        ? 'no successful request yet'
        : 'successful requests, upstream time',
      'kpi-latency',
    ],
    [
      'p95 latency',
      ms(t.p95LatencyMs),
      t.p95LatencyMs === null
        ? 'no successful request yet'
        : 'estimated from a latency histogram',
      'kpi-p95',
    ],
    [
      'Average rating',
      t.averageRating === null ? 'No reviews' : `${t.averageRating} / 5`,
      `${formatInteger(t.ratingCount)} review${
        t.ratingCount === 1 ? '' : 's'
      } so far`,
      'kpi-rating',
    ],
    [
      'Usage discrepancies',
      formatInteger(usageDiscrepancies),
      usageDiscrepancies === 0
        ? 'upstream usage within bounds'
        : `request${
            usageDiscrepancies === 1 ? '' : 's'
          } whose upstream reported more than possible, billed at the bound`,
      'kpi-usage-discrepancies',
    ],
  ];
  return (
    <Box
      sx={{
        display: 'grid',
        gap: 2,
        gridTemplateColumns: {
          xs: '1fr',
          sm: 'repeat(3, minmax(0, 1fr))',
          lg: 'repeat(5, minmax(0, 1fr))',
        },
      }}
    >
      {tiles.map(([label, value, detail, testId]) => (
        <KpiTile
          key={label}
          label={label}
          value={value}
          detail={detail}
          testId={testId}
        />
      ))}
    </Box>
  );
}
