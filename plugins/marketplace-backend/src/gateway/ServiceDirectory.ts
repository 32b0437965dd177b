import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { stringifyEntityRef, parseEntityRef } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  isModelServiceEntity,
  isProviderEntity,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  PROVIDER_KIND,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';

/** A ModelService as the gateway and the REST API see it. */
export interface DirectoryService {
  /** `model` for the gateway: the entity's name. */
  name: string;
  ref: string;
  providerRef: string;
  entity: ModelServiceEntityV1alpha1;
  provider?: ProviderEntityV1alpha1;
}

/**
 * An in-memory view of the ModelService and Provider entities, refreshed from the
 * catalog in the background so that the gateway's hot path never waits on it.
 * Service names are unique (they are the `model` users send).
 */
export class ServiceDirectory {
  private byName = new Map<string, DirectoryService>();
  private providers = new Map<string, ProviderEntityV1alpha1>();
  private lastRefresh = 0;
  /** Grows with every reload, so derived indexes know when to rebuild. */
  version = 0;
  private refreshing: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly deps: {
      catalog: Pick<CatalogService, 'getEntities'>;
      auth: AuthService;
      logger: LoggerService;
      refreshIntervalMs?: number;
    },
  ) {}

  /** Loads once and keeps refreshing in the background. */
  async start(): Promise<void> {
    await this.refresh().catch(e =>
      this.deps.logger.warn(
        `Could not load model services from the catalog: ${e}`,
      ),
    );
    const every = this.deps.refreshIntervalMs ?? 15_000;
    this.timer = setInterval(() => {
      this.refresh().catch(e =>
        this.deps.logger.warn(`Could not refresh model services: ${e}`),
      );
    }, every);
    this.timer.unref?.();
  }

  stop() {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  /** Reloads now (coalescing concurrent calls). */
  refresh(): Promise<void> {
    if (!this.refreshing) {
      this.refreshing = this.load().finally(() => {
        this.refreshing = undefined;
      });
    }
    return this.refreshing;
  }

  private async load() {
    const credentials = await this.deps.auth.getOwnServiceCredentials();
    const { items } = await this.deps.catalog.getEntities(
      { filter: [{ kind: MODEL_SERVICE_KIND }, { kind: PROVIDER_KIND }] },
      { credentials },
    );
    const providers = new Map<string, ProviderEntityV1alpha1>();
    for (const entity of items) {
      if (isProviderEntity(entity)) {
        providers.set(stringifyEntityRef(entity), entity);
      }
    }
    const byName = new Map<string, DirectoryService>();
    for (const entity of items) {
      if (!isModelServiceEntity(entity)) {
        continue;
      }
      const ref = stringifyEntityRef(entity);
      const providerRef = stringifyEntityRef(
        parseEntityRef(entity.spec.providedBy, {
          defaultKind: PROVIDER_KIND,
          defaultNamespace: entity.metadata.namespace ?? 'default',
        }),
      );
      const name = entity.metadata.name;
      if (byName.has(name)) {
        this.deps.logger.warn(
          `Two ModelServices are named '${name}'; the gateway uses ${
            byName.get(name)!.ref
          }`,
        );
        continue;
      }
      byName.set(name, {
        name,
        ref,
        providerRef,
        entity,
        provider: providers.get(providerRef),
      });
    }
    this.byName = byName;
    this.providers = providers;
    this.lastRefresh = Date.now();
    this.version++;
  }

  /**
   * Finds a service by name; on a miss, reloads from the catalog at most every few
   * seconds (a service registered a moment ago becomes callable without waiting).
   */
  async get(name: string): Promise<DirectoryService | undefined> {
    const hit = this.byName.get(name);
    if (hit || Date.now() - this.lastRefresh < 5_000) {
      return hit;
    }
    await this.refresh().catch(() => undefined);
    return this.byName.get(name);
  }

  getByRef(ref: string): DirectoryService | undefined {
    const name = ref.slice(ref.indexOf('/') + 1);
    const hit = this.byName.get(name);
    return hit?.ref === ref.toLocaleLowerCase('en-US') || hit?.ref === ref
      ? hit
      : undefined;
  }

  list(): DirectoryService[] {
    return [...this.byName.values()];
  }

  provider(ref: string): ProviderEntityV1alpha1 | undefined {
    return this.providers.get(ref);
  }
}
