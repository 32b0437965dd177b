import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import {
  MarketplaceComponents,
  SubscriptionWithKeys,
  UsageRecord,
} from '@internal/plugin-marketplace-common';
import { BudgetStore } from '../../stores/BudgetStore';
import { SubscriptionStore } from '../../stores/SubscriptionStore';
import { UsageLedger } from '../../stores/ledger/UsageLedger';
import { PriceSchedule } from '../../stores/ledger/ledgerTypes';
import { listPriceAt } from '../../stores/ledger/prices';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import { DirectoryService } from '../../catalog/directoryService';
import { Caller } from '../access';
import { subscriptionUsageSummary } from '../budgets/BudgetService';

/**
 * A usage record as the API documents it. The ledger keeps the protocol as text;
 * only the gateway's protocol ids are ever written there.
 */
function apiUsage(
  usage: UsageRecord,
): MarketplaceComponents['schemas']['UsageRecord'] {
  return usage as MarketplaceComponents['schemas']['UsageRecord'];
}

export interface SubscriptionServiceOptions {
  subscriptions: SubscriptionStore;
  ledger: UsageLedger;
  directory: ServiceDirectory;
  /** Budgets: the usage summary of a subscription (period, spend, budgets). */
  budgets: BudgetStore;
  /** Announced price changes: a new subscription starts at the price in force. */
  prices?: PriceSchedule;
  gatewayBaseUrl: () => Promise<string>;
}

/**
 * A consumer's subscriptions and API keys: subscribing (with the checks on the
 * service, the account and the team billed), cancelling, keys, and the usage
 * the gateway metered.
 */
export class SubscriptionService {
  constructor(private readonly options: SubscriptionServiceOptions) {}

  /** Suspended users may not subscribe or get new keys. */
  private async assertNotSuspended(me: Caller) {
    const suspension = await this.options.subscriptions.getSuspension(
      me.userRef,
    );
    if (suspension) {
      throw new NotAllowedError(
        `Your marketplace account is suspended${
          suspension.reason ? `: ${suspension.reason}` : ''
        }. Contact the platform admins.`,
      );
    }
  }

  /** The team a subscription bills: one of the caller's groups. */
  private teamRefOf(me: Caller, teamRef: string | null | undefined) {
    if (!teamRef) {
      return null;
    }
    let parsed;
    try {
      parsed = parseEntityRef(teamRef, {
        defaultKind: 'group',
        defaultNamespace: 'default',
      });
    } catch (error) {
      throw new InputError(
        `Invalid body field 'teamRef': ${(error as Error).message}`,
      );
    }
    const ref = stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
    if (!ref.startsWith('group:') || !me.ownership.includes(ref)) {
      throw new NotAllowedError(
        `Invalid body field 'teamRef': you can only bill groups you are a member of`,
      );
    }
    return ref;
  }

  /**
   * Subscribes the caller to a live, approved, not deprecated service: the
   * subscription and its first key (shown once), at the price in force now.
   */
  async subscribe(
    me: Caller,
    s: DirectoryService,
    request: { teamRef?: string | null; spendCapMicros?: number | null },
  ) {
    const { spec } = s.entity;
    if (s.status !== 'approved') {
      throw new ConflictError(
        s.status === 'pending'
          ? `${s.name} is waiting for an admin's approval and takes no subscriptions yet`
          : `${s.name} was rejected in review and takes no subscriptions`,
      );
    }
    if (s.unpublication) {
      throw new ConflictError(
        `${
          s.name
        } was unpublished by its provider and takes no new subscriptions; existing subscriptions keep working until its sunset on ${new Date(
          s.unpublication.sunsetAt,
        ).toISOString()}`,
      );
    }
    if (spec.lifecycle === 'deprecated') {
      throw new InputError(
        `${s.name} is deprecated and takes no new subscriptions`,
      );
    }
    await this.assertNotSuspended(me);
    const teamRef = this.teamRefOf(me, request.teamRef);
    const { subscription, apiKey } = await this.options.subscriptions.create({
      serviceRef: s.ref,
      userRef: me.userRef,
      teamRef,
      spendCapMicros: request.spendCapMicros ?? null,
      trialTokens: spec.trial?.tokens ?? 0,
      trialDurationDays: spec.trial?.durationDays,
      // The price in force now (an announced change that took effect included).
      pricing: listPriceAt(
        spec.pricing,
        this.options.prices?.at(s.ref, Date.now()),
      ),
    });
    return {
      subscription,
      apiKey,
      endpoint: {
        baseUrl: await this.options.gatewayBaseUrl(),
        model: s.name,
      },
    };
  }

  /** Cancels the caller's subscription, also to a service that has left the catalog. */
  async cancel(me: Caller, name: string) {
    const ref =
      (await this.options.directory.get(name))?.ref ??
      `modelservice:default/${name.toLocaleLowerCase('en-US')}`;
    return this.options.subscriptions.cancel(me.userRef, ref);
  }

  /** The caller's subscriptions with their keys and endpoints. */
  async list(
    me: Caller,
    status?: 'active' | 'cancelled',
  ): Promise<SubscriptionWithKeys[]> {
    const { subscriptions, ledger, directory } = this.options;
    // Settlements still queued in this process count too.
    await ledger.flush();
    const list = await subscriptions.listForUser(me.userRef, { status });
    const keys = await subscriptions.listKeys({ userRef: me.userRef });
    const baseUrl = await this.options.gatewayBaseUrl();
    return list.map(sub => {
      const svc = directory.getByRef(sub.serviceRef);
      return {
        ...sub,
        keys: keys.filter(k => k.subscriptionId === sub.id),
        serviceTitle: svc?.entity.metadata.title ?? null,
        endpoint: { baseUrl, model: sub.model },
      };
    });
  }

  /** The latest usage of one of the caller's subscriptions, and its summary. */
  async usage(me: Caller, id: string, limit: number) {
    const { subscriptions, ledger } = this.options;
    const sub = await subscriptions.get(id);
    if (!sub || sub.userRef !== me.userRef) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    await ledger.flush();
    const usage = await ledger.listUsage({ subscriptionId: id, limit });
    const row = await subscriptions.getRow(id);
    if (!row) {
      throw new NotFoundError(`No subscription ${id}`);
    }
    return {
      usage: usage.map(apiUsage),
      ...(await subscriptionUsageSummary(this.options.budgets, row)),
    };
  }

  /** The usage record of one of the caller's requests. */
  async requestUsage(me: Caller, requestId: string) {
    await this.options.ledger.flush();
    const usage = await this.options.ledger.getUsage(requestId);
    if (!usage || usage.userRef !== me.userRef) {
      throw new NotFoundError(`No usage record for request ${requestId}`);
    }
    return apiUsage(usage);
  }

  /** A new key for an active subscription, e.g. after its last one was revoked. */
  async issueKey(me: Caller, subscriptionId: string) {
    await this.assertNotSuspended(me);
    return this.options.subscriptions.issueKey(me.userRef, subscriptionId);
  }

  async listKeys(me: Caller) {
    return this.options.subscriptions.listKeys({ userRef: me.userRef });
  }

  async rotateKey(me: Caller, keyId: string) {
    return this.options.subscriptions.rotateKey(me.userRef, keyId);
  }

  async revokeKey(me: Caller, keyId: string) {
    return this.options.subscriptions.revokeKey(me.userRef, keyId);
  }
}
