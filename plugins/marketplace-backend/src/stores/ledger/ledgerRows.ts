import {
  costMicros,
  platformFeeMicros,
  pricesAt,
  splitTrial,
  UsageRecord,
  UsageStatus,
} from '@internal/plugin-marketplace-common';
import { monthOf } from '../../lib/periods';
import { num, numOrNull } from '../../lib/numbers';
import {
  BudgetCounterDelta,
  SettlementEntry,
  SubscriptionCounters,
} from './settlementWriter';
import { Reservation, Settlement } from './ledgerTypes';

/*
 * The rows of the usage ledger: how a settled reservation becomes one row (usage
 * bounded by what the request could produce, cost and fee), the counters and
 * budgets that row changes, and how rows read back as usage records.
 */

const lowered = new Map<string, string>();

/** An entity ref in lower case (memoized: refs repeat on every request). */
export function lower(ref: string): string {
  let value = lowered.get(ref);
  if (value === undefined) {
    if (lowered.size > 10_000) {
      lowered.clear();
    }
    value = ref.toLocaleLowerCase('en-US');
    lowered.set(ref, value);
  }
  return value;
}

export interface LedgerRow {
  request_id: string;
  subscription_id: string;
  key_id: string;
  user_ref: string;
  team_ref: string | null;
  service_ref: string;
  provider_ref: string;
  model: string;
  stream: boolean | number;
  status: string;
  http_status: number;
  error_code: string | null;
  prompt_tokens: number | string;
  completion_tokens: number | string;
  trial_tokens: number | string;
  token_source: string;
  cost_micros: number | string;
  platform_fee_micros: number | string;
  upstream_latency_ms: number | null;
  ttft_ms: number | null;
  wait_ms?: number | null;
  started_at: number | string;
  finished_at: number | string;
  usage_clamped: boolean | number;
  route_ref?: string | null;
  route_attempt?: number | null;
  prompt_price_micros?: number | string | null;
  completion_price_micros?: number | string | null;
  price_change_id?: string | null;
  protocol?: string | null;
  cached_prompt_tokens?: number | string | null;
}

export function toUsageRecord(row: LedgerRow): UsageRecord {
  return {
    requestId: row.request_id,
    subscriptionId: row.subscription_id,
    keyId: row.key_id,
    userRef: row.user_ref,
    teamRef: row.team_ref,
    serviceRef: row.service_ref,
    providerRef: row.provider_ref,
    model: row.model,
    stream: Boolean(row.stream),
    status: row.status as UsageStatus,
    httpStatus: row.http_status,
    errorCode: row.error_code,
    promptTokens: num(row.prompt_tokens),
    completionTokens: num(row.completion_tokens),
    trialTokens: num(row.trial_tokens),
    tokenSource: row.token_source as UsageRecord['tokenSource'],
    costMicros: num(row.cost_micros),
    platformFeeMicros: num(row.platform_fee_micros),
    upstreamLatencyMs: numOrNull(row.upstream_latency_ms),
    timeToFirstTokenMs: numOrNull(row.ttft_ms),
    waitMs: numOrNull(row.wait_ms ?? null),
    startedAt: new Date(num(row.started_at)).toISOString(),
    finishedAt: new Date(num(row.finished_at)).toISOString(),
    usageClamped: Boolean(row.usage_clamped),
    routeRef: row.route_ref ?? null,
    routeAttempt: row.route_attempt ?? null,
    protocol: (row.protocol ?? null) as UsageRecord['protocol'],
    cachedPromptTokens: numOrNull(row.cached_prompt_tokens ?? null),
  };
}

/**
 * How many more prompt tokens than the gateway counted an upstream may report
 * (tokenizers differ): 25% of the count plus 64 tokens.
 */
export function promptTolerance(countedPromptTokens: number): number {
  return Math.ceil(countedPromptTokens / 4) + 64;
}

/** A reported token count as a whole number within [min, max]. */
function within(value: number, min: number, max: number): number {
  if (!Number.isFinite(value)) {
    return value > 0 ? max : min;
  }
  return Math.min(max, Math.max(min, Math.round(value)));
}

/**
 * The tokens a settlement may bill: what the request could have produced. The
 * prompt at most the gateway's count plus its tolerance; the completion at most
 * the reserved completion budget; neither below zero (an upstream reporting fewer
 * tokens than counted bills less, its own choice). `clamped` tells that the
 * reported usage was out of those bounds (recorded on the ledger row and counted
 * for the provider and the admins).
 */
export function boundUsage(
  reservation: Pick<Reservation, 'promptTokens' | 'maxCompletionTokens'>,
  settlement: Pick<Settlement, 'promptTokens' | 'completionTokens'>,
): { promptTokens: number; completionTokens: number; clamped: boolean } {
  const counted = reservation.promptTokens;
  const promptTokens = within(
    settlement.promptTokens,
    0,
    counted + promptTolerance(counted),
  );
  const completionTokens = within(
    settlement.completionTokens,
    0,
    Math.max(0, reservation.maxCompletionTokens),
  );
  return {
    promptTokens,
    completionTokens,
    clamped:
      promptTokens !== settlement.promptTokens ||
      completionTokens !== settlement.completionTokens,
  };
}

