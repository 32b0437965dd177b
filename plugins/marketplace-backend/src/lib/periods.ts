import { InputError } from '@backstage/errors';
import {
  ANALYTICS_LIMITS,
  AnalyticsGranularity,
  AnalyticsRange,
} from '@internal/plugin-marketplace-common';
import { num } from './numbers';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A time as ISO 8601 (bigint columns come as strings from PostgreSQL). */
export function iso(ms: number | string): string {
  return new Date(num(ms)).toISOString();
}

export function dayOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

export function monthStart(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m - 1, 1);
}

/** Start of the month after `month`. */
export function monthEnd(month: string): number {
  const [y, m] = month.split('-').map(Number);
  return Date.UTC(y, m, 1);
}

let knownMonth = { from: 0, to: 0, month: '' };

/** The UTC calendar month of a time, `YYYY-MM`. */
export function monthOf(ms: number): string {
  // Every request asks for the current month: answered without a Date.
  if (ms >= knownMonth.from && ms < knownMonth.to) {
    return knownMonth.month;
  }
  const date = new Date(ms);
  const month = date.toISOString().slice(0, 7);
  if (Number.isFinite(ms)) {
    knownMonth = {
      from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
      to: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
      month,
    };
  }
  return month;
}

/** Start of the UTC month of a time. */
export function monthStartOf(ms: number): number {
  const d = new Date(ms);
  return Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), 1);
}

/** `month` shifted by `delta` months. */
export function addMonths(month: string, delta: number): string {
  const [y, m] = month.split('-').map(Number);
  return monthOf(Date.UTC(y, m - 1 + delta, 1));
}

/** A resolved range in epoch ms: [start, end), and the previous period. */
export interface Period {
  range: AnalyticsRange;
  start: number;
  end: number;
  previousStart: number;
}

/**
 * Resolves `from`/`to` (whole UTC days, inclusive) and the granularity; a 400
 * names the parameter at fault. Defaults: the last 30 days up to today.
 */
export function resolvePeriod(
  query: {
    from?: string;
    to?: string;
    granularity: AnalyticsGranularity;
  },
  now: number,
): Period {
  const today = now - (now % DAY_MS);
  const end = (query.to ? Date.parse(`${query.to}T00:00:00Z`) : today) + DAY_MS;
  const start = query.from
    ? Date.parse(`${query.from}T00:00:00Z`)
    : end - ANALYTICS_LIMITS.defaultRangeDays * DAY_MS;
  if (start >= end) {
    throw new InputError(
      `Invalid query field 'from': must not be after 'to' (${dayOf(
        end - DAY_MS,
      )})`,
    );
  }
  const days = Math.round((end - start) / DAY_MS);
  if (days > ANALYTICS_LIMITS.maxRangeDays) {
    throw new InputError(
      `Invalid query field '${
        query.to ? 'to' : 'from'
      }': the range is ${days} days, at most ${
        ANALYTICS_LIMITS.maxRangeDays
      } are allowed`,
    );
  }
  if (
    query.granularity === 'hour' &&
    days > ANALYTICS_LIMITS.maxHourlyRangeDays
  ) {
    throw new InputError(
      `Invalid query field 'granularity': hourly buckets cover at most ${ANALYTICS_LIMITS.maxHourlyRangeDays} days (the range is ${days}); use day or month`,
    );
  }
  const previousStart = start - days * DAY_MS;
  return {
    start,
    end,
    previousStart,
    range: {
      from: dayOf(start),
      to: dayOf(end - DAY_MS),
      granularity: query.granularity,
      days,
      previousFrom: dayOf(previousStart),
      previousTo: dayOf(start - DAY_MS),
    },
  };
}

/** The buckets of a period: their starts, and which bucket a time falls in. */
export function bucketsOf(period: Period): {
  starts: number[];
  indexOf: (ms: number) => number;
} {
  const { start, end } = period;
  const granularity = period.range.granularity;
  if (granularity === 'month') {
    const starts: number[] = [];
    let month = monthOf(start);
    while (monthStart(month) < end) {
      starts.push(Math.max(monthStart(month), start));
      month = addMonths(month, 1);
    }
    const [y0, m0] = monthOf(start).split('-').map(Number);
    return {
      starts,
      indexOf: ms => {
        if (ms < start || ms >= end) {
          return -1;
        }
        const d = new Date(ms);
        return (d.getUTCFullYear() - y0) * 12 + d.getUTCMonth() - (m0 - 1);
      },
    };
  }
  const step = granularity === 'hour' ? HOUR_MS : DAY_MS;
  const starts: number[] = [];
  for (let t = start; t < end; t += step) {
    starts.push(t);
  }
  return {
    starts,
    indexOf: ms =>
      ms < start || ms >= end ? -1 : Math.floor((ms - start) / step),
  };
}

/** The calendar months a period touches, `YYYY-MM`, oldest first. */
export function monthsOf(period: Period): string[] {
  const months: string[] = [];
  let month = monthOf(period.start);
  while (monthStart(month) < period.end) {
    months.push(month);
    month = addMonths(month, 1);
  }
  return months;
}
