import {
  AuthService,
  DiscoveryService,
  LoggerService,
} from '@backstage/backend-plugin-api';
import {
  MarketplaceRestClient,
  MarketplaceRoleDirectory,
} from '@internal/plugin-marketplace-common';

const LOG_EVERY_MS = 60_000;

/** Where the policy gets the admins' role overrides and the provider groups from. */
export interface RoleDirectorySource {
  /** The current directory; undefined while nothing could be read yet. */
  get(): Promise<MarketplaceRoleDirectory | undefined>;
}

/**
 * Reads `GET /v1/internal/roles` of the marketplace backend with a service
 * token (any instance: they share the database).
 */
export async function fetchRoleDirectory(deps: {
  discovery: DiscoveryService;
  auth: AuthService;
}): Promise<MarketplaceRoleDirectory> {
  const { auth, discovery } = deps;
  const { token } = await auth.getPluginRequestToken({
    onBehalfOf: await auth.getOwnServiceCredentials(),
    targetPluginId: 'marketplace',
  });
  return new MarketplaceRestClient({ discoveryApi: discovery }).request(
    'get',
    '/v1/internal/roles',
    {},
    { token },
  );
}

/**
 * The marketplace's role directory, fetched at most every `ttlMs` (the policy
 * decides every permission request of the portal, so it must not ask the
 * marketplace each time) and at once after {@link RoleDirectoryCache.invalidate}
 * (the marketplace announces changes as events). Concurrent callers share one
 * fetch. When a fetch fails the last known directory stays in use and the
 * failure is logged at most once a minute; before the first successful fetch
 * there is none, and roles come from config alone.
 */
export class RoleDirectoryCache implements RoleDirectorySource {
  private directory: MarketplaceRoleDirectory | undefined;
  private fetchedAt = -Infinity;
  private generation = 0;
  private loading: Promise<void> | undefined;
  private loggedAt = -Infinity;

  constructor(
    private readonly deps: {
      fetch: () => Promise<MarketplaceRoleDirectory>;
      logger: LoggerService;
      ttlMs?: number;
      clock?: () => number;
    },
  ) {}

  private now() {
    return (this.deps.clock ?? Date.now)();
  }

  async get(): Promise<MarketplaceRoleDirectory | undefined> {
    if (this.now() - this.fetchedAt >= (this.deps.ttlMs ?? 5_000)) {
      this.loading ??= this.load().finally(() => {
        this.loading = undefined;
      });
      await this.loading;
    }
    return this.directory;
  }

  /** A change was announced: the next decision reads the directory again. */
  invalidate() {
    this.generation++;
    this.fetchedAt = -Infinity;
  }

  private async load() {
    const generation = this.generation;
    try {
      const fetched = await this.deps.fetch();
      this.directory = {
        overrides: Object.fromEntries(
          Object.entries(fetched.overrides ?? {}).map(([ref, role]) => [
            ref.toLocaleLowerCase('en-US'),
            role,
          ]),
        ),
        providerGroups: (fetched.providerGroups ?? []).map(g =>
          g.toLocaleLowerCase('en-US'),
        ),
      };
    } catch (error) {
      if (this.now() - this.loggedAt >= LOG_EVERY_MS) {
        this.loggedAt = this.now();
        this.deps.logger.warn(
          `Could not read the role overrides from the marketplace backend (${
            this.directory
              ? 'the last known ones stay'
              : 'roles come from config only'
          } until it answers): ${error}`,
        );
      }
    }
    // A change announced while this fetch ran may not be in it: fetch again next time.
    if (generation === this.generation) {
      this.fetchedAt = this.now();
    }
  }
}
