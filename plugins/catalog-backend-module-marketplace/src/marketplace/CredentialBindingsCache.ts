import { LoggerService } from '@backstage/backend-plugin-api';

const LOG_EVERY_MS = 60_000;

/**
 * Who may use a credential name: provider entity refs (lowercase), or null for
 * every provider (an unbound development secret).
 *
 * @public
 */
export interface CredentialBinding {
  name: string;
  providers: string[] | null;
}

/**
 * The marketplace's credential bindings, fetched at most every few seconds (the
 * processor asks for every ModelService). When a fetch fails the last known
 * bindings stay in use; before the first successful fetch none are known (the
 * processor then lets services through: the gateway checks again on every
 * request).
 */
export class CredentialBindingsCache {
  private bindings: Map<string, string[] | null> | undefined;
  private fetchedAt = -Infinity;
  private loading: Promise<void> | undefined;
  private loggedAt = -Infinity;

  constructor(
    private readonly deps: {
      fetch: () => Promise<CredentialBinding[]>;
      logger: LoggerService;
      ttlMs?: number;
      clock?: () => number;
    },
  ) {}

  private now() {
    return (this.deps.clock ?? Date.now)();
  }

  /** The bindings by name; undefined while none are known. */
  async get(): Promise<Map<string, string[] | null> | undefined> {
    if (this.now() - this.fetchedAt >= (this.deps.ttlMs ?? 5_000)) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return this.bindings;
  }

  private async load() {
    try {
      const fetched = await this.deps.fetch();
      this.bindings = new Map(fetched.map(b => [b.name, b.providers]));
      this.fetchedAt = this.now();
    } catch (error) {
      this.fetchedAt = this.now();
      if (this.now() - this.loggedAt >= LOG_EVERY_MS) {
        this.loggedAt = this.now();
        this.deps.logger.warn(
          `Could not read the credential bindings from the marketplace backend (ModelServices are checked again by the gateway): ${error}`,
        );
      }
    }
  }
}
