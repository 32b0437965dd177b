import { Entity } from '@backstage/catalog-model';
import {
  API_COMPATIBILITIES,
  API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL,
  ApiCompatibility,
  AVAILABILITY_SCHEDULES,
  AvailabilitySchedule,
  COMPLIANCE_CERTIFICATIONS,
  ComplianceCertification,
  GEO_REGIONS,
  GeoRegion,
  MARKETPLACE_API_VERSION,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  MODEL_SERVICE_KIND,
  ModelFamily,
  ModelFeature,
  SERVICE_LIFECYCLES,
  ServiceLifecycle,
  UPSTREAM_AUTH_TYPES,
  UPSTREAM_PROTOCOLS,
  UpstreamAuthType,
  UpstreamProtocol,
  WEEKDAYS,
  Weekday,
} from './constants';
import {
  checkEntity,
  EntityProblem,
  EntityValidationError,
  schemaProblemsValidator,
  standaloneKindSchema,
} from './validation';
import {
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  ISO_DATE_TIME_PATTERN,
  SECRET_REF_PATTERN,
  URL_PATTERN,
  UPSTREAM_URL_PATTERN,
  HTTP_HEADER_PATTERN,
  DENIED_AUTH_HEADERS,
  linkProblems,
  namespaceProblems,
  entityRefSchema,
  nonNegativeInteger,
  positiveInteger,
} from './schemaParts';

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

const weeklyHoursSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['days', 'start', 'end'],
  properties: {
    days: {
      type: 'array',
      minItems: 1,
      uniqueItems: true,
      items: { enum: [...WEEKDAYS] },
    },
    start: { type: 'string', pattern: HH_MM_PATTERN },
    end: { type: 'string', pattern: HH_MM_PATTERN },
  },
};

const pricePer1k = {
  ...nonNegativeInteger,
  description: 'Integer micro-units of the currency per 1,000 tokens.',
};

/**
 * JSON Schema (draft-07) of the ModelService kind.
 *
 * @public
 */
