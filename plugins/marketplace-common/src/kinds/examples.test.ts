import fs from 'fs';
import path from 'path';
import { parse, parseAllDocuments } from 'yaml';
import {
  Entity,
  FieldFormatEntityPolicy,
  KindValidator,
  NoForeignRootFieldsEntityPolicy,
  SchemaValidEntityPolicy,
  componentEntityV1alpha1Validator,
  groupEntityV1alpha1Validator,
  parseEntityRef,
  systemEntityV1alpha1Validator,
  userEntityV1alpha1Validator,
} from '@backstage/catalog-model';
import {
  GeoRegion,
  MODEL_FAMILIES,
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
  SERVICE_LIFECYCLES,
} from './constants';
import {
  ModelServiceEntityV1alpha1,
  modelServiceEntityV1alpha1Validator,
} from './ModelServiceEntityV1alpha1';
import {
  ProviderEntityV1alpha1,
  providerEntityV1alpha1Validator,
} from './ProviderEntityV1alpha1';

/**
 * Keeps the sample catalog in `examples/` valid and representative: every entity
 * passes its kind's validator, references resolve, and the data covers the
 * filters of the marketplace UI (families, context windows, regions, lifecycles).
 */

const EXAMPLES_DIR = path.resolve(__dirname, '../../../../examples');
const APP_CONFIG = path.resolve(EXAMPLES_DIR, '../app-config.yaml');
const DEMO_UPSTREAM_BASE_URL = 'http://localhost:7007/api/demo-upstream/v1';

type LoadedEntity = { file: string; entity: Entity };

type DemoModel = {
  id: string;
  timeToFirstTokenMs: number;
  tokensPerSecond: number;
  failureRate: number;
  contextWindow: number;
  maxOutputTokens: number;
  ownedBy: string;
};

const CONTINENT_OF_REGION: Record<GeoRegion, string> = {
  'north-america': 'North America',
  'south-america': 'South America',
  europe: 'Europe',
  'middle-east': 'Asia',
  africa: 'Africa',
  'asia-pacific': 'Asia',
};

function parseYamlFile(file: string): unknown[] {
  const text = fs.readFileSync(path.join(EXAMPLES_DIR, file), 'utf8');
  const docs = parseAllDocuments(text);
  if (!Array.isArray(docs)) {
    throw new Error(`${file}: not a YAML stream`);
  }
  const problems = docs.flatMap(d => [...d.errors, ...d.warnings]);
  if (problems.length) {
    throw new Error(`${file}: ${problems.map(p => p.message).join('; ')}`);
  }
  return docs.map(d => d.toJS()).filter(d => d !== null && d !== undefined);
}

const catalogFiles = fs
  .readdirSync(EXAMPLES_DIR, { withFileTypes: true })
  .filter(e => e.isFile() && e.name.endsWith('.yaml'))
  .map(e => e.name)
  .sort();

const loaded: LoadedEntity[] = catalogFiles.flatMap(file =>
  parseYamlFile(file).map(doc => ({ file, entity: doc as Entity })),
);
const entities = loaded.map(l => l.entity);

// The simulator's models are configured in app-config.yaml (marketplace.demoUpstream.models).
const demoModels: DemoModel[] = (
  parse(fs.readFileSync(APP_CONFIG, 'utf8'), { customTags: [] }) as {
    marketplace: { demoUpstream: { models: DemoModel[] } };
  }
).marketplace.demoUpstream.models;

const ofKind = <T extends Entity = Entity>(kind: string): T[] =>
  entities.filter(e => e.kind === kind) as T[];

const services = ofKind<ModelServiceEntityV1alpha1>(MODEL_SERVICE_KIND);
const providers = ofKind<ProviderEntityV1alpha1>(PROVIDER_KIND);
const groups = ofKind('Group');
const users = ofKind('User');

/** `kind:namespace/name`, lower-cased: entity refs compare case-insensitively. */
function refKey(kind: string, namespace: string | undefined, name: string) {
  return `${kind}:${namespace ?? 'default'}/${name}`.toLocaleLowerCase('en-US');
}

const entitiesByRef = new Map(
  entities.map(e => [refKey(e.kind, e.metadata.namespace, e.metadata.name), e]),
);

function resolve(ref: string, defaultKind?: string): Entity | undefined {
  const { kind, namespace, name } = parseEntityRef(ref, {
    defaultKind,
    defaultNamespace: 'default',
  });
  return entitiesByRef.get(refKey(kind, namespace, name));
}

const label = (e: Entity) => `${e.kind}:${e.metadata.name}`;

