import {
  MARKETPLACE_API_VERSION,
  ModelServiceEntityV1alpha1,
  ProviderEntityV1alpha1,
} from '@internal/plugin-marketplace-common';

/** A ModelService setting every optional field, for tests. */
export const fullModelService: ModelServiceEntityV1alpha1 = {
  apiVersion: MARKETPLACE_API_VERSION,
  kind: 'ModelService',
  metadata: {
    name: 'acme-gpt-4o',
    namespace: 'default',
    title: 'Acme GPT-4o',
    description: 'General purpose multimodal model hosted in Frankfurt.',
  },
  spec: {
    owner: 'group:default/ml-platform',
    providedBy: 'provider:default/acme-ai',
    lifecycle: 'active',
    family: 'gpt',
    baseModel: 'gpt-4o-2024-08-06',
    pricing: {
      currency: 'USD',
      promptPer1kMicros: 2500,
      completionPer1kMicros: 10000,
      tiers: [
        {
          fromMonthlyTokens: 10_000_000,
          promptPer1kMicros: 2000,
          completionPer1kMicros: 8000,
        },
        {
          fromMonthlyTokens: 100_000_000,
          promptPer1kMicros: 1500,
          completionPer1kMicros: 6000,
        },
      ],
    },
    trial: {
      tokens: 100_000,
      durationDays: 14,
      limitations: ['Max 10 requests per minute', 'No production traffic'],
    },
    contextWindow: 128_000,
    maxOutputTokens: 16_384,
    features: {
      functionCalling: true,
      vision: true,
      streaming: true,
      jsonMode: false,
    },
    apiCompatibility: ['openai', 'anthropic'],
    endpoint: {
      baseUrl: 'https://upstream.internal.example/v1',
      upstreamModel: 'gpt-4o-eu',
      auth: {
        type: 'header',
        header: 'x-api-key',
        secretRef: 'ACME_SUPER_SECRET_KEY',
      },
    },
    geographic: {
      country: 'DE',
      region: 'europe',
      city: 'Frankfurt',
      dataCenters: ['fra-1', 'fra-2'],
    },
    compliance: ['GDPR', 'HIPAA', 'SOC2'],
    availability: {
      schedule: 'custom',
      timezone: 'Europe/Berlin',
      customHours: [
        {
          days: ['mon', 'tue', 'wed', 'thu', 'fri'],
          start: '06:00',
          end: '22:00',
        },
      ],
      weeklyMaintenance: [{ days: ['sun'], start: '02:00', end: '04:00' }],
      maintenanceWindows: [
        {
          start: '2001-01-01T00:00:00Z',
          end: '2001-01-01T02:00:00Z',
          description: 'Past upgrade that must not be shown',
        },
        {
          start: '2099-03-01T01:00:00Z',
          end: '2099-03-01T03:00:00Z',
          description: 'Cluster upgrade',
        },
      ],
    },
    sla: {
      latencyMs: { p50: 350, p95: 900, p99: 1500 },
      uptimePercent: 99.95,
      throughput: { requestsPerSecond: 40, tokensPerSecond: 12_000 },
      rateLimits: { requestsPerMinute: 600, tokensPerMinute: 2_000_000 },
    },
    support: {
      documentationUrl: 'https://docs.acme.example/gpt-4o',
      issuesUrl: 'https://issues.acme.example/gpt-4o',
      contact: 'llm-support@acme.example',
    },
  },
};

/** A second, minimal ModelService. */
export const minimalModelService: ModelServiceEntityV1alpha1 = {
  apiVersion: MARKETPLACE_API_VERSION,
  kind: 'ModelService',
  metadata: { name: 'internal-llama', namespace: 'default' },
  spec: {
    owner: 'group:default/ml-platform',
    providedBy: 'internal-llm',
    lifecycle: 'deprecated',
    family: 'llama',
    pricing: {
      currency: 'USD',
      promptPer1kMicros: 100,
      completionPer1kMicros: 200,
    },
    contextWindow: 32_768,
    maxOutputTokens: 4096,
    features: { streaming: true },
    apiCompatibility: ['openai', 'ollama'],
    endpoint: {
      baseUrl: 'https://llama.internal.example/v1',
      auth: { type: 'none' },
    },
    geographic: {
      country: 'US',
      region: 'north-america',
      dataCenters: ['iad'],
    },
    compliance: [],
    availability: { schedule: '24/7' },
    sla: {
      latencyMs: { p50: 100, p95: 200, p99: 400 },
      uptimePercent: 99,
      throughput: { requestsPerSecond: 5, tokensPerSecond: 500 },
      rateLimits: { requestsPerMinute: 60, tokensPerMinute: 50_000 },
    },
  },
};

export const acmeProvider: ProviderEntityV1alpha1 = {
  apiVersion: MARKETPLACE_API_VERSION,
  kind: 'Provider',
  metadata: { name: 'acme-ai', namespace: 'default', title: 'Acme AI' },
  spec: {
    owner: 'group:default/vendor-management',
    displayName: 'Acme AI GmbH',
    verification: { status: 'verified', verifiedAt: '2025-01-15' },
    headquarters: { country: 'DE', region: 'europe', city: 'Berlin' },
    compliance: ['GDPR', 'ISO27001'],
    contact: {
      email: 'partners@acme.example',
      url: 'https://acme.example/contact',
      chat: '#acme-ai-support',
    },
    website: 'https://acme.example',
  },
};

/** The catalog's view of a service: with the relations our processor emits. */
export function withRelations<T extends { relations?: unknown }>(
  entity: T,
  relations: { type: string; targetRef: string }[],
): T {
  return { ...entity, relations };
}
