import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * Which services `GET /v1/services` returns: every approved service, the ones the
 * caller subscribes to, or the ones the caller's groups own.
 *
 * @public
 */
export type ServiceScope = Schemas['ServiceScope'];

/** @public */
export type SubscriptionStatus = Schemas['SubscriptionStatus'];

/**
 * A subscription of one user to one ModelService. Money in integer micro-USD.
 *
 * @public
 */
export type Subscription = Schemas['Subscription'];

/**
 * An API key as listed: never the secret.
 *
 * @public
 */
export type ApiKeyInfo = Schemas['ApiKeyInfo'];

/**
 * Returned once when a key is created or rotated.
 *
 * @public
 */
export type IssuedApiKey = Schemas['IssuedApiKey'];

/**
 * Where and how to call a subscribed service with the OpenAI SDK.
 *
 * @public
 */
export type GatewayEndpoint = Schemas['GatewayEndpoint'];

/** @public */
export type SubscribeRequest = Schemas['SubscribeRequest'];

/** @public */
export type SubscribeResponse = Schemas['SubscribeResponse'];

/** @public */
export type ServiceSummary = Omit<Schemas['ServiceSummary'], 'entity'> & {
  entity: ModelServiceEntityV1alpha1;
};

/** @public */
export type ServiceDetail = Omit<Schemas['ServiceDetail'], 'entity'> & {
  entity: ModelServiceEntityV1alpha1;
};

/**
 * Outcome of a forwarded gateway request.
 *
 * @public
 */
export type UsageStatus = Schemas['UsageStatus'];

/**
 * One row of the usage ledger: one forwarded gateway request.
 *
 * @public
 */
export type UsageRecord = Schemas['UsageRecord'];

/** @public */
export type SubscriptionWithKeys = Schemas['SubscriptionWithKeys'];

/**
 * Where a ModelService stands in the review: only `approved` services are in
 * browse, subscribable and served by the gateway.
 *
 * @public
 */
export type ApprovalStatus = Schemas['ApprovalStatus'];

/**
 * The review and lifecycle state of a service.
 *
 * @public
 */
export type ServicePublication = Schemas['ServicePublication'];

/**
 * The price of a service from `effectiveFrom` on, per 1,000 tokens in integer
 * micro-USD. Ledger rows keep the cost they were charged at.
 *
 * @public
 */
export type PriceHistoryEntry = Schemas['PriceHistoryEntry'];

/**
 * A service as its owners manage it (Provider Management API).
 *
 * @public
 */
export type ManagedService = Omit<Schemas['ManagedService'], 'entity'> & {
  entity: ModelServiceEntityV1alpha1;
};

/**
 * Answer of `POST /v1/provider/services` (201, or 200 for a repeated request).
 *
 * @public
 */
export type PublishServiceResponse = Omit<
  Schemas['PublishServiceResponse'],
  'service'
> & {
  service: ManagedService;
};

/**
 * Answer of `DELETE /v1/provider/services/:id`.
 *
 * @public
 */
export type UnpublishServiceResponse = Omit<
  Schemas['UnpublishServiceResponse'],
  'service'
> & {
  service: ManagedService;
};

/**
 * A service in the admins' approval queue.
 *
 * @public
 */
export type ServiceApproval = Omit<Schemas['ServiceApproval'], 'entity'> & {
  entity: ModelServiceEntityV1alpha1 | null;
};

/**
 * A Provider in the admins' approval queue: until approved, its owners are
 * not providers, and its declared verification counts for nothing.
 *
 * @public
 */
export type ProviderApproval = Schemas['ProviderApproval'];

/**
 * A Provider with the number of its live (approved, published) services.
 *
 * @public
 */
export type ProviderSummary = Omit<Schemas['ProviderSummary'], 'entity'> & {
  entity: ProviderEntityV1alpha1;
};
