import type {
  Budget,
  BudgetInput,
  BudgetScope,
} from '@internal/plugin-marketplace-common';
import type { Knex } from 'knex';
import type { SubscriptionRow } from './SubscriptionStore';
import type { BudgetDefinition } from './DatabaseBudgetStore';

/**
 * Budgets of subscriptions, users and teams, their month counters and the alerts sent.
 */
export interface BudgetStore {
  period(): string;
  /** A budget's definition, or undefined when there is none. */
  definition(
    scope: BudgetScope,
    ref: string,
    tx?: Knex | Knex.Transaction,
  ): Promise<BudgetDefinition | undefined>;
  /** This month's spend and in-flight reservations of a scope. */
  usage(
    scope: BudgetScope,
    ref: string,
    period?: string,
  ): Promise<{
    spendMicros: number;
    reservedMicros: number;
  }>;
  /** A definition with this month's numbers. */
  withUsage(def: BudgetDefinition, period?: string): Promise<Budget>;
  get(scope: BudgetScope, ref: string): Promise<Budget | undefined>;
  /**
   * The budgets that limit a subscription's spend: its own, its user's and
   * (team-billed) its team's.
   */
  forSubscription(sub: SubscriptionRow): Promise<Budget[]>;
  /**
   * Budgets by scope: the user's own (and their subscriptions'), the teams'
   * given, or (admins) all of a scope.
   */
  list(filter: {
    userRefs?: string[];
    teamRefs?: string[];
    scope?: BudgetScope;
    all?: boolean;
  }): Promise<Budget[]>;
  /** Sets a budget (audited). A subscription's also sets its spend cap. */
  put(
    scope: BudgetScope,
    ref: string,
    input: Required<BudgetInput>,
    actor: string,
  ): Promise<Budget>;
  /** Removes a budget (audited); a subscription's spend cap goes with it. */
  remove(scope: BudgetScope, ref: string, actor: string): Promise<void>;
}

export * from './DatabaseBudgetStore';
