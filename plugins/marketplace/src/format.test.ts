import {
  countryLabel,
  enabledFeatureLabels,
  formatDays,
  formatTokenCount,
  formatWeeklyHours,
  regionLabel,
} from './format';

describe('formatTokenCount', () => {
  it.each([
    [999, '999'],
    [1000, '1K'],
    [4096, '4K'],
    [8192, '8K'],
    [16_384, '16K'],
    [32_768, '32K'],
    [128_000, '128K'],
    [131_072, '128K'],
    [200_000, '200K'],
    [1_000_000, '1M'],
    [1_048_576, '1M'],
    [2_000_000, '2M'],
    [1_500_000, '1.5M'],
    [100_000_000, '100M'],
    [12_345, '12.3K'],
  ])('%d -> %s', (tokens, expected) => {
    expect(formatTokenCount(tokens)).toBe(expected);
  });
});

describe('formatDays', () => {
  it('collapses consecutive runs', () => {
    expect(formatDays(['mon', 'tue', 'wed', 'thu', 'fri'])).toBe('Mon–Fri');
    expect(formatDays(['sat', 'sun'])).toBe('Sat, Sun');
    expect(formatDays(['sun', 'mon', 'wed', 'fri', 'sat'])).toBe(
      'Mon, Wed, Fri–Sun',
    );
  });

  it('formats weekly hours', () => {
    expect(
      formatWeeklyHours({ days: ['sun'], start: '02:00', end: '04:00' }),
    ).toBe('Sun 02:00–04:00');
  });
});

describe('labels', () => {
  it('labels features in canonical order', () => {
    expect(
      enabledFeatureLabels({
        vision: true,
        functionCalling: true,
        jsonMode: false,
      }),
    ).toEqual(['Function calling', 'Vision']);
  });

  it('labels regions and countries', () => {
    expect(regionLabel('asia-pacific')).toBe('Asia-Pacific');
    expect(countryLabel('US')).toBe('United States (US)');
  });
});