export const modelServiceEntityV1alpha1Schema = {
  $schema: 'http://json-schema.org/draft-07/schema',
  $id: 'ModelServiceV1alpha1',
  description: 'An LLM API service offered through the marketplace gateway.',
  allOf: [
    { $ref: 'Entity' },
    {
      type: 'object',
      required: ['spec'],
      properties: {
        apiVersion: { enum: [MARKETPLACE_API_VERSION] },
        kind: { enum: [MODEL_SERVICE_KIND] },
        spec: {
          type: 'object',
          additionalProperties: false,
          required: [
            'owner',
            'providedBy',
            'lifecycle',
            'family',
            'pricing',
            'contextWindow',
            'maxOutputTokens',
            'features',
            'apiCompatibility',
            'endpoint',
            'geographic',
            'compliance',
            'availability',
            'sla',
          ],
          properties: {
            owner: {
              ...entityRefSchema,
              description:
                'The team that owns the service: a group, e.g. group:default/ai-platform-team.',
            },
            providedBy: {
              ...entityRefSchema,
              description:
                'The Provider that offers it, e.g. provider:default/acme-ai-platform.',
            },
            lifecycle: {
              enum: [...SERVICE_LIFECYCLES],
              description: 'Only active services accept traffic.',
            },
            successor: {
              type: 'string',
              pattern: '^[a-z0-9]+(?:-[a-z0-9]+)*$',
              maxLength: 63,
              description:
                'The name of the service that replaces this one once it is deprecated.',
            },
            family: { enum: [...MODEL_FAMILIES] },
            baseModel: {
              type: 'string',
              minLength: 1,
              description: 'The model it is based on, e.g. gpt-4o.',
            },
            pricing: {
              type: 'object',
              additionalProperties: false,
              required: [
                'currency',
                'promptPer1kMicros',
                'completionPer1kMicros',
              ],
              properties: {
                currency: { enum: ['USD'] },
                promptPer1kMicros: pricePer1k,
                completionPer1kMicros: pricePer1k,
                tiers: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: [
                      'fromMonthlyTokens',
                      'promptPer1kMicros',
                      'completionPer1kMicros',
                    ],
                    properties: {
                      fromMonthlyTokens: positiveInteger,
                      promptPer1kMicros: pricePer1k,
                      completionPer1kMicros: pricePer1k,
                    },
                  },
                },
              },
            },
            trial: {
              type: 'object',
              additionalProperties: false,
              required: ['tokens'],
              properties: {
                tokens: positiveInteger,
                durationDays: positiveInteger,
                limitations: {
                  type: 'array',
                  items: { type: 'string', minLength: 1 },
                },
              },
            },
            contextWindow: {
              ...positiveInteger,
              description: 'Tokens of prompt and answer together.',
            },
            maxOutputTokens: {
              ...positiveInteger,
              description: 'At most spec.contextWindow.',
            },
            features: {
              type: 'object',
              additionalProperties: false,
              properties: Object.fromEntries(
                MODEL_FEATURES.map(f => [f, { type: 'boolean' }]),
              ),
            },
            apiCompatibility: {
              type: 'array',
              minItems: 1,
              uniqueItems: true,
              items: { enum: [...API_COMPATIBILITIES] },
            },
            endpoint: {
              type: 'object',
              additionalProperties: false,
              required: ['baseUrl', 'auth'],
              properties: {
                baseUrl: {
                  type: 'string',
                  pattern: UPSTREAM_URL_PATTERN,
                  description:
                    'Base URL of the OpenAI-compatible upstream, up to and including /v1.',
                },
                upstreamModel: {
                  type: 'string',
                  minLength: 1,
                  description:
                    'The model id sent upstream; spec.baseModel when absent.',
                },
                protocol: {
                  enum: [...UPSTREAM_PROTOCOLS],
                  description:
                    'The wire API the upstream speaks (openai-chat when absent). The gateway passes requests through when the client speaks it and translates otherwise.',
                },
                auth: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['type'],
                  properties: {
                    type: { enum: [...UPSTREAM_AUTH_TYPES] },
                    header: { type: 'string', pattern: HTTP_HEADER_PATTERN },
                    secretRef: {
                      type: 'string',
                      pattern: SECRET_REF_PATTERN,
                      description:
                        'The NAME of the upstream credential the portal holds (marketplace.secrets), never the credential itself.',
                    },
                  },
                },
              },
            },
            geographic: {
              type: 'object',
              additionalProperties: false,
              required: ['country', 'region', 'dataCenters'],
              properties: {
                country: { type: 'string', pattern: ISO_COUNTRY_PATTERN },
                region: { enum: [...GEO_REGIONS] },
                city: { type: 'string', minLength: 1 },
                dataCenters: {
                  type: 'array',
                  minItems: 1,
                  items: { type: 'string', minLength: 1 },
                },
              },
            },
            compliance: {
              type: 'array',
              uniqueItems: true,
              items: { enum: [...COMPLIANCE_CERTIFICATIONS] },
            },
            availability: {
              type: 'object',
              additionalProperties: false,
              required: ['schedule'],
              properties: {
                schedule: { enum: [...AVAILABILITY_SCHEDULES] },
                timezone: { type: 'string', minLength: 1 },
                customHours: { type: 'array', items: weeklyHoursSchema },
                weeklyMaintenance: { type: 'array', items: weeklyHoursSchema },
                maintenanceWindows: {
                  type: 'array',
                  items: {
                    type: 'object',
                    additionalProperties: false,
                    required: ['start', 'end'],
                    properties: {
                      start: { type: 'string', pattern: ISO_DATE_TIME_PATTERN },
                      end: { type: 'string', pattern: ISO_DATE_TIME_PATTERN },
                      description: { type: 'string' },
                    },
                  },
                },
              },
            },
            sla: {
              type: 'object',
              additionalProperties: false,
              required: [
                'latencyMs',
                'uptimePercent',
                'throughput',
                'rateLimits',
              ],
              properties: {
                latencyMs: {
                  type: 'object',
                  description:
                    'Committed time to first token in ms: from the marketplace gateway sending a request to the first token of a streamed answer (or the first byte of a non-streamed one), not the time of the whole answer',
                  additionalProperties: false,
                  required: ['p50', 'p95', 'p99'],
                  properties: {
                    p50: positiveInteger,
                    p95: positiveInteger,
                    p99: positiveInteger,
                  },
                },
                uptimePercent: { type: 'number', minimum: 0, maximum: 100 },
                throughput: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['requestsPerSecond', 'tokensPerSecond'],
                  properties: {
                    requestsPerSecond: positiveInteger,
                    tokensPerSecond: positiveInteger,
                  },
                },
                rateLimits: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['requestsPerMinute', 'tokensPerMinute'],
                  properties: {
                    requestsPerMinute: positiveInteger,
                    tokensPerMinute: positiveInteger,
                  },
                },
              },
            },
            support: {
              type: 'object',
              additionalProperties: false,
              properties: {
                documentationUrl: { type: 'string', pattern: URL_PATTERN },
                issuesUrl: { type: 'string', pattern: URL_PATTERN },
                contact: { type: 'string', minLength: 1 },
              },
            },
          },
        },
      },
    },
  ],
} as const;

