import { SubscriptionRow } from '../SubscriptionStore';

/*
 * What every reservation writer shares: the reservation a request asks for,
 * the conditional budget update and the reservation row's SQL and bindings.
 * Kept in one file so that the writers (sqliteLedgerWriter.ts, the batched
 * SQLite path; pgReservationWriter.ts, PostgreSQL and the portable fallback)
 * are checked against one text.
 */

/** One reservation: the conditional budget update and the reservation row. */
export interface ReservationWrite {
  subscriptionId: string;
  month: string;
  keyId: string;
  userRef: string;
  trialTokens: number;
  costMicros: number;
  /**
   * The user's and the team's month counters (budget_usage) the request
   * holds `row.budget_micros` on; their hard budgets must still cover it.
   */
  budgets: BudgetCounterRef[];
  row: {
    request_id: string;
    subscription_id: string;
    key_id: string;
    user_ref: string;
    team_ref: string | null;
    service_ref: string;
    route_ref: string | null;
    provider_ref: string;
    model: string;
    stream: boolean;
    trial_tokens: number;
    cost_micros: number;
    started_at: number;
    instance_id: string;
    budget_micros: number;
  };
}

/** One month counter of a user or a team. */
export interface BudgetCounterRef {
  scope: 'user' | 'team';
  /** The user or group entity ref, lowercase. */
  ref: string;
  /** UTC month, YYYY-MM. */
  period: string;
}

/** A reservation written, or what refused it. */
export type ReservationOutcome =
  | { ok: true; row: SubscriptionRow }
  /** `budget`: a hard user or team budget refused it; else the subscription's conditions. */
  | { ok: false; budget?: BudgetCounterRef };

/**
 * Takes a request's cost on one month counter, creating it at its first use,
 * only while the scope's hard budget (if any) still covers spend + reserved +
 * this cost. Returns a row when it did. (INSERT ... SELECT ... WHERE: the WHERE
 * keeps SQLite's parser from reading ON CONFLICT as a join constraint.)
 */
export const BUDGET_RESERVE = `
  INSERT INTO budget_usage (scope, scope_ref, period, spend_micros, reserved_micros)
  SELECT ?, ?, ?, 0, CAST(? AS BIGINT)
   WHERE NOT EXISTS (SELECT 1 FROM budgets
                      WHERE scope = ? AND scope_ref = ? AND mode = 'hard'
                        AND amount_micros < CAST(? AS BIGINT))
  ON CONFLICT (scope, scope_ref, period) DO UPDATE
     SET reserved_micros = budget_usage.reserved_micros + excluded.reserved_micros
   WHERE NOT EXISTS (SELECT 1 FROM budgets b
                      WHERE b.scope = budget_usage.scope
                        AND b.scope_ref = budget_usage.scope_ref
                        AND b.mode = 'hard'
                        AND budget_usage.spend_micros + budget_usage.reserved_micros
                            + excluded.reserved_micros > b.amount_micros)
  RETURNING scope`;

export function budgetReserveBindings(b: BudgetCounterRef, micros: number) {
  return [b.scope, b.ref, b.period, micros, b.scope, b.ref, micros];
}

/** Thrown inside a reservation's transaction to roll it back. */
export class BudgetRefused extends Error {
  constructor(readonly budget: BudgetCounterRef) {
    super(`The ${budget.scope} budget of ${budget.ref} refused the request`);
  }
}

export function budgetsToReserve(w: ReservationWrite): BudgetCounterRef[] {
  return w.row.budget_micros > 0 ? w.budgets : [];
}

export const CONDITIONAL_UPDATE = `
  UPDATE subscriptions
     SET trial_tokens_reserved = trial_tokens_reserved + ?,
         reserved_micros = reserved_micros + ?
   WHERE id = ? AND status = 'active' AND month = ?
     AND trial_tokens_granted - trial_tokens_used - trial_tokens_reserved >= ?
     AND (spend_cap_micros IS NULL OR month_spend_micros + reserved_micros + ? <= spend_cap_micros)
     AND EXISTS (SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM user_suspensions WHERE user_ref = ?)
  RETURNING *`;

export const RESERVATION_COLUMNS = [
  'request_id',
  'subscription_id',
  'key_id',
  'user_ref',
  'team_ref',
  'service_ref',
  'route_ref',
  'provider_ref',
  'model',
  'stream',
  'trial_tokens',
  'cost_micros',
  'started_at',
  'instance_id',
  'budget_micros',
] as const;

export function updateBindings(w: ReservationWrite) {
  return [
    w.trialTokens,
    w.costMicros,
    w.subscriptionId,
    w.month,
    w.trialTokens,
    w.costMicros,
    w.keyId,
    w.userRef,
  ];
}

export function outcomeOf(
  row: SubscriptionRow | undefined,
): ReservationOutcome {
  return row ? { ok: true, row } : { ok: false };
}