describe('examples/ sample catalog', () => {
  it('finds the catalog files', () => {
    expect(catalogFiles).toEqual(
      expect.arrayContaining([
        'entities.yaml',
        'org.yaml',
        'providers.yaml',
        'services.yaml',
      ]),
    );
  });

  it('has unique entity refs', () => {
    const keys = entities.map(e =>
      refKey(e.kind, e.metadata.namespace, e.metadata.name),
    );
    expect(keys.filter((k, i) => keys.indexOf(k) !== i)).toEqual([]);
  });

  describe('every entity passes the catalog envelope policies', () => {
    const policies = [
      new SchemaValidEntityPolicy(),
      new NoForeignRootFieldsEntityPolicy(),
      new FieldFormatEntityPolicy(),
    ];
    it.each(loaded.map(l => [`${l.file} ${label(l.entity)}`, l.entity]))(
      '%s',
      async (_name, entity) => {
        for (const policy of policies) {
          await expect(policy.enforce(entity as Entity)).resolves.toBe(entity);
        }
      },
    );
  });

  describe('built-in kinds pass their validators', () => {
    const validators: Record<string, KindValidator> = {
      User: userEntityV1alpha1Validator,
      Group: groupEntityV1alpha1Validator,
      System: systemEntityV1alpha1Validator,
      Component: componentEntityV1alpha1Validator,
    };
    const builtIn = entities.filter(
      e => e.kind !== MODEL_SERVICE_KIND && e.kind !== PROVIDER_KIND,
    );
    it.each(builtIn.map(e => [label(e), e]))('%s', async (_name, entity) => {
      const validator = validators[(entity as Entity).kind];
      expect(validator).toBeDefined();
      await expect(validator.check(entity as Entity)).resolves.toBe(true);
    });
  });

  describe('every ModelService passes modelServiceEntityV1alpha1Validator', () => {
    it.each(services.map(s => [s.metadata.name, s]))('%s', (_name, s) => {
      expect(modelServiceEntityV1alpha1Validator(s)).toBe(s);
    });
  });

  describe('every Provider passes providerEntityV1alpha1Validator', () => {
    it.each(providers.map(p => [p.metadata.name, p]))('%s', (_name, p) => {
      expect(providerEntityV1alpha1Validator(p)).toBe(p);
    });
  });

  it('has at least 5 providers and 18 services', () => {
    expect(providers.length).toBeGreaterThanOrEqual(5);
    expect(services.length).toBeGreaterThanOrEqual(18);
  });

  it('covers every model family at least twice', () => {
    const tooFew = MODEL_FAMILIES.filter(
      family => services.filter(s => s.spec.family === family).length < 2,
    );
    expect(tooFew).toEqual([]);
  });

  it('spans context windows from 8K to 1M', () => {
    const windows = services.map(s => s.spec.contextWindow);
    expect(Math.min(...windows)).toBe(8192);
    expect(Math.max(...windows)).toBe(1048576);
    expect(new Set(windows).size).toBeGreaterThanOrEqual(6);
  });

  it('hosts services and providers on at least 3 continents', () => {
    const serviceContinents = new Set(
      services.map(s => CONTINENT_OF_REGION[s.spec.geographic.region]),
    );
    const providerContinents = new Set(
      providers.map(p => CONTINENT_OF_REGION[p.spec.headquarters.region]),
    );
    expect(serviceContinents.size).toBeGreaterThanOrEqual(3);
    expect(providerContinents.size).toBeGreaterThanOrEqual(3);
  });

  it('has at least one service per lifecycle value', () => {
    for (const lifecycle of SERVICE_LIFECYCLES) {
      expect(services.map(s => s.spec.lifecycle)).toContain(lifecycle);
    }
  });

  it('varies features, trials, pricing tiers, schedules and verification', () => {
    expect(
      services.filter(s => s.spec.features.fineTuned).length,
    ).toBeGreaterThanOrEqual(2);
    expect(services.filter(s => s.spec.trial).length).toBeGreaterThanOrEqual(
      Math.floor(services.length / 3),
    );
    expect(services.some(s => s.spec.pricing.tiers?.length)).toBe(true);
    expect(new Set(services.map(s => s.spec.availability.schedule))).toEqual(
      new Set(['24/7', 'business_hours', 'custom']),
    );
    expect(
      services.some(s => s.spec.availability.maintenanceWindows?.length),
    ).toBe(true);
    expect(new Set(providers.map(p => p.spec.verification.status))).toEqual(
      new Set(['verified', 'pending', 'unverified']),
    );
  });

  it('resolves every providedBy to a Provider owned by the same team as the service', () => {
    const problems = services.flatMap(s => {
      const provider = resolve(s.spec.providedBy) as
        | ProviderEntityV1alpha1
        | undefined;
      if (provider?.kind !== PROVIDER_KIND) {
        return [
          `${s.metadata.name}: providedBy ${s.spec.providedBy} not found`,
        ];
      }
      const owner = resolve(s.spec.owner, 'Group');
      if (!owner || owner !== resolve(provider.spec.owner, 'Group')) {
        return [
          `${s.metadata.name}: owner ${s.spec.owner} is not the owner of ${s.spec.providedBy} (${provider.spec.owner})`,
        ];
      }
      return [];
    });
    expect(problems).toEqual([]);
  });

  it('has every Provider owned by a provider team (a Group tagged "provider")', () => {
    const problems = providers
      .filter(p => {
        const owner = resolve(p.spec.owner, 'Group');
        return (
          owner?.kind !== 'Group' || !owner.metadata.tags?.includes('provider')
        );
      })
      .map(p => `${p.metadata.name}: owner ${p.spec.owner}`);
    expect(problems).toEqual([]);
  });

  it('resolves every spec.owner to a Group or User', () => {
    const problems = entities.flatMap(e => {
      const owner = (e.spec as { owner?: string } | undefined)?.owner;
      const kind = owner ? resolve(owner, 'Group')?.kind : undefined;
      return owner !== undefined && kind !== 'Group' && kind !== 'User'
        ? [`${label(e)}: owner ${owner} not found`]
        : [];
    });
    expect(problems).toEqual([]);
  });

  it('resolves every Component system to a System', () => {
    const problems = ofKind('Component').flatMap(c => {
      const system = c.spec?.system as string | undefined;
      return system && resolve(system, 'System')?.kind !== 'System'
        ? [`${label(c)}: system ${system} not found`]
        : [];
    });
    expect(problems).toEqual([]);
  });

  it('resolves every User memberOf to a Group', () => {
    expect(users.length).toBeGreaterThanOrEqual(6);
    const problems = users.flatMap(u => {
      const memberOf = (u.spec?.memberOf ?? []) as string[];
      if (memberOf.length === 0) {
        return [`${u.metadata.name}: member of no group`];
      }
      return memberOf
        .filter(ref => resolve(ref, 'Group')?.kind !== 'Group')
        .map(ref => `${u.metadata.name}: memberOf ${ref} not found`);
    });
    expect(problems).toEqual([]);
    expect(users.some(u => (u.spec?.memberOf as string[]).length > 1)).toBe(
      true,
    );
  });

  it('has a consistent group tree and a guest user in checkout-team', () => {
    const problems = groups.flatMap(g => {
      const found: string[] = [];
      const parent = g.spec?.parent as string | undefined;
      const parentGroup = parent ? resolve(parent, 'Group') : undefined;
      if (
        parent &&
        !(parentGroup?.spec?.children as string[] | undefined)?.includes(
          g.metadata.name,
        )
      ) {
        found.push(`${g.metadata.name}: parent ${parent} does not list it`);
      }
      for (const child of (g.spec?.children ?? []) as string[]) {
        if (resolve(child, 'Group')?.spec?.parent !== g.metadata.name) {
          found.push(`${g.metadata.name}: child ${child} does not point back`);
        }
      }
      return found;
    });
    expect(problems).toEqual([]);
    const guest = resolve('user:default/guest');
    expect(guest?.spec?.memberOf).toContain('checkout-team');
  });

  describe('demo upstream models', () => {
    const demoById = new Map(demoModels.map(m => [m.id, m]));

    it('has unique ids within the allowed simulation ranges', () => {
      expect(demoById.size).toBe(demoModels.length);
      for (const m of demoModels) {
        expect(m.timeToFirstTokenMs).toBeGreaterThanOrEqual(80);
        expect(m.timeToFirstTokenMs).toBeLessThanOrEqual(900);
        expect(m.tokensPerSecond).toBeGreaterThanOrEqual(30);
        expect(m.tokensPerSecond).toBeLessThanOrEqual(250);
        expect(m.failureRate).toBeGreaterThanOrEqual(0);
        expect(m.failureRate).toBeLessThanOrEqual(0.05);
        expect(m.ownedBy).toEqual(expect.any(String));
      }
    });

    it.each(services.map(s => [s.metadata.name, s]))(
      '%s points at a simulated model with the same limits',
      (_name, s) => {
        expect(s.spec.endpoint.baseUrl).toBe(DEMO_UPSTREAM_BASE_URL);
        // Anthropic-native upstreams take the key as x-api-key.
        expect(s.spec.endpoint.auth).toEqual(
          s.spec.endpoint.protocol === 'anthropic-messages'
            ? {
                type: 'header',
                header: 'x-api-key',
                secretRef: 'DEMO_UPSTREAM_API_KEY',
              }
            : { type: 'bearer', secretRef: 'DEMO_UPSTREAM_API_KEY' },
        );
        const upstreamModel = s.spec.endpoint.upstreamModel;
        expect(upstreamModel).toBeDefined();
        const model = demoById.get(upstreamModel!);
        expect(model).toBeDefined();
        expect(model!.contextWindow).toBe(s.spec.contextWindow);
        expect(model!.maxOutputTokens).toBe(s.spec.maxOutputTokens);
      },
    );

    it('serves no model that no service uses', () => {
      const used = new Set(services.map(s => s.spec.endpoint.upstreamModel));
      expect(demoModels.map(m => m.id).filter(id => !used.has(id))).toEqual([]);
    });
  });
});
