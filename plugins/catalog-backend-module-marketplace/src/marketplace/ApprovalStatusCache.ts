import { LoggerService } from '@backstage/backend-plugin-api';
import { ApprovalStatus } from '@internal/plugin-marketplace-common';

const LOG_EVERY_MS = 60_000;

/**
 * The review state of every ModelService, fetched from the marketplace backend
 * at most every few seconds (the processor asks for every ModelService it
 * processes). When a fetch fails the last known states stay in use, and the
 * failure is logged at most once a minute; before the first successful fetch
 * no state is known.
 */
export class ApprovalStatusCache {
  private statuses = new Map<string, ApprovalStatus>();
  private fetchedAt = 0;
  private loading: Promise<void> | undefined;
  private loggedAt = -Infinity;

  constructor(
    private readonly deps: {
      fetch: () => Promise<Record<string, ApprovalStatus>>;
      logger: LoggerService;
      ttlMs?: number;
      clock?: () => number;
    },
  ) {}

  private now() {
    return (this.deps.clock ?? Date.now)();
  }

  /** The review state of a service; undefined when unknown. */
  async get(serviceRef: string): Promise<ApprovalStatus | undefined> {
    if (this.now() - this.fetchedAt >= (this.deps.ttlMs ?? 5_000)) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return this.statuses.get(serviceRef.toLocaleLowerCase('en-US'));
  }

  /** A change announced by the marketplace (event): applies at once. */
  set(serviceRef: string, status: ApprovalStatus) {
    this.statuses.set(serviceRef.toLocaleLowerCase('en-US'), status);
  }

  private async load() {
    try {
      const fetched = await this.deps.fetch();
      this.statuses = new Map(
        Object.entries(fetched).map(([ref, status]) => [
          ref.toLocaleLowerCase('en-US'),
          status,
        ]),
      );
      this.fetchedAt = this.now();
    } catch (error) {
      // Keep the last known states; try again after the TTL, not on every entity.
      this.fetchedAt = this.now();
      if (this.now() - this.loggedAt >= LOG_EVERY_MS) {
        this.loggedAt = this.now();
        this.deps.logger.warn(
          `Could not read the approval states from the marketplace backend (ModelServices keep their last known state): ${error}`,
        );
      }
    }
  }
}
