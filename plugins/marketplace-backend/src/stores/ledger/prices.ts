import {
  costMicros,
  ModelServicePricing,
  pricesAt,
  splitTrial,
} from '@internal/plugin-marketplace-common';
import { num, numOrNull } from '../../lib/numbers';
import { SubscriptionRow } from '../SubscriptionStore';
import {
  ReserveRejection,
  ReserveRequest,
  ScheduledPrice,
} from './ledgerTypes';

/*
 * The prices a request pays (subscription snapshots, announced changes) and
 * what it may reserve of its subscription's trial and spend cap.
 */

const pricingSnapshots = new Map<string, ModelServicePricing | null>();

/** A subscription's price snapshot, parsed once (read on every request). */
function parsedPricing(json: string): ModelServicePricing | null {
  let parsed = pricingSnapshots.get(json);
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(json) as ModelServicePricing;
    } catch {
      parsed = null;
    }
    if (pricingSnapshots.size > 10_000) {
      pricingSnapshots.clear();
    }
    pricingSnapshots.set(json, parsed);
  }
  return parsed;
}

/**
 * The prices a subscription pays at a month volume: a price increase applies to
 * new subscriptions only, a decrease to everyone at once. So, per token kind, the
 * lower of the price the subscription started with (its snapshot) and the
 * service's current price. Without a snapshot, the current price.
 */
export function subscriptionPricing(
  snapshotJson: string | null | undefined,
  current: ModelServicePricing,
  monthTokens: number,
): ModelServicePricing {
  if (!snapshotJson) {
    return current;
  }
  const snapshot = parsedPricing(snapshotJson);
  if (!snapshot) {
    return current;
  }
  const then = pricesAt(snapshot, monthTokens);
  const now = pricesAt(current, monthTokens);
  if (
    now.promptPer1kMicros <= then.promptPer1kMicros &&
    now.completionPer1kMicros <= then.completionPer1kMicros
  ) {
    return current;
  }
  return {
    currency: current.currency,
    promptPer1kMicros: Math.min(then.promptPer1kMicros, now.promptPer1kMicros),
    completionPer1kMicros: Math.min(
      then.completionPer1kMicros,
      now.completionPer1kMicros,
    ),
  };
}

function samePrices(a: ModelServicePricing, b: ModelServicePricing): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A service's price for new subscribers at an instant: the announced change in
 * force, unless the entity's prices changed again after it was announced.
 */
export function listPriceAt(
  current: ModelServicePricing,
  change: ScheduledPrice | undefined,
): ModelServicePricing {
  return change &&
    (samePrices(current, change.entityPricing) ||
      samePrices(current, change.pricing))
    ? change.pricing
    : current;
}

/**
 * The prices a subscription pays at an instant, with announced price changes:
 * from a change's effective instant on, its price is the service's price for
 * every subscriber (also those that subscribed before at a lower price), unless
 * the owners changed the entity's prices again after announcing it (then those
 * apply, under the rule of {@link subscriptionPricing}). A subscription that
 * began after the change took effect started at its price anyway.
 */
export function scheduledPricing(
  subscription: { pricing_json?: string | null; created_at: number | string },
  current: ModelServicePricing,
  change: ScheduledPrice | undefined,
  monthTokens: number,
): { pricing: ModelServicePricing; changeId: string | null } {
  if (
    !change ||
    !(
      samePrices(current, change.entityPricing) ||
      samePrices(current, change.pricing)
    )
  ) {
    return {
      pricing: subscriptionPricing(
        subscription.pricing_json,
        current,
        monthTokens,
      ),
      changeId: null,
    };
  }
  const snapshot =
    change.effectiveAt > num(subscription.created_at)
      ? JSON.stringify(change.pricing)
      : subscription.pricing_json ?? JSON.stringify(change.pricing);
  const pricing = subscriptionPricing(snapshot, change.pricing, monthTokens);
  return {
    pricing,
    changeId: samePrices(pricing, change.pricing) ? change.id : null,
  };
}

/** Largest completion budget whose worst-case cost fits `availableMicros`. */
function completionThatFits(
  billablePrompt: number,
  availableMicros: number,
  prices: { promptPer1kMicros: number; completionPer1kMicros: number },
): number {
  const left =
    availableMicros * 1000 - billablePrompt * prices.promptPer1kMicros;
  if (left < 0) {
    return -1;
  }
  if (prices.completionPer1kMicros === 0) {
    return Number.MAX_SAFE_INTEGER;
  }
  return Math.floor(left / prices.completionPer1kMicros);
}

/** What a request may use of the subscription's trial and budget, or why not. */
export function planReservation(
  row: SubscriptionRow,
  request: ReserveRequest,
  change: ScheduledPrice | undefined,
  now: number,
):
  | {
      ok: true;
      trialTokens: number;
      cost: number;
      maxCompletion: number;
      monthTokens: number;
      pricing: ModelServicePricing;
      priceChangeId: string | null;
    }
  | { ok: false; reason: ReserveRejection } {
  const trialExpired =
    row.trial_expires_at !== null && num(row.trial_expires_at) <= now;
  const trialLeft = trialExpired
    ? 0
    : num(row.trial_tokens_granted) -
      num(row.trial_tokens_used) -
      num(row.trial_tokens_reserved);
  const cap = numOrNull(row.spend_cap_micros);
  const monthTokens = num(row.month_tokens);
  const { pricing, changeId } = scheduledPricing(
    row,
    request.pricing,
    change,
    monthTokens,
  );
  const prices = pricesAt(pricing, monthTokens);

  let maxCompletion = request.maxCompletionTokens;
  let split = splitTrial(request.promptTokens, maxCompletion, trialLeft);
  let cost = costMicros(
    split.billablePromptTokens,
    split.billableCompletionTokens,
    prices,
  );
  if (cap !== null) {
    const available =
      cap - num(row.month_spend_micros) - num(row.reserved_micros);
    if (cost > available) {
      // Shrink the completion budget to what the trial and the cap still allow.
      const trialForCompletion = Math.max(0, trialLeft - request.promptTokens);
      const paidCompletion = completionThatFits(
        split.billablePromptTokens,
        Math.max(0, available),
        prices,
      );
      maxCompletion = Math.min(
        maxCompletion,
        trialForCompletion + Math.max(0, paidCompletion),
      );
      if (paidCompletion < 0 || maxCompletion < 1) {
        return {
          ok: false,
          reason:
            cap === 0 || trialLeft > 0
              ? 'trial_exhausted'
              : 'spend_cap_reached',
        };
      }
      split = splitTrial(request.promptTokens, maxCompletion, trialLeft);
      cost = costMicros(
        split.billablePromptTokens,
        split.billableCompletionTokens,
        prices,
      );
    }
  }
  return {
    ok: true,
    trialTokens: split.trialTokens,
    cost,
    maxCompletion,
    monthTokens,
    pricing,
    priceChangeId: changeId,
  };
}
