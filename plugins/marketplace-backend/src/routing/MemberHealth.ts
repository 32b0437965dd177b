/** How long a member that just failed is passed over (tried last). */
export const FAILURE_COOLDOWN_MS = 30_000;

/**
 * Whether route members are healthy, from what was measured: the latest probe
 * of each service, and the outcomes of the requests this gateway instance sent
 * it (a failure that made a request fall back marks the member unhealthy for
 * {@link FAILURE_COOLDOWN_MS}, an answer clears it).
 */
export class MemberHealth {
  private readonly failedAt = new Map<string, number>();
  private readonly probeDown = new Set<string>();

  constructor(private readonly clock: () => number = Date.now) {}

  recordFailure(serviceRef: string) {
    this.failedAt.set(serviceRef, this.clock());
  }

  recordSuccess(serviceRef: string) {
    this.failedAt.delete(serviceRef);
    this.probeDown.delete(serviceRef);
  }

  /** The latest probe outcome of each service (`down` marks it unhealthy). */
  setProbes(outcomes: Map<string, string>) {
    this.probeDown.clear();
    for (const [ref, outcome] of outcomes) {
      if (outcome === 'down') {
        this.probeDown.add(ref);
      }
    }
  }

  isHealthy(serviceRef: string): boolean {
    if (this.probeDown.has(serviceRef)) {
      return false;
    }
    const at = this.failedAt.get(serviceRef);
    return at === undefined || this.clock() - at >= FAILURE_COOLDOWN_MS;
  }
}
