import { mockServices } from '@backstage/backend-test-utils';
import { EntityProviderConnection } from '@backstage/plugin-catalog-node';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { MarketplacePublishedServicesProvider } from './MarketplacePublishedServicesProvider';

function service(name: string): ModelServiceEntityV1alpha1 {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name, namespace: 'default', title: name },
    spec: {
      owner: 'group:default/ai-platform-team',
      providedBy: 'provider:default/acme-ai',
      lifecycle: 'active',
      family: 'gpt',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 2500,
        completionPer1kMicros: 10000,
      },
      contextWindow: 128000,
      maxOutputTokens: 16384,
      features: { streaming: true },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl: 'http://localhost:7007/api/demo-upstream/v1',
        auth: { type: 'none' },
      },
      geographic: {
        country: 'US',
        region: 'north-america',
        dataCenters: ['us-east-1'],
      },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 300, p95: 900, p99: 1500 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 10, tokensPerSecond: 1000 },
        rateLimits: { requestsPerMinute: 60, tokensPerMinute: 100000 },
      },
    },
  };
}

function located(name: string) {
  const e = service(name);
  return {
    entity: {
      ...e,
      metadata: {
        ...e.metadata,
        annotations: {
          'backstage.io/managed-by-location': `marketplace:${name}`,
          'backstage.io/managed-by-origin-location': `marketplace:${name}`,
        },
      },
    },
    locationKey: `marketplace:${name}`,
  };
}

describe('MarketplacePublishedServicesProvider', () => {
  const logger = mockServices.logger.mock();
  const getPublishedEntities = jest.fn();
  const connection: jest.Mocked<EntityProviderConnection> = {
    applyMutation: jest.fn(),
    refresh: jest.fn(),
  };
  /** Runs the scheduled task once, at connect. */
  const taskRunner = {
    run: jest.fn(async ({ fn }: any) => {
      await fn(new AbortController().signal);
    }),
  };

  async function connected() {
    const provider = new MarketplacePublishedServicesProvider({
      source: { getPublishedEntities },
      logger,
      taskRunner,
    });
    await provider.connect(connection);
    return provider;
  }

  beforeEach(() => {
    jest.clearAllMocks();
  });

  it('replaces the published services on connect and on every scheduled run (full mutation)', async () => {
    getPublishedEntities.mockResolvedValue([service('a'), service('b')]);
    const provider = await connected();
    expect(provider.getProviderName()).toBe(
      'MarketplacePublishedServicesProvider',
    );
    expect(taskRunner.run).toHaveBeenCalledWith({
      id: 'MarketplacePublishedServicesProvider:refresh',
      fn: expect.any(Function),
    });
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [located('a'), located('b')],
    });

    // A sunset service is no longer delivered: the full mutation drops it.
    getPublishedEntities.mockResolvedValue([service('b')]);
    await taskRunner.run.mock.calls[0][0].fn();
    expect(connection.applyMutation).toHaveBeenLastCalledWith({
      type: 'full',
      entities: [located('b')],
    });
  });

  it('removes nothing when the marketplace cannot be reached', async () => {
    getPublishedEntities.mockRejectedValue(new Error('ECONNREFUSED'));
    await connected();
    expect(connection.applyMutation).not.toHaveBeenCalled();
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('ECONNREFUSED'),
    );
  });

  it('skips an entity that is not a valid ModelService', async () => {
    const broken = service('broken') as any;
    broken.spec.contextWindow = 'lots';
    getPublishedEntities.mockResolvedValue([broken, service('ok')]);
    await connected();
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'full',
      entities: [located('ok')],
    });
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining("'broken'"),
    );
  });

  it('applies announced changes as deltas', async () => {
    getPublishedEntities.mockResolvedValue([]);
    const provider = await connected();
    connection.applyMutation.mockClear();

    await provider.handleEvent({
      serviceRef: 'modelservice:default/c',
      entity: service('c'),
    });
    expect(connection.applyMutation).toHaveBeenCalledWith({
      type: 'delta',
      added: [located('c')],
      removed: [],
    });

    await provider.handleEvent({
      serviceRef: 'modelservice:default/c',
      removedEntityRef: 'modelservice:default/c',
    });
    expect(connection.applyMutation).toHaveBeenLastCalledWith({
      type: 'delta',
      added: [],
      removed: [
        { entityRef: 'modelservice:default/c', locationKey: 'marketplace:c' },
      ],
    });

    // A status-only change has nothing for the catalog's entities.
    connection.applyMutation.mockClear();
    await provider.handleEvent({
      serviceRef: 'modelservice:default/c',
      approvalStatus: 'approved',
    });
    expect(connection.applyMutation).not.toHaveBeenCalled();
  });
});
