import { MICROS_PER_UNIT } from './kinds/constants';

/**
 * Formats integer micro-units as a currency string without going through floats
 * for the integer part. Shows at least 2 and at most `maxFractionDigits` decimals.
 *
 * @public
 */
export function formatMicros(
  micros: number,
  options: { currency?: string; maxFractionDigits?: number } = {},
): string {
  if (!Number.isSafeInteger(micros)) {
    throw new TypeError(`formatMicros expects an integer, got ${micros}`);
  }
  const { currency = 'USD', maxFractionDigits = 6 } = options;
  const sign = micros < 0 ? '-' : '';
  const abs = Math.abs(micros);
  const whole = Math.floor(abs / MICROS_PER_UNIT);
  let frac = String(abs % MICROS_PER_UNIT)
    .padStart(6, '0')
    .slice(0, maxFractionDigits);
  frac = frac.replace(/0+$/, '');
  if (frac.length < 2) {
    frac = frac.padEnd(2, '0');
  }
  const symbol = currency === 'USD' ? '$' : `${currency} `;
  return `${sign}${symbol}${whole.toLocaleString('en-US')}.${frac}`;
}

/**
 * Parses a decimal currency string (`"0.0025"`) into integer micro-units exactly.
 * Throws when the value has more than 6 decimals or is not a plain decimal.
 *
 * @public
 */
export function parseMicros(value: string): number {
  const match = /^(-)?(\d+)(?:\.(\d{1,6}))?$/.exec(value.trim());
  if (!match) {
    throw new TypeError(
      `'${value}' is not a decimal amount with at most 6 decimals`,
    );
  }
  const [, neg, whole, frac = ''] = match;
  const micros = Number(whole) * MICROS_PER_UNIT + Number(frac.padEnd(6, '0'));
  if (!Number.isSafeInteger(micros)) {
    throw new TypeError(`'${value}' is too large`);
  }
  return neg ? -micros : micros;
}
