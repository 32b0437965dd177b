import {
  ConsumerUsage,
  ApiKeyInfo,
  GatewayEndpoint,
  IssuedApiKey,
  SubscribeResponse,
  Subscription,
  SubscriptionWithKeys,
  UsageRecord,
  ServiceQualityMetrics,
  SlaAssessment,
  UptimeDay,
} from '@internal/plugin-marketplace-common';
import {
  BrowseServicesResponse,
  MarketplaceApi,
  ProviderProfileResponse,
  ServiceCard,
} from '../api';
import { acmeProvider, fullModelService } from './entities';

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
  usageClamped: false,
  routeRef: null,
  routeAttempt: null,
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
  blendedPer1kMicros: 4375,
  createdAt: '2026-11-01T10:00:00.000Z',
  updatedAt: '2026-11-20T10:00:00.000Z',
  metrics: {
    uptimePercent: 99.95,
    uptimeDays: 3,
    latencyP95Ms: 840,
    tokensPerSecond: 120,
    lastProbeUp: true,
    rating: 4.5,
    reviewCount: 12,
    requests30d: 12345,
    tokens30d: 9_000_000,
    tokensTotal: 25_000_000,
    activeUsers30d: 42,
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
  blendedPer1kMicros: 125,
  createdAt: '2026-11-02T10:00:00.000Z',
  updatedAt: '2026-11-02T10:00:00.000Z',
  metrics: {
    uptimePercent: null,
    uptimeDays: null,
    latencyP95Ms: null,
    tokensPerSecond: null,
    lastProbeUp: null,
    rating: null,
    reviewCount: null,
    requests30d: 0,
    tokens30d: 0,
    tokensTotal: 0,
    activeUsers30d: 0,
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
    getSubscriptionSummary: jest.fn().mockResolvedValue({
      scope: 'subscription',
      ref: 'sub-1',
      period: '2026-12',
      spendMicros: 0,
      reservedMicros: 0,
      budgets: [],
    }),
    listBudgets: jest
      .fn()
      .mockResolvedValue({ period: '2026-12', items: [], ownedTeams: [] }),
    putBudget: jest.fn(),
    deleteBudget: jest.fn().mockResolvedValue(undefined),
    listPriceChanges: jest.fn().mockResolvedValue({
      current: fullModelService.spec.pricing,
      noticeDays: 30,
      items: [],
    }),
    announcePriceChange: jest.fn(),
    getService: jest.fn().mockResolvedValue({
      entity: fullModelService,
      subscription: null,
      owned: false,
      endpoint: ENDPOINT,
      keys: [],
    }),
    subscribe: jest.fn().mockResolvedValue(subscribeResponse),
    listRoutes: jest.fn().mockResolvedValue([]),
    subscribeRoute: jest.fn().mockResolvedValue(subscribeResponse),
    unsubscribeRoute: jest
      .fn()
      .mockResolvedValue({ ...subscription, status: 'cancelled' }),
    unsubscribe: jest
      .fn()
      .mockResolvedValue({ ...subscription, status: 'cancelled' }),
    listSubscriptions: jest.fn().mockResolvedValue([]),
    getUsage: jest.fn().mockResolvedValue([]),
    rotateKey: jest.fn(),
    revokeKey: jest.fn(),
    createKey: jest.fn(),
    getMe: jest.fn().mockResolvedValue({
      userRef: 'user:default/lena.fischer',
      teams: [
        { ref: 'group:default/checkout', title: 'Checkout' },
        { ref: 'group:default/payments', title: 'Payments' },
      ],
    }),
    browseServices: jest.fn().mockResolvedValue(browseResponse),
    getRecommendations: jest
      .fn()
      .mockResolvedValue({ needs: {}, matches: [], excluded: [] }),
    checkServiceName: jest
      .fn()
      .mockImplementation(async (name: string) => ({ name, available: true })),
    listManagedServices: jest.fn().mockResolvedValue([]),
    unpublishService: jest.fn(),
    listApprovals: jest.fn().mockResolvedValue([]),
    approveService: jest.fn(),
    rejectService: jest.fn(),
    listProviderApprovals: jest.fn().mockResolvedValue([]),
    approveProvider: jest.fn(),
    rejectProvider: jest.fn(),
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
    // Monitoring
    getServiceMetrics: jest
      .fn()
      .mockImplementation(async () => unmeasuredQualityMetrics()),
    // admin (issue 9)
    listUsers: jest
      .fn()
      .mockResolvedValue({ items: [], total: 0, offset: 0, limit: 25 }),
    setUserRole: jest.fn(),
    suspendUser: jest.fn(),
    reinstateUser: jest.fn(),
    getPlatformSettings: jest.fn().mockResolvedValue({
      platformFeePercent: 10,
      platformFeeBasisPoints: 1000,
      platformFeeSource: 'config',
      updatedBy: null,
      updatedAt: null,
    }),
    setPlatformFee: jest.fn(),
    listAuditLog: jest
      .fn()
      .mockResolvedValue({ items: [], total: 0, offset: 0, limit: 50 }),
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
    exportUsage: jest.fn(),
    listProviderCredentials: jest.fn().mockResolvedValue({
      credentials: [],
      configCredentials: [],
      storageEnabled: true,
    }),
    addProviderCredential: jest.fn(),
    rotateProviderCredential: jest.fn(),
    deleteProviderCredential: jest.fn(),
    getProviderProfile: jest.fn().mockRejectedValue(new Error('not mocked')),
    setProviderVerification: jest.fn(),
    ...overrides,
  };
}

