import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { EventsService } from '@backstage/plugin-events-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import {
  MARKETPLACE_ROLES_CHANGED_TOPIC,
  MARKETPLACE_SERVICE_CHANGED_TOPIC,
  MarketplaceServiceChangedEvent,
} from '@internal/plugin-marketplace-common';

/** The portal page of a model service, for notification links. */
export function servicePage(s: { name: string }) {
  return `/catalog/default/modelservice/${encodeURIComponent(s.name)}`;
}

/**
 * What publishing tells the rest of the portal after a change: the service
 * changed event (catalog module, other instances), a catalog refresh, the
 * people concerned. None of them undoes the change when it fails: each is
 * logged and the catalog's next processing catches up.
 */
export class PublishingNotices {
  constructor(
    private readonly options: {
      auth: AuthService;
      catalog: Pick<CatalogService, 'refreshEntity'>;
      events: EventsService;
      notifications: NotificationService;
      logger: LoggerService;
    },
  ) {}

  async announce(event: MarketplaceServiceChangedEvent): Promise<void> {
    try {
      await this.options.events.publish({
        topic: MARKETPLACE_SERVICE_CHANGED_TOPIC,
        eventPayload: event,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not publish ${MARKETPLACE_SERVICE_CHANGED_TOPIC} for ${event.serviceRef}: ${error}`,
      );
    }
  }

  /** The permission policy reads the provider groups again. */
  async rolesChanged(providerRef: string): Promise<void> {
    try {
      await this.options.events.publish({
        topic: MARKETPLACE_ROLES_CHANGED_TOPIC,
        eventPayload: { providerRef },
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not announce the role change of ${providerRef}: ${error}`,
      );
    }
  }

  async refreshCatalogEntity(ref: string): Promise<void> {
    try {
      await this.options.catalog.refreshEntity(ref, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      });
    } catch (error) {
      // Not in the catalog (yet): its next processing picks the change up.
      this.options.logger.debug(
        `Could not refresh ${ref} in the catalog: ${error}`,
      );
    }
  }

  async notify(
    recipients: string | string[],
    payload: Parameters<NotificationService['send']>[0]['payload'],
  ): Promise<void> {
    try {
      await this.options.notifications.send({
        recipients: { type: 'entity', entityRef: recipients },
        payload,
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not send the notification "${payload.title}": ${error}`,
      );
    }
  }
}
