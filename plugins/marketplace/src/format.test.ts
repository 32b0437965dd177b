import {
  countryLabel,
  exactMoney,
  formatMoney,
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

describe('formatMoney', () => {
  it('shows money with a precision fit for its size, exact in the tooltip', () => {
    expect(formatMoney(48_864_250)).toBe('$48.86');
    expect(formatMoney(1_234_567_890)).toBe('$1,234.57');
    expect(formatMoney(456_700)).toBe('$0.46');
    expect(formatMoney(12_345)).toBe('$0.012');
    expect(formatMoney(842)).toBe('$0.00084');
    expect(formatMoney(5)).toBe('$0.000005');
    expect(formatMoney(0)).toBe('$0.00');
    expect(formatMoney(-48_864_250)).toBe('-$48.86');
    expect(formatMoney(995_000)).toBe('$1.00');
    expect(exactMoney(48_864_250)).toBe('$48.86425 (48,864,250 micro-USD)');
  });

  it('never shows the same label for different ticks of a small axis', () => {
    const ticks = [0, 250, 500, 750, 1000].map(formatMoney);
    expect(new Set(ticks).size).toBe(ticks.length);
  });
});
