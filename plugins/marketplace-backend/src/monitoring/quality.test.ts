import {
  bucketOf,
  decodeHistogram,
  encodeHistogram,
  histogramOf,
  LAST_BUCKET,
  MAX_RELATIVE_ERROR,
  percentile,
  representativeOf,
} from '../stores/monitoring/histogram';
import { emptyAggregate, HourEntry } from '../stores/monitoring/hourAggregates';
import { HOUR_MS } from '../lib/periods';
import {
  assessSla,
  availabilityFigure,
  availabilityPercent,
  coverageDays,
  dailyUptime,
  latencyStatus,
  slaWindowStart,
  trafficOf,
  uptimePercent,
  uptimeStatus,
  minUptimeChecks,
} from './quality';

/** The exact nearest-rank percentile of samples. */
function exact(samples: number[], p: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.max(1, Math.ceil((p / 100) * sorted.length)) - 1];
}

describe('latency histogram', () => {
  it('puts values into log-scale buckets of growth 1.1', () => {
    expect(bucketOf(0)).toBe(0);
    expect(bucketOf(1)).toBe(1);
    // 1.1^24 = 9.85, 1.1^25 = 10.83: 10 ms is in bucket 25 = [9.85, 10.83)
    expect(bucketOf(10)).toBe(25);
    expect(bucketOf(11)).toBe(26);
    // 1.1^72 = 955.6, 1.1^73 = 1051.2
    expect(bucketOf(956)).toBe(73);
    expect(bucketOf(1051)).toBe(73);
    expect(bucketOf(1052)).toBe(74);
    expect(bucketOf(10 * 3_600_000)).toBe(LAST_BUCKET);
    // The representative of a bucket is its geometric middle, 1.1^(k - 1/2).
    expect(representativeOf(73)).toBe(Math.round(1.1 ** 72.5)); // 1002
    expect(representativeOf(0)).toBe(0);
  });

  it('reads percentiles of a hand-computed fixture', () => {
    // 20 samples: 100 x 10, 200 x 5, 400 x 4, 2000 x 1
    const samples = [
      ...Array(10).fill(100),
      ...Array(5).fill(200),
      ...Array(4).fill(400),
      2000,
    ];
    const h = histogramOf(samples);
    // p50: rank 10 -> 100 ms, bucket 49 = [97.02, 106.72) -> 1.1^48.5 = 101.9 -> 102
    expect(percentile(h, 50)).toBe(102);
    // p95: rank 19 -> 400 ms, bucket 63 = [368.4, 405.3) -> 1.1^62.5 = 386.4 -> 386
    expect(percentile(h, 95)).toBe(386);
    // p99: rank 20 -> 2000 ms, bucket 80 = [1862.2, 2048.4) -> 1.1^79.5 = 1953.1 -> 1953
    expect(percentile(h, 99)).toBe(1953);
    // p75: rank 15 -> 200 ms, bucket 56 = [189.1, 208.0) -> 1.1^55.5 = 198.3 -> 198
    expect(percentile(h, 75)).toBe(198);
    expect(percentile(new Map(), 95)).toBeNull();
  });

  it('stays within the documented error bound of the exact percentile', () => {
    // ~4.9%: sqrt(1.1) - 1, plus half a millisecond of rounding.
    expect(MAX_RELATIVE_ERROR).toBeCloseTo(0.0488, 4);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    for (let round = 0; round < 50; round++) {
      const samples = Array.from(
        { length: 1 + Math.floor(random() * 500) },
        () => Math.round(Math.exp(random() * 12)),
      );
      const h = histogramOf(samples);
      for (const p of [50, 90, 95, 99, 100]) {
        const truth = exact(samples, p);
        const read = percentile(h, p)!;
        expect(Math.abs(read - truth)).toBeLessThanOrEqual(
          truth * MAX_RELATIVE_ERROR + 0.5,
        );
      }
    }
  });

  it('merges by adding counts, and round-trips its stored form', () => {
    const a = histogramOf([100, 100, 400]);
    const b = histogramOf([100, 2000]);
    const text = encodeHistogram(a);
    expect(text).toBe('49:2,63:1');
    expect(decodeHistogram(text)).toEqual(a);
    const merged = decodeHistogram(
      `${encodeHistogram(a)},${encodeHistogram(b)}`,
    );
    expect(merged).toEqual(histogramOf([100, 100, 400, 100, 2000]));
    expect(decodeHistogram('')).toEqual(new Map());
  });
});

