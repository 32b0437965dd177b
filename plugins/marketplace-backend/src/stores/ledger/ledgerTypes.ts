import {
  ModelServicePricing,
  UsageStatus,
} from '@internal/plugin-marketplace-common';
import { KeyGrant } from '../SubscriptionStore';

/*
 * What the usage ledger takes and answers: reservations of in-flight requests,
 * their settlements, refusals, and the announced prices it applies.
 */

/** Settlements written per transaction. */
export const MAX_BATCH = 500;

/** Why a request could not reserve budget. */
export type ReserveRejection =
  | 'subscription_inactive'
  | 'user_suspended'
  | 'key_revoked'
  | 'trial_exhausted'
  | 'spend_cap_reached'
  | 'budget_exceeded';

/** The hard budget that refused a request. */
export interface BudgetRefusal {
  scope: 'subscription' | 'user' | 'team';
  /** The subscription id, or the user or group entity ref. */
  ref: string;
  /** UTC month, YYYY-MM. */
  period: string;
  amountMicros: number;
}

/** The price a service's subscribers pay from an announced change on. */
export interface ScheduledPrice {
  id: string;
  pricing: ModelServicePricing;
  /** The entity's own prices when it was announced. */
  entityPricing: ModelServicePricing;
  effectiveAt: number;
}

/** Announced price changes: the one in force for a service at an instant. */
export interface PriceSchedule {
  at(serviceRef: string, now: number): ScheduledPrice | undefined;
}

/** Whose month counters a settlement batch changed (for budget alerts). */
export interface SettledBudgets {
  subscriptionIds: string[];
  userRefs: string[];
  teamRefs: string[];
}

export interface ReserveRequest {
  requestId: string;
  grant: KeyGrant;
  providerRef: string;
  model: string;
  stream: boolean;
  pricing: ModelServicePricing;
  /** Prompt tokens counted before forwarding. */
  promptTokens: number;
  /** The completion budget the request asks for (or the service's max). */
  maxCompletionTokens: number;
  /** The protocol the client spoke (`openai-chat` when absent). */
  protocol?: string;
}

/** Budget held for one in-flight request. */
export interface Reservation {
  requestId: string;
  grant: KeyGrant;
  providerRef: string;
  model: string;
  stream: boolean;
  pricing: ModelServicePricing;
  trialTokens: number;
  costMicros: number;
  /** Prompt tokens as the gateway counted them before forwarding. */
  promptTokens: number;
  /** Month tokens before this request: selects the price tier. */
  monthTokensBefore: number;
  month: string;
  /** Completion budget that fits the trial / spend cap (may be lower than asked). */
  maxCompletionTokens: number;
  startedAt: number;
  /** The platform fee when the request started; its ledger row keeps it. */
  platformFeeBasisPoints?: number;
  /** What it holds on the user's and team's month counters (its cost). */
  budgetMicros?: number;
  /** The announced price change whose price it pays, if any. */
  priceChangeId?: string | null;
  /** The protocol the client spoke. */
  protocol?: string;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      reason: ReserveRejection;
      suspensionReason?: string | null;
      budget?: BudgetRefusal;
    };

export interface Settlement {
  status: UsageStatus;
  httpStatus: number;
  errorCode?: string | null;
  promptTokens: number;
  completionTokens: number;
  tokenSource: 'upstream' | 'tokenizer';
  /** Only successful (or client-closed) requests are charged. */
  charge: boolean;
  upstreamLatencyMs?: number | null;
  /** Time to the first token (streamed) or the answer's first byte (not streamed). */
  timeToFirstTokenMs?: number | null;
  /** Time from the gateway receiving the request to sending it upstream. */
  waitMs?: number | null;
  /** Of the prompt tokens, those the upstream read from its cache, where reported. */
  cachedPromptTokens?: number | null;
  finishedAt: number;
}
