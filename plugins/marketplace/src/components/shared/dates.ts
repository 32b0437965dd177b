/** One day in milliseconds. */
export const DAY_MS = 86_400_000;

/** `YYYY-MM-DD` of a time (UTC). */
export function isoDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

const monthName = new Intl.DateTimeFormat('en-US', {
  month: 'long',
  year: 'numeric',
  timeZone: 'UTC',
});

/** "2026-11" -> "November 2026"; anything else as it is. */
export function formatMonth(month: string): string {
  const match = /^(\d{4})-(\d{2})$/.exec(month);
  if (!match) {
    return month;
  }
  return monthName.format(Date.UTC(Number(match[1]), Number(match[2]) - 1, 1));
}
