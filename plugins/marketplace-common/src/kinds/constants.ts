/**
 * The apiVersion of every marketplace catalog kind.
 *
 * @public
 */
export const MARKETPLACE_API_VERSION = 'marketplace.acme.io/v1alpha1';

/** @public */
export const MODEL_SERVICE_KIND = 'ModelService';
/** @public */
export const PROVIDER_KIND = 'Provider';

/**
 * A ModelService is provided by a Provider (`spec.providedBy`).
 *
 * @public
 */
export const RELATION_PROVIDED_BY = 'providedBy';
/**
 * A Provider provides a ModelService (reverse of {@link RELATION_PROVIDED_BY}).
 *
 * @public
 */
export const RELATION_PROVIDES = 'provides';

/** @public */
export const MODEL_FAMILIES = [
  'gpt',
  'claude',
  'llama',
  'gemini',
  'mistral',
  'embedding',
  'other',
] as const;
/** @public */
export type ModelFamily = (typeof MODEL_FAMILIES)[number];

/**
 * The capability flags a service can declare under `spec.features`.
 *
 * @public
 */
export const MODEL_FEATURES = [
  'functionCalling',
  'vision',
  'streaming',
  'jsonMode',
  'fineTuned',
  'embeddings',
] as const;
/** @public */
export type ModelFeature = (typeof MODEL_FEATURES)[number];

/** @public */
export const API_COMPATIBILITIES = [
  'openai',
  'anthropic',
  'gemini',
  'mistral',
  'cohere',
  'ollama',
] as const;
/** @public */
export type ApiCompatibility = (typeof API_COMPATIBILITIES)[number];

/**
 * Geographic macro-regions used by the browse filters.
 *
 * @public
 */
export const GEO_REGIONS = [
  'north-america',
  'south-america',
  'europe',
  'middle-east',
  'africa',
  'asia-pacific',
] as const;
/** @public */
export type GeoRegion = (typeof GEO_REGIONS)[number];

/** @public */
export const COMPLIANCE_CERTIFICATIONS = [
  'GDPR',
  'SOC2',
  'HIPAA',
  'ISO27001',
  'ISO42001',
  'PCI-DSS',
  'FedRAMP',
  'CCPA',
  'C5',
  'CSA-STAR',
] as const;
/** @public */
export type ComplianceCertification =
  (typeof COMPLIANCE_CERTIFICATIONS)[number];

/** @public */
export const AVAILABILITY_SCHEDULES = [
  '24/7',
  'business_hours',
  'custom',
] as const;
/** @public */
export type AvailabilitySchedule = (typeof AVAILABILITY_SCHEDULES)[number];

/** @public */
export const WEEKDAYS = [
  'mon',
  'tue',
  'wed',
  'thu',
  'fri',
  'sat',
  'sun',
] as const;
/** @public */
export type Weekday = (typeof WEEKDAYS)[number];

/**
 * Lifecycle of an offer. Only `active` services accept traffic.
 *
 * @public
 */
export const SERVICE_LIFECYCLES = [
  'active',
  'maintenance',
  'deprecated',
] as const;
/** @public */
export type ServiceLifecycle = (typeof SERVICE_LIFECYCLES)[number];

/** @public */
/**
 * The wire API a service's upstream speaks (`spec.endpoint.protocol`). The
 * gateway passes requests through when the client speaks the same one and
 * translates otherwise.
 *
 * @public
 */
export const UPSTREAM_PROTOCOLS = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
  'openai-embeddings',
] as const;
/** @public */
export type UpstreamProtocol = (typeof UPSTREAM_PROTOCOLS)[number];

/**
 * What the gateway serves for a service, by the protocol of its upstream: the
 * catalog's `apiCompatibility` may promise no more than this.
 *
 * @public
 */
export const API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL: Record<
  UpstreamProtocol,
  readonly ApiCompatibility[]
> = {
  'openai-chat': ['openai', 'anthropic'],
  'openai-responses': ['openai', 'anthropic'],
  'anthropic-messages': ['openai', 'anthropic'],
  'openai-embeddings': ['openai'],
};

export const UPSTREAM_AUTH_TYPES = ['bearer', 'header', 'none'] as const;
/** @public */
export type UpstreamAuthType = (typeof UPSTREAM_AUTH_TYPES)[number];

/** @public */
export const PROVIDER_VERIFICATION_STATUSES = [
  'verified',
  'pending',
  'unverified',
] as const;
/** @public */
export type ProviderVerificationStatus =
  (typeof PROVIDER_VERIFICATION_STATUSES)[number];

/**
 * Money is integer micro-units of the currency: 1 USD = 1,000,000.
 *
 * @public
 */
export const MICROS_PER_UNIT = 1_000_000;
