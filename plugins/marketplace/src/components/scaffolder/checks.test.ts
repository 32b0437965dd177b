import { consistencyProblems } from './checks';

describe('checks across the fields of a publish step', () => {
  it('reports latency percentiles out of order, in plain words', () => {
    expect(
      consistencyProblems('latency', {
        latencyP50Ms: 5000,
        latencyP95Ms: 1500,
        latencyP99Ms: 1000,
      }),
    ).toEqual([
      'p95 (1,500 ms) must be at least p50 (5,000 ms): 95% of requests cannot be faster than half of them',
      'p99 (1,000 ms) must be at least p95 (1,500 ms)',
    ]);
    expect(
      consistencyProblems('latency', {
        latencyP50Ms: 500,
        latencyP95Ms: 1500,
        latencyP99Ms: 3000,
      }),
    ).toEqual([]);
  });

  it('reports every volume tier priced above the base price and tiers out of order', () => {
    const problems = consistencyProblems('tiers', {
      promptPer1k: '0.25',
      completionPer1k: '1',
      tiers: [
        { fromMonthlyTokens: 1000, promptPer1k: '0.5', completionPer1k: '0.9' },
        { fromMonthlyTokens: 500, promptPer1k: '0.2', completionPer1k: '2' },
      ],
    });
    expect(problems).toEqual([
      'tier 1: its prompt price (0.5) is above the base prompt price (0.25); a volume tier is a discount',
      'tier 2: its completion price (2) is above the base completion price (1); a volume tier is a discount',
      'tier 2: it must start at more tokens per month than tier 1 (1,000)',
    ]);
    for (const problem of problems) {
      expect(problem).not.toMatch(/\^|\$\)|pattern/);
    }
  });

  it('checks output against the context window, the upstream secret and the time zone', () => {
    expect(
      consistencyProblems('output', {
        maxOutputTokens: 200000,
        contextWindow: 128000,
      }),
    ).toEqual([
      'Max output tokens (200,000) must not exceed the context window (128,000)',
    ]);
    expect(consistencyProblems('auth', { authType: 'header' })).toHaveLength(2);
    expect(consistencyProblems('auth', { authType: 'none' })).toEqual([]);
    expect(
      consistencyProblems('schedule', { schedule: 'custom' }),
    ).toHaveLength(2);
    expect(consistencyProblems('schedule', { schedule: '24/7' })).toEqual([]);
  });
});
