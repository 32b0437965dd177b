import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { NotFoundError } from '@backstage/errors';
import {
  ModelServiceEntityV1alpha1,
  ServiceDetail,
  ServiceScope,
  ServiceSummary,
} from '@internal/plugin-marketplace-common';
import { SubscriptionStore } from '../../stores/SubscriptionStore';
import { ServiceDirectory } from '../../catalog/ServiceDirectory';
import {
  DirectoryService,
  isLive,
  publicationOf,
} from '../../catalog/directoryService';
import { Access, Caller, resourceOf } from '../access';

function isOwner(ownership: string[], ownerRef: string): boolean {
  const ref = stringifyEntityRef(
    parseEntityRef(ownerRef, {
      defaultKind: 'group',
      defaultNamespace: 'default',
    }),
  ).toLocaleLowerCase('en-US');
  return ownership.includes(ref);
}

/**
 * The entity as the caller may see it: the upstream endpoint (URL, credential
 * name) only for those who manage the service; everyone else gets the
 * gateway's endpoint, which is the one they call (with their marketplace key),
 * and the protocol of the upstream (which APIs the gateway serves for it).
 */
function visibleEntity(
  s: DirectoryService,
  manages: boolean,
  gatewayBaseUrl: string,
): ModelServiceEntityV1alpha1 {
  if (manages) {
    return s.entity;
  }
  const { protocol } = s.entity.spec.endpoint;
  return {
    ...s.entity,
    spec: {
      ...s.entity.spec,
      // The API the upstream speaks stays: it says which APIs the gateway
      // serves for the service (the snippets show those).
      endpoint: {
        baseUrl: gatewayBaseUrl,
        auth: { type: 'bearer' },
        ...(protocol ? { protocol } : {}),
      },
    },
  };
}

/**
 * The model services as a consumer sees them (`/v1/services`): which ones,
 * with the caller's subscription, and with the upstream hidden from those who
 * do not manage the service.
 */
export class ServiceListing {
  constructor(
    private readonly options: {
      access: Access;
      directory: ServiceDirectory;
      subscriptions: SubscriptionStore;
      gatewayBaseUrl: () => Promise<string>;
    },
  ) {}

  /**
   * A service the caller may see: approved ones for everyone; services under
   * review (or rejected) only for their owners and the admins.
   */
  async visible(name: string, me: Caller): Promise<DirectoryService> {
    const found = await this.options.directory.get(name);
    if (
      !found ||
      (found.status !== 'approved' &&
        !(await this.options.access.mayManage(me, resourceOf(found))))
    ) {
      throw new NotFoundError(`No model service named '${name}'`);
    }
    return found;
  }

  /** Whether the caller manages each service (owner or admin), from one decision. */
  private async managesOf(me: Caller) {
    const { access } = this.options;
    const decision = await access.manageDecision(me);
    return (s: DirectoryService) => access.canManage(decision, resourceOf(s));
  }

  private summary(
    s: DirectoryService,
    me: Caller,
    subscription: ServiceSummary['subscription'],
    view: { manages: boolean; gatewayBaseUrl: string },
  ): ServiceSummary {
    return {
      entity: visibleEntity(s, view.manages, view.gatewayBaseUrl),
      subscription,
      owned: isOwner(me.ownership, s.entity.spec.owner),
      publication: publicationOf(s),
    };
  }

  /**
   * `all`: the live services; `subscribed`: also unpublished ones the caller
   * still uses; `owned`: also the caller's services under review.
   */
  async list(me: Caller, scope: ServiceScope): Promise<ServiceSummary[]> {
    const active = new Map(
      (
        await this.options.subscriptions.listForUser(me.userRef, {
          status: 'active',
        })
      ).map(s => [s.serviceRef, s]),
    );
    const manages = await this.managesOf(me);
    const gatewayBaseUrl = await this.options.gatewayBaseUrl();
    return this.options.directory
      .list()
      .map(s => ({
        s,
        summary: this.summary(s, me, active.get(s.ref) ?? null, {
          manages: manages(s),
          gatewayBaseUrl,
        }),
      }))
      .filter(({ s, summary: x }) => {
        if (scope === 'subscribed') {
          return x.subscription !== null;
        }
        return scope === 'owned' ? x.owned : isLive(s);
      })
      .map(({ summary: x }) => x)
      .sort((a, b) =>
        a.entity.metadata.name.localeCompare(b.entity.metadata.name),
      );
  }

  /** One service with the caller's subscription and its keys. */
  async detail(me: Caller, name: string): Promise<ServiceDetail> {
    const { subscriptions } = this.options;
    const s = await this.visible(name, me);
    const subscription =
      (await subscriptions.getActive(me.userRef, s.ref)) ?? null;
    const gatewayBaseUrl = await this.options.gatewayBaseUrl();
    return {
      ...this.summary(s, me, subscription, {
        manages: (await this.managesOf(me))(s),
        gatewayBaseUrl,
      }),
      endpoint: { baseUrl: gatewayBaseUrl, model: s.name },
      keys: subscription
        ? await subscriptions.listKeys({
            userRef: me.userRef,
            subscriptionId: subscription.id,
          })
        : [],
    };
  }
}
