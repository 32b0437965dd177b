import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { Knex } from 'knex';
import {
  isUniqueViolation,
  SubscriptionStore,
} from '../stores/SubscriptionStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService, successorOf } from '../catalog/directoryService';
import { DAY_MS } from '../lib/periods';

/**
 * The reminders subscribers of a retiring service get, besides the notice when
 * it is unpublished: 30 and 7 days before its sunset, and on the day.
 */
export const LIFECYCLE_REMINDERS = [
  { notice: '30d', daysBefore: 30 },
  { notice: '7d', daysBefore: 7 },
  { notice: 'sunset', daysBefore: 0 },
] as const;

/** A sunset reminder is not sent for a service retired longer ago than this. */
const SUNSET_NOTICE_GRACE_MS = 7 * DAY_MS;

/**
 * Sends each reminder of a retiring service once to its subscribers. A
 * reminder is due from its instant on; one whose window had already begun when
 * the service was unpublished is skipped (the unpublish notice said it). Each
 * is recorded before it is sent (the row's key is the service, the reminder
 * and the sunset), so several instances running the task send it once.
 */
export class LifecycleNotices {
  constructor(
    private readonly deps: {
      db: Knex;
      directory: ServiceDirectory;
      subscriptions: SubscriptionStore;
      notifications: NotificationService;
      logger: LoggerService;
      clock?: () => number;
    },
  ) {}

  /** The reminders due now and not sent yet; returns how many were sent. */
  async run(): Promise<number> {
    const now = (this.deps.clock ?? Date.now)();
    let sent = 0;
    for (const service of this.deps.directory.list()) {
      const u = service.unpublication;
      if (!u) {
        continue;
      }
      for (const reminder of LIFECYCLE_REMINDERS) {
        const due = u.sunsetAt - reminder.daysBefore * DAY_MS;
        const late =
          reminder.notice === 'sunset'
            ? now >= u.sunsetAt + SUNSET_NOTICE_GRACE_MS
            : now >= u.sunsetAt;
        if (
          now < due ||
          late ||
          (reminder.daysBefore > 0 && u.unpublishedAt >= due)
        ) {
          continue;
        }
        if (await this.send(service, reminder.notice, now)) {
          sent += 1;
        }
      }
    }
    return sent;
  }

  private async send(
    service: DirectoryService,
    notice: (typeof LIFECYCLE_REMINDERS)[number]['notice'],
    now: number,
  ): Promise<boolean> {
    const { db, subscriptions, notifications, logger } = this.deps;
    const sunsetAt = service.unpublication!.sunsetAt;
    try {
      await db('lifecycle_notices').insert({
        service_ref: service.ref,
        notice,
        sunset_at: sunsetAt,
        sent_at: now,
        recipients: 0,
      });
    } catch (e) {
      if (isUniqueViolation(e)) {
        return false; // already sent (by this instance or another)
      }
      throw e;
    }
    const recipients = await subscriptions.listActiveSubscribers(service.ref);
    if (recipients.length > 0) {
      const title = service.entity.metadata.title ?? service.name;
      const day = new Date(sunsetAt).toISOString().slice(0, 10);
      const successor = successorOf(service);
      const move = successor
        ? `Its successor is ${successor}: switch to it from the service's page (your spending limit is kept).`
        : 'Move to another model in the marketplace.';
      try {
        await notifications.send({
          recipients: { type: 'entity', entityRef: recipients },
          payload:
            notice === 'sunset'
              ? {
                  title: `${title} is retired`,
                  description: `Since ${day} the gateway answers 410 for ${service.name}. ${move}`,
                  link: `/catalog/default/modelservice/${encodeURIComponent(
                    service.name,
                  )}`,
                  severity: 'high',
                  topic: 'marketplace-service-sunset',
                  scope: `marketplace:sunset:${service.ref}:${notice}`,
                }
              : {
                  title: `${title} retires in ${
                    notice === '30d' ? 30 : 7
                  } days`,
                  description: `On ${day} the gateway stops serving ${service.name} (it answers 410 from then on). ${move}`,
                  link: `/catalog/default/modelservice/${encodeURIComponent(
                    service.name,
                  )}`,
                  severity: notice === '7d' ? 'high' : 'normal',
                  topic: 'marketplace-service-sunset',
                  scope: `marketplace:sunset:${service.ref}:${notice}`,
                },
        });
      } catch (error) {
        logger.warn(
          `Could not send the ${notice} reminder of ${service.ref}: ${error}`,
        );
      }
      await db('lifecycle_notices')
        .where({ service_ref: service.ref, notice, sunset_at: sunsetAt })
        .update({ recipients: recipients.length });
    }
    logger.info(
      `Sent the ${notice} reminder of ${service.ref} to ${recipients.length} subscriber(s)`,
    );
    return true;
  }

  /** Runs every hour on one instance at a time. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: 'marketplace-lifecycle-notices',
      scope: 'global',
      frequency: { minutes: 60 },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 30 },
      fn: async () => {
        await this.run().catch(e =>
          this.deps.logger.warn(`Lifecycle reminders failed: ${e}`),
        );
      },
    });
  }
}
