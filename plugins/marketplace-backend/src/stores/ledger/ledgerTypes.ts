import { ModelServicePricing } from '@internal/plugin-marketplace-common';
import type {
  BudgetRefusal,
  ReserveRejection,
  ReserveResult as GatewayReserveResult,
  Settlement,
} from '@internal/plugin-marketplace-gateway-node';
import { KeyGrant } from '../SubscriptionStore';

// The ledger implements the gateway's port (pipeline/ports.ts): its refusals
// and settlements are the port's types.
export type { BudgetRefusal, ReserveRejection, Settlement };
export type ReserveResult = GatewayReserveResult<Reservation>;

/*
 * What the usage ledger takes and answers: reservations of in-flight requests,
 * their settlements, refusals, and the announced prices it applies.
 */

/** Settlements written per transaction. */
export const MAX_BATCH = 500;

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
