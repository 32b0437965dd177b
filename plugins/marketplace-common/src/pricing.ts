import { ModelServicePricing } from './kinds/ModelServiceEntityV1alpha1';

/**
 * Prices per 1,000 tokens in integer micro-units.
 *
 * @public
 */
export interface UnitPrices {
  promptPer1kMicros: number;
  completionPer1kMicros: number;
}

/**
 * The prices that apply when the subscription has already used
 * `monthTokensBefore` tokens this month: the highest tier whose threshold is
 * reached, else the base price.
 *
 * @public
 */
export function pricesAt(
  pricing: ModelServicePricing,
  monthTokensBefore: number,
): UnitPrices {
  let prices: UnitPrices = {
    promptPer1kMicros: pricing.promptPer1kMicros,
    completionPer1kMicros: pricing.completionPer1kMicros,
  };
  for (const tier of pricing.tiers ?? []) {
    if (monthTokensBefore >= tier.fromMonthlyTokens) {
      prices = {
        promptPer1kMicros: tier.promptPer1kMicros,
        completionPer1kMicros: tier.completionPer1kMicros,
      };
    }
  }
  return prices;
}

/**
 * Cost of the given tokens in integer micro-units, rounded up to the next micro
 * so that no usage is ever free by rounding. Integer arithmetic only.
 *
 * @public
 */
export function costMicros(
  promptTokens: number,
  completionTokens: number,
  prices: UnitPrices,
): number {
  const milli =
    promptTokens * prices.promptPer1kMicros +
    completionTokens * prices.completionPer1kMicros;
  return Math.ceil(milli / 1000);
}

/**
 * How a request's tokens split between the trial and paid usage. Trial tokens are
 * spent first, on prompt tokens before completion tokens.
 *
 * @public
 */
export interface TrialSplit {
  trialTokens: number;
  billablePromptTokens: number;
  billableCompletionTokens: number;
}

/** @public */
export function splitTrial(
  promptTokens: number,
  completionTokens: number,
  trialTokensLeft: number,
): TrialSplit {
  const left = Math.max(0, trialTokensLeft);
  const trialPrompt = Math.min(promptTokens, left);
  const trialCompletion = Math.min(completionTokens, left - trialPrompt);
  return {
    trialTokens: trialPrompt + trialCompletion,
    billablePromptTokens: promptTokens - trialPrompt,
    billableCompletionTokens: completionTokens - trialCompletion,
  };
}

/**
 * The platform's share of a cost, from a fee in basis points (1% = 100 bps),
 * rounded half up.
 *
 * @public
 */
export function platformFeeMicros(
  cost: number,
  feeBasisPoints: number,
): number {
  return Math.floor((cost * feeBasisPoints + 5000) / 10000);
}

/**
 * Input of the monthly cost calculator.
 *
 * @public
 */
export interface MonthlyEstimateInput {
  requestsPerMonth: number;
  avgPromptTokens: number;
  avgCompletionTokens: number;
  /** Trial tokens still available; they are used first. */
  trialTokens?: number;
}

/** @public */
export interface MonthlyEstimate {
  totalTokens: number;
  trialTokens: number;
  billableTokens: number;
  costMicros: number;
}

/**
 * Estimates a month's cost: requests are applied in order, so the trial is used
 * first and volume tiers apply once their threshold is passed, exactly as the
 * gateway bills them (request by request, tier chosen by the tokens used before).
 * Runs in O(number of tiers), not O(requests).
 *
 * @public
 */
export function estimateMonthlyCost(
  pricing: ModelServicePricing,
  input: MonthlyEstimateInput,
): MonthlyEstimate {
  const requests = Math.max(0, Math.floor(input.requestsPerMonth));
  const p = Math.max(0, Math.floor(input.avgPromptTokens));
  const c = Math.max(0, Math.floor(input.avgCompletionTokens));
  const perRequest = p + c;
  const totalTokens = requests * perRequest;
  if (requests === 0 || perRequest === 0) {
    return { totalTokens: 0, trialTokens: 0, billableTokens: 0, costMicros: 0 };
  }

  let trialLeft = Math.max(0, Math.floor(input.trialTokens ?? 0));
  let cost = 0;
  let trialUsed = 0;
  let done = 0; // requests billed so far
  const thresholds = (pricing.tiers ?? []).map(t => t.fromMonthlyTokens);

  const bill = (n: number) => {
    // n requests that all see the same tier (the tier at `done` requests).
    if (n <= 0) {
      return;
    }
    const prices = pricesAt(pricing, done * perRequest);
    // Requests fully covered by the trial.
    const free = Math.min(n, Math.floor(trialLeft / perRequest));
    trialLeft -= free * perRequest;
    trialUsed += free * perRequest;
    let rest = n - free;
    if (rest > 0 && trialLeft > 0) {
      const split = splitTrial(p, c, trialLeft);
      trialUsed += split.trialTokens;
      trialLeft = 0;
      cost += costMicros(
        split.billablePromptTokens,
        split.billableCompletionTokens,
        prices,
      );
      rest -= 1;
    }
    cost += rest * costMicros(p, c, prices);
    done += n;
  };

  for (const threshold of thresholds) {
    // requests that start below the threshold
    const boundary = Math.min(requests, Math.ceil(threshold / perRequest));
    bill(boundary - done);
  }
  bill(requests - done);

  return {
    totalTokens,
    trialTokens: trialUsed,
    billableTokens: totalTokens - trialUsed,
    costMicros: cost,
  };
}

/**
 * The prompt:completion token mix of the blended price: 3 prompt tokens for
 * every completion token, the mix most chat traffic has (and the one other
 * marketplaces compare prices at). The browse filters and the price sorts use
 * it; the UI states it next to them.
 *
 * @public
 */
export const BLENDED_PRICE_MIX = { prompt: 3, completion: 1 } as const;

/** "3:1 prompt:completion", for labels. @public */
export const BLENDED_PRICE_MIX_LABEL = `${BLENDED_PRICE_MIX.prompt}:${BLENDED_PRICE_MIX.completion} prompt:completion`;

/**
 * The blended price per 1,000 tokens in integer micro-units at
 * {@link BLENDED_PRICE_MIX}: (3 x prompt + 1 x completion) / 4, rounded to the
 * nearest micro. A service that charges only for input (an embedding service:
 * completion price 0) is compared on its input price, since it produces no
 * completion tokens to blend with.
 *
 * Shared by the browse filters and sorts and the model finder.
 *
 * @public
 */
export function blendedPer1kMicros(prices: UnitPrices): number {
  const { promptPer1kMicros: p, completionPer1kMicros: c } = prices;
  if (c === 0) {
    return p;
  }
  const { prompt, completion } = BLENDED_PRICE_MIX;
  return Math.round((p * prompt + c * completion) / (prompt + completion));
}
