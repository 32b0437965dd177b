import {
  ConsumerUsage,
  ApiKeyInfo,
  GatewayEndpoint,
  IssuedApiKey,
  SubscribeResponse,
  Subscription,
  SubscriptionWithKeys,
  UsageRecord,
} from '@internal/plugin-marketplace-common';
import { BrowseServicesResponse, MarketplaceApi, ServiceCard } from '../api';
import { fullModelService } from './entities';

export const ENDPOINT: GatewayEndpoint = {
  baseUrl: 'http://localhost:7007/api/marketplace/gateway/v1',
  model: 'acme-gpt-4o',
};

/** `GET /v1/me/usage` without any request. */
export const emptyUsage: ConsumerUsage = {
  range: {
    from: '2026-10-27',
    to: '2026-11-25',
    granularity: 'day',
    days: 30,
    previousFrom: '2026-09-27',
    previousTo: '2026-10-26',
  },
  buckets: [],
  totals: {
    start: '2026-10-27T00:00:00.000Z',
    requests: 0,
    okRequests: 0,
    errorRequests: 0,
    promptTokens: 0,
    completionTokens: 0,
    trialTokens: 0,
    costMicros: 0,
  },
  services: [],
  keys: [],
  generatedAt: '2026-11-25T12:00:00.000Z',
};

export const subscription: Subscription = {
  id: 'sub-1',
  serviceRef: 'modelservice:default/acme-gpt-4o',
  model: 'acme-gpt-4o',
  userRef: 'user:default/lena.fischer',
  teamRef: 'group:default/checkout',
  status: 'active',
  spendCapMicros: null,
  trialTokensGranted: 100_000,
  trialTokensUsed: 25_000,
  trialExpiresAt: '2099-01-15T10:00:00.000Z',
  month: '2026-11',
  monthSpendMicros: 1_234_567,
  monthTokens: 30_000,
  createdAt: '2026-11-01T10:00:00.000Z',
  cancelledAt: null,
};

export const activeKey: ApiKeyInfo = {
  id: 'key-1',
  subscriptionId: 'sub-1',
  prefix: 'mk_3fQ9a1',
  createdAt: '2026-11-01T10:00:00.000Z',
  lastUsedAt: '2026-11-20T08:30:00.000Z',
  revokedAt: null,
};

export const revokedKey: ApiKeyInfo = {
  id: 'key-0',
  subscriptionId: 'sub-1',
  prefix: 'mk_old000',
  createdAt: '2026-10-01T10:00:00.000Z',
  lastUsedAt: null,
  revokedAt: '2026-11-01T09:00:00.000Z',
};

export const issuedKey: IssuedApiKey = {
  ...activeKey,
  secret: 'mk_3fQ9a1_s3cr3t-VALUE-only-shown-once',
};

export const subscribeResponse: SubscribeResponse = {
  subscription,
  apiKey: issuedKey,
  endpoint: ENDPOINT,
};

export const subscriptionWithKeys: SubscriptionWithKeys = {
  ...subscription,
  keys: [activeKey, revokedKey],
  serviceTitle: 'Acme GPT-4o',
  endpoint: ENDPOINT,
};

export const usageRecord: UsageRecord = {
  requestId: 'req_abc123',
  subscriptionId: 'sub-1',
  keyId: 'key-1',
  userRef: 'user:default/lena.fischer',
  teamRef: 'group:default/checkout',
  serviceRef: 'modelservice:default/acme-gpt-4o',
  providerRef: 'provider:default/acme-ai',
  model: 'acme-gpt-4o',
  stream: true,
  status: 'ok',
  httpStatus: 200,
  errorCode: null,
  promptTokens: 1200,
  completionTokens: 345,
  trialTokens: 1000,
  tokenSource: 'upstream',
  costMicros: 4_950,
  platformFeeMicros: 495,
  upstreamLatencyMs: 812,
  timeToFirstTokenMs: 230,
  startedAt: '2026-11-20T08:30:00.000Z',
  finishedAt: '2026-11-20T08:30:01.000Z',
};

/** A browse card with every metric measured. */
export const measuredCard: ServiceCard = {
  name: 'acme-gpt-4o',
  ref: 'modelservice:default/acme-gpt-4o',
  title: 'Acme GPT-4o',
  description: 'GPT-4o hosted by Acme in Frankfurt.',
  family: 'gpt',
  baseModel: 'gpt-4o',
  provider: {
    ref: 'provider:default/acme-ai',
    name: 'Acme AI GmbH',
    verified: true,
  },
  lifecycle: 'active',
  contextWindow: 128000,
  maxOutputTokens: 16384,
  pricing: {
    currency: 'USD',
    promptPer1kMicros: 2500,
    completionPer1kMicros: 10000,
  },
  trial: { tokens: 100000 },
  features: ['functionCalling', 'vision', 'streaming', 'jsonMode', 'fineTuned'],
  region: 'europe',
  country: 'DE',
  compliance: ['GDPR', 'SOC2'],
  firstSeenAt: '2026-11-01T10:00:00.000Z',
  metrics: {
    uptime30d: 99.95,
    latencyP95Ms: 840,
    rating: 4.5,
    reviewCount: 12,
    requests30d: 12345,
    tokens30d: 9_000_000,
  },
};

