import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { loadExamples } from '../__testUtils__/marketplaceTestBackend';
import { DirectoryService } from '../catalog/directoryService';
import { FAILURE_COOLDOWN_MS, MemberHealth } from './MemberHealth';
import { RouteDirectory } from './RouteDirectory';

const template = loadExamples('services.yaml').find(
  e => e.kind === 'ModelService',
) as ModelServiceEntityV1alpha1;

function service(name: string, promptPer1kMicros: number): DirectoryService {
  const entity: ModelServiceEntityV1alpha1 = JSON.parse(
    JSON.stringify(template),
  );
  entity.metadata.name = name;
  entity.spec.baseModel = 'llama-x';
  entity.spec.lifecycle = 'active';
  entity.spec.features = {};
  entity.spec.pricing = {
    currency: 'USD',
    promptPer1kMicros,
    completionPer1kMicros: promptPer1kMicros,
  };
  return {
    name,
    ref: `modelservice:default/${name}`,
    providerRef: entity.spec.providedBy,
    entity,
    status: 'approved',
  };
}

const services = [
  service('a', 100), // cheapest, slow, low throughput
  service('b', 300), // fastest first token
  service('c', 200), // highest throughput
  service('d', 400), // never measured
];
const metrics = new Map([
  [
    'modelservice:default/a',
    { timeToFirstTokenP95Ms: 900, tokensPerSecond: 20 },
  ],
  [
    'modelservice:default/b',
    { timeToFirstTokenP95Ms: 100, tokensPerSecond: 50 },
  ],
  [
    'modelservice:default/c',
    { timeToFirstTokenP95Ms: 400, tokensPerSecond: 200 },
  ],
]);

async function directoryWith(
  policy: 'price' | 'latency' | 'throughput' | 'order',
  options: { probes?: Record<string, string>; clock?: () => number } = {},
) {
  const health = new MemberHealth(options.clock);
  const routes = new RouteDirectory({
    directory: { list: () => services, version: 1 },
    routing: {
      routes: [
        {
          name: 'llama',
          title: 'Llama',
          members: ['d', 'c', 'b', 'a'],
          policy,
          constraints: {},
          source: 'config',
        },
      ],
      deriveFromBaseModel: false,
    },
    health,
    metrics: async () => metrics,
    lastProbe: async ref =>
      options.probes?.[ref] ? { outcome: options.probes[ref] } : undefined,
    clock: options.clock,
  });
  await routes.measure();
  return { routes, health, route: routes.get('llama')! };
}

describe('RouteDirectory', () => {
  it.each([
    ['price', ['a', 'c', 'b', 'd']],
    ['latency', ['b', 'c', 'a', 'd']],
    ['throughput', ['c', 'b', 'a', 'd']],
    ['order', ['d', 'c', 'b', 'a']],
  ] as const)(
    '%s: orders the members by measured data',
    async (policy, order) => {
      const { routes, route } = await directoryWith(policy);
      expect(routes.plan(route).map(s => s.name)).toEqual(order);
      const summary = routes.summary(route);
      expect(summary.members.map(m => m.name)).toEqual(order);
      expect(summary.members.find(m => m.name === 'd')).toMatchObject({
        timeToFirstTokenP95Ms: null,
        tokensPerSecond: null,
        healthy: true,
      });
    },
  );

  it('tries a member whose latest probe failed last', async () => {
    const { routes, route } = await directoryWith('price', {
      probes: {
        'modelservice:default/a': 'down',
        'modelservice:default/c': 'up',
      },
    });
    expect(routes.plan(route).map(s => s.name)).toEqual(['c', 'b', 'd', 'a']);
  });

  it('passes over a member that just failed, until the cooldown ends or it answers', async () => {
    let now = 1_000_000;
    const { routes, route, health } = await directoryWith('price', {
      clock: () => now,
    });
    health.recordFailure('modelservice:default/a');
    expect(routes.plan(route)[0].name).toBe('c');
    now += FAILURE_COOLDOWN_MS;
    expect(routes.plan(route)[0].name).toBe('a');
    health.recordFailure('modelservice:default/a');
    health.recordSuccess('modelservice:default/a');
    expect(routes.plan(route)[0].name).toBe('a');
  });
});
