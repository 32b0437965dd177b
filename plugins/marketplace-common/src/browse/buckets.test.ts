import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import {
  browse,
  BrowseSort,
  BROWSE_SORTS,
  HIGH_THROUGHPUT_TOKENS_PER_SECOND,
  LOW_LATENCY_TTFT_P95_MS,
  projectService,
  ProjectionFacts,
  ServiceProjection,
} from '.';

/**
 * Every filter bucket and sort of the browse page, with the values at their
 * edges, on services built for the purpose from one example entity.
 */
const examples = path.resolve(__dirname, '../../../../examples');
const base: ModelServiceEntityV1alpha1 = parseAllDocuments(
  fs.readFileSync(path.join(examples, 'services.yaml'), 'utf8'),
)[0].toJS();

type Spec = ModelServiceEntityV1alpha1['spec'];

function make(
  name: string,
  spec: Partial<Spec> = {},
  facts: ProjectionFacts = {},
): ServiceProjection {
  const entity: ModelServiceEntityV1alpha1 = {
    ...base,
    metadata: { ...base.metadata, name, title: name },
    spec: {
      ...base.spec,
      trial: undefined,
      availability: { schedule: '24/7', timezone: 'UTC' },
      ...spec,
    },
  };
  return projectService(entity, `modelservice:default/${name}`, undefined, {
    createdAt: 0,
    ...facts,
  });
}

const price = (prompt: number, completion: number) => ({
  ...base.spec.pricing,
  promptPer1kMicros: prompt,
  completionPer1kMicros: completion,
  tiers: undefined,
});

const now = new Date('2026-11-24T12:00:00Z'); // a Tuesday, 12:00 UTC
const names = (r: { items: ServiceProjection[] }) =>
  r.items.map(i => i.name).sort();

describe('browse filter buckets', () => {
  it('puts context windows at their edges in the right bucket (131,072 is 128K)', () => {
    const services = [
      make('c8191', { contextWindow: 8191 }),
      make('c8192', { contextWindow: 8192 }),
      make('c32768', { contextWindow: 32768 }),
      make('c32769', { contextWindow: 32769 }),
      make('c131072', { contextWindow: 131072 }),
      make('c131073', { contextWindow: 131073 }),
    ];
    const of = (bucket: any) =>
      names(browse(services, { context: [bucket], limit: 100 }, now));
    expect(of('lt8k')).toEqual(['c8191']);
    expect(of('8k-32k')).toEqual(['c32768', 'c8192']);
    expect(of('32k-128k')).toEqual(['c131072', 'c32769']);
    expect(of('gt128k')).toEqual(['c131073']);
  });

  it('buckets prices by the blended 3:1 price, edges included in $0.01-$0.10', () => {
    const services = [
      // blended 9,999: < $0.01
      make('under-cent', { pricing: price(9999, 9999) }),
      // blended exactly 10,000: $0.01-$0.10
      make('cent', { pricing: price(10_000, 10_000) }),
      // cheap prompt, expensive completion: (3 x 5,000 + 200,000) / 4 = 53,750
      make('cheap-prompt', { pricing: price(5_000, 200_000) }),
      // blended exactly 100,000: still $0.01-$0.10
      make('dime', { pricing: price(100_000, 100_000) }),
      // blended 100,001: > $0.10
      make('over-dime', { pricing: price(100_001, 100_001) }),
      // input-only (embedding): its input price
      make('embedding', { pricing: price(200, 0) }),
      make('free', { pricing: price(0, 0) }),
      make('trial', {
        pricing: price(500_000, 500_000),
        trial: { tokens: 10_000 },
      }),
    ];
    const of = (bucket: any) =>
      names(browse(services, { price: [bucket], limit: 100 }, now));
    expect(of('lt0.01')).toEqual(['embedding', 'free', 'under-cent']);
    expect(of('0.01-0.10')).toEqual(['cent', 'cheap-prompt', 'dime']);
    expect(of('gt0.10')).toEqual(['over-dime', 'trial']);
    expect(of('free')).toEqual(['free', 'trial']);
  });

  it('tells 24/7 and business-hours services apart, and "available now" follows the schedule', () => {
    const services = [
      make('always', { availability: { schedule: '24/7', timezone: 'UTC' } }),
      make('office', {
        availability: { schedule: 'business_hours', timezone: 'UTC' },
      }),
      make('tokyo-office', {
        availability: { schedule: 'business_hours', timezone: 'Asia/Tokyo' },
      }),
    ];
    const of = (value: any, at = now) =>
      names(browse(services, { availability: [value], limit: 100 }, at));
    expect(of('24/7')).toEqual(['always']);
    expect(of('business-hours')).toEqual(['office', 'tokyo-office']);
    // 12:00 UTC on a Tuesday is 21:00 in Tokyo: closed there.
    expect(of('available-now')).toEqual(['always', 'office']);
    // Saturday: only the 24/7 service.
    expect(of('available-now', new Date('2026-11-28T12:00:00Z'))).toEqual([
      'always',
    ]);
  });

  it('is not "available now" when the last probe failed, inside its schedule', () => {
    const services = [
      make('probe-down', {}, { metrics: { lastProbeUp: false } }),
      make('probe-up', {}, { metrics: { lastProbeUp: true } }),
      make('never-probed'),
    ];
    const r = browse(services, { availability: ['available-now'] }, now);
    expect(names(r)).toEqual(['never-probed', 'probe-up']);
    expect(r.facets.availability['available-now']).toBe(2);
    // Still listed as 24/7: the schedule did not change.
    expect(
      browse(services, { availability: ['24/7'] }, now).facets.availability[
        '24/7'
      ],
    ).toBe(3);
  });

  it('filters uptime strictly above 99 % and 99.9 %', () => {
    const services = [
      make('u99', {}, { metrics: { uptimePercent: 99, uptimeDays: 3 } }),
      make('u99.5', {}, { metrics: { uptimePercent: 99.5, uptimeDays: 3 } }),
      make('u99.9', {}, { metrics: { uptimePercent: 99.9, uptimeDays: 30 } }),
      make('u99.95', {}, { metrics: { uptimePercent: 99.95, uptimeDays: 30 } }),
      make('unmeasured'),
    ];
    const of = (value: any) =>
      names(browse(services, { performance: [value], limit: 100 }, now));
    expect(of('uptime-99')).toEqual(['u99.5', 'u99.9', 'u99.95']);
    expect(of('uptime-99.9')).toEqual(['u99.95']);
  });

  it('filters low latency on p95 time to first token below the threshold', () => {
    expect(LOW_LATENCY_TTFT_P95_MS).toBe(100);
    const services = [
      make('ttft99', {}, { metrics: { latencyP95Ms: 99 } }),
      make('ttft100', {}, { metrics: { latencyP95Ms: 100 } }),
      make('unmeasured'),
    ];
    expect(
      names(browse(services, { performance: ['p95-lt100'], limit: 100 }, now)),
    ).toEqual(['ttft99']);
  });

  it('filters high throughput on measured output tokens per second, threshold included', () => {
    const t = HIGH_THROUGHPUT_TOKENS_PER_SECOND;
    const services = [
      make('fast', {}, { metrics: { tokensPerSecond: t } }),
      make('slow', {}, { metrics: { tokensPerSecond: t - 0.1 } }),
      // A high committed throughput alone does not count.
      make('unmeasured', {
        sla: {
          ...base.spec.sla,
          throughput: { requestsPerSecond: 1000, tokensPerSecond: 100_000 },
        },
      }),
    ];
    expect(
      names(
        browse(services, { performance: ['high-throughput'], limit: 100 }, now),
      ),
    ).toEqual(['fast']);
  });

  it('filters verified providers by the admins decision only', () => {
    const services = [
      make('decided', {}, { providerVerified: true }),
      make('undecided'),
    ];
    expect(names(browse(services, { verified: true }, now))).toEqual([
      'decided',
    ]);
    expect(names(browse(services, { verified: false }, now))).toEqual([
      'undecided',
    ]);
  });
});

