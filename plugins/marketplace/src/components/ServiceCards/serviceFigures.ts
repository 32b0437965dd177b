import { ServiceCard } from '../../api';
import { formatInteger, formatPercent } from '../../format';
import { formatDays } from '../shared/formatDays';
import { NO_DATA } from '../shared/measures';

/* The measured figures of a service as its card and its table row show them. */

export function formatRating(card: ServiceCard): string {
  const { rating, reviewCount } = card.metrics;
  if (rating === null) {
    return NO_DATA;
  }
  const reviews =
    reviewCount === null
      ? ''
      : ` (${formatInteger(reviewCount)} review${
          reviewCount === 1 ? '' : 's'
        })`;
  return `${rating.toLocaleString('en-US', {
    maximumFractionDigits: 1,
  })} / 5${reviews}`;
}

/** "99.2% (3 days)": uptime with the days of data behind it. */
export function formatUptime(card: ServiceCard): string {
  const { uptimePercent, uptimeDays } = card.metrics;
  if (uptimePercent === null) {
    return NO_DATA;
  }
  return uptimeDays === null
    ? formatPercent(uptimePercent)
    : `${formatPercent(uptimePercent)} (${formatDays(uptimeDays)})`;
}

/** p95 time to first token. */
export function formatLatency(card: ServiceCard): string {
  return card.metrics.latencyP95Ms === null
    ? NO_DATA
    : `${formatInteger(Math.round(card.metrics.latencyP95Ms))} ms`;
}

export function formatThroughput(card: ServiceCard): string {
  return card.metrics.tokensPerSecond === null
    ? NO_DATA
    : `${formatInteger(Math.round(card.metrics.tokensPerSecond))} tokens/s`;
}
