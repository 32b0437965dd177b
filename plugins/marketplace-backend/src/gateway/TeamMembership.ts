import {
  AuthService,
  LoggerService,
  SchedulerService,
} from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_MEMBER_OF,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { KeyGrant, SubscriptionStore } from '../stores/SubscriptionStore';
import { displayNameOf } from '../lib/entityNames';

/** How long a user's group memberships are trusted before the catalog is asked again. */
export const MEMBERSHIP_TTL_MS = 60_000;

/** How often every team-billed subscription's membership is checked. */
export const MEMBERSHIP_SWEEP_MINUTES = 10;

/** The subscription whose team billing ended. */
type TeamBilled = Pick<KeyGrant, 'subscriptionId' | 'userRef' | 'teamRef'>;

interface CacheEntry {
  groups: Set<string>;
  until: number;
}

/**
 * Who is in which team, as the catalog says (the user's `memberOf` relations),
 * cached per user for a short time. A subscription billed to a team bills it only
 * while the subscriber is a member: the gateway asks here before reserving budget.
 * When the catalog cannot be read, the last known memberships hold; with none
 * known, the request is let through (billing a team for up to one cache period
 * is better than failing every team-billed request while the catalog is down).
 *
 * When a membership ends, team billing ends: the gateway refuses the
 * subscription's requests, and the user is told once (on whichever instance
 * finds it first, recorded in `subscriptions.team_billing_ended_at`), either at
 * their next request or by the periodic check of every team-billed
 * subscription ({@link TeamMembership.sweep}), whichever comes first.
 */
export class TeamMembership {
  private readonly cache = new Map<string, CacheEntry>();
  private readonly notified = new Set<string>();

  constructor(
    private readonly options: {
      catalog: Pick<CatalogService, 'getEntityByRef'>;
      auth: AuthService;
      logger: LoggerService;
      notifications?: Pick<NotificationService, 'send'>;
      /**
       * Where the end of team billing is recorded, so the user is told once
       * across instances and restarts (without it: once per process).
       */
      subscriptions?: Pick<
        SubscriptionStore,
        'listTeamBilled' | 'endTeamBilling' | 'resumeTeamBilling'
      >;
      ttlMs?: number;
      clock?: () => number;
    },
  ) {}

  private now() {
    return (this.options.clock ?? Date.now)();
  }

  private async groupsOf(userRef: string): Promise<Set<string> | undefined> {
    const now = this.now();
    const cached = this.cache.get(userRef);
    if (cached && cached.until > now) {
      return cached.groups;
    }
    let user: Entity | undefined;
    try {
      user = await this.options.catalog.getEntityByRef(userRef, {
        credentials: await this.options.auth.getOwnServiceCredentials(),
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not read the team memberships of ${userRef} from the catalog: ${error}`,
      );
      return cached?.groups;
    }
    // A missing user is a member of nothing. Processed entities carry their
    // memberships as relations (from the user's and the groups' specs).
    const groups = new Set(
      (user?.relations ?? [])
        .filter(r => r.type === RELATION_MEMBER_OF)
        .map(r => r.targetRef.toLocaleLowerCase('en-US')),
    );
    if (this.cache.size > 50_000) {
      this.cache.clear();
    }
    this.cache.set(userRef, {
      groups,
      until: now + (this.options.ttlMs ?? MEMBERSHIP_TTL_MS),
    });
    return groups;
  }

  /** Whether the user is (as far as known) a member of the team. */
  async isMember(userRef: string, teamRef: string): Promise<boolean> {
    const groups = await this.groupsOf(userRef);
    return (
      groups === undefined || groups.has(teamRef.toLocaleLowerCase('en-US'))
    );
  }

  /**
   * Tells the user, once per subscription (across instances when the
   * subscriptions store is given), that their subscription no longer bills the
   * team they left.
   */
  async notifyEnded(grant: TeamBilled, serviceName: string): Promise<void> {
    await this.tellEnded(grant, serviceName);
  }

  /** {@link TeamMembership.notifyEnded}; true when this call told the user. */
  private async tellEnded(
    grant: TeamBilled,
    serviceName: string,
  ): Promise<boolean> {
    const { notifications, subscriptions } = this.options;
    if (!notifications || this.notified.has(grant.subscriptionId)) {
      return false;
    }
    this.notified.add(grant.subscriptionId);
    if (this.notified.size > 50_000) {
      this.notified.clear();
    }
    if (
      subscriptions &&
      !(await subscriptions
        .endTeamBilling(grant.subscriptionId, this.now())
        .catch(error => {
          this.options.logger.warn(
            `Could not record that team billing of subscription ${grant.subscriptionId} ended: ${error}`,
          );
          return false;
        }))
    ) {
      return false; // told already (by this instance or another)
    }
    try {
      const team = grant.teamRef
        ? await displayNameOf(
            this.options.catalog,
            grant.teamRef,
            await this.options.auth.getOwnServiceCredentials(),
          )
        : 'your team';
      await notifications.send({
        recipients: { type: 'entity', entityRef: grant.userRef },
        payload: {
          title: `Your ${serviceName} subscription no longer bills ${team}`,
          description: `You are no longer a member of ${team}, so its team billing ended: the gateway refuses this subscription's requests. Unsubscribe and subscribe again, billed to yourself or to a team you belong to (your trial continues).`,
          link: '/marketplace/subscriptions',
          severity: 'high',
          topic: 'marketplace-team-billing-ended',
          scope: `marketplace:team-billing-ended:${grant.subscriptionId}`,
        },
      });
    } catch (error) {
      this.options.logger.warn(
        `Could not tell ${grant.userRef} that team billing ended: ${error}`,
      );
    }
    return true;
  }

  /**
   * Checks every active team-billed subscription: ends team billing (and tells
   * the user) for those whose user left the team, and lets it hold again for
   * those who are members again. Returns how many ended now.
   */
  async sweep(): Promise<number> {
    const { subscriptions } = this.options;
    if (!subscriptions) {
      return 0;
    }
    let ended = 0;
    for (const s of await subscriptions.listTeamBilled()) {
      const member = await this.isMember(s.userRef, s.teamRef);
      if (member && s.teamBillingEndedAt !== null) {
        await subscriptions.resumeTeamBilling(s.subscriptionId);
        this.notified.delete(s.subscriptionId);
      } else if (!member && s.teamBillingEndedAt === null) {
        // The record decides (another instance may be telling them now).
        this.notified.delete(s.subscriptionId);
        if (await this.tellEnded(s, serviceNameOf(s.serviceRef))) {
          ended += 1;
        }
      }
    }
    return ended;
  }

  /** Runs the sweep every few minutes on one instance at a time. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: 'marketplace-team-membership',
      scope: 'global',
      frequency: { minutes: MEMBERSHIP_SWEEP_MINUTES },
      timeout: { minutes: 10 },
      initialDelay: { seconds: 60 },
      fn: async () => {
        await this.sweep().catch(e =>
          this.options.logger.warn(`Team membership check failed: ${e}`),
        );
      },
    });
  }
}

function serviceNameOf(serviceRef: string): string {
  try {
    return parseEntityRef(serviceRef).name;
  } catch {
    return serviceRef;
  }
}