describe('browse sorts', () => {
  const services = [
    make(
      'a-cheap-prompt',
      { pricing: price(1_000, 100_000) }, // blended 25,750
      {
        createdAt: Date.parse('2026-11-01T00:00:00Z'),
        metrics: {
          requests30d: 50,
          latencyP95Ms: 300,
          uptimePercent: 99.5,
          rating: 4,
        },
      },
    ),
    make(
      'b-balanced',
      { pricing: price(10_000, 20_000) }, // blended 12,500
      {
        createdAt: Date.parse('2026-11-20T00:00:00Z'),
        metrics: {
          requests30d: 900,
          latencyP95Ms: 120,
          uptimePercent: 99.99,
          rating: 3,
        },
      },
    ),
    make(
      'c-unmeasured',
      { pricing: price(20_000, 5_000) }, // blended 16,250
      { createdAt: Date.parse('2026-11-10T00:00:00Z') },
    ),
  ];
  const order = (sort: BrowseSort) =>
    browse(services, { sort, limit: 100 }, now).items.map(i => i.name);

  it.each<[BrowseSort, string[]]>([
    ['price-asc', ['b-balanced', 'c-unmeasured', 'a-cheap-prompt']],
    ['price-desc', ['a-cheap-prompt', 'c-unmeasured', 'b-balanced']],
    ['prompt-price-asc', ['a-cheap-prompt', 'b-balanced', 'c-unmeasured']],
    ['completion-price-asc', ['c-unmeasured', 'b-balanced', 'a-cheap-prompt']],
    ['popularity', ['b-balanced', 'a-cheap-prompt', 'c-unmeasured']],
    ['newest', ['b-balanced', 'c-unmeasured', 'a-cheap-prompt']],
    ['latency', ['b-balanced', 'a-cheap-prompt', 'c-unmeasured']],
    ['uptime', ['b-balanced', 'a-cheap-prompt', 'c-unmeasured']],
    ['rating', ['a-cheap-prompt', 'b-balanced', 'c-unmeasured']],
    ['relevance', ['a-cheap-prompt', 'b-balanced', 'c-unmeasured']],
  ])('sorts by %s', (sort, expected) => {
    expect(order(sort)).toEqual(expected);
  });

  it('has a case for every sort', () => {
    expect([...BROWSE_SORTS].sort()).toEqual(
      [
        'relevance',
        'price-asc',
        'price-desc',
        'prompt-price-asc',
        'completion-price-asc',
        'rating',
        'popularity',
        'newest',
        'latency',
        'uptime',
      ].sort(),
    );
  });
});
