import {
  comparedFromParams,
  finderQueryFromParams,
  withParam,
} from './finderParams';

describe('finderQueryFromParams', () => {
  it('reads the needs a shared link states, dropping unknown values', () => {
    const params = new URLSearchParams(
      'feature=vision&feature=telepathy,jsonMode&region=europe&minContext=32000&minUptime=99.5&maxTtftMs=-3&requestsPerMonth=abc&compliance=GDPR',
    );
    expect(finderQueryFromParams(params)).toEqual({
      feature: ['vision', 'jsonMode'],
      region: ['europe'],
      compliance: ['GDPR'],
      minContext: 32000,
      minUptime: 99.5,
    });
  });
});

describe('comparedFromParams', () => {
  it('keeps at most four distinct services', () => {
    expect(
      comparedFromParams(new URLSearchParams('compare=a,b,a&compare=c,d,e')),
    ).toEqual(['a', 'b', 'c', 'd']);
  });
});

describe('withParam', () => {
  it('replaces or removes one parameter and keeps the others', () => {
    const prev = new URLSearchParams('feature=vision&compare=a');
    expect(withParam(prev, 'compare', ['a', 'b']).toString()).toBe(
      'feature=vision&compare=a&compare=b',
    );
    expect(withParam(prev, 'feature', undefined).toString()).toBe('compare=a');
  });
});
