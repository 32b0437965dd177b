import type {
  ModelServiceEntityV1alpha1,
  ModelServicePricing,
  ProviderEntityV1alpha1,
  UsageStatus,
} from '@internal/plugin-marketplace-common';

/**
 * What the gateway needs from the rest of the marketplace. The marketplace
 * backend implements these with its stores; the pipeline only sees the ports.
 */

/** What the gateway knows about an API key, joined with its subscription. */
export interface KeyGrant {
  keyId: string;
  subscriptionId: string;
  userRef: string;
  teamRef: string | null;
  serviceRef: string;
  keyRevoked: boolean;
  subscriptionActive: boolean;
}

/** API keys and suspensions. */
export interface GrantStore {
  /** The grant of a key's secret, or undefined for an unknown key. */
  findGrant(secret: string): Promise<KeyGrant | undefined>;
  /** Records that a key was used (at most once a minute per key). */
  touchKey(keyId: string, now: number): Promise<void>;
  getSuspension(
    userRef: string,
  ): Promise<{ reason: string | null } | undefined>;
}

/** A ModelService as the gateway sees it. */
export interface GatewayService {
  /** `model` for callers: the entity's name. */
  name: string;
  ref: string;
  providerRef: string;
  entity: ModelServiceEntityV1alpha1;
  provider?: ProviderEntityV1alpha1;
  /** Review state: only approved services are served. */
  status: string;
  /** Set once its owners unpublished it. */
  unpublication?: {
    sunsetAt: number;
    /** When it was unpublished (the `Deprecation` header). */
    unpublishedAt?: number;
    /** The service its owner names as the one to move to, if any. */
    successorRef?: string | null;
  };
}

/** The services the gateway serves, from an in-memory snapshot. */
export interface ServiceLookup {
  get(name: string): Promise<GatewayService | undefined>;
  getByRef(ref: string): GatewayService | undefined;
}

/** Why a request could not reserve budget. */
export type ReserveRejection =
  | 'subscription_inactive'
  | 'user_suspended'
  | 'key_revoked'
  | 'trial_exhausted'
  | 'spend_cap_reached'
  | 'budget_exceeded';

/** The hard monthly budget that refused a request. */
export interface BudgetRefusal {
  scope: 'subscription' | 'user' | 'team';
  /** The subscription id, or the user or group entity ref. */
  ref: string;
  /** UTC month, YYYY-MM. */
  period: string;
  amountMicros: number;
}

export interface ReserveRequest {
  requestId: string;
  grant: KeyGrant;
  providerRef: string;
  model: string;
  stream: boolean;
  pricing: ModelServicePricing;
  promptTokens: number;
  maxCompletionTokens: number;
  /** The protocol the client spoke (`openai-chat` when absent). */
  protocol?: string;
}

/** Budget held for one request in flight. */
export interface GatewayReservation {
  requestId: string;
  /** Completion budget that fits the trial / spend cap (may be lower than asked). */
  maxCompletionTokens: number;
}

export type ReserveResult<R extends GatewayReservation> =
  | { ok: true; reservation: R }
  | {
      ok: false;
      reason: ReserveRejection;
      suspensionReason?: string | null;
      /** Set with `budget_exceeded`: which budget. */
      budget?: BudgetRefusal;
    };

/** The outcome of one forwarded request: its ledger row. */
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
  /** Streamed: the first token; not streamed: the answer's first byte. */
  timeToFirstTokenMs?: number | null;
  /** From receiving the request to sending it upstream. */
  waitMs?: number | null;
  /** Of the prompt tokens, those the upstream read from its cache, where reported. */
  cachedPromptTokens?: number | null;
  finishedAt: number;
}

/** The usage ledger: reserve before forwarding, settle exactly once after. */
export interface GatewayLedger<
  R extends GatewayReservation = GatewayReservation,
> {
  reserve(request: ReserveRequest): Promise<ReserveResult<R>>;
  settle(reservation: R, settlement: Settlement): Promise<void>;
}

/** The headers that authenticate a call to a service's upstream. */
export type UpstreamCredentials = (
  service: GatewayService,
) => Promise<
  | { ok: true; headers: Record<string, string> }
  | { ok: false; reason: 'missing' | 'not_bound'; message: string }
>;

/** Team memberships: a team-billed subscription bills the team only while its user is a member. */
export interface TeamMembershipCheck {
  isMember(userRef: string, teamRef: string): Promise<boolean>;
  notifyEnded(grant: KeyGrant, serviceName: string): Promise<void>;
}

export interface GatewayLogger {
  error(message: string): void;
  warn(message: string): void;
  info(message: string): void;
}