/** The ledger row of a settled reservation: usage bounded, cost and fee at its prices. */
export function toLedgerRow(
  reservation: Reservation,
  s: Settlement,
  feeBasisPoints: () => number,
): LedgerRow {
  const usage = boundUsage(reservation, s);
  let trialTokens = 0;
  let cost = 0;
  if (s.charge) {
    const split = splitTrial(
      usage.promptTokens,
      usage.completionTokens,
      reservation.trialTokens,
    );
    trialTokens = split.trialTokens;
    // Never more than the reservation held (prompt counts may differ a little).
    cost = Math.min(
      reservation.costMicros,
      costMicros(
        split.billablePromptTokens,
        split.billableCompletionTokens,
        pricesAt(reservation.pricing, reservation.monthTokensBefore),
      ),
    );
  }
  const { grant } = reservation;
  const prices = s.charge
    ? pricesAt(reservation.pricing, reservation.monthTokensBefore)
    : undefined;
  return {
    request_id: reservation.requestId,
    subscription_id: grant.subscriptionId,
    key_id: grant.keyId,
    user_ref: grant.userRef,
    team_ref: grant.teamRef,
    service_ref: grant.serviceRef,
    provider_ref: reservation.providerRef,
    model: reservation.model,
    stream: reservation.stream,
    status: s.status,
    http_status: s.httpStatus,
    error_code: s.errorCode ?? null,
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    trial_tokens: trialTokens,
    token_source: s.tokenSource,
    cost_micros: cost,
    platform_fee_micros: platformFeeMicros(
      cost,
      reservation.platformFeeBasisPoints ?? feeBasisPoints(),
    ),
    upstream_latency_ms: s.upstreamLatencyMs ?? null,
    ttft_ms: s.timeToFirstTokenMs ?? null,
    wait_ms: s.waitMs ?? null,
    started_at: reservation.startedAt,
    finished_at: s.finishedAt,
    usage_clamped: usage.clamped,
    route_ref: grant.routeRef ?? null,
    route_attempt: grant.routeAttempt ?? null,
    prompt_price_micros: prices?.promptPer1kMicros ?? null,
    completion_price_micros: prices?.completionPer1kMicros ?? null,
    price_change_id: s.charge ? reservation.priceChangeId ?? null : null,
    protocol: reservation.protocol ?? null,
    cached_prompt_tokens:
      s.cachedPromptTokens === undefined || s.cachedPromptTokens === null
        ? null
        : Math.min(
            Math.max(0, s.cachedPromptTokens),
            Math.max(0, usage.promptTokens),
          ),
  };
}

/**
 * What the settlement writer applies for a settled reservation: its ledger
 * row, the subscription's counters and the month budgets it releases and spends.
 */
export function settlementEntry(
  reservation: Reservation,
  settlement: Settlement,
  feeBasisPoints: () => number,
): SettlementEntry {
  const row = toLedgerRow(reservation, settlement, feeBasisPoints);
  const counters: SubscriptionCounters = {
    id: reservation.grant.subscriptionId,
    trialReserved: reservation.trialTokens,
    trialUsed: num(row.trial_tokens),
    reserved: reservation.costMicros,
    spend: num(row.cost_micros),
    tokens: settlement.charge
      ? num(row.prompt_tokens) + num(row.completion_tokens)
      : 0,
    month: reservation.month,
  };
  const { grant } = reservation;
  const held = reservation.budgetMicros ?? 0;
  const budgets: BudgetCounterDelta[] = [
    {
      scope: 'user',
      ref: lower(grant.userRef),
      period: reservation.month,
      released: held,
      spend: num(row.cost_micros),
    },
  ];
  if (grant.teamRef) {
    budgets.push({
      scope: 'team',
      ref: lower(grant.teamRef),
      period: reservation.month,
      released: held,
      spend: num(row.cost_micros),
    });
  }
  return {
    row: row as unknown as Record<string, unknown>,
    counters,
    budgets,
  };
}

/**
 * A reservation whose request can no longer finish, from its row, settled as
 * `abandoned`: it costs nothing and releases what it held.
 */
export function abandoned(
  r: any,
  now: number,
): { reservation: Reservation; settlement: Settlement } {
  return {
    reservation: {
      requestId: r.request_id,
      grant: {
        keyId: r.key_id,
        subscriptionId: r.subscription_id,
        userRef: r.user_ref,
        teamRef: r.team_ref,
        serviceRef: r.service_ref,
        routeRef: r.route_ref ?? undefined,
        keyRevoked: false,
        subscriptionActive: true,
      },
      providerRef: r.provider_ref,
      model: r.model,
      stream: Boolean(r.stream),
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 0,
        completionPer1kMicros: 0,
      },
      trialTokens: num(r.trial_tokens),
      costMicros: num(r.cost_micros),
      promptTokens: 0,
      monthTokensBefore: 0,
      month: monthOf(num(r.started_at)),
      maxCompletionTokens: 0,
      startedAt: num(r.started_at),
      budgetMicros: num(r.budget_micros ?? 0),
    },
    settlement: {
      status: 'abandoned' as const,
      httpStatus: 0,
      errorCode: 'process_stopped',
      promptTokens: 0,
      completionTokens: 0,
      tokenSource: 'tokenizer' as const,
      charge: false,
      finishedAt: now,
    },
  };
}
