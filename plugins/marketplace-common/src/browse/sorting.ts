import type { BrowseSort } from './browse';
import { ServiceProjection } from './projection';

/** Compares two measurements; services with no data sort last in both directions. */
export function compareMissingLast(
  a: number | undefined,
  b: number | undefined,
  dir: 1 | -1,
): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return (a - b) * dir;
}

/** How browse orders services for a sort (ties are broken by the caller). */
export function comparator(
  sort: BrowseSort,
): (a: ServiceProjection, b: ServiceProjection) => number {
  switch (sort) {
    case 'price-asc':
      return (a, b) => a.blendedPer1kMicros - b.blendedPer1kMicros;
    case 'price-desc':
      return (a, b) => b.blendedPer1kMicros - a.blendedPer1kMicros;
    case 'prompt-price-asc':
      return (a, b) => a.promptPer1kMicros - b.promptPer1kMicros;
    case 'completion-price-asc':
      return (a, b) => a.completionPer1kMicros - b.completionPer1kMicros;
    case 'rating':
      return (a, b) =>
        compareMissingLast(a.metrics.rating, b.metrics.rating, -1);
    case 'popularity':
      return (a, b) =>
        compareMissingLast(a.metrics.requests30d, b.metrics.requests30d, -1);
    case 'newest':
      return (a, b) => b.createdAt - a.createdAt;
    case 'latency':
      return (a, b) =>
        compareMissingLast(a.metrics.latencyP95Ms, b.metrics.latencyP95Ms, 1);
    case 'uptime':
      return (a, b) =>
        compareMissingLast(
          a.metrics.uptimePercent,
          b.metrics.uptimePercent,
          -1,
        );
    default:
      return () => 0;
  }
}
