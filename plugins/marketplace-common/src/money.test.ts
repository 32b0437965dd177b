import { formatMicros, parseMicros } from './money';

describe('money', () => {
  it('formats micro-units without float drift', () => {
    expect(formatMicros(2500)).toBe('$0.0025');
    expect(formatMicros(1_000_000)).toBe('$1.00');
    expect(formatMicros(1_234_567_890)).toBe('$1,234.56789');
    expect(formatMicros(-150_000)).toBe('-$0.15');
    expect(formatMicros(0)).toBe('$0.00');
    expect(formatMicros(1_234_567, { maxFractionDigits: 2 })).toBe('$1.23');
    expect(() => formatMicros(0.5)).toThrow(/integer/);
  });

  it('parses decimal strings exactly', () => {
    expect(parseMicros('0.0025')).toBe(2500);
    expect(parseMicros('0.1')).toBe(100_000);
    expect(parseMicros('12')).toBe(12_000_000);
    expect(parseMicros('-0.000001')).toBe(-1);
    expect(() => parseMicros('0.0000001')).toThrow(/at most 6 decimals/);
    expect(() => parseMicros('1e3')).toThrow();
  });
});
