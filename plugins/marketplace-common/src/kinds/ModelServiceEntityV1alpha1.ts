import { Entity } from '@backstage/catalog-model';
import {
  ApiCompatibility,
  AvailabilitySchedule,
  ComplianceCertification,
  GeoRegion,
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  ModelFamily,
  ModelFeature,
  ServiceLifecycle,
  UpstreamAuthType,
  UpstreamProtocol,
  Weekday,
} from './constants';
import { modelServiceEntityProblems } from './modelServiceChecks';
import { isMarketplaceEntityOfKind, validateKind } from './validation';

/**
 * A volume tier: once a subscription has used `fromMonthlyTokens` tokens in a calendar
 * month, the tier's prices apply to the rest of that month.
 *
 * @public
 */
export type PricingTier = {
  fromMonthlyTokens: number;
  promptPer1kMicros: number;
  completionPer1kMicros: number;
};

/**
 * Prices in integer micro-units of `currency` per 1,000 tokens.
 *
 * @public
 */
export type ModelServicePricing = {
  currency: 'USD';
  promptPer1kMicros: number;
  completionPer1kMicros: number;
  tiers?: PricingTier[];
};

/** @public */
export type ModelServiceTrial = {
  /** Free tokens (prompt + completion) per user before billing starts. */
  tokens: number;
  /** Days the trial stays valid after subscribing; unlimited when absent. */
  durationDays?: number;
  /** Human-readable restrictions of the trial. */
  limitations?: string[];
};

/** @public */
export type ModelServiceFeatures = Partial<Record<ModelFeature, boolean>>;

/** @public */
export type ModelServiceEndpoint = {
  /** Base URL of the OpenAI-compatible upstream, up to and including `/v1`. */
  baseUrl: string;
  /** The model id to send upstream; defaults to `spec.baseModel`. */
  upstreamModel?: string;
  /** The wire API the upstream speaks; `openai-chat` when absent. */
  protocol?: UpstreamProtocol;
  auth: {
    type: UpstreamAuthType;
    /** Header to carry the credential when type is `header`. */
    header?: string;
    /**
     * Name of the secret holding the upstream credential: read from
     * `marketplace.secrets.<name>` in config, else the environment variable.
     * The credential itself never appears in catalog YAML.
     */
    secretRef?: string;
  };
};

/** @public */
export type ModelServiceGeographic = {
  country: string;
  region: GeoRegion;
  city?: string;
  dataCenters: string[];
};

/** @public */
export type WeeklyHours = {
  days: Weekday[];
  start: string;
  end: string;
};

/** @public */
export type ModelServiceAvailability = {
  schedule: AvailabilitySchedule;
  /** IANA time zone of `customHours`, business hours and weekly maintenance. */
  timezone?: string;
  customHours?: WeeklyHours[];
  /** Recurring maintenance, in `timezone`. */
  weeklyMaintenance?: WeeklyHours[];
  /** One-off maintenance windows (ISO 8601 date-times with offset). */
  maintenanceWindows?: { start: string; end: string; description?: string }[];
};

/**
 * What the provider commits to. Measured values live in the marketplace database,
 * never in YAML.
 *
 * @public
 */
export type ModelServiceSla = {
  /**
   * Committed time to first token (ms): from the marketplace gateway sending a
   * request upstream to the first token (streamed) or the answer's first byte
   * (not streamed). Not the time of the whole answer.
   */
  latencyMs: { p50: number; p95: number; p99: number };
  uptimePercent: number;
  throughput: { requestsPerSecond: number; tokensPerSecond: number };
  rateLimits: { requestsPerMinute: number; tokensPerMinute: number };
};

/** @public */
export type ModelServiceSpec = {
  owner: string;
  providedBy: string;
  lifecycle: ServiceLifecycle;
  /**
   * For a deprecated service: the name of the ModelService that replaces it,
   * which the portal points subscribers to.
   */
  successor?: string;
  family: ModelFamily;
  baseModel?: string;
  pricing: ModelServicePricing;
  trial?: ModelServiceTrial;
  contextWindow: number;
  maxOutputTokens: number;
  features: ModelServiceFeatures;
  apiCompatibility: ApiCompatibility[];
  endpoint: ModelServiceEndpoint;
  geographic: ModelServiceGeographic;
  compliance: ComplianceCertification[];
  availability: ModelServiceAvailability;
  sla: ModelServiceSla;
  support?: { documentationUrl?: string; issuesUrl?: string; contact?: string };
};

/**
 * An LLM API offered in the marketplace.
 *
 * @public
 */
export interface ModelServiceEntityV1alpha1 extends Entity {
  apiVersion: typeof MARKETPLACE_API_VERSION;
  kind: typeof MODEL_SERVICE_KIND;
  spec: ModelServiceSpec;
}

/**
 * Validates a ModelService entity. Returns false when the entity is not a
 * ModelService of the marketplace's apiVersion at all; throws an
 * {@link EntityValidationError} naming every problem when it is one but invalid.
 *
 * @public
 */
export function modelServiceEntityV1alpha1Validator(
  data: unknown,
): ModelServiceEntityV1alpha1 | false {
  return validateKind<ModelServiceEntityV1alpha1>(
    MODEL_SERVICE_KIND,
    data,
    modelServiceEntityProblems,
  );
}

/**
 * Type guard for ModelService entities (by apiVersion and kind; not a validation).
 *
 * @public
 */
export function isModelServiceEntity(
  entity: Entity | undefined,
): entity is ModelServiceEntityV1alpha1 {
  return isMarketplaceEntityOfKind(entity, MODEL_SERVICE_KIND);
}
