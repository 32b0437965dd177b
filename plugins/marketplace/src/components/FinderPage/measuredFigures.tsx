import Typography from '@mui/material/Typography';
import { FinderCard, RecommendationsResponse } from '../../api';
import { formatInteger, formatPercent } from '../../format';
import { NO_DATA } from '../shared/measures';

export type Match = RecommendationsResponse['matches'][number];

/** A measured figure, or "no data yet" when nothing was measured. */
export function measured(value: number | null, format: (v: number) => string) {
  return value === null ? (
    <Typography component="span" variant="body2" color="text.secondary">
      {NO_DATA}
    </Typography>
  ) : (
    format(value)
  );
}

export const ms = (v: number) => `${formatInteger(Math.round(v))} ms`;
export const tps = (v: number) => `${v.toLocaleString('en-US')} tokens/s`;
export const rating = (card: FinderCard) =>
  card.metrics.rating === null
    ? measured(null, String)
    : `${card.metrics.rating.toFixed(1)} (${card.metrics.reviewCount ?? 0})`;

/** TTFT p95, throughput and uptime in one cell; says so when none was measured. */
export function MeasuredSummary(props: { card: FinderCard }) {
  const { timeToFirstTokenP95Ms, tokensPerSecond, uptimePercent } =
    props.card.metrics;
  const parts = [
    timeToFirstTokenP95Ms === null
      ? null
      : `TTFT p95 ${ms(timeToFirstTokenP95Ms)}`,
    tokensPerSecond === null ? null : tps(tokensPerSecond),
    uptimePercent === null ? null : `uptime ${formatPercent(uptimePercent)}`,
  ].filter((p): p is string => p !== null);
  if (parts.length === 0) {
    return measured(null, String);
  }
  return (
    <>
      {parts.map(p => (
        <Typography key={p} variant="body2" display="block">
          {p}
        </Typography>
      ))}
    </>
  );
}