/** A browse card nothing was measured for yet. */
export const unmeasuredCard: ServiceCard = {
  name: 'internal-llama',
  ref: 'modelservice:default/internal-llama',
  title: 'internal-llama',
  description: null,
  family: 'llama',
  baseModel: null,
  provider: {
    ref: 'provider:default/internal-llm',
    name: 'Internal LLM',
    verified: false,
  },
  lifecycle: 'active',
  contextWindow: 32768,
  pricing: {
    currency: 'USD',
    promptPer1kMicros: 100,
    completionPer1kMicros: 200,
  },
  trial: null,
  features: [],
  region: 'europe',
  country: 'DE',
  compliance: [],
  firstSeenAt: '2026-11-02T10:00:00.000Z',
  metrics: {
    uptime30d: null,
    latencyP95Ms: null,
    rating: null,
    reviewCount: null,
    requests30d: 0,
    tokens30d: 0,
  },
};

export const browseResponse: BrowseServicesResponse = {
  items: [measuredCard, unmeasuredCard],
  total: 2,
  offset: 0,
  limit: 24,
  facets: {
    family: { gpt: 1, llama: 1 },
    context: { '32k-128k': 2 },
    feature: { functionCalling: 1, vision: 1 },
    price: { free: 1, 'lt0.01': 2 },
    region: { europe: 2 },
    country: { DE: 2 },
    compliance: { GDPR: 1, SOC2: 1 },
    performance: { 'uptime-99': 1 },
    availability: { '24/7': 2 },
    verified: { true: 1, false: 1 },
  },
};

/** A MarketplaceApi of jest mocks with harmless defaults. */
export function mockMarketplaceApi(
  overrides: Partial<jest.Mocked<MarketplaceApi>> = {},
): jest.Mocked<MarketplaceApi> {
  return {
    listServices: jest.fn().mockResolvedValue([]),
    getService: jest.fn().mockResolvedValue({
      entity: fullModelService,
      subscription: null,
      owned: false,
      endpoint: ENDPOINT,
      keys: [],
    }),
    subscribe: jest.fn().mockResolvedValue(subscribeResponse),
    unsubscribe: jest
      .fn()
      .mockResolvedValue({ ...subscription, status: 'cancelled' }),
    listSubscriptions: jest.fn().mockResolvedValue([]),
    getUsage: jest.fn().mockResolvedValue([]),
    rotateKey: jest.fn(),
    revokeKey: jest.fn(),
    getMe: jest.fn().mockResolvedValue({
      userRef: 'user:default/lena.fischer',
      teams: [
        { ref: 'group:default/checkout', title: 'Checkout' },
        { ref: 'group:default/payments', title: 'Payments' },
      ],
    }),
    browseServices: jest.fn().mockResolvedValue(browseResponse),
    checkServiceName: jest
      .fn()
      .mockImplementation(async (name: string) => ({ name, available: true })),
    listManagedServices: jest.fn().mockResolvedValue([]),
    unpublishService: jest.fn(),
    listApprovals: jest.fn().mockResolvedValue([]),
    approveService: jest.fn(),
    rejectService: jest.fn(),
    listReviews: jest.fn().mockResolvedValue({
      summary: {
        average: null,
        count: 0,
        distribution: { '1': 0, '2': 0, '3': 0, '4': 0, '5': 0 },
      },
      items: [],
      total: 0,
      offset: 0,
      limit: 20,
      me: {
        canReview: false,
        reason: 'Make a successful request first.',
        review: null,
        canReply: false,
        canModerate: false,
      },
    }),
    writeReview: jest.fn(),
    deleteReview: jest.fn(),
    voteReview: jest.fn(),
    replyToReview: jest.fn(),
    hideReview: jest.fn(),
    listProviderTeams: jest.fn().mockResolvedValue([]),
    getProviderAnalytics: jest.fn(),
    listPayouts: jest
      .fn()
      .mockResolvedValue({ statements: [], canMarkPaid: false }),
    getPayout: jest.fn(),
    markPayoutPaid: jest.fn(),
    getMyUsage: jest.fn().mockResolvedValue(emptyUsage),
    listStatements: jest.fn().mockResolvedValue([]),
    getStatement: jest.fn(),
    downloadStatementCsv: jest.fn(),
    ...overrides,
  };
}
