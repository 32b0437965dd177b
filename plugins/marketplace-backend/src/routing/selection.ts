import type { AttemptFailure } from '@internal/plugin-marketplace-gateway-node';
import { RoutePolicy } from '@internal/plugin-marketplace-common';

/** A route member as the selection sees it: measured values only. */
export interface Candidate {
  name: string;
  /** Position in the route's declared order (0 first). */
  position: number;
  blendedPer1kMicros: number;
  /** Measured p95 time to first token; undefined until measured. */
  timeToFirstTokenP95Ms?: number;
  /** Measured output tokens per second; undefined until measured. */
  tokensPerSecond?: number;
  /** False while the latest probe or recent requests failed. */
  healthy: boolean;
}

function missingLast(
  a: number | undefined,
  b: number | undefined,
  dir: 1 | -1,
): number {
  if (a === undefined && b === undefined) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return (a - b) * dir;
}

function byPolicy(policy: RoutePolicy) {
  return (a: Candidate, b: Candidate): number => {
    let primary = 0;
    switch (policy) {
      case 'price':
        primary = a.blendedPer1kMicros - b.blendedPer1kMicros;
        break;
      case 'latency':
        primary = missingLast(
          a.timeToFirstTokenP95Ms,
          b.timeToFirstTokenP95Ms,
          1,
        );
        break;
      case 'throughput':
        primary = missingLast(a.tokensPerSecond, b.tokensPerSecond, -1);
        break;
      default:
        primary = 0;
    }
    // Ties (and unmeasured members) keep the declared order.
    return primary || a.position - b.position;
  };
}

/**
 * The order in which a request tries a route's members: the healthy ones best
 * first under the policy, then the unhealthy ones (a last resort, in the same
 * order) so that a route never refuses while a member might answer.
 */
export function rankMembers<T extends Candidate>(
  policy: RoutePolicy,
  candidates: readonly T[],
): T[] {
  const compare = byPolicy(policy);
  const healthy = candidates.filter(c => c.healthy).sort(compare);
  const unhealthy = candidates.filter(c => !c.healthy).sort(compare);
  return [...healthy, ...unhealthy];
}

/** How one attempt to a member failed (marked by the gateway's pipeline). */
export type { AttemptFailure };

/**
 * Whether a failed attempt may go on to the next member: connection errors,
 * timeouts, 5xx and 429 — and only while nothing of an answer reached the
 * client. Other 4xx are the request's fault: the next member would refuse too.
 */
export function shouldFallBack(
  failure: AttemptFailure,
  answerStarted: boolean,
): boolean {
  if (answerStarted) {
    return false;
  }
  switch (failure.kind) {
    case 'connection':
    case 'timeout':
    case 'unavailable':
      return true;
    case 'status':
      return failure.status === 429 || failure.status >= 500;
    default:
      return false;
  }
}
