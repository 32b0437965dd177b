import {
  costMicros,
  ModelServicePricing,
  platformFeeMicros,
  pricesAt,
  splitTrial,
  UsageRecord,
  UsageStatus,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { monthOf, num, numOrNull } from './migrate';
import {
  BudgetCounterDelta,
  BudgetCounterRef,
  createReservationWriter,
  createSettlementWriter,
  ReservationWriter,
  SettlementWriter,
  SubscriptionCounters,
} from './reservationWriter';
import { KeyGrant, SubscriptionRow } from './SubscriptionStore';

const lowered = new Map<string, string>();

/** An entity ref in lower case (memoized: refs repeat on every request). */
function lower(ref: string): string {
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

/** Settlements written per transaction. */
export const MAX_BATCH = 500;

/** Why a request could not reserve budget. */
export type ReserveRejection =
  | 'subscription_inactive'
  | 'user_suspended'
  | 'key_revoked'
  | 'trial_exhausted'
  | 'spend_cap_reached'
  | 'budget_exceeded';

/** The hard budget that refused a request. */
export interface BudgetRefusal {
  scope: 'subscription' | 'user' | 'team';
  /** The subscription id, or the user or group entity ref. */
  ref: string;
  /** UTC month, YYYY-MM. */
  period: string;
  amountMicros: number;
}

/** The price a service's subscribers pay from an announced change on. */
export interface ScheduledPrice {
  id: string;
  pricing: ModelServicePricing;
  /** The entity's own prices when it was announced. */
  entityPricing: ModelServicePricing;
  effectiveAt: number;
}

/** Announced price changes: the one in force for a service at an instant. */
export interface PriceSchedule {
  at(serviceRef: string, now: number): ScheduledPrice | undefined;
}

/** Whose month counters a settlement batch changed (for budget alerts). */
export interface SettledBudgets {
  subscriptionIds: string[];
  userRefs: string[];
  teamRefs: string[];
}

export interface ReserveRequest {
  requestId: string;
  grant: KeyGrant;
  providerRef: string;
  model: string;
  stream: boolean;
  pricing: ModelServicePricing;
  /** Prompt tokens counted before forwarding. */
  promptTokens: number;
  /** The completion budget the request asks for (or the service's max). */
  maxCompletionTokens: number;
  /** The protocol the client spoke (`openai-chat` when absent). */
  protocol?: string;
}

/** Budget held for one in-flight request. */
export interface Reservation {
  requestId: string;
  grant: KeyGrant;
  providerRef: string;
  model: string;
  stream: boolean;
  pricing: ModelServicePricing;
  trialTokens: number;
  costMicros: number;
  /** Prompt tokens as the gateway counted them before forwarding. */
  promptTokens: number;
  /** Month tokens before this request: selects the price tier. */
  monthTokensBefore: number;
  month: string;
  /** Completion budget that fits the trial / spend cap (may be lower than asked). */
  maxCompletionTokens: number;
  startedAt: number;
  /** The platform fee when the request started; its ledger row keeps it. */
  platformFeeBasisPoints?: number;
  /** What it holds on the user's and team's month counters (its cost). */
  budgetMicros?: number;
  /** The announced price change whose price it pays, if any. */
  priceChangeId?: string | null;
  /** The protocol the client spoke. */
  protocol?: string;
}

export type ReserveResult =
  | { ok: true; reservation: Reservation }
  | {
      ok: false;
      reason: ReserveRejection;
      suspensionReason?: string | null;
      budget?: BudgetRefusal;
    };

export interface Settlement {
  status: UsageStatus;
  httpStatus: number;
  errorCode?: string | null;
  promptTokens: number;
  completionTokens: number;
  tokenSource: 'upstream' | 'tokenizer';
  /** Only successful (or client-closed) requests are charged. */
  charge: boolean;
  upstreamLatencyMs?: number | null;
  /** Time to the first token (streamed) or the answer's first byte (not streamed). */
  timeToFirstTokenMs?: number | null;
  /** Time from the gateway receiving the request to sending it upstream. */
  waitMs?: number | null;
  /** Of the prompt tokens, those the upstream read from its cache, where reported. */
  cachedPromptTokens?: number | null;
  finishedAt: number;
}

interface LedgerRow {
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

function toUsageRecord(row: LedgerRow): UsageRecord {
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
    protocol: row.protocol ?? null,
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

const pricingSnapshots = new Map<string, ModelServicePricing | null>();

/** A subscription's price snapshot, parsed once (read on every request). */
function parsedPricing(json: string): ModelServicePricing | null {
  let parsed = pricingSnapshots.get(json);
  if (parsed === undefined) {
    try {
      parsed = JSON.parse(json) as ModelServicePricing;
    } catch {
      parsed = null;
    }
    if (pricingSnapshots.size > 10_000) {
      pricingSnapshots.clear();
    }
    pricingSnapshots.set(json, parsed);
  }
  return parsed;
}

/**
 * The prices a subscription pays at a month volume: a price increase applies to
 * new subscriptions only, a decrease to everyone at once. So, per token kind, the
 * lower of the price the subscription started with (its snapshot) and the
 * service's current price. Without a snapshot, the current price.
 */
export function subscriptionPricing(
  snapshotJson: string | null | undefined,
  current: ModelServicePricing,
  monthTokens: number,
): ModelServicePricing {
  if (!snapshotJson) {
    return current;
  }
  const snapshot = parsedPricing(snapshotJson);
  if (!snapshot) {
    return current;
  }
  const then = pricesAt(snapshot, monthTokens);
  const now = pricesAt(current, monthTokens);
  if (
    now.promptPer1kMicros <= then.promptPer1kMicros &&
    now.completionPer1kMicros <= then.completionPer1kMicros
  ) {
    return current;
  }
  return {
    currency: current.currency,
    promptPer1kMicros: Math.min(then.promptPer1kMicros, now.promptPer1kMicros),
    completionPer1kMicros: Math.min(
      then.completionPer1kMicros,
      now.completionPer1kMicros,
    ),
  };
}

function samePrices(a: ModelServicePricing, b: ModelServicePricing): boolean {
  return JSON.stringify(a) === JSON.stringify(b);
}

/**
 * A service's price for new subscribers at an instant: the announced change in
 * force, unless the entity's prices changed again after it was announced.
 */
export function listPriceAt(
  current: ModelServicePricing,
  change: ScheduledPrice | undefined,
): ModelServicePricing {
  return change &&
    (samePrices(current, change.entityPricing) ||
      samePrices(current, change.pricing))
    ? change.pricing
    : current;
}

/**
 * The prices a subscription pays at an instant, with announced price changes:
 * from a change's effective instant on, its price is the service's price for
 * every subscriber (also those that subscribed before at a lower price), unless
 * the owners changed the entity's prices again after announcing it (then those
 * apply, under the rule of {@link subscriptionPricing}). A subscription that
 * began after the change took effect started at its price anyway.
 */
export function scheduledPricing(
  subscription: { pricing_json?: string | null; created_at: number | string },
  current: ModelServicePricing,
  change: ScheduledPrice | undefined,
  monthTokens: number,
): { pricing: ModelServicePricing; changeId: string | null } {
  if (
    !change ||
    !(
      samePrices(current, change.entityPricing) ||
      samePrices(current, change.pricing)
    )
  ) {
    return {
      pricing: subscriptionPricing(
        subscription.pricing_json,
        current,
        monthTokens,
      ),
      changeId: null,
    };
  }
  const snapshot =
    change.effectiveAt > num(subscription.created_at)
      ? JSON.stringify(change.pricing)
      : subscription.pricing_json ?? JSON.stringify(change.pricing);
  const pricing = subscriptionPricing(snapshot, change.pricing, monthTokens);
  return {
    pricing,
    changeId: samePrices(pricing, change.pricing) ? change.id : null,
  };
}

/** Largest completion budget whose worst-case cost fits `availableMicros`. */
function completionThatFits(
  billablePrompt: number,
  availableMicros: number,
  prices: { promptPer1kMicros: number; completionPer1kMicros: number },
): number {
  const left =
    availableMicros * 1000 - billablePrompt * prices.promptPer1kMicros;
  if (left < 0) {
    return -1;
  }
  if (prices.completionPer1kMicros === 0) {
    return Number.MAX_SAFE_INTEGER;
  }
  return Math.floor(left / prices.completionPer1kMicros);
}

/**
 * The usage ledger. Before a request is forwarded, `reserve` holds its worst-case
 * trial tokens and spend with one atomic conditional update (never read-then-write:
 * the update only applies if the budget still holds) plus a reservation row. After
 * the upstream answered, `settle` turns the reservation into exactly one ledger row
 * and releases what was not used. Settlements are written in small batches (group
 * commit) so ledger writes never serialize requests. Reservations left behind by a
 * process that died are settled as `abandoned` (free) by `reconcile`.
 */
export class UsageLedger {
  private queue: Array<{
    reservation: Reservation;
    settlement: Settlement;
    done: () => void;
  }> = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private readonly writer: ReservationWriter;
  private readonly settlements: SettlementWriter;
  /** Last known state per subscription, from the latest reservation. */
  private readonly snapshots = new Map<string, SubscriptionRow>();
  /** Requests this process holds a reservation for and has not settled yet. */
  private readonly inFlight = new Set<string>();
  private stopped = false;

  constructor(
    private readonly db: Knex,
    private readonly options: {
      instanceId: string;
      /** A number, or the current fee (read for every request). */
      platformFeeBasisPoints: number | (() => number);
      clock?: () => number;
      /** Announced price changes; without, the entity's prices apply. */
      prices?: PriceSchedule;
      /** Called after a settlement batch is written (budget alerts). */
      onSettled?: (settled: SettledBudgets) => void;
      /** How long settlements may wait to be batched. */
      batchDelayMs?: number;
      onError?: (error: Error) => void;
    },
  ) {
    this.writer = createReservationWriter(db);
    this.settlements = createSettlementWriter(db);
  }

  private now() {
    return (this.options.clock ?? Date.now)();
  }

  private feeBasisPoints(): number {
    const fee = this.options.platformFeeBasisPoints;
    return typeof fee === 'function' ? fee() : fee;
  }

  async reserve(request: ReserveRequest): Promise<ReserveResult> {
    const { grant } = request;
    // Start from the last known state of the subscription (kept from the previous
    // reservation); the conditional update is the authority, and every refusal is
    // decided on a fresh read.
    let row = this.snapshots.get(grant.subscriptionId);
    let fresh = false;
    for (let attempt = 0; attempt < 8; attempt++) {
      const now = this.now();
      const month = monthOf(now);
      if (!row || (!fresh && row.month !== month)) {
        row = await this.db<SubscriptionRow>('subscriptions')
          .where({ id: grant.subscriptionId })
          .first();
        fresh = true;
      }
      if (!row || row.status !== 'active') {
        this.snapshots.delete(grant.subscriptionId);
        return this.refuse(grant, 'subscription_inactive');
      }
      if (row.month !== month) {
        // New month: reset the month counters once (conditional on the old month).
        await this.db('subscriptions')
          .where({ id: row.id, month: row.month })
          .update({ month, month_spend_micros: 0, month_tokens: 0 });
        row = undefined;
        continue;
      }

      const plan = this.plan(row, request, now);
      if (!plan.ok) {
        if (!fresh) {
          row = undefined; // decide refusals on fresh data only
          continue;
        }
        if (plan.reason === 'spend_cap_reached') {
          return this.refuseBudget(grant, {
            scope: 'subscription',
            ref: row.id,
            period: month,
          });
        }
        return this.refuse(grant, plan.reason);
      }
      const {
        trialTokens,
        cost,
        maxCompletion,
        monthTokens,
        pricing,
        priceChangeId,
      } = plan;
      const budgets: BudgetCounterRef[] = [
        { scope: 'user', ref: lower(grant.userRef), period: month },
      ];
      if (grant.teamRef) {
        budgets.push({
          scope: 'team',
          ref: lower(grant.teamRef),
          period: month,
        });
      }

      const reservation: Reservation = {
        requestId: request.requestId,
        grant,
        providerRef: request.providerRef,
        model: request.model,
        stream: request.stream,
        pricing,
        trialTokens,
        costMicros: cost,
        promptTokens: request.promptTokens,
        monthTokensBefore: monthTokens,
        month,
        maxCompletionTokens: maxCompletion,
        startedAt: now,
        platformFeeBasisPoints: this.feeBasisPoints(),
        budgetMicros: cost,
        priceChangeId,
        protocol: request.protocol ?? 'openai-chat',
      };

      const outcome = await this.writer.reserve({
        subscriptionId: grant.subscriptionId,
        month,
        keyId: grant.keyId,
        userRef: grant.userRef,
        trialTokens,
        costMicros: cost,
        budgets,
        row: {
          request_id: request.requestId,
          subscription_id: grant.subscriptionId,
          key_id: grant.keyId,
          user_ref: grant.userRef,
          team_ref: grant.teamRef,
          service_ref: grant.serviceRef,
          route_ref: grant.routeRef ?? null,
          provider_ref: request.providerRef,
          model: request.model,
          stream: request.stream,
          trial_tokens: trialTokens,
          cost_micros: cost,
          started_at: now,
          instance_id: this.options.instanceId,
          budget_micros: cost,
        },
      });
      if (outcome.ok) {
        this.remember(outcome.row);
        this.inFlight.add(request.requestId);
        return { ok: true, reservation };
      }
      if (outcome.budget) {
        // A hard user or team budget: the counters are the authority.
        return this.refuseBudget(grant, outcome.budget);
      }
      // Lost a race, the snapshot was stale, or the key was revoked / the user
      // suspended meanwhile: look again.
      row = undefined;
      fresh = false;
      const key = await this.db('api_keys')
        .where({ id: grant.keyId })
        .first('revoked_at');
      if (!key || key.revoked_at !== null) {
        return this.refuse(grant, 'key_revoked');
      }
      const suspended = await this.refuse(grant, 'trial_exhausted');
      if (suspended.reason === 'user_suspended') {
        return suspended;
      }
    }
    return this.refuse(grant, 'trial_exhausted');
  }

  /**
   * A refusal; a suspended user is told that (and why) first, whatever else
   * stands in the way. Only refusals pay for this read, not the hot path.
   */
  private async refuse(
    grant: KeyGrant,
    reason: ReserveRejection,
  ): Promise<ReserveResult & { ok: false }> {
    const suspension = await this.db('user_suspensions')
      .where({ user_ref: grant.userRef })
      .first('reason');
    if (suspension) {
      return {
        ok: false,
        reason: 'user_suspended',
        suspensionReason: suspension.reason ?? null,
      };
    }
    return { ok: false, reason };
  }

  /** A refusal by a hard budget, naming it (with its amount, read now). */
  private async refuseBudget(
    grant: KeyGrant,
    budget: Omit<BudgetRefusal, 'amountMicros'>,
  ): Promise<ReserveResult & { ok: false }> {
    const refused = await this.refuse(grant, 'budget_exceeded');
    if (refused.reason !== 'budget_exceeded') {
      return refused;
    }
    let amount: unknown;
    if (budget.scope === 'subscription') {
      amount = (
        await this.db('subscriptions')
          .where({ id: budget.ref })
          .first('spend_cap_micros')
      )?.spend_cap_micros;
    } else {
      amount = (
        await this.db('budgets')
          .where({ scope: budget.scope, scope_ref: budget.ref })
          .first('amount_micros')
      )?.amount_micros;
    }
    return { ...refused, budget: { ...budget, amountMicros: num(amount) } };
  }

  private remember(row: SubscriptionRow) {
    if (this.snapshots.size > 100_000) {
      this.snapshots.clear();
    }
    this.snapshots.set(row.id, row);
  }

  /** What a request may use of the subscription's trial and budget, or why not. */
  private plan(
    row: SubscriptionRow,
    request: ReserveRequest,
    now: number,
  ):
    | {
        ok: true;
        trialTokens: number;
        cost: number;
        maxCompletion: number;
        monthTokens: number;
        pricing: ModelServicePricing;
        priceChangeId: string | null;
      }
    | { ok: false; reason: ReserveRejection } {
    const trialExpired =
      row.trial_expires_at !== null && num(row.trial_expires_at) <= now;
    const trialLeft = trialExpired
      ? 0
      : num(row.trial_tokens_granted) -
        num(row.trial_tokens_used) -
        num(row.trial_tokens_reserved);
    const cap = numOrNull(row.spend_cap_micros);
    const monthTokens = num(row.month_tokens);
    const { pricing, changeId } = scheduledPricing(
      row,
      request.pricing,
      this.options.prices?.at(request.grant.serviceRef, now),
      monthTokens,
    );
    const prices = pricesAt(pricing, monthTokens);

    let maxCompletion = request.maxCompletionTokens;
    let split = splitTrial(request.promptTokens, maxCompletion, trialLeft);
    let cost = costMicros(
      split.billablePromptTokens,
      split.billableCompletionTokens,
      prices,
    );
    if (cap !== null) {
      const available =
        cap - num(row.month_spend_micros) - num(row.reserved_micros);
      if (cost > available) {
        // Shrink the completion budget to what the trial and the cap still allow.
        const trialForCompletion = Math.max(
          0,
          trialLeft - request.promptTokens,
        );
        const paidCompletion = completionThatFits(
          split.billablePromptTokens,
          Math.max(0, available),
          prices,
        );
        maxCompletion = Math.min(
          maxCompletion,
          trialForCompletion + Math.max(0, paidCompletion),
        );
        if (paidCompletion < 0 || maxCompletion < 1) {
          return {
            ok: false,
            reason:
              cap === 0 || trialLeft > 0
                ? 'trial_exhausted'
                : 'spend_cap_reached',
          };
        }
        split = splitTrial(request.promptTokens, maxCompletion, trialLeft);
        cost = costMicros(
          split.billablePromptTokens,
          split.billableCompletionTokens,
          prices,
        );
      }
    }
    return {
      ok: true,
      trialTokens: split.trialTokens,
      cost,
      maxCompletion,
      monthTokens,
      pricing,
      priceChangeId: changeId,
    };
  }

  /** Queues the settlement of a reservation; it is written with the next batch. */
  settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    return new Promise<void>(resolve => {
      this.queue.push({ reservation, settlement, done: resolve });
      this.schedule();
    });
  }

  private schedule() {
    if (!this.flushTimer && !this.flushing && this.queue.length > 0) {
      this.flushTimer = setTimeout(() => {
        this.flushTimer = undefined;
        void this.flush();
      }, this.options.batchDelayMs ?? 2);
    }
  }

  /** Writes every queued settlement now (in batches of at most MAX_BATCH). */
  async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    while (this.flushing) {
      await this.flushing;
    }
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, MAX_BATCH);
      let failed: typeof batch = [];
      this.flushing = this.writeOrSplit(batch)
        .then(left => {
          failed = left;
        })
        .finally(() => {
          this.flushing = undefined;
        });
      await this.flushing;
      if (failed.length > 0) {
        // Put what could not be written back so nothing is lost; retried a
        // little later instead of spinning on a failing database.
        this.queue.unshift(...failed);
        if (!this.flushTimer && !this.stopped) {
          this.flushTimer = setTimeout(() => {
            this.flushTimer = undefined;
            void this.flush();
          }, 1000);
        }
        return;
      }
    }
  }

  /**
   * Writes a batch; if that fails, writes its settlements one by one, so that one
   * row the database refuses never holds back the others. Returns the ones that
   * could not be written.
   */
  private async writeOrSplit(
    batch: UsageLedger['queue'],
  ): Promise<UsageLedger['queue']> {
    try {
      await this.writeBatch(batch);
      batch.forEach(b => b.done());
      return [];
    } catch (error) {
      this.options.onError?.(error as Error);
      if (batch.length === 1) {
        return batch;
      }
    }
    const failed: UsageLedger['queue'] = [];
    for (const entry of batch) {
      try {
        await this.writeBatch([entry]);
        entry.done();
      } catch (error) {
        this.options.onError?.(
          new Error(
            `Could not settle request ${entry.reservation.requestId}: ${error}`,
          ),
        );
        failed.push(entry);
      }
    }
    return failed;
  }

  /** Stops retrying: what is still queued stays unwritten (reconciled later). */
  stop() {
    this.stopped = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }

  private ledgerRow(reservation: Reservation, s: Settlement): LedgerRow {
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
        reservation.platformFeeBasisPoints ?? this.feeBasisPoints(),
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

  private async writeBatch(
    batch: Array<{ reservation: Reservation; settlement: Settlement }>,
  ): Promise<void> {
    // Each row carries what it changes on its subscription; the writer applies it
    // only if the row is really inserted (a request is settled once).
    const entries = batch.map(({ reservation, settlement }) => {
      const row = this.ledgerRow(reservation, settlement);
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
    });
    const updated = await this.settlements.write(entries);
    for (const { reservation } of batch) {
      this.inFlight.delete(reservation.requestId);
    }
    // Keep the snapshots current, so that the next reservation needs no read.
    for (const row of updated) {
      this.remember(row);
    }
    if (this.options.onSettled) {
      const charged = batch.filter(b => b.reservation.costMicros > 0);
      if (charged.length > 0) {
        const grants = charged.map(b => b.reservation.grant);
        this.options.onSettled({
          subscriptionIds: [...new Set(grants.map(g => g.subscriptionId))],
          userRefs: [...new Set(grants.map(g => lower(g.userRef)))],
          teamRefs: [
            ...new Set(
              grants.flatMap(g => (g.teamRef ? [lower(g.teamRef)] : [])),
            ),
          ],
        });
      }
    }
  }

  /**
   * Settles reservations whose request can no longer finish: any older than
   * `maxAgeMs` (longer than any request may take, from any instance) and, with
   * `ownLeftovers` (at startup), those this instance id left behind before a
   * restart. Requests this process still has in flight are never touched. They
   * become `abandoned` ledger rows that cost nothing, and their budget is
   * released. Returns how many were reconciled.
   */
  async reconcile(options: {
    maxAgeMs: number;
    ownLeftovers?: boolean;
  }): Promise<number> {
    const now = this.now();
    const query = this.db('usage_reservations').where(
      'started_at',
      '<',
      now - options.maxAgeMs,
    );
    if (options.ownLeftovers) {
      query.orWhere({ instance_id: this.options.instanceId });
    }
    const stale = (await query).filter(r => !this.inFlight.has(r.request_id));
    if (stale.length === 0) {
      return 0;
    }
    await this.writeBatch(
      stale.map(r => ({
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
      })),
    );
    return stale.length;
  }

  async getUsage(requestId: string): Promise<UsageRecord | undefined> {
    const row = await this.db<LedgerRow>('usage_ledger')
      .where({ request_id: requestId })
      .first();
    return row ? toUsageRecord(row) : undefined;
  }

  async listUsage(filter: {
    subscriptionId?: string;
    userRef?: string;
    limit: number;
  }): Promise<UsageRecord[]> {
    const query = this.db<LedgerRow>('usage_ledger')
      .orderBy('started_at', 'desc')
      .limit(filter.limit);
    if (filter.subscriptionId) {
      query.where({ subscription_id: filter.subscriptionId });
    }
    if (filter.userRef) {
      query.where({ user_ref: filter.userRef });
    }
    return (await query).map(toUsageRecord);
  }

  async countReservations(): Promise<number> {
    const [{ count }] = await this.db('usage_reservations').count({
      count: '*',
    });
    return num(count);
  }
}
