import { LoggerService } from '@backstage/backend-plugin-api';
import { ConflictError, InputError } from '@backstage/errors';
import { ManagedService } from '@internal/plugin-marketplace-common';
import { PublishingStore } from '../../stores/PublishingStore';
import { ServiceTimesStore } from '../../stores/ServiceTimesStore';
import { SubscriptionStore } from '../../stores/SubscriptionStore';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { DirectoryService, isLive } from '../../catalog/directoryService';
import { Caller } from '../access';
import { iso, toManagedService } from './managedService';
import { PublishingNotices, servicePage } from './PublishingNotices';

const DAY_MS = 86_400_000;
const MAX_SUNSET_DAYS = 365;

/**
 * Retiring a model service: its provider unpublishes it, it keeps serving its
 * subscribers until its sunset, and they are told when that is and which
 * service to move to.
 */
export class ServiceRetirement {
  private readonly now: () => number;

  constructor(
    private readonly options: {
      directory: ServiceDirectory;
      publishing: PublishingStore;
      subscriptions: SubscriptionStore;
      notices: PublishingNotices;
      logger: LoggerService;
      /** createdAt / updatedAt of every service (catalog YAML ones too). */
      serviceTimes?: Pick<ServiceTimesStore, 'get'>;
      /** Days an unpublished service keeps serving its subscribers by default. */
      sunsetDays: number;
      clock?: () => number;
    },
  ) {
    this.now = options.clock ?? Date.now;
  }

  /**
   * Unpublishes a service: it keeps serving its subscribers until its sunset
   * (`sunsetAt`, by default `marketplace.publishing.sunsetDays` from now),
   * and they are told, with the successor to move to if the provider names
   * one (a live service other than this one).
   */
  async unpublish(
    me: Caller,
    s: DirectoryService,
    request: { sunsetAt?: string; successor?: string },
  ): Promise<{ service: ManagedService; notifiedSubscribers: number }> {
    const { directory, publishing, subscriptions, notices, logger } =
      this.options;
    const at = this.now();
    let sunsetAt = at + this.options.sunsetDays * DAY_MS;
    if (request.sunsetAt) {
      sunsetAt = Date.parse(request.sunsetAt);
      if (sunsetAt <= at) {
        throw new InputError(`Invalid field 'sunsetAt': must be in the future`);
      }
      if (sunsetAt > at + MAX_SUNSET_DAYS * DAY_MS) {
        throw new InputError(
          `Invalid field 'sunsetAt': must be at most ${MAX_SUNSET_DAYS} days from now`,
        );
      }
    }
    if (s.unpublication) {
      throw new ConflictError(
        `${s.name} is already unpublished; its sunset is ${iso(
          s.unpublication.sunsetAt,
        )}`,
      );
    }
    let successor: DirectoryService | undefined;
    if (request.successor) {
      successor = await directory.get(request.successor);
      if (!successor || !isLive(successor)) {
        throw new InputError(
          `Invalid body field 'successor': no live service named '${request.successor}' (it must be approved and not unpublished)`,
        );
      }
      if (successor.ref === s.ref) {
        throw new InputError(
          `Invalid body field 'successor': a service cannot succeed itself`,
        );
      }
    }
    await publishing.unpublish(
      s.ref,
      sunsetAt,
      me.userRef,
      successor?.ref ?? null,
    );
    await directory.refresh();
    await notices.announce({ serviceRef: s.ref });
    const subscribers = await subscriptions.listActiveSubscribers(s.ref);
    if (subscribers.length > 0) {
      await notices.notify(subscribers, {
        title: `${s.entity.metadata.title ?? s.name} is being retired`,
        description: `Its provider unpublished ${
          s.name
        }. Your subscription keeps working until ${iso(
          sunsetAt,
        )}; after that the gateway answers 410. ${
          successor
            ? `Its provider names ${
                successor.entity.metadata.title ?? successor.name
              } as its successor: switch to it from the service's page.`
            : 'Move to another model before then.'
        }`,
        link: servicePage(s),
        severity: 'high',
        topic: 'marketplace-service-sunset',
        scope: `marketplace:sunset:${s.ref}`,
      });
    }
    logger.info(
      `${me.userRef} unpublished ${s.ref}; sunset ${iso(sunsetAt)}, ${
        subscribers.length
      } subscriber(s) notified`,
    );
    const updated = directory.getByRef(s.ref) ?? s;
    return {
      service: toManagedService(updated, this.options.serviceTimes),
      notifiedSubscribers: subscribers.length,
    };
  }
}
