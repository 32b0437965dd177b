import { Candidate, rankMembers, shouldFallBack } from './selection';

const members: Candidate[] = [
  {
    name: 'a-cheap-slow',
    position: 0,
    blendedPer1kMicros: 100,
    timeToFirstTokenP95Ms: 900,
    tokensPerSecond: 20,
    healthy: true,
  },
  {
    name: 'b-fast-dear',
    position: 1,
    blendedPer1kMicros: 900,
    timeToFirstTokenP95Ms: 120,
    tokensPerSecond: 60,
    healthy: true,
  },
  {
    name: 'c-unmeasured',
    position: 2,
    blendedPer1kMicros: 500,
    healthy: true,
  },
  {
    name: 'd-high-throughput',
    position: 3,
    blendedPer1kMicros: 400,
    timeToFirstTokenP95Ms: 300,
    tokensPerSecond: 150,
    healthy: true,
  },
];
const names = (c: Candidate[]) => c.map(m => m.name);

describe('rankMembers', () => {
  it('price: the lowest blended price first', () => {
    expect(names(rankMembers('price', members))).toEqual([
      'a-cheap-slow',
      'd-high-throughput',
      'c-unmeasured',
      'b-fast-dear',
    ]);
  });

  it('latency: the lowest measured time to first token first, unmeasured last', () => {
    expect(names(rankMembers('latency', members))).toEqual([
      'b-fast-dear',
      'd-high-throughput',
      'a-cheap-slow',
      'c-unmeasured',
    ]);
  });

  it('throughput: the highest measured tokens per second first, unmeasured last', () => {
    expect(names(rankMembers('throughput', members))).toEqual([
      'd-high-throughput',
      'b-fast-dear',
      'a-cheap-slow',
      'c-unmeasured',
    ]);
  });

  it('order: the declared order', () => {
    const shuffled = [members[2], members[0], members[3], members[1]];
    expect(names(rankMembers('order', shuffled))).toEqual([
      'a-cheap-slow',
      'b-fast-dear',
      'c-unmeasured',
      'd-high-throughput',
    ]);
  });

  it('puts unhealthy members last, still ordered by the policy', () => {
    const sick = members.map(m =>
      m.name === 'a-cheap-slow' || m.name === 'd-high-throughput'
        ? { ...m, healthy: false }
        : m,
    );
    expect(names(rankMembers('price', sick))).toEqual([
      'c-unmeasured',
      'b-fast-dear',
      'a-cheap-slow',
      'd-high-throughput',
    ]);
  });
});

describe('shouldFallBack', () => {
  it.each([
    [{ kind: 'connection' as const }, true],
    [{ kind: 'timeout' as const }, true],
    [{ kind: 'unavailable' as const }, true],
    [{ kind: 'status' as const, status: 500 }, true],
    [{ kind: 'status' as const, status: 502 }, true],
    [{ kind: 'status' as const, status: 503 }, true],
    [{ kind: 'status' as const, status: 429 }, true],
    [{ kind: 'status' as const, status: 400 }, false],
    [{ kind: 'status' as const, status: 401 }, false],
    [{ kind: 'status' as const, status: 404 }, false],
  ])('%p before the first byte: %p', (failure, expected) => {
    expect(shouldFallBack(failure, false)).toBe(expected);
  });

  it('never once part of an answer was sent', () => {
    expect(shouldFallBack({ kind: 'connection' }, true)).toBe(false);
    expect(shouldFallBack({ kind: 'timeout' }, true)).toBe(false);
    expect(shouldFallBack({ kind: 'status', status: 503 }, true)).toBe(false);
  });
});
