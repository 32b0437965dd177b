/**
 * The JSON Schema of the ModelService kind: what the catalog, the publishing
 * checks and editors validate an entity's shape against. The rules a schema
 * cannot express are in `modelServiceChecks.ts`.
 */
import {
  API_COMPATIBILITIES,
  AVAILABILITY_SCHEDULES,
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  MODEL_FAMILIES,
  MODEL_FEATURES,
  MODEL_SERVICE_KIND,
  SERVICE_LIFECYCLES,
  UPSTREAM_AUTH_TYPES,
  UPSTREAM_PROTOCOLS,
  WEEKDAYS,
} from './constants';
import { standaloneKindSchema } from './validation';
import {
  HH_MM_PATTERN,
  ISO_COUNTRY_PATTERN,
  ISO_DATE_TIME_PATTERN,
  SECRET_REF_PATTERN,
  URL_PATTERN,
  UPSTREAM_URL_PATTERN,
  HTTP_HEADER_PATTERN,
  entityRefSchema,
  nonNegativeInteger,
  positiveInteger,
  catalogKindSchema,
} from './schemaParts';

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
export const modelServiceEntityV1alpha1Schema = catalogKindSchema({
  $id: 'ModelServiceV1alpha1',
  description: 'An LLM API service offered through the marketplace gateway.',
  kind: MODEL_SERVICE_KIND,
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
        required: ['currency', 'promptPer1kMicros', 'completionPer1kMicros'],
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
        required: ['latencyMs', 'uptimePercent', 'throughput', 'rateLimits'],
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
});

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
