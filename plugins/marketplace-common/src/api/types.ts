import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';

/**
 * Which services `GET /v1/services` returns: every approved service, the ones the
 * caller subscribes to, or the ones the caller's groups own.
 *
 * @public
 */
export type ServiceScope = 'all' | 'subscribed' | 'owned';

/** @public */
export type SubscriptionStatus = 'active' | 'cancelled';

/**
 * A subscription of one user to one ModelService. Money in integer micro-USD.
 *
 * @public
 */
export interface Subscription {
  id: string;
  /** Entity ref of the ModelService, e.g. `modelservice:default/acme-gpt-4o`. */
  serviceRef: string;
  /** The service's name: the `model` to send to the gateway. */
  model: string;
  userRef: string;
  /** Group the usage is charged back to; null = the user's default. */
  teamRef: string | null;
  status: SubscriptionStatus;
  /** Monthly spend cap; null = no cap, 0 = trial only. */
  spendCapMicros: number | null;
  trialTokensGranted: number;
  trialTokensUsed: number;
  /** When the trial ends; null = no end (or no trial). */
  trialExpiresAt: string | null;
  /** Calendar month (UTC) the month counters refer to, `YYYY-MM`. */
  month: string;
  monthSpendMicros: number;
  monthTokens: number;
  createdAt: string;
  cancelledAt: string | null;
}

/**
 * An API key as listed: never the secret.
 *
 * @public
 */
export interface ApiKeyInfo {
  id: string;
  subscriptionId: string;
  /** The recognisable start of the key, e.g. `mk_3fQ9a1`. */
  prefix: string;
  createdAt: string;
  lastUsedAt: string | null;
  revokedAt: string | null;
}

/**
 * Returned once when a key is created or rotated.
 *
 * @public
 */
export interface IssuedApiKey extends ApiKeyInfo {
  /** The full key. Shown once; only its hash is stored. */
  secret: string;
}

/**
 * Where and how to call a subscribed service with the OpenAI SDK.
 *
 * @public
 */
export interface GatewayEndpoint {
  /** OpenAI-compatible base URL, e.g. `http://localhost:7007/api/marketplace/gateway/v1`. */
  baseUrl: string;
  /** The `model` parameter. */
  model: string;
}

/** @public */
export interface SubscribeRequest {
  teamRef?: string | null;
  spendCapMicros?: number | null;
}

/** @public */
export interface SubscribeResponse {
  subscription: Subscription;
  apiKey: IssuedApiKey;
  endpoint: GatewayEndpoint;
}

/** @public */
export interface ServiceSummary {
  entity: ModelServiceEntityV1alpha1;
  /** The caller's active subscription, if any. */
  subscription: Subscription | null;
  /** Whether one of the caller's groups owns the service. */
  owned: boolean;
}

/** @public */
export interface ServiceDetail extends ServiceSummary {
  endpoint: GatewayEndpoint;
  keys: ApiKeyInfo[];
}

/**
 * Outcome of a forwarded gateway request.
 *
 * @public
 */
export type UsageStatus =
  | 'ok'
  | 'upstream_error'
  | 'upstream_rejected'
  | 'timeout'
  | 'client_closed'
  | 'abandoned';

/**
 * One row of the usage ledger: one forwarded gateway request.
 *
 * @public
 */
export interface UsageRecord {
  requestId: string;
  subscriptionId: string;
  keyId: string;
  userRef: string;
  teamRef: string | null;
  serviceRef: string;
  providerRef: string;
  model: string;
  stream: boolean;
  status: UsageStatus;
  httpStatus: number;
  errorCode: string | null;
  promptTokens: number;
  completionTokens: number;
  /** Tokens paid by the trial (not billed). */
  trialTokens: number;
  /** Whether token counts came from the upstream's `usage` or our tokenizer. */
  tokenSource: 'upstream' | 'tokenizer';
  costMicros: number;
  platformFeeMicros: number;
  upstreamLatencyMs: number | null;
  timeToFirstTokenMs: number | null;
  startedAt: string;
  finishedAt: string;
}

/** @public */
export interface SubscriptionWithKeys extends Subscription {
  keys: ApiKeyInfo[];
  serviceTitle: string | null;
  endpoint: GatewayEndpoint;
}
