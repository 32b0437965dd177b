import {
  MARKETPLACE_API_VERSION,
  MODEL_SERVICE_KIND,
  ModelServiceEntityV1alpha1,
  modelServiceEntityV1alpha1Validator,
  parseMicros,
} from '@internal/plugin-marketplace-common';
import { InputError } from '@backstage/errors';
import { stringify } from 'yaml';

/** The six steps of the "Publish LLM service" template, as the action receives them. */
export type PublishInput = {
  name: string;
  title?: string;
  description: string;
  family: string;
  baseModel: string;
  owner: string;
  providedBy: string;
  tags?: string[];
  pricing: {
    /** USD per 1K prompt tokens, a decimal string with at most 6 decimals ("0.0025"). */
    promptPer1k: string | number;
    completionPer1k: string | number;
    tiers?: {
      fromMonthlyTokens: number;
      promptPer1k: string | number;
      completionPer1k: string | number;
    }[];
    trialTokens?: number;
    trialDurationDays?: number;
    trialLimitations?: string[];
  };
  technical: {
    endpointUrl: string;
    upstreamModel?: string;
    /** The API the upstream speaks; `openai-chat` when absent. */
    upstreamProtocol?: string;
    authType: string;
    authHeader?: string;
    secretRef?: string;
    contextWindow: number;
    maxOutputTokens: number;
    features?: string[];
    apiCompatibility: string[];
    documentationUrl?: string;
    issuesUrl?: string;
    supportContact?: string;
  };
  infrastructure: {
    country: string;
    region: string;
    city?: string;
    dataCenters: string[];
    compliance?: string[];
    schedule: string;
    timezone?: string;
    customHours?: { days: string[]; start: string; end: string }[];
    weeklyMaintenance?: { days: string[]; start: string; end: string }[];
    maintenanceWindows?: { start: string; end: string; description?: string }[];
  };
  performance: {
    latencyP50Ms: number;
    latencyP95Ms: number;
    latencyP99Ms: number;
    uptimePercent: number;
    requestsPerSecond: number;
    tokensPerSecond: number;
    requestsPerMinute: number;
    tokensPerMinute: number;
  };
};

function micros(field: string, value: string | number): number {
  try {
    return parseMicros(String(value));
  } catch (e) {
    throw new InputError(
      `${field} must be a USD amount with at most 6 decimals, got '${value}'`,
    );
  }
}

function nonEmpty<T>(list: T[] | undefined): T[] | undefined {
  return list && list.length > 0 ? list : undefined;
}

/** Drops keys whose value is undefined (the JSON Schema forbids explicit nulls). */
function compact<T extends object>(value: T): T {
  return Object.fromEntries(
    Object.entries(value).filter(([, v]) => v !== undefined),
  ) as T;
}

/**
 * Builds the ModelService entity the template describes and validates it with the
 * kind's JSON Schema and semantic checks from marketplace-common: the same rules
 * as catalog YAML and the REST API. Errors name the field.
 */
