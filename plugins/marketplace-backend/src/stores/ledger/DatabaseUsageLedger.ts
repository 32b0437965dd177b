import { Knex } from 'knex';
import { monthOf } from '../../lib/periods';
import { num } from '../../lib/numbers';
import { BudgetCounterRef } from './reservationSql';
import {
  createReservationWriter,
  ReservationWriter,
} from './reservationWriter';
import { createSettlementWriter } from './settlementWriter';
import { SettlementItem, SettlementQueue } from './settlementQueue';
import { KeyGrant, SubscriptionRow } from '../SubscriptionStore';
import {
  BudgetRefusal,
  PriceSchedule,
  Reservation,
  ReserveRejection,
  ReserveRequest,
  ReserveResult,
  SettledBudgets,
  Settlement,
} from './ledgerTypes';
import {
  abandoned,
  LedgerRow,
  lower,
  settlementEntry,
  toUsageRecord,
} from './ledgerRows';
import { planReservation } from './prices';
import { UsageRecord } from '@internal/plugin-marketplace-common';
import type { UsageLedger } from './UsageLedger';

/**
 * The usage ledger. Before a request is forwarded, `reserve` holds its worst-case
 * trial tokens and spend with one atomic conditional update (never read-then-write:
 * the update only applies if the budget still holds) plus a reservation row. After
 * the upstream answered, `settle` turns the reservation into exactly one ledger row
 * and releases what was not used. Settlements are written in small batches (group
 * commit, settlementQueue.ts) so ledger writes never serialize requests; on SQLite
 * they are written in the next reservation batch's transaction. Reservations left
 * behind by a process that died are settled as `abandoned` (free) by `reconcile`.
 */
export class DatabaseUsageLedger implements UsageLedger {
  private readonly writer: ReservationWriter;
  private readonly settlements: SettlementQueue;
  /** Last known state per subscription, from the latest reservation. */
  private readonly snapshots = new Map<string, SubscriptionRow>();
  /** Requests this process holds a reservation for and has not settled yet. */
  private readonly inFlight = new Set<string>();

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
    this.settlements = new SettlementQueue({
      writer: createSettlementWriter(db),
      entryOf: ({ reservation, settlement }) =>
        settlementEntry(reservation, settlement, () => this.feeBasisPoints()),
      written: (items, updated) => this.written(items, updated),
      batchDelayMs: options.batchDelayMs,
      onError: options.onError,
    });
    const carrier = this.writer.carrySettlements?.(this.settlements);
    if (carrier) {
      this.settlements.carriedBy(carrier);
    }
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

      const plan = planReservation(
        row,
        request,
        this.options.prices?.at(request.grant.serviceRef, now),
        now,
      );
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

  /** Queues the settlement of a reservation; it is written with the next batch. */
  settle(reservation: Reservation, settlement: Settlement): Promise<void> {
    return this.settlements.push(reservation, settlement);
  }

  /** Writes every queued settlement now (in batches of at most MAX_BATCH). */
  flush(): Promise<void> {
    return this.settlements.flush();
  }

  /** Stops retrying: what is still queued stays unwritten (reconciled later). */
  stop() {
    this.settlements.stop();
  }

  /** After settlements were written (each row carried what it changes on its subscription). */
  private written(items: SettlementItem[], updated: SubscriptionRow[]) {
    for (const { reservation } of items) {
      this.inFlight.delete(reservation.requestId);
    }
    // Keep the snapshots current, so that the next reservation needs no read.
    for (const row of updated) {
      this.remember(row);
    }
    if (this.options.onSettled) {
      const charged = items.filter(b => b.reservation.costMicros > 0);
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
    await this.settlements.write(stale.map(r => abandoned(r, now)));
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
