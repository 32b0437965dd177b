import {
  ModelServiceEntityV1alpha1,
  PricingTier,
} from '../kinds/ModelServiceEntityV1alpha1';
import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import { ServiceCredentialInfo, ServiceEndpointInfo } from './credentials';

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
  /** Review and lifecycle state (approval, unpublished, sunset). */
  publication?: ServicePublication;
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
  /** Total duration: upstream send to the answer's last byte. */
  upstreamLatencyMs: number | null;
  /**
   * Latency: upstream send to the first token (streamed) or the answer's first
   * byte (not streamed).
   */
  timeToFirstTokenMs: number | null;
  /** Wait from the gateway receiving the request to sending it upstream. */
  waitMs?: number | null;
  startedAt: string;
  finishedAt: string;
  /**
   * The upstream reported usage outside what the request could produce; the
   * bounded counts (and at most the reserved cost) were billed.
   */
  usageClamped: boolean;
  /** The route the request came through (`route:default/<name>`), else null. */
  routeRef: string | null;
  /** Through a route: 1 for the first member tried, 2 for the first fallback, ... */
  routeAttempt: number | null;
  /**
   * The protocol the client spoke: `openai-chat`, `openai-responses`,
   * `openai-completions`, `openai-embeddings` or `anthropic-messages`; null
   * when unknown (a request that never finished).
   */
  protocol?: string | null;
  /** Of the prompt tokens, those the upstream read from its cache, where reported. */
  cachedPromptTokens?: number | null;
}

/** @public */
export interface SubscriptionWithKeys extends Subscription {
  keys: ApiKeyInfo[];
  serviceTitle: string | null;
  endpoint: GatewayEndpoint;
}

/**
 * Where a ModelService stands in the review: only `approved` services are in
 * browse, subscribable and served by the gateway.
 *
 * @public
 */
export type ApprovalStatus = 'pending' | 'approved' | 'rejected';

/**
 * Where a ModelService comes from: published through the portal (template or
 * REST), or catalog YAML.
 *
 * @public
 */
export type ServiceSource = 'portal' | 'catalog';

/**
 * The review and lifecycle state of a service.
 *
 * @public
 */
export interface ServicePublication {
  status: ApprovalStatus;
  /** The admin's reason, when rejected. */
  reason: string | null;
  /** When the marketplace first saw the service (and queued it for review). */
  submittedAt: string;
  /** The admin who approved or rejected it. */
  decidedBy: string | null;
  decidedAt: string | null;
  source: ServiceSource;
  /** When its owners unpublished it: from then on, no new subscriptions. */
  unpublishedAt: string | null;
  /** When the gateway stops serving it (then it answers 410). */
  sunsetAt: string | null;
  /**
   * The name of the service to move to: named by its owner when unpublishing,
   * or the YAML's `spec.successor`.
   */
  successor: string | null;
}

/**
 * The price of a service from `effectiveFrom` on, per 1,000 tokens in integer
 * micro-USD. Ledger rows keep the cost they were charged at.
 *
 * @public
 */
export interface PriceHistoryEntry {
  promptPer1kMicros: number;
  completionPer1kMicros: number;
  tiers: PricingTier[];
  effectiveFrom: string;
}

/**
 * A service as its owners manage it (Provider Management API).
 *
 * @public
 */
export interface ManagedService {
  /**
   * The id to use in `/v1/provider/services/:id`: a UUID for portal-published
   * services, the entity name for catalog YAML ones (the name works for both).
   */
  id: string;
  /** The entity name: the gateway's `model`. */
  name: string;
  /** `modelservice:default/<name>`. */
  entityRef: string;
  /** Where a catalog YAML service is edited (its origin location); null for portal-published ones. */
  location: string | null;
  /** Who published it through the portal; null for catalog YAML. */
  createdBy: string | null;
  createdAt: string | null;
  updatedAt: string | null;
  publication: ServicePublication;
  /**
   * What its owners last submitted. While `changeInReview`, the gateway, the
   * catalog and its subscribers keep the last approved version.
   */
  entity: ModelServiceEntityV1alpha1;
  /** A change of the reviewed parts (endpoint, credential, prices, owner, provider) waits for an admin. */
  changeInReview: boolean;
  /**
   * Set when an admin rejected the owners' last change: `entity` is that
   * change, and the approved version stays served until they change the
   * service again (which sends it back to review).
   */
  changeRejected: {
    reason: string | null;
    decidedBy: string | null;
    decidedAt: string | null;
  } | null;
  /** Price changes, oldest first (only in the answers about one service). */
  priceHistory?: PriceHistoryEntry[];
}

/**
 * Body of `POST /v1/provider/services` and `PUT /v1/provider/services/:id`.
 *
 * @public
 */
export interface PublishServiceRequest {
  /** A complete ModelService entity (apiVersion, kind, metadata, spec). */
  entity: ModelServiceEntityV1alpha1;
}

/**
 * Answer of `POST /v1/provider/services` (201, or 200 for a repeated request).
 *
 * @public
 */
export interface PublishServiceResponse {
  id: string;
  entityRef: string;
  status: ApprovalStatus;
  service: ManagedService;
}

/**
 * Answer of `DELETE /v1/provider/services/:id`.
 *
 * @public
 */
export interface UnpublishServiceResponse {
  service: ManagedService;
  /** Active subscribers who were notified of the sunset. */
  notifiedSubscribers: number;
}

/**
 * A service in the admins' approval queue.
 *
 * @public
 */
export interface ServiceApproval {
  serviceRef: string;
  name: string;
  title: string | null;
  owner: string | null;
  providerRef: string | null;
  source: ServiceSource;
  status: ApprovalStatus;
  reason: string | null;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
  /** The service's entity; null when it has left the catalog since. */
  entity: ModelServiceEntityV1alpha1 | null;
  /** Where the gateway will send requests; null when the entity is gone. */
  endpoint: ServiceEndpointInfo | null;
  /** The upstream credential it will send there; null for `auth.type: none` (or the entity is gone). */
  credential: ServiceCredentialInfo | null;
  /**
   * The last decision rejected a change while the approved version stays
   * served (`status` is then `approved`, `reason` the rejection's).
   */
  changeRejected: boolean;
  /**
   * An approved version of the service is served: a `pending` entry is then
   * a change of it, and rejecting it rejects the change only.
   */
  approvedVersionServed: boolean;
}

/**
 * A Provider in the admins' approval queue: until approved, its owners are
 * not providers, and its declared verification counts for nothing.
 *
 * @public
 */
export interface ProviderApproval {
  /** `provider:default/<name>`. */
  providerRef: string;
  name: string;
  displayName: string | null;
  /** The owning group, whose members become providers once approved; null when it left the catalog. */
  owner: string | null;
  /** The verification status the Provider declares about itself (a claim). */
  verification: string | null;
  status: ApprovalStatus;
  reason: string | null;
  submittedAt: string;
  decidedBy: string | null;
  decidedAt: string | null;
}

/**
 * A Provider with the number of its live (approved, published) services.
 *
 * @public
 */
export interface ProviderSummary {
  ref: string;
  entity: ProviderEntityV1alpha1;
  serviceCount: number;
}

/**
 * Answer of `GET /v1/providers/:id`.
 *
 * @public
 */
export interface ProviderWithServices {
  provider: ProviderSummary;
  /** Its live services, by name. */
  services: ServiceSummary[];
}