// --- Monitoring ---------------------------------------------------------------

/** 30 UTC days ending 2099-02-27, with no checks. */
function emptyDays(): UptimeDay[] {
  return Array.from({ length: 30 }, (_, i) => ({
    date: new Date(Date.UTC(2099, 1, 27) - (29 - i) * 86_400_000)
      .toISOString()
      .slice(0, 10),
    upProbes: 0,
    downProbes: 0,
    maintenanceProbes: 0,
    okRequests: 0,
    failedRequests: 0,
    uptimePercent: null,
  }));
}

function noFigure(periodDays: number) {
  return {
    percent: null,
    days: 0,
    periodDays,
    probes: 0,
    requests: 0,
    probePercent: null,
    trafficPercent: null,
  };
}

/** The metrics of a service nothing was measured for yet (fullModelService's SLA). */
export function unmeasuredQualityMetrics(): ServiceQualityMetrics {
  return {
    serviceRef: 'modelservice:default/acme-gpt-4o',
    generatedAt: '2099-02-27T12:00:00.000Z',
    window: '24h',
    windowStart: '2099-02-26T12:00:00.000Z',
    committed: {
      latencyP50Ms: 350,
      latencyP95Ms: 900,
      latencyP99Ms: 1500,
      uptimePercent: 99.95,
      requestsPerSecond: 40,
      tokensPerSecond: 12000,
    },
    uptime: {
      last7d: noFigure(7),
      last30d: noFigure(30),
      daily: emptyDays(),
      availableNow: true,
    },
    traffic: {
      requests: 0,
      errors: 0,
      errorRatePercent: null,
      latencyP50Ms: null,
      latencyP95Ms: null,
      latencyP99Ms: null,
      durationP50Ms: null,
      durationP95Ms: null,
      tokensPerSecondP50: null,
      tokensPerSecondP95: null,
      tokensPerSecond: null,
      waitP50Ms: null,
      waitP95Ms: null,
      requestsPerSecond: 0,
    },
    capacity: {
      inFlightNow: 0,
      peakInFlight: 0,
      peakRequestsPerMinute: 0,
      committedRequestsPerMinute: 2400,
      hourly: [],
    },
    usage: { totalTokens: 0, activeUsers30d: 0, requests30d: 0 },
    createdAt: '2099-02-20T09:00:00.000Z',
    updatedAt: '2099-02-20T09:00:00.000Z',
    latencyHistory: [],
    sla: [
      ['uptime', 'percent', 99.95],
      ['latencyP50', 'ms', 350],
      ['latencyP95', 'ms', 900],
      ['latencyP99', 'ms', 1500],
    ].map(([metric, unit, committed]) => ({
      metric: metric as SlaAssessment['metric'],
      unit: unit as SlaAssessment['unit'],
      committed: committed as number,
      measured: null,
      status: 'no_data' as const,
      samples: 0,
      windowDays: 30,
      coverageDays: 0,
    })),
    incidents: [],
    breaches: [],
    lastProbe: null,
  };
}