export function toModelServiceEntity(
  input: PublishInput,
): ModelServiceEntityV1alpha1 {
  const { pricing, technical, infrastructure: infra, performance } = input;
  const features = new Set(technical.features ?? []);
  const entity = {
    apiVersion: MARKETPLACE_API_VERSION,
    kind: MODEL_SERVICE_KIND,
    metadata: compact({
      name: input.name,
      namespace: 'default',
      title: input.title || undefined,
      description: input.description,
      tags: nonEmpty(input.tags ?? undefined),
    }),
    spec: compact({
      owner: input.owner,
      providedBy: input.providedBy,
      lifecycle: 'active',
      family: input.family,
      baseModel: input.baseModel,
      pricing: compact({
        currency: 'USD',
        promptPer1kMicros: micros('pricing.promptPer1k', pricing.promptPer1k),
        completionPer1kMicros: micros(
          'pricing.completionPer1k',
          pricing.completionPer1k,
        ),
        tiers: nonEmpty(
          (pricing.tiers ?? []).map((t, i) => ({
            fromMonthlyTokens: t.fromMonthlyTokens,
            promptPer1kMicros: micros(
              `pricing.tiers[${i}].promptPer1k`,
              t.promptPer1k,
            ),
            completionPer1kMicros: micros(
              `pricing.tiers[${i}].completionPer1k`,
              t.completionPer1k,
            ),
          })),
        ),
      }),
      trial:
        pricing.trialTokens && pricing.trialTokens > 0
          ? compact({
              tokens: pricing.trialTokens,
              durationDays: pricing.trialDurationDays || undefined,
              limitations: nonEmpty(pricing.trialLimitations),
            })
          : undefined,
      contextWindow: technical.contextWindow,
      maxOutputTokens: technical.maxOutputTokens,
      features: {
        functionCalling: features.has('functionCalling'),
        vision: features.has('vision'),
        streaming: features.has('streaming'),
        jsonMode: features.has('jsonMode'),
        fineTuned: features.has('fineTuned'),
        ...(features.has('embeddings') ? { embeddings: true } : {}),
      },
      apiCompatibility: technical.apiCompatibility,
      endpoint: compact({
        baseUrl: technical.endpointUrl,
        upstreamModel: technical.upstreamModel || undefined,
        protocol:
          technical.upstreamProtocol &&
          technical.upstreamProtocol !== 'openai-chat'
            ? technical.upstreamProtocol
            : undefined,
        auth: compact({
          type: technical.authType,
          header:
            technical.authType === 'header'
              ? technical.authHeader || undefined
              : undefined,
          secretRef:
            technical.authType === 'none'
              ? undefined
              : technical.secretRef || undefined,
        }),
      }),
      geographic: compact({
        country: infra.country,
        region: infra.region,
        city: infra.city || undefined,
        dataCenters: infra.dataCenters,
      }),
      compliance: infra.compliance ?? [],
      availability: compact({
        schedule: infra.schedule,
        timezone: infra.timezone || undefined,
        customHours: nonEmpty(infra.customHours),
        weeklyMaintenance: nonEmpty(infra.weeklyMaintenance),
        maintenanceWindows: nonEmpty(
          infra.maintenanceWindows?.map(w => compact({ ...w })),
        ),
      }),
      sla: {
        latencyMs: {
          p50: performance.latencyP50Ms,
          p95: performance.latencyP95Ms,
          p99: performance.latencyP99Ms,
        },
        uptimePercent: performance.uptimePercent,
        throughput: {
          requestsPerSecond: performance.requestsPerSecond,
          tokensPerSecond: performance.tokensPerSecond,
        },
        rateLimits: {
          requestsPerMinute: performance.requestsPerMinute,
          tokensPerMinute: performance.tokensPerMinute,
        },
      },
      support:
        technical.documentationUrl ||
        technical.issuesUrl ||
        technical.supportContact
          ? compact({
              documentationUrl: technical.documentationUrl || undefined,
              issuesUrl: technical.issuesUrl || undefined,
              contact: technical.supportContact || undefined,
            })
          : undefined,
    }),
  };
  try {
    const valid = modelServiceEntityV1alpha1Validator(entity);
    if (!valid) {
      throw new TypeError('not a ModelService');
    }
    return valid;
  } catch (e) {
    throw new InputError(e instanceof Error ? e.message : String(e));
  }
}

/**
 * The entity as a team would commit it (`catalog-info.yaml`): its first line
 * points editors at the kind's JSON Schema, so they validate and complete it.
 */
export function toCatalogInfoYaml(
  entity: ModelServiceEntityV1alpha1,
  schemaUrl: string,
): string {
  const { namespace: _namespace, ...metadata } = entity.metadata;
  return `# yaml-language-server: $schema=${schemaUrl}\n${stringify({
    ...entity,
    metadata,
  })}`;
}
