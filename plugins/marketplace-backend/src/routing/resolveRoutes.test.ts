import { ConfigReader } from '@backstage/config';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { loadExamples } from '../__testUtils__/marketplaceTestBackend';
import { readRoutingConfig } from './routeConfig';
import {
  derivedRouteName,
  resolveRoutes,
  RoutableService,
} from './resolveRoutes';

const template = loadExamples('services.yaml').find(
  e => e.kind === 'ModelService',
) as ModelServiceEntityV1alpha1;

function service(
  name: string,
  change: (e: ModelServiceEntityV1alpha1) => void = () => {},
  live = true,
): RoutableService {
  const entity: ModelServiceEntityV1alpha1 = JSON.parse(
    JSON.stringify(template),
  );
  entity.metadata.name = name;
  entity.spec.baseModel = 'llama-3.3-70b-instruct';
  entity.spec.lifecycle = 'active';
  entity.spec.features = { streaming: true };
  entity.spec.geographic.region = 'europe';
  entity.spec.compliance = ['GDPR'];
  change(entity);
  return { name, ref: `modelservice:default/${name}`, entity, live };
}

describe('resolveRoutes', () => {
  const a = service('a-llama');
  const b = service('b-llama', e => {
    e.spec.geographic.region = 'north-america';
  });
  const ft = service('ft-llama', e => {
    e.spec.features.fineTuned = true;
  });
  const old = service('old-llama', e => {
    e.spec.lifecycle = 'deprecated';
  });
  const hidden = service('hidden-llama', () => {}, false);
  const lone = service('lone', e => {
    e.spec.baseModel = 'lonely-1';
  });
  const all = [a, b, ft, old, hidden, lone];

  it('derives a route per base model with two eligible services, without fine-tunes', () => {
    const routes = resolveRoutes([], all, { derive: true });
    expect(routes).toHaveLength(1);
    const [route] = routes;
    expect(route.definition).toMatchObject({
      name: 'llama-3.3-70b-instruct',
      baseModel: 'llama-3.3-70b-instruct',
      policy: 'price',
      source: 'derived',
    });
    expect(route.members.map(m => m.name)).toEqual(['a-llama', 'b-llama']);
    expect(route.excluded).toEqual([
      { name: 'hidden-llama', reason: 'not published in the marketplace' },
      { name: 'old-llama', reason: 'lifecycle is deprecated' },
    ]);
    expect(resolveRoutes([], all, { derive: false })).toEqual([]);
  });

  it('takes declared members in their order and applies the constraints', () => {
    const routes = resolveRoutes(
      [
        {
          name: 'eu-llama',
          title: 'Llama in the EU',
          members: ['b-llama', 'a-llama', 'nope'],
          policy: 'order',
          constraints: { regions: ['europe'], compliance: ['GDPR'] },
          source: 'config',
        },
      ],
      all,
      { derive: true },
    );
    const eu = routes.find(r => r.definition.name === 'eu-llama')!;
    expect(eu.members.map(m => m.name)).toEqual(['a-llama']);
    expect(eu.excluded).toEqual([
      { name: 'b-llama', reason: 'runs in north-america, not europe' },
      { name: 'nope', reason: 'no model service has this name' },
    ]);
    // The derived route of the same base model still exists (the declared one
    // lists members, it does not claim the base model).
    expect(routes.map(r => r.definition.name)).toContain(
      'llama-3.3-70b-instruct',
    );
  });

  it('never shadows a service name, and a declared base-model route replaces the derived one', () => {
    const warnings: string[] = [];
    const routes = resolveRoutes(
      [
        {
          name: 'a-llama',
          title: 'x',
          baseModel: 'llama-3.3-70b-instruct',
          policy: 'price',
          constraints: {},
          source: 'config',
        },
        {
          name: 'llama',
          title: 'Llama',
          baseModel: 'llama-3.3-70b-instruct',
          policy: 'latency',
          constraints: { maxBlendedPer1kMicros: 0 },
          source: 'config',
        },
      ],
      all,
      { derive: true, onWarning: m => warnings.push(m) },
    );
    expect(warnings).toEqual([
      "Route 'a-llama' is not served: a model service has that name",
    ]);
    expect(routes.map(r => r.definition.name)).toEqual(['llama']);
    expect(routes[0].members).toEqual([]);
    expect(routes[0].excluded.map(x => x.reason)[0]).toMatch(
      /blended price \d+ micro-USD per 1K tokens is above the route's 0/,
    );
  });

  it('names derived routes after the base model', () => {
    expect(derivedRouteName('Llama 3.3 70B Instruct')).toBe(
      'llama-3.3-70b-instruct',
    );
    expect(derivedRouteName('meta/llama-3.1-8b')).toBe('meta-llama-3.1-8b');
  });
});

describe('readRoutingConfig', () => {
  it('reads declared routes with defaults', () => {
    const config = readRoutingConfig(
      new ConfigReader({
        marketplace: {
          routes: [
            { name: 'llama', baseModel: 'llama-3.3-70b-instruct' },
            {
              name: 'eu-gpt',
              title: 'GPT in the EU',
              members: ['x', 'y'],
              policy: 'order',
              constraints: { regions: ['europe'] },
            },
          ],
          routing: { deriveFromBaseModel: false },
        },
      }),
    );
    expect(config.deriveFromBaseModel).toBe(false);
    expect(config.routes).toEqual([
      {
        name: 'llama',
        title: 'llama',
        baseModel: 'llama-3.3-70b-instruct',
        policy: 'price',
        constraints: {},
        source: 'config',
      },
      {
        name: 'eu-gpt',
        title: 'GPT in the EU',
        members: ['x', 'y'],
        policy: 'order',
        constraints: { regions: ['europe'] },
        source: 'config',
      },
    ]);
    expect(readRoutingConfig(new ConfigReader({})).deriveFromBaseModel).toBe(
      true,
    );
  });

  it.each([
    [{ name: 'Bad Name', baseModel: 'x' }, /routes\[0\]\.name must be/],
    [{ name: 'r' }, /routes\[0\] needs baseModel or members/],
    [{ name: 'r', baseModel: 'x', policy: 'random' }, /routes\[0\]\.policy/],
    [
      { name: 'r', baseModel: 'x', constraints: { regions: ['mars'] } },
      /routes\[0\]\.constraints\.regions\.0/,
    ],
  ])('refuses %p naming the field', (route, message) => {
    expect(() =>
      readRoutingConfig(new ConfigReader({ marketplace: { routes: [route] } })),
    ).toThrow(message);
  });

  it('refuses a route declared twice', () => {
    expect(() =>
      readRoutingConfig(
        new ConfigReader({
          marketplace: {
            routes: [
              { name: 'r', baseModel: 'x' },
              { name: 'r', baseModel: 'y' },
            ],
          },
        }),
      ),
    ).toThrow("marketplace.routes[1].name 'r' is declared twice");
  });
});
