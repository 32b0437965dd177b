import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ConflictError,
  InputError,
  NotAllowedError,
  NotFoundError,
} from '@backstage/errors';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { formatMicros } from '@internal/plugin-marketplace-common';
import express from 'express';
import { ApiRequest, createApiRouter } from '../schema/openapi';
import {
  earliestIncrease,
  isIncrease,
  PriceChangeStore,
} from '../stores/PriceChangeStore';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { listPriceAt } from '../stores/ledger/prices';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { Access, resourceOf } from './access';

export interface PriceChangesRouterOptions {
  access: Access;
  directory: Pick<ServiceDirectory, 'get'>;
  prices: PriceChangeStore;
  subscriptions: Pick<SubscriptionStore, 'listActiveSubscribers'>;
  notifications?: Pick<NotificationService, 'send'>;
  logger: LoggerService;
  /** marketplace.pricing.noticeDays: how far ahead an increase is announced. */
  noticeDays: number;
}

/**
 * Volume tiers sorted by `fromMonthlyTokens`, without repeats (a rule across
 * the list's items; the document checks each tier).
 */
function checkTiersSorted(tiers: Array<{ fromMonthlyTokens: number }> = []) {
  if (
    !tiers.every(
      (v, i) => i === 0 || v.fromMonthlyTokens > tiers[i - 1].fromMonthlyTokens,
    )
  ) {
    throw new InputError(
      "Invalid body field 'pricing.tiers': must be sorted by fromMonthlyTokens, without repeats",
    );
  }
}

const MINUTE_MS = 60_000;

/**
 * Announced price changes: `GET /v1/services/{name}/price-changes` (anyone who
 * sees the service) and `POST /v1/provider/services/{name}/price-changes` (its
 * owners and admins). An increase takes effect at least `noticeDays` after its
 * announcement; a decrease may take effect at once. Subscribers are notified
 * when it is announced; from its instant on, the gateway bills every
 * subscriber at the new price.
 */
export function createPriceChangesRouter(
  options: PriceChangesRouterOptions,
): express.Router {
  const { access, directory, prices } = options;
  const router = createApiRouter();
  async function visibleService(req: ApiRequest, name: string) {
    const me = await access.caller(req);
    const service = await directory.get(name);
    if (
      !service ||
      (service.status !== 'approved' &&
        !(await access.mayManage(me, resourceOf(service))))
    ) {
      throw new NotFoundError(`No model service named '${name}'`);
    }
    return { me, service };
  }

  router.get('/v1/services/:name/price-changes', async (req, res) => {
    const { service } = await visibleService(req, req.params.name);
    await prices.refresh();
    const now = prices.now();
    res.json({
      current: listPriceAt(
        service.entity.spec.pricing,
        prices.at(service.ref, now),
      ),
      noticeDays: options.noticeDays,
      items: await prices.list(service.ref),
    });
  });

  router.post('/v1/provider/services/:name/price-changes', async (req, res) => {
    const { me, service } = await visibleService(req, req.params.name);
    if (!(await access.mayManage(me, resourceOf(service)))) {
      throw new NotAllowedError(
        `Only the owners of ${service.name} and admins can announce its price changes`,
      );
    }
    const body = req.body;
    checkTiersSorted(body.pricing.tiers);
    await prices.refresh();
    const now = prices.now();
    if (prices.pending(service.ref, now)) {
      throw new ConflictError(
        `${service.name} already has a price change announced that has not taken effect yet`,
      );
    }
    const entityPricing = service.entity.spec.pricing;
    const previous = listPriceAt(entityPricing, prices.at(service.ref, now));
    if (JSON.stringify(previous) === JSON.stringify(body.pricing)) {
      throw new InputError(
        "Invalid body field 'pricing': it is the price in force already",
      );
    }
    const increase = isIncrease(previous, body.pricing);
    const effectiveAt = body.effectiveAt ? Date.parse(body.effectiveAt) : now;
    // The document checks the shape of a date-time (its formats run in fast
    // mode), not that it exists.
    if (Number.isNaN(effectiveAt)) {
      throw new InputError(
        "Invalid body field 'effectiveAt': must be an ISO 8601 date-time",
      );
    }
    if (increase) {
      const earliest = earliestIncrease(now, options.noticeDays);
      if (effectiveAt < earliest) {
        throw new InputError(
          `Invalid body field 'effectiveAt': a price increase takes effect at least ${
            options.noticeDays
          } days after it is announced, on ${new Date(
            earliest,
          ).toISOString()} at the earliest`,
        );
      }
    } else if (effectiveAt < now - MINUTE_MS) {
      throw new InputError(
        "Invalid body field 'effectiveAt': must not be in the past",
      );
    }
    const change = await prices.announce({
      serviceRef: service.ref,
      pricing: body.pricing,
      previousPricing: previous,
      entityPricing,
      effectiveAt: Math.max(effectiveAt, now),
      actor: me.userRef,
    });
    const recipients = await options.subscriptions.listActiveSubscribers(
      service.ref,
    );
    if (options.notifications && recipients.length > 0) {
      const title = service.entity.metadata.title ?? service.name;
      const per1k = (p: typeof previous) =>
        `${formatMicros(p.promptPer1kMicros)} prompt / ${formatMicros(
          p.completionPer1kMicros,
        )} completion per 1K tokens`;
      const day = change.effectiveAt.slice(0, 10);
      await options.notifications
        .send({
          recipients: { type: 'entity', entityRef: recipients },
          payload: {
            title: `${title}: new price from ${day}`,
            description: `From ${change.effectiveAt} your subscription to ${
              service.name
            } is billed ${per1k(body.pricing)} (now ${per1k(previous)}).`,
            link: `/catalog/default/modelservice/${encodeURIComponent(
              service.name,
            )}`,
            severity: increase ? 'high' : 'normal',
            topic: 'marketplace-price-change',
            scope: `marketplace:price-change:${change.id}`,
          },
        })
        .catch(e =>
          options.logger.warn(
            `Could not notify the subscribers of ${service.ref} of a price change: ${e}`,
          ),
        );
    }
    res.status(201).json({ priceChange: change });
  });

  return router;
}
