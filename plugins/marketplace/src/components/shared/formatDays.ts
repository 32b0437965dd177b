/**
 * "1 day", "3.5 days", "under an hour": how much data a figure stands on.
 *
 * A module of its own, without charts: browse's service cards use it, and
 * importing it from the quality cards would pull recharts into browse's chunks.
 */
export function formatDays(days: number): string {
  if (days < 1 / 24) {
    return 'under an hour';
  }
  if (days < 1) {
    const hours = Math.max(1, Math.round(days * 24));
    return `${hours} hour${hours === 1 ? '' : 's'}`;
  }
  const rounded = Math.round(days * 10) / 10;
  return `${rounded.toLocaleString('en-US')} day${rounded === 1 ? '' : 's'}`;
}
