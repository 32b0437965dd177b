/*
 * bench/browse: the marketplace browse query at 10,000 services.
 *
 *   yarn bench:browse [--services 10000] [--iterations 400]
 *
 * Generates N ModelServices from the sample catalog (varied families, context windows,
 * prices, features, regions, compliance, schedules, providers and measured metrics),
 * builds the browse index once, then times queries with every filter + search + sort
 * (what GET /marketplace/services runs per request, server side), against a baseline
 * measured in the same run: the same number of services scanned with no filter at all.
 * Prints p50/p95/p99 and the ratio to the baseline. Target: p95 <= 25 ms.
 */
import fs from 'fs';
import path from 'path';
import { parseAllDocuments } from 'yaml';
import {
  browse,
  BrowseQuery,
  ModelServiceEntityV1alpha1,
  ProviderEntityV1alpha1,
  projectService,
  ServiceProjection,
} from '@internal/plugin-marketplace-common';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
}
const N = arg('services', 10_000);
const ITERATIONS = arg('iterations', 400);

const examples = path.resolve(__dirname, '../../examples');
const load = (file: string) =>
  parseAllDocuments(fs.readFileSync(path.join(examples, file), 'utf8')).map(d =>
    d.toJS(),
  );
const providers: ProviderEntityV1alpha1[] = load('providers.yaml');
const templates: ModelServiceEntityV1alpha1[] = load('services.yaml');

/** Deterministic pseudo-random numbers (mulberry32), so every run sees the same data. */
function rng(seed: number) {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generate(n: number): ServiceProjection[] {
  const random = rng(42);
  const contexts = [4096, 8192, 16384, 32768, 65536, 128000, 200000, 1048576];
  const out: ServiceProjection[] = [];
  for (let i = 0; i < n; i++) {
    const t = templates[i % templates.length];
    const provider = providers[Math.floor(random() * providers.length)];
    const contextWindow = contexts[Math.floor(random() * contexts.length)];
    const entity: ModelServiceEntityV1alpha1 = {
      ...t,
      metadata: {
        ...t.metadata,
        name: `${t.metadata.name}-${i}`,
        title: `${t.metadata.title} #${i}`,
      },
      spec: {
        ...t.spec,
        contextWindow,
        maxOutputTokens: Math.min(t.spec.maxOutputTokens, contextWindow),
        pricing: {
          ...t.spec.pricing,
          promptPer1kMicros: Math.floor(random() * 200_000),
          completionPer1kMicros: Math.floor(random() * 400_000),
        },
        providedBy: `provider:default/${provider.metadata.name}`,
      },
    };
    out.push(
      projectService(
        entity,
        `modelservice:default/${entity.metadata.name}`,
        provider,
        {
          metrics:
            random() < 0.7
              ? {
                  uptimePercent: 98 + random() * 2,
                  uptimeDays: 30,
                  latencyP95Ms: 40 + random() * 2000,
                  tokensPerSecond: random() * 300,
                  rating: 1 + random() * 4,
                  requests30d: Math.floor(random() * 100_000),
                }
              : {},
          createdAt: Date.UTC(2026, 0, 1) + i * 60_000,
          providerVerified: random() < 0.5,
        },
      ),
    );
  }
  return out;
}

function percentile(sorted: number[], p: number) {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

function time(services: ServiceProjection[], queries: BrowseQuery[]): number[] {
  const samples: number[] = [];
  const now = new Date();
  for (let i = 0; i < ITERATIONS; i++) {
    const q = queries[i % queries.length];
    const start = process.hrtime.bigint();
    const result = browse(services, q, now);
    // what the route also does per request: serialise one page
    JSON.stringify(result.items.map(p => p.entity.metadata.name));
    samples.push(Number(process.hrtime.bigint() - start) / 1e6);
  }
  return samples.sort((a, b) => a - b);
}

const services = generate(N);
const heavy: BrowseQuery[] = [
  {
    q: 'instruct',
    family: ['llama', 'mistral', 'gpt'],
    context: ['32k-128k', 'gt128k'],
    feature: ['streaming', 'functionCalling'],
    price: ['lt0.01', '0.01-0.10'],
    region: ['europe', 'north-america'],
    compliance: ['GDPR'],
    performance: ['uptime-99'],
    availability: ['available-now'],
    verified: true,
    sort: 'latency',
    limit: 24,
  },
  {
    q: 'acme',
    family: ['claude', 'gemini'],
    feature: ['vision'],
    price: ['free'],
    availability: ['24/7'],
    sort: 'price-desc',
    offset: 24,
    limit: 24,
  },
  {
    q: 'model',
    sort: 'popularity',
    limit: 48,
    compliance: ['SOC2'],
    performance: ['p95-lt100'],
  },
];

// warm up
time(services, heavy);
time(services, [{}]);
const baseline = time(services, [{ limit: 24 }]);
const measured = time(services, heavy);
const b95 = percentile(baseline, 95);
const m50 = percentile(measured, 50);
const m95 = percentile(measured, 95);
const m99 = percentile(measured, 99);
const total = browse(services, heavy[0]).total;

console.log(
  `browse over ${N} services, ${ITERATIONS} queries per case, node ${process.version}`,
);
console.log(
  `  baseline (no filter, no search, default sort): p50 ${percentile(
    baseline,
    50,
  ).toFixed(2)} ms, p95 ${b95.toFixed(2)} ms`,
);
console.log(
  `  all filters + search + sort (3 query shapes):  p50 ${m50.toFixed(
    2,
  )} ms, p95 ${m95.toFixed(2)} ms, p99 ${m99.toFixed(2)} ms`,
);
console.log(
  `  ratio to baseline at p95: ${(m95 / b95).toFixed(
    2,
  )}x; first heavy query matched ${total} services`,
);
console.log(`  target p95 <= 25 ms: ${m95 <= 25 ? 'PASS' : 'FAIL'}`);
