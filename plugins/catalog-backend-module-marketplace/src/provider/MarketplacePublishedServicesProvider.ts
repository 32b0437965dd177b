import {
  LoggerService,
  SchedulerServiceTaskRunner,
} from '@backstage/backend-plugin-api';
import {
  ANNOTATION_LOCATION,
  ANNOTATION_ORIGIN_LOCATION,
  Entity,
} from '@backstage/catalog-model';
import {
  EntityProvider,
  EntityProviderConnection,
} from '@backstage/plugin-catalog-node';
import {
  MARKETPLACE_LOCATION_TYPE,
  MarketplaceServiceChangedEvent,
  modelServiceEntityV1alpha1Validator,
  ModelServiceEntityV1alpha1,
} from '@internal/plugin-marketplace-common';

/** Where the provider reads the portal-published services. */
export interface PublishedServicesSource {
  getPublishedEntities(): Promise<ModelServiceEntityV1alpha1[]>;
}

/**
 * Emits the ModelServices published through the portal (the marketplace
 * backend's `published_services`, until their sunset) as catalog entities, so
 * they look exactly like YAML ones: validated and related (`providedBy`,
 * `ownedBy`) by the marketplace processor.
 *
 * A full mutation replaces them all on connect and on the schedule; the
 * marketplace's `marketplace.service.changed` events apply deltas in between.
 * Each entity's location is `marketplace:<name>`.
 *
 * @public
 */
export class MarketplacePublishedServicesProvider implements EntityProvider {
  private connection: EntityProviderConnection | undefined;

  constructor(
    private readonly deps: {
      source: PublishedServicesSource;
      logger: LoggerService;
      taskRunner: SchedulerServiceTaskRunner;
    },
  ) {}

  getProviderName(): string {
    return 'MarketplacePublishedServicesProvider';
  }

  async connect(connection: EntityProviderConnection): Promise<void> {
    this.connection = connection;
    await this.deps.taskRunner.run({
      id: `${this.getProviderName()}:refresh`,
      fn: async () => {
        try {
          await this.refresh();
        } catch (error) {
          // Nothing is removed when the marketplace cannot be reached.
          this.deps.logger.warn(
            `Could not read the published services from the marketplace backend: ${error}`,
          );
        }
      },
    });
  }

  /** Replaces every published service in the catalog (full mutation). */
  async refresh(): Promise<void> {
    if (!this.connection) {
      throw new Error(`${this.getProviderName()} is not connected`);
    }
    const entities = await this.deps.source.getPublishedEntities();
    const valid = entities.flatMap(e => this.toDeferred(e) ?? []);
    await this.connection.applyMutation({ type: 'full', entities: valid });
    this.deps.logger.debug(
      `Published ${valid.length} portal-published ModelService(s) to the catalog`,
    );
  }

  /** Applies a change the marketplace announced (delta mutation). */
  async handleEvent(event: MarketplaceServiceChangedEvent): Promise<void> {
    if (!this.connection) {
      return;
    }
    if (event.entity) {
      const deferred = this.toDeferred(event.entity);
      if (deferred) {
        await this.connection.applyMutation({
          type: 'delta',
          added: [deferred],
          removed: [],
        });
      }
    }
    if (event.removedEntityRef) {
      const name = event.removedEntityRef.slice(
        event.removedEntityRef.indexOf('/') + 1,
      );
      await this.connection.applyMutation({
        type: 'delta',
        added: [],
        removed: [
          {
            entityRef: event.removedEntityRef,
            locationKey: this.locationOf(name),
          },
        ],
      });
    }
  }

  private locationOf(name: string) {
    return `${MARKETPLACE_LOCATION_TYPE}:${name}`;
  }

  /** The entity with its location annotations; undefined (logged) if invalid. */
  private toDeferred(entity: ModelServiceEntityV1alpha1) {
    try {
      if (!modelServiceEntityV1alpha1Validator(entity)) {
        throw new Error('not a ModelService');
      }
    } catch (error) {
      this.deps.logger.warn(
        `Skipped the published service '${entity?.metadata?.name}': ${error}`,
      );
      return undefined;
    }
    const location = this.locationOf(entity.metadata.name);
    const decorated: Entity = {
      ...entity,
      metadata: {
        ...entity.metadata,
        annotations: {
          ...entity.metadata.annotations,
          [ANNOTATION_LOCATION]: location,
          [ANNOTATION_ORIGIN_LOCATION]: location,
        },
      },
    };
    return { entity: decorated, locationKey: location };
  }
}