/** Measured: an incident yesterday (over), one going on, a p99 breach. */
export function measuredQualityMetrics(): ServiceQualityMetrics {
  const days = emptyDays().map((d, i) => ({
    ...d,
    upProbes: i === 28 ? 1380 : 1440,
    downProbes: i === 28 ? 60 : 0,
    maintenanceProbes: i === 20 ? 60 : 0,
    uptimePercent: i === 28 ? 95.833 : 100,
  }));
  return {
    ...unmeasuredQualityMetrics(),
    uptime: {
      last7d: {
        percent: 99.405,
        days: 7,
        periodDays: 7,
        probes: 10020,
        requests: 300,
        probePercent: 99.401,
        trafficPercent: 99.5,
      },
      last30d: {
        percent: 99.861,
        days: 30,
        periodDays: 30,
        probes: 43200,
        requests: 1234,
        probePercent: 99.861,
        trafficPercent: 99.03,
      },
      daily: days,
      availableNow: false,
    },
    traffic: {
      requests: 1234,
      errors: 12,
      errorRatePercent: 0.97,
      latencyP50Ms: 312,
      latencyP95Ms: 871,
      latencyP99Ms: 1744,
      durationP50Ms: 2400,
      durationP95Ms: 6100,
      tokensPerSecondP50: 84,
      tokensPerSecondP95: 131,
      tokensPerSecond: 84.5,
      waitP50Ms: 3,
      waitP95Ms: 18,
      requestsPerSecond: 0.0143,
    },
    capacity: {
      inFlightNow: 2,
      peakInFlight: 9,
      peakRequestsPerMinute: 37,
      committedRequestsPerMinute: 2400,
      hourly: [
        {
          start: '2099-02-27T10:00:00.000Z',
          peakInFlight: 9,
          peakRequestsPerMinute: 37,
        },
      ],
    },
    usage: { totalTokens: 25_000_000, activeUsers30d: 42, requests30d: 1234 },
    createdAt: '2099-01-10T09:00:00.000Z',
    updatedAt: '2099-02-20T09:00:00.000Z',
    latencyHistory: [
      {
        start: '2099-02-27T10:00:00.000Z',
        requests: 600,
        p50Ms: 301,
        p95Ms: 850,
        p99Ms: 1700,
      },
      {
        start: '2099-02-27T11:00:00.000Z',
        requests: 634,
        p50Ms: 320,
        p95Ms: 890,
        p99Ms: 1790,
      },
    ],
    sla: [
      {
        metric: 'uptime',
        unit: 'percent',
        committed: 99.95,
        measured: 99.861,
        status: 'breached',
        samples: 43200,
        windowDays: 30,
        coverageDays: 30,
      },
      {
        metric: 'latencyP50',
        unit: 'ms',
        committed: 350,
        measured: 312,
        status: 'met',
        samples: 30000,
        windowDays: 30,
        coverageDays: 30,
      },
      {
        metric: 'latencyP95',
        unit: 'ms',
        committed: 900,
        measured: 871,
        status: 'at_risk',
        samples: 30000,
        windowDays: 30,
        coverageDays: 30,
      },
      {
        metric: 'latencyP99',
        unit: 'ms',
        committed: 1500,
        measured: 1744,
        status: 'breached',
        samples: 30000,
        windowDays: 30,
        coverageDays: 30,
      },
    ],
    incidents: [
      {
        startedAt: '2099-02-27T11:58:00.000Z',
        endedAt: null,
        downProbes: 2,
        lastErrorKind: 'timeout',
        lastHttpStatus: null,
      },
      {
        startedAt: '2099-02-26T03:00:00.000Z',
        endedAt: '2099-02-26T04:00:00.000Z',
        downProbes: 60,
        lastErrorKind: 'bad_status',
        lastHttpStatus: 503,
      },
    ],
    breaches: [
      {
        metric: 'latencyP99',
        measured: 1744,
        committed: 1500,
        windowStart: '2099-02-05T00:00:00.000Z',
        windowEnd: '2099-03-07T00:00:00.000Z',
        detectedAt: '2099-02-20T08:00:00.000Z',
      },
    ],
    lastProbe: {
      probedAt: '2099-02-27T11:59:00.000Z',
      outcome: 'down',
      httpStatus: null,
      errorKind: 'timeout',
      latencyMs: 10000,
    },
  };
}

/** The profile of acmeProvider with measuredCard, verified by an admin or not. */
export function providerProfileResponse(
  verified: boolean,
): ProviderProfileResponse {
  return {
    provider: {
      ref: 'provider:default/acme-ai',
      entity: acmeProvider,
      verification: {
        verified,
        claimed: 'verified',
        claimedAt: '2025-01-15',
        decidedBy: verified ? 'user:default/ada' : null,
        decidedAt: verified ? '2026-12-01T09:00:00.000Z' : null,
        note: verified ? 'Contract reviewed' : null,
      },
      quality: {
        services: 1,
        measuredServices: 1,
        uptimePercent: 99.95,
        uptimeDays: 3,
        latencyP95Ms: 840,
        tokensPerSecondP50: 120,
        requests30d: 12345,
        totalTokens: 25_000_000,
        activeUsers30d: 42,
        rating: 4.5,
        reviewCount: 12,
      },
    },
    services: [measuredCard],
  };
}
