import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import { ModelServiceEntityV1alpha1 } from '../kinds/ModelServiceEntityV1alpha1';
import { ProviderEntityV1alpha1 } from '../kinds/ProviderEntityV1alpha1';
import { browse, contextBucketOf, projectService, ServiceProjection } from '.';

const examples = path.resolve(__dirname, '../../../../examples');
function load(file: string) {
  return parseAllDocuments(
    fs.readFileSync(path.join(examples, file), 'utf8'),
  ).map(d => d.toJS());
}
const providers = new Map<string, ProviderEntityV1alpha1>(
  load('providers.yaml').map((p: any) => [
    `provider:default/${p.metadata.name}`,
    p,
  ]),
);
const services: ServiceProjection[] = load('services.yaml').map(
  (s: ModelServiceEntityV1alpha1, i: number) =>
    projectService(
      s,
      `modelservice:default/${s.metadata.name}`,
      providers.get(s.spec.providedBy),
      { createdAt: i },
    ),
);
const now = new Date('2026-11-24T12:00:00Z'); // a Tuesday

describe('browse', () => {
  it('buckets context windows', () => {
    expect(contextBucketOf(4096)).toBe('lt8k');
    expect(contextBucketOf(8192)).toBe('8k-32k');
    expect(contextBucketOf(32768)).toBe('8k-32k');
    expect(contextBucketOf(128000)).toBe('32k-128k');
    expect(contextBucketOf(1048576)).toBe('gt128k');
  });

  it('returns everything with facet counts that add up', () => {
    const r = browse(services, {}, now);
    expect(r.total).toBe(services.length);
    const familyTotal = Object.values(r.facets.family).reduce(
      (a, b) => a + b,
      0,
    );
    expect(familyTotal).toBe(services.length);
    expect(r.items).toHaveLength(Math.min(24, services.length));
    // default sort: blended price ascending
    const prices = r.items.map(i => i.blendedPer1kMicros);
    expect([...prices].sort((a, b) => a - b)).toEqual(prices);
  });

  it('combines filters and counts each facet under the other filters', () => {
    const r = browse(services, { family: ['gpt'], feature: ['vision'] }, now);
    expect(
      r.items.every(i => i.family === 'gpt' && i.features.has('vision')),
    ).toBe(true);
    expect(r.total).toBe(
      services.filter(s => s.family === 'gpt' && s.features.has('vision'))
        .length,
    );
    // family facet ignores the family filter but applies the feature filter
    expect(r.facets.family.claude).toBe(
      services.filter(s => s.family === 'claude' && s.features.has('vision'))
        .length,
    );
    // feature facet ignores the feature filter but applies the family filter
    expect(r.facets.feature.streaming).toBe(
      services.filter(s => s.family === 'gpt' && s.features.has('streaming'))
        .length,
    );
  });

  it('ORs values within family, ANDs required features', () => {
    const r = browse(
      services,
      {
        family: ['gpt', 'claude'],
        feature: ['vision', 'functionCalling'],
        limit: 100,
      },
      now,
    );
    expect(r.items.length).toBeGreaterThan(0);
    for (const i of r.items) {
      expect(['gpt', 'claude']).toContain(i.family);
      expect(
        i.features.has('vision') && i.features.has('functionCalling'),
      ).toBe(true);
    }
  });

  it('filters by price range and trial, region and verification', () => {
    const cheap = browse(services, { price: ['lt0.01'], limit: 100 }, now);
    expect(cheap.items.every(i => i.blendedPer1kMicros < 10_000)).toBe(true);
    const free = browse(services, { price: ['free'], limit: 100 }, now);
    expect(free.items.every(i => (i.entity.spec.trial?.tokens ?? 0) > 0)).toBe(
      true,
    );
    const eu = browse(
      services,
      { region: ['europe'], verified: true, limit: 100 },
      now,
    );
    expect(
      eu.items.every(i => i.region === 'europe' && i.providerVerified),
    ).toBe(true);
  });

  it('searches name, description, family, base model and provider, name matches first', () => {
    const r = browse(services, { q: 'llama', limit: 100 }, now);
    expect(r.total).toBeGreaterThan(0);
    // name matches (rank 0) come before other matches (rank 1)
    const ranks = r.items.map(i => (i.nameText.includes('llama') ? 0 : 1));
    expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
    expect(
      browse(services, { q: 'helvetia' }, now).items.every(i =>
        i.searchText.includes('helvetia'),
      ),
    ).toBe(true);
    expect(browse(services, { q: 'no-such-thing-xyz' }, now).total).toBe(0);
  });

  it('finds services by feature and by names written without punctuation', () => {
    const vision = browse(services, { q: 'vision', limit: 100 }, now);
    expect(vision.total).toBe(
      services.filter(s => s.entity.spec.features.vision === true).length,
    );
    expect(vision.total).toBeGreaterThan(0);
    const gpt4o = browse(services, { q: 'gpt4o', limit: 100 }, now);
    expect(gpt4o.total).toBeGreaterThan(0);
    expect(
      gpt4o.items.every(i => /gpt-?4o/i.test(`${i.name} ${i.title}`)),
    ).toBe(true);
  });

  it('sorts measured values with "no data" last, and pages', () => {
    const withMetrics = services.map((s, i) => ({
      ...s,
      metrics: i % 2 ? { latencyP95Ms: 1000 - i } : {},
    }));
    const r = browse(withMetrics, { sort: 'latency', limit: 100 }, now);
    const measured = r.items.filter(i => i.metrics.latencyP95Ms !== undefined);
    expect(r.items.slice(0, measured.length)).toEqual(measured);
    const p95s = measured.map(i => i.metrics.latencyP95Ms!);
    expect([...p95s].sort((a, b) => a - b)).toEqual(p95s);
    const page2 = browse(
      services,
      { sort: 'price-desc', offset: 5, limit: 5 },
      now,
    );
    expect(page2.items).toEqual(
      browse(services, { sort: 'price-desc', limit: 100 }, now).items.slice(
        5,
        10,
      ),
    );
  });

  it('computes "available now" from schedule, time zone and maintenance', () => {
    const r = browse(
      services,
      { availability: ['available-now'], limit: 100 },
      now,
    );
    expect(r.items.every(i => i.entity.spec.lifecycle === 'active')).toBe(true);
    // performance filters need measurements: none yet
    expect(browse(services, { performance: ['uptime-99'] }, now).total).toBe(0);
  });

  it('filters and sorts by the review rating; unrated services sort last', () => {
    const ratings = [
      { rating: 4.5, reviewCount: 2 },
      { rating: 3.99, reviewCount: 7 },
      { rating: 4, reviewCount: 1 },
    ];
    const rated = services.map((s, i) => ({ ...s, metrics: ratings[i] ?? {} }));
    const fourUp = browse(
      rated,
      { performance: ['rating-4'], limit: 100 },
      now,
    );
    expect(fourUp.items.map(i => i.name).sort()).toEqual(
      [services[0].name, services[2].name].sort(),
    );
    expect(fourUp.facets.performance['rating-4']).toBe(2);
    const byRating = browse(rated, { sort: 'rating', limit: 100 }, now);
    expect(byRating.items.slice(0, 3).map(i => i.name)).toEqual([
      services[0].name,
      services[2].name,
      services[1].name,
    ]);
  });
});
