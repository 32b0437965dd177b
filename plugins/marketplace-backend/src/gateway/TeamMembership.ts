import { AuthService, LoggerService } from '@backstage/backend-plugin-api';
import { Entity, RELATION_MEMBER_OF } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { KeyGrant } from '../database/SubscriptionStore';
import { displayNameOf } from '../service/entityNames';

/** How long a user's group memberships are trusted before the catalog is asked again. */
export const MEMBERSHIP_TTL_MS = 60_000;

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
   * Tells the user, once per subscription and process, that their subscription
   * no longer bills the team they left.
   */
  async notifyEnded(grant: KeyGrant, serviceName: string): Promise<void> {
    const { notifications } = this.options;
    const teamRef = grant.teamRef;
    if (!notifications || !teamRef || this.notified.has(grant.subscriptionId)) {
      return;
    }
    this.notified.add(grant.subscriptionId);
    try {
      const team = await displayNameOf(
        this.options.catalog,
        teamRef,
        await this.options.auth.getOwnServiceCredentials(),
      );
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
  }
}
