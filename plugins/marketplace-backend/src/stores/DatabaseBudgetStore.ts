import { NotFoundError } from '@backstage/errors';
import {
  Budget,
  BudgetInput,
  BudgetMode,
  BudgetScope,
  DEFAULT_BUDGET_THRESHOLDS,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { monthOf } from '../lib/periods';
import { isoOrNull, num, numOrNull } from '../lib/numbers';
import { SubscriptionRow } from './SubscriptionStore';
import type { BudgetStore } from './BudgetStore';

interface BudgetRow {
  scope: string;
  scope_ref: string;
  amount_micros: number | string;
  mode: string;
  thresholds: string;
  updated_by: string;
  created_at: number | string;
  updated_at: number | string;
}

/** A budget's definition, without this month's numbers. */
export interface BudgetDefinition {
  scope: BudgetScope;
  ref: string;
  amountMicros: number;
  mode: BudgetMode;
  thresholds: number[];
  updatedBy: string | null;
  updatedAt: string | null;
  serviceRef?: string;
  userRef?: string;
}

export function parseThresholds(text: string | null | undefined): number[] {
  if (!text) {
    return [...DEFAULT_BUDGET_THRESHOLDS];
  }
  return text
    .split(',')
    .map(Number)
    .filter(n => Number.isInteger(n));
}

function lower(ref: string) {
  return ref.toLocaleLowerCase('en-US');
}

/**
 * Budgets of subscriptions, users and teams. A subscription's budget amount is
 * its spend cap (`subscriptions.spend_cap_micros`: the gateway's conditional
 * update enforces it when hard); a `budgets` row adds its mode and thresholds.
 * User and team budgets are enforced on their month counters (`budget_usage`)
 * in the reservation's transaction. Every change is written to the audit log.
 */
export class DatabaseBudgetStore implements BudgetStore {
  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  period(): string {
    return monthOf(this.clock());
  }

  private definitionOf(
    row: BudgetRow | undefined,
    sub?: SubscriptionRow,
  ): BudgetDefinition | undefined {
    if (sub) {
      const cap = numOrNull(sub.spend_cap_micros);
      if (!row && cap === null) {
        return undefined;
      }
      return {
        scope: 'subscription',
        ref: sub.id,
        amountMicros:
          row && (row.mode === 'soft' || cap === null)
            ? num(row.amount_micros)
            : cap!,
        mode: row?.mode === 'soft' ? 'soft' : 'hard',
        thresholds: parseThresholds(row?.thresholds),
        updatedBy: row?.updated_by ?? null,
        updatedAt: isoOrNull(row?.updated_at ?? null),
        serviceRef: sub.service_ref,
        userRef: sub.user_ref,
      };
    }
    if (!row) {
      return undefined;
    }
    return {
      scope: row.scope as BudgetScope,
      ref: row.scope_ref,
      amountMicros: num(row.amount_micros),
      mode: row.mode as BudgetMode,
      thresholds: parseThresholds(row.thresholds),
      updatedBy: row.updated_by,
      updatedAt: isoOrNull(row.updated_at),
    };
  }

  /** A budget's definition, or undefined when there is none. */
  async definition(
    scope: BudgetScope,
    ref: string,
    tx: Knex | Knex.Transaction = this.db,
  ): Promise<BudgetDefinition | undefined> {
    const key = scope === 'subscription' ? ref : lower(ref);
    const row = await tx<BudgetRow>('budgets')
      .where({ scope, scope_ref: key })
      .first();
    if (scope !== 'subscription') {
      return this.definitionOf(row);
    }
    const sub = await tx<SubscriptionRow>('subscriptions')
      .where({ id: ref })
      .first();
    return sub ? this.definitionOf(row, sub) : undefined;
  }

  /** This month's spend and in-flight reservations of a scope. */
  async usage(
    scope: BudgetScope,
    ref: string,
    period = this.period(),
  ): Promise<{ spendMicros: number; reservedMicros: number }> {
    if (scope === 'subscription') {
      const sub = await this.db<SubscriptionRow>('subscriptions')
        .where({ id: ref })
        .first();
      return sub && sub.month === period
        ? {
            spendMicros: num(sub.month_spend_micros),
            reservedMicros: num(sub.reserved_micros),
          }
        : { spendMicros: 0, reservedMicros: num(sub?.reserved_micros ?? 0) };
    }
    const row = await this.db('budget_usage')
      .where({ scope, scope_ref: lower(ref), period })
      .first();
    return {
      spendMicros: num(row?.spend_micros ?? 0),
      reservedMicros: num(row?.reserved_micros ?? 0),
    };
  }

  /** A definition with this month's numbers. */
  async withUsage(def: BudgetDefinition, period = this.period()) {
    const { spendMicros, reservedMicros } = await this.usage(
      def.scope,
      def.ref,
      period,
    );
    const alerts = await this.db('budget_alerts')
      .where({ scope: def.scope, scope_ref: def.ref, period })
      .orderBy('threshold')
      .pluck('threshold');
    const budget: Budget = {
      ...def,
      period,
      spendMicros,
      reservedMicros,
      remainingMicros: Math.max(
        0,
        def.amountMicros - spendMicros - reservedMicros,
      ),
      alertsSent: alerts.map(num),
    };
    return budget;
  }

  async get(scope: BudgetScope, ref: string): Promise<Budget | undefined> {
    const def = await this.definition(scope, ref);
    return def ? this.withUsage(def) : undefined;
  }

  /**
   * The budgets that limit a subscription's spend: its own, its user's and
   * (team-billed) its team's.
   */
  async forSubscription(sub: SubscriptionRow): Promise<Budget[]> {
    const defs = [
      await this.definition('subscription', sub.id),
      await this.definition('user', sub.user_ref),
      sub.team_ref ? await this.definition('team', sub.team_ref) : undefined,
    ];
    return Promise.all(
      defs
        .filter((d): d is BudgetDefinition => !!d)
        .map(d => this.withUsage(d)),
    );
  }

  /**
   * Budgets by scope: the user's own (and their subscriptions'), the teams'
   * given, or (admins) all of a scope.
   */
  async list(filter: {
    userRefs?: string[];
    teamRefs?: string[];
    scope?: BudgetScope;
    all?: boolean;
  }): Promise<Budget[]> {
    const defs: BudgetDefinition[] = [];
    const rows = await this.db<BudgetRow>('budgets').where(q => {
      if (filter.all) {
        if (filter.scope) {
          q.where({ scope: filter.scope });
        }
        return;
      }
      q.where(b => {
        b.whereRaw('1 = 0');
        if (filter.userRefs?.length) {
          b.orWhere(u =>
            u
              .where({ scope: 'user' })
              .whereIn('scope_ref', filter.userRefs!.map(lower)),
          );
        }
        if (filter.teamRefs?.length) {
          b.orWhere(t =>
            t
              .where({ scope: 'team' })
              .whereIn('scope_ref', filter.teamRefs!.map(lower)),
          );
        }
      });
    });
    for (const row of rows) {
      if (row.scope !== 'subscription') {
        defs.push(this.definitionOf(row)!);
      }
    }
    if (filter.all ? !filter.scope || filter.scope === 'subscription' : true) {
      const subs = this.db<SubscriptionRow>('subscriptions')
        .where({ status: 'active' })
        .where(q =>
          q
            .whereNotNull('spend_cap_micros')
            .orWhereExists(
              this.db('budgets')
                .where({ scope: 'subscription' })
                .whereRaw('budgets.scope_ref = subscriptions.id'),
            ),
        );
      if (!filter.all) {
        subs.whereIn('user_ref', filter.userRefs ?? []);
      }
      const subRows = await subs;
      const subBudgets = await this.db<BudgetRow>('budgets')
        .where({ scope: 'subscription' })
        .whereIn(
          'scope_ref',
          subRows.map(s => s.id),
        );
      const byId = new Map(subBudgets.map(b => [b.scope_ref, b]));
      for (const sub of subRows) {
        const def = this.definitionOf(byId.get(sub.id), sub);
        if (def) {
          defs.push(def);
        }
      }
    }
    const period = this.period();
    return Promise.all(defs.map(d => this.withUsage(d, period)));
  }

  /** Sets a budget (audited). A subscription's also sets its spend cap. */
  async put(
    scope: BudgetScope,
    ref: string,
    input: Required<BudgetInput>,
    actor: string,
  ): Promise<Budget> {
    const key = scope === 'subscription' ? ref : lower(ref);
    const now = this.clock();
    await this.db.transaction(async tx => {
      const before = await this.definition(scope, key, tx);
      if (scope === 'subscription') {
        const updated = await tx('subscriptions')
          .where({ id: key })
          .update({
            spend_cap_micros: input.mode === 'hard' ? input.amountMicros : null,
          });
        if (!updated) {
          throw new NotFoundError(`No subscription ${ref}`);
        }
      }
      await tx('budgets')
        .insert({
          scope,
          scope_ref: key,
          amount_micros: input.amountMicros,
          mode: input.mode,
          thresholds: input.thresholds.join(','),
          updated_by: actor,
          created_at: now,
          updated_at: now,
        })
        .onConflict(['scope', 'scope_ref'])
        .merge([
          'amount_micros',
          'mode',
          'thresholds',
          'updated_by',
          'updated_at',
        ]);
      await this.audit.record(
        {
          actor,
          action: 'budget.set',
          targetType: 'budget',
          target: key,
          before: before ? auditView(before) : null,
          after: auditView({ ...input, scope, ref: key }),
        },
        tx,
      );
    });
    return (await this.get(scope, key))!;
  }

  /** Removes a budget (audited); a subscription's spend cap goes with it. */
  async remove(scope: BudgetScope, ref: string, actor: string): Promise<void> {
    const key = scope === 'subscription' ? ref : lower(ref);
    await this.db.transaction(async tx => {
      const before = await this.definition(scope, key, tx);
      if (!before) {
        throw new NotFoundError(`No ${scope} budget for ${ref}`);
      }
      if (scope === 'subscription') {
        await tx('subscriptions')
          .where({ id: key })
          .update({ spend_cap_micros: null });
      }
      await tx('budgets').where({ scope, scope_ref: key }).delete();
      await this.audit.record(
        {
          actor,
          action: 'budget.deleted',
          targetType: 'budget',
          target: key,
          before: auditView(before),
          after: null,
        },
        tx,
      );
    });
  }
}

function auditView(b: {
  scope?: string;
  ref: string;
  amountMicros: number;
  mode: string;
  thresholds: number[];
}) {
  return {
    scope: b.scope,
    ref: b.ref,
    amountMicros: b.amountMicros,
    mode: b.mode,
    thresholds: b.thresholds,
  };
}