describe('uptime and SLA maths', () => {
  it('computes uptime from up and down checks only', () => {
    expect(uptimePercent(0, 0)).toBeNull();
    expect(uptimePercent(999, 1)).toBe(99.9);
    expect(uptimePercent(2, 1)).toBe(66.667);
    expect(uptimePercent(5, 0)).toBe(100);
  });

  it('moves an uptime from met to at risk to breached', () => {
    // Target 99.9% allows 0.1% downtime; at risk beyond 90% of it (0.09%).
    expect(uptimeStatus(100, 1000, 99.9)).toBe('met');
    expect(uptimeStatus(99.92, 1000, 99.9)).toBe('met');
    expect(uptimeStatus(99.905, 1000, 99.9)).toBe('at_risk');
    expect(uptimeStatus(99.9, 1000, 99.9)).toBe('at_risk');
    expect(uptimeStatus(99.89, 1000, 99.9)).toBe('breached');
    expect(uptimeStatus(null, 0, 99.9)).toBe('no_data');
    expect(uptimeStatus(100, 2, 99.9)).toBe('no_data');
  });

  it('judges an uptime commitment only on enough checks to tell (one failure is worth what it allows)', () => {
    expect(minUptimeChecks(99.5)).toBe(200);
    expect(minUptimeChecks(99.9)).toBe(1000);
    expect(minUptimeChecks(99)).toBe(100);
    expect(minUptimeChecks(50)).toBe(3);
    expect(minUptimeChecks(100)).toBe(3);
    expect(minUptimeChecks(99.99999)).toBe(10_000);
    // A new service: one of its first three checks failed. Nothing is known
    // of its 30-day uptime yet, so nothing is breached (nor notified).
    expect(uptimeStatus(66.667, 3, 99.5)).toBe('no_data');
    expect(uptimeStatus(99, 199, 99.5)).toBe('no_data');
    expect(uptimeStatus(99, 200, 99.5)).toBe('breached');
    expect(uptimeStatus(100, 200, 99.5)).toBe('met');
  });

  it('moves a latency from met to at risk (within 10%) to breached', () => {
    expect(latencyStatus(800, 100, 1000)).toBe('met');
    expect(latencyStatus(900, 100, 1000)).toBe('met');
    expect(latencyStatus(901, 100, 1000)).toBe('at_risk');
    expect(latencyStatus(1000, 100, 1000)).toBe('at_risk');
    expect(latencyStatus(1001, 100, 1000)).toBe('breached');
    expect(latencyStatus(5000, 9, 1000)).toBe('no_data');
    expect(latencyStatus(null, 0, 1000)).toBe('no_data');
  });

  it('assesses every SLA metric of an aggregate: latency targets against the time to first token', () => {
    const a = emptyAggregate();
    a.probesUp = 997;
    a.probesDown = 3;
    a.probesMaintenance = 50;
    a.ttftHist = histogramOf([
      ...Array(80).fill(300),
      ...Array(15).fill(900),
      ...Array(5).fill(3000),
    ]);
    a.ttftCount = 100;
    // Whole answers take far longer: they do not count against latency targets.
    a.latencyHist = histogramOf(Array(100).fill(20_000));
    a.latencyCount = 100;
    a.firstHour = Date.UTC(2026, 10, 20);
    const sla = {
      latencyMs: { p50: 450, p95: 1000, p99: 2600 },
      uptimePercent: 99.9,
      throughput: { requestsPerSecond: 10, tokensPerSecond: 1000 },
      rateLimits: { requestsPerMinute: 60, tokensPerMinute: 1000 },
    };
    expect(
      assessSla(a, sla, Date.UTC(2026, 10, 23)).map(r => [
        r.metric,
        r.measured,
        r.status,
        r.samples,
        r.coverageDays,
      ]),
    ).toEqual([
      ['uptime', 99.7, 'breached', 1000, 3],
      ['latencyP50', 290, 'met', 100, 3], // 300 ms: bucket 60 -> 1.1^59.5 = 290
      ['latencyP95', 911, 'at_risk', 100, 3], // 900 ms: bucket 72 -> 1.1^71.5 = 911 > 900
      ['latencyP99', 3145, 'breached', 100, 3], // 3000 ms: bucket 85 -> 1.1^84.5 = 3145
    ]);
  });

  it('counts failed real requests against uptime, client errors not at all', () => {
    const a = emptyAggregate();
    a.probesUp = 100; // every probe passed ...
    a.okRequests = 880;
    a.errors = 20; // ... but 20 requests failed with 5xx or timeouts
    a.requests = 950; // 50 more: client errors, which count as neither
    expect(availabilityPercent(a)).toBe(98);
    const now = Date.UTC(2026, 10, 27, 12);
    a.firstHour = now - 3 * 86_400_000;
    expect(availabilityFigure(a, now, 30 * 86_400_000)).toEqual({
      percent: 98,
      days: 3,
      periodDays: 30,
      probes: 100,
      requests: 900,
      probePercent: 100,
      trafficPercent: 97.778,
    });
  });

  it('says how many days of data an uptime stands on, never more than the period', () => {
    const now = Date.UTC(2026, 10, 27, 12);
    const a = emptyAggregate();
    a.probesUp = 2;
    a.firstHour = now - 3_600_000;
    // A service approved an hour ago: too few checks for a figure at all.
    expect(availabilityFigure(a, now, 30 * 86_400_000)).toMatchObject({
      percent: null,
      days: 0,
    });
    a.probesUp = 60;
    expect(availabilityFigure(a, now, 30 * 86_400_000)).toMatchObject({
      percent: 100,
      days: 0,
    });
    a.firstHour = now - 90 * 86_400_000;
    expect(coverageDays(a, now, 7 * 86_400_000)).toBe(7);
    expect(coverageDays(emptyAggregate(), now, 7 * 86_400_000)).toBe(0);
  });

  it('counts traffic: error rate, tokens per second, requests per second', () => {
    const a = emptyAggregate();
    a.requests = 40;
    a.errors = 2;
    a.latencyCount = 38;
    a.outputTokens = 3800;
    a.generationMs = 38_000;
    a.latencyHist = histogramOf(Array(38).fill(1000));
    a.ttftHist = histogramOf([...Array(9).fill(200), 1000]);
    a.tpsHist = histogramOf([...Array(30).fill(50), ...Array(8).fill(150)]);
    a.waitHist = histogramOf([...Array(39).fill(2), 40]);
    expect(trafficOf(a, HOUR_MS)).toEqual({
      requests: 40,
      errors: 2,
      errorRatePercent: 5,
      latencyP50Ms: 198,
      latencyP95Ms: 1002,
      latencyP99Ms: 1002,
      durationP50Ms: 1002,
      durationP95Ms: 1002,
      tokensPerSecondP50: 52, // 50 tokens/s, read from its bucket (within 5%)
      tokensPerSecondP95: 149, // 150 tokens/s
      tokensPerSecond: 100,
      waitP50Ms: 2,
      waitP95Ms: 2,
      requestsPerSecond: 0.0111,
    });
    const none = trafficOf(emptyAggregate(), HOUR_MS);
    expect(none.errorRatePercent).toBeNull();
    expect(none.latencyP95Ms).toBeNull();
    expect(none.tokensPerSecond).toBeNull();
    expect(none.requestsPerSecond).toBe(0);
  });

  it('groups checks by UTC day for the 30-day history', () => {
    const now = Date.UTC(2026, 10, 27, 10, 30);
    const entry = (iso: string, up: number, down: number, maint = 0) => {
      const aggregate = emptyAggregate();
      aggregate.probesUp = up;
      aggregate.probesDown = down;
      aggregate.probesMaintenance = maint;
      return { hourStart: Date.parse(iso), aggregate } as HourEntry;
    };
    const days = dailyUptime(
      [
        entry('2026-10-29T23:00:00Z', 60, 0), // the first day of the 30
        entry('2026-11-26T10:00:00Z', 57, 3),
        entry('2026-11-26T11:00:00Z', 60, 0, 10),
        entry('2026-11-27T10:00:00Z', 30, 0),
        entry('2026-10-27T23:00:00Z', 1, 1), // before the 30 days
      ],
      now,
      30,
    );
    expect(days).toHaveLength(30);
    expect(days[0]).toEqual({
      date: '2026-10-29',
      upProbes: 60,
      downProbes: 0,
      maintenanceProbes: 0,
      okRequests: 0,
      failedRequests: 0,
      uptimePercent: 100,
    });
    expect(days[1]).toMatchObject({ date: '2026-10-30', uptimePercent: null });
    expect(days.find(d => d.date === '2026-10-28')).toBeUndefined();
    expect(days[28]).toEqual({
      date: '2026-11-26',
      upProbes: 117,
      downProbes: 3,
      maintenanceProbes: 10,
      okRequests: 0,
      failedRequests: 0,
      uptimePercent: 97.5,
    });
    expect(days[29]).toMatchObject({ date: '2026-11-27', uptimePercent: 100 });
  });

  it('aligns breach windows to 30-day periods', () => {
    const start = slaWindowStart(Date.UTC(2026, 10, 27));
    expect(start % (30 * 86_400_000)).toBe(0);
    expect(slaWindowStart(start + 29 * 86_400_000)).toBe(start);
    expect(slaWindowStart(start + 30 * 86_400_000)).toBe(
      start + 30 * 86_400_000,
    );
  });
});
