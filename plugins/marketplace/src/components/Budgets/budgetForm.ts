import {
  BudgetMode,
  DEFAULT_BUDGET_THRESHOLDS,
  parseMicros,
} from '@internal/plugin-marketplace-common';

/** What the budget dialog's fields hold. */
export interface BudgetFormValues {
  /** USD, as typed: `50` or `12.50`. */
  amount: string;
  mode: BudgetMode;
  /** Percents as typed: `50, 80, 95, 100`. */
  thresholds: string;
}

export type BudgetFormErrors = Partial<Record<keyof BudgetFormValues, string>>;

export const DEFAULT_THRESHOLDS_TEXT = DEFAULT_BUDGET_THRESHOLDS.join(', ');

/**
 * The body of `PUT /v1/budgets/...`, or a message per field naming it. The
 * server checks the same (and names the field too).
 */
export function parseBudgetForm(values: BudgetFormValues):
  | {
      ok: true;
      input: { amountMicros: number; mode: BudgetMode; thresholds: number[] };
    }
  | { ok: false; errors: BudgetFormErrors } {
  const errors: BudgetFormErrors = {};
  let amountMicros = 0;
  try {
    amountMicros = parseMicros(values.amount.replace(/^\$/, '').trim());
  } catch {
    amountMicros = -1;
  }
  if (!(amountMicros > 0)) {
    errors.amount =
      'Monthly amount: enter an amount in USD above 0, with at most 6 decimals (e.g. 50 or 12.50)';
  }
  const parts = values.thresholds
    .split(/[\s,%]+/)
    .map(p => p.trim())
    .filter(Boolean);
  const thresholds = parts.map(Number);
  if (
    parts.length === 0 ||
    parts.length > 10 ||
    thresholds.some(t => !Number.isInteger(t) || t < 1 || t > 100) ||
    thresholds.some((t, i) => i > 0 && t <= thresholds[i - 1])
  ) {
    errors.thresholds =
      'Alert thresholds: 1 to 10 whole percents between 1 and 100, ascending, without repeats (e.g. 50, 80, 95, 100)';
  }
  if (values.mode !== 'hard' && values.mode !== 'soft') {
    errors.mode = "Mode: choose 'hard' or 'soft'";
  }
  if (Object.keys(errors).length > 0) {
    return { ok: false, errors };
  }
  return { ok: true, input: { amountMicros, mode: values.mode, thresholds } };
}
