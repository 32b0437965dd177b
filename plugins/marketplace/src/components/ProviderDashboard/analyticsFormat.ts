import { formatInteger, formatMoney } from '../../format';

/** Rounded for its size (small amounts keep two significant digits). */
export function usd(micros: number): string {
  return formatMoney(micros);
}

export function pct(value: number | null): string {
  return value === null
    ? '—'
    : `${(Math.round(value * 1000) / 10).toLocaleString('en-US')}%`;
}

export function ms(value: number | null): string {
  return value === null ? '—' : `${formatInteger(Math.round(value))} ms`;
}