/**
 * The ModelService schema as one self-contained JSON Schema document (the
 * catalog's entity envelope inlined): what ajv checks here and what the backend
 * serves to editors.
 *
 * @public
 */
export const modelServiceJsonSchema = standaloneKindSchema(
  modelServiceEntityV1alpha1Schema,
  'ModelService (marketplace.acme.io/v1alpha1)',
);

const schemaProblems = schemaProblemsValidator(modelServiceJsonSchema);

function isInt(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value);
}

function isObject(value: unknown): value is Record<string, any> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function list(value: unknown): any[] {
  return Array.isArray(value) ? value : [];
}

/**
 * The rules JSON Schema cannot express. Each rule looks only at fields of the
 * right shape, so that it can run beside the schema's own problems.
 */
function semanticProblems(raw: unknown): EntityProblem[] {
  const problems: EntityProblem[] = [];
  const spec = isObject(raw) && isObject(raw.spec) ? raw.spec : {};
  const add = (field: string, message: string) =>
    problems.push({ field, message });

  if (
    isInt(spec.maxOutputTokens) &&
    isInt(spec.contextWindow) &&
    spec.contextWindow >= 1 &&
    spec.maxOutputTokens > spec.contextWindow
  ) {
    add(
      'spec.maxOutputTokens',
      `(${spec.maxOutputTokens}) must not exceed spec.contextWindow (${spec.contextWindow})`,
    );
  }
  const latency = isObject(spec.sla) ? spec.sla.latencyMs : undefined;
  if (
    isObject(latency) &&
    isInt(latency.p50) &&
    isInt(latency.p95) &&
    isInt(latency.p99) &&
    !(latency.p50 <= latency.p95 && latency.p95 <= latency.p99)
  ) {
    add(
      'spec.sla.latencyMs',
      `must satisfy p50 <= p95 <= p99 (got ${latency.p50}, ${latency.p95}, ${latency.p99})`,
    );
  }
  const tiers = list(isObject(spec.pricing) ? spec.pricing.tiers : undefined);
  for (let i = 1; i < tiers.length; i++) {
    const [previous, tier] = [tiers[i - 1], tiers[i]];
    if (
      isInt(previous?.fromMonthlyTokens) &&
      isInt(tier?.fromMonthlyTokens) &&
      tier.fromMonthlyTokens <= previous.fromMonthlyTokens
    ) {
      add(
        `spec.pricing.tiers[${i}].fromMonthlyTokens`,
        "must be greater than the previous tier's",
      );
    }
  }
  // The catalog promises no API the gateway does not serve for the service.
  const protocol = isObject(spec.endpoint)
    ? spec.endpoint.protocol ?? 'openai-chat'
    : undefined;
  const served =
    typeof protocol === 'string' &&
    Object.prototype.hasOwnProperty.call(
      API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL,
      protocol,
    )
      ? API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL[
          protocol as keyof typeof API_COMPATIBILITY_BY_UPSTREAM_PROTOCOL
        ]
      : undefined;
  if (served) {
    list(spec.apiCompatibility).forEach((api, i) => {
      if (typeof api === 'string' && !served.includes(api as any)) {
        add(
          `spec.apiCompatibility[${i}]`,
          `'${api}' is not served by the marketplace gateway for an upstream speaking ${protocol} (it serves ${served.join(
            ', ',
          )})`,
        );
      }
    });
  }
  const auth = isObject(spec.endpoint) ? spec.endpoint.auth : undefined;
  if (isObject(auth) && typeof auth.type === 'string') {
    if (auth.type !== 'none' && auth.secretRef === undefined) {
      add(
        'spec.endpoint.auth.secretRef',
        `is required when spec.endpoint.auth.type is '${auth.type}'`,
      );
    }
    if (auth.type === 'header' && auth.header === undefined) {
      add(
        'spec.endpoint.auth.header',
        "is required when spec.endpoint.auth.type is 'header'",
      );
    }
    if (
      typeof auth.header === 'string' &&
      DENIED_AUTH_HEADERS.has(auth.header.toLocaleLowerCase('en-US'))
    ) {
      add(
        'spec.endpoint.auth.header',
        `must not be '${auth.header}': the credential cannot replace a connection, cookie, proxy or gateway header (use e.g. authorization or x-api-key)`,
      );
    }
  }
  problems.push(...linkProblems(raw), ...namespaceProblems(raw));
  const av = isObject(spec.availability) ? spec.availability : undefined;
  if (av) {
    if (
      typeof av.schedule === 'string' &&
      av.schedule !== '24/7' &&
      av.timezone === undefined
    ) {
      add(
        'spec.availability.timezone',
        `is required when spec.availability.schedule is '${av.schedule}'`,
      );
    }
    if (
      typeof av.timezone === 'string' &&
      av.timezone &&
      !isValidTimeZone(av.timezone)
    ) {
      add(
        'spec.availability.timezone',
        `'${av.timezone}' is not an IANA time zone (e.g. Europe/Berlin, UTC)`,
      );
    }
    if (av.schedule === 'custom' && !list(av.customHours).length) {
      add(
        'spec.availability.customHours',
        "is required when spec.availability.schedule is 'custom'",
      );
    }
    for (const field of ['customHours', 'weeklyMaintenance']) {
      for (const [i, h] of list(av[field]).entries()) {
        const hhmm = new RegExp(HH_MM_PATTERN);
        if (hhmm.test(h?.start) && hhmm.test(h?.end) && h.start >= h.end) {
          add(`spec.availability.${field}[${i}].end`, 'must be after start');
        }
      }
    }
    for (const [i, w] of list(av.maintenanceWindows).entries()) {
      if (typeof w?.start !== 'string' || typeof w?.end !== 'string') {
        continue;
      }
      const start = Date.parse(w.start);
      const end = Date.parse(w.end);
      if (Number.isNaN(start)) {
        add(
          `spec.availability.maintenanceWindows[${i}].start`,
          'is not a valid date-time',
        );
      } else if (Number.isNaN(end) || end <= start) {
        add(
          `spec.availability.maintenanceWindows[${i}].end`,
          'must be a date-time after start',
        );
      }
    }
  }
  return problems;
}

function isValidTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz }).format(0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Every problem of a ModelService entity at once (the schema's and the rules
 * beyond it); empty when it is valid.
 *
 * @public
 */
export function modelServiceEntityProblems(data: unknown): EntityProblem[] {
  return [...schemaProblems(data), ...semanticProblems(data)];
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
  return checkEntity(MODEL_SERVICE_KIND, MARKETPLACE_API_VERSION, data, d => {
    const problems = modelServiceEntityProblems(d);
    if (problems.length) {
      throw new EntityValidationError(MODEL_SERVICE_KIND, problems);
    }
    return d as ModelServiceEntityV1alpha1;
  });
}

/**
 * Type guard for ModelService entities (by apiVersion and kind; not a validation).
 *
 * @public
 */
export function isModelServiceEntity(
  entity: Entity | undefined,
): entity is ModelServiceEntityV1alpha1 {
  return (
    !!entity &&
    entity.apiVersion === MARKETPLACE_API_VERSION &&
    entity.kind === MODEL_SERVICE_KIND
  );
}
