import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import { projectService, ServiceMetrics, ServiceProjection } from '../browse';
import { blendedPricePer1k, findServices, FinderNeeds } from './finder';

const examples = path.resolve(__dirname, '../../../../examples');
const entities: ModelServiceEntityV1alpha1[] = parseAllDocuments(
  fs.readFileSync(path.join(examples, 'services.yaml'), 'utf8'),
).map(d => d.toJS());

function service(
  name: string,
  change: (e: ModelServiceEntityV1alpha1) => void,
  metrics: ServiceMetrics = {},
): ServiceProjection {
  const entity: ModelServiceEntityV1alpha1 = JSON.parse(
    JSON.stringify(entities[0]),
  );
  entity.metadata.name = name;
  entity.spec.pricing = {
    currency: 'USD',
    promptPer1kMicros: 1000,
    completionPer1kMicros: 2000,
  };
  entity.spec.lifecycle = 'active';
  change(entity);
  return projectService(entity, `modelservice:default/${name}`, undefined, {
    metrics: { ...metrics },
  });
}

const volume = {
  requestsPerMonth: 1000,
  avgPromptTokens: 1000,
  avgCompletionTokens: 500,
};

describe('blendedPricePer1k', () => {
  it('weighs three prompt tokens for one completion token, rounded up', () => {
    expect(
      blendedPricePer1k({
        promptPer1kMicros: 2500,
        completionPer1kMicros: 10000,
      }),
    ).toBe(4375);
    expect(
      blendedPricePer1k({ promptPer1kMicros: 1, completionPer1kMicros: 0 }),
    ).toBe(1);
  });
});

describe('findServices', () => {
  it('ranks the services meeting every need by expected monthly cost', () => {
    const cheap = service('cheap', e => {
      e.spec.pricing.promptPer1kMicros = 100;
      e.spec.pricing.completionPer1kMicros = 200;
    });
    const mid = service('mid', () => {});
    const tiered = service('tiered', e => {
      e.spec.pricing.promptPer1kMicros = 1200;
      e.spec.pricing.completionPer1kMicros = 2400;
      // From 500K tokens a month on, far cheaper: cheaper than `mid` overall.
      e.spec.pricing.tiers = [
        {
          fromMonthlyTokens: 500_000,
          promptPer1kMicros: 10,
          completionPer1kMicros: 20,
        },
      ];
    });
    const { matches, excluded } = findServices([mid, tiered, cheap], volume);
    expect(excluded).toEqual([]);
    expect(matches.map(m => m.service.name)).toEqual([
      'cheap',
      'tiered',
      'mid',
    ]);
    // 1,000 requests x (1,000 x $0.0001 + 500 x $0.0002) / 1K = $0.2
    expect(matches[0].expectedMonthlyCostMicros).toBe(200_000);
    // mid: 1,000 x (1,000 + 1,000) micro = $2
    expect(matches[2].expectedMonthlyCostMicros).toBe(2_000_000);
    expect(matches[1].expectedMonthlyCostMicros).toBeLessThan(2_000_000);
    expect(matches[1].expectedMonthlyCostMicros).toBeGreaterThan(200_000);
  });

  it('breaks cost ties by measured time to first token, services without data last', () => {
    const unmeasured = service('a-unmeasured', () => {});
    const slow = service('b-slow', () => {}, { timeToFirstTokenP95Ms: 900 });
    const fast = service('c-fast', () => {}, { timeToFirstTokenP95Ms: 120 });
    expect(
      findServices([unmeasured, slow, fast], volume).matches.map(
        m => m.service.name,
      ),
    ).toEqual(['c-fast', 'b-slow', 'a-unmeasured']);
  });

  it('names every need an excluded service fails', () => {
    const s = service(
      'misfit',
      e => {
        e.spec.contextWindow = 8192;
        e.spec.features = { streaming: true };
        e.spec.geographic.region = 'asia-pacific';
        e.spec.compliance = ['SOC2'];
        e.spec.pricing.promptPer1kMicros = 50_000;
        e.spec.lifecycle = 'deprecated';
      },
      { timeToFirstTokenP95Ms: 2000, uptimePercent: 98.5 },
    );
    const needs: FinderNeeds = {
      ...volume,
      minContext: 32_000,
      feature: ['functionCalling', 'vision', 'streaming'],
      maxBlendedPer1kMicros: 10_000,
      region: ['europe', 'north-america'],
      compliance: ['GDPR', 'SOC2'],
      maxTtftMs: 500,
      minUptime: 99.9,
    };
    const { matches, excluded } = findServices([s], needs);
    expect(matches).toEqual([]);
    expect(excluded).toHaveLength(1);
    expect(excluded[0].reasons).toEqual([
      { need: 'lifecycle', message: 'deprecated: takes no new subscriptions' },
      {
        need: 'context',
        message: 'context window 8,192 tokens is below the 32,000 needed',
      },
      { need: 'feature', message: 'no functionCalling, vision' },
      {
        need: 'price',
        message: 'blended price $0.038 per 1K tokens is above $0.01',
      },
      {
        need: 'region',
        message: 'runs in asia-pacific, not europe or north-america',
      },
      { need: 'compliance', message: 'not certified GDPR' },
      {
        need: 'ttft',
        message: 'measured p95 time to first token 2000 ms is above 500 ms',
      },
      {
        need: 'uptime',
        message: 'measured 30-day uptime 98.5% is below 99.9%',
      },
    ]);
  });

  it('never counts a service without measurements as meeting a measured need', () => {
    const s = service('new', () => {});
    const { matches, excluded } = findServices([s], {
      ...volume,
      maxTtftMs: 10_000,
      minUptime: 1,
    });
    expect(matches).toEqual([]);
    expect(excluded[0].reasons.map(r => r.message)).toEqual([
      'no measured time to first token yet',
      'no measured uptime yet',
    ]);
  });

  it('keeps a service whose measurements meet the needs exactly', () => {
    const s = service(
      'edge',
      e => {
        e.spec.contextWindow = 32_000;
        e.spec.pricing = {
          currency: 'USD',
          promptPer1kMicros: 10_000,
          completionPer1kMicros: 10_000,
        };
      },
      { timeToFirstTokenP95Ms: 500, uptimePercent: 99.9 },
    );
    const { matches } = findServices([s], {
      ...volume,
      minContext: 32_000,
      maxBlendedPer1kMicros: 10_000,
      maxTtftMs: 500,
      minUptime: 99.9,
    });
    expect(matches.map(m => m.service.name)).toEqual(['edge']);
    expect(matches[0].blendedPer1kMicros).toBe(10_000);
  });
});
