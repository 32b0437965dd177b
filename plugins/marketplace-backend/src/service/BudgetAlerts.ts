import { LoggerService, SchedulerService } from '@backstage/backend-plugin-api';
import { NotificationService } from '@backstage/plugin-notifications-node';
import { formatMicros } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { BudgetDefinition, BudgetStore } from '../stores/BudgetStore';
import { num } from '../lib/numbers';
import { isUniqueViolation } from '../stores/SubscriptionStore';
import { SettledBudgets } from '../stores/ledger/ledgerTypes';
import { TeamOwners } from './TeamOwners';

/** The page budgets and usage are shown on. */
export const BUDGET_LINK = '/marketplace/subscriptions';

/**
 * Sends a budget's threshold alerts: each threshold at most once per budget
 * and month. The alert's row (its key is the budget, the month and the
 * threshold) is written before it is sent, so when several instances check at
 * once only the one whose insert succeeds sends. Checked right after the
 * settlements that changed a budget's spend, and every few minutes for all
 * budgets (spend settled by standalone gateways).
 */
export class BudgetAlerts {
  private pending: SettledBudgets | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly deps: {
      db: Knex;
      budgets: BudgetStore;
      notifications: Pick<NotificationService, 'send'>;
      teamOwners: Pick<TeamOwners, 'owners'>;
      logger: LoggerService;
    },
  ) {}

  /** Checks the budgets of a settled batch soon (batches coalesce). */
  trigger(settled: SettledBudgets) {
    const p = this.pending ?? {
      subscriptionIds: [],
      userRefs: [],
      teamRefs: [],
    };
    p.subscriptionIds.push(...settled.subscriptionIds);
    p.userRefs.push(...settled.userRefs);
    p.teamRefs.push(...settled.teamRefs);
    this.pending = p;
    if (!this.running) {
      this.running = this.drain().finally(() => {
        this.running = undefined;
      });
    }
  }

  /** Resolves once the triggered checks are done (tests). */
  async idle(): Promise<void> {
    while (this.running) {
      await this.running;
    }
  }

  private async drain() {
    while (this.pending) {
      const batch = this.pending;
      this.pending = undefined;
      await this.check(batch).catch(e =>
        this.deps.logger.warn(`Budget alerts failed: ${e}`),
      );
    }
  }

  /** Checks the given budgets (all budgets without); returns the alerts sent. */
  async check(only?: SettledBudgets): Promise<number> {
    const { budgets } = this.deps;
    let defs: Array<BudgetDefinition | undefined>;
    if (only) {
      defs = await Promise.all([
        ...[...new Set(only.subscriptionIds)].map(id =>
          budgets.definition('subscription', id),
        ),
        ...[...new Set(only.userRefs)].map(r => budgets.definition('user', r)),
        ...[...new Set(only.teamRefs)].map(r => budgets.definition('team', r)),
      ]);
    } else {
      defs = await budgets.list({ all: true });
    }
    let sent = 0;
    for (const def of defs) {
      if (def && def.amountMicros > 0) {
        sent += await this.checkOne(def);
      }
    }
    return sent;
  }

  private async checkOne(def: BudgetDefinition): Promise<number> {
    const { db, budgets } = this.deps;
    const period = budgets.period();
    const { spendMicros } = await budgets.usage(def.scope, def.ref, period);
    const crossed = def.thresholds.filter(
      t => spendMicros * 100 >= t * def.amountMicros,
    );
    if (crossed.length === 0) {
      return 0;
    }
    const already = new Set(
      (
        await db('budget_alerts')
          .where({ scope: def.scope, scope_ref: def.ref, period })
          .pluck('threshold')
      ).map(num),
    );
    let sent = 0;
    for (const threshold of crossed.filter(t => !already.has(t))) {
      try {
        await db('budget_alerts').insert({
          scope: def.scope,
          scope_ref: def.ref,
          period,
          threshold,
          amount_micros: def.amountMicros,
          spend_micros: spendMicros,
          sent_at: Date.now(),
        });
      } catch (e) {
        if (isUniqueViolation(e)) {
          continue; // sent by another instance
        }
        throw e;
      }
      await this.send(def, period, threshold, spendMicros);
      sent += 1;
    }
    return sent;
  }

  private async recipients(def: BudgetDefinition): Promise<string[]> {
    if (def.scope === 'subscription') {
      return def.userRef ? [def.userRef] : [];
    }
    if (def.scope === 'user') {
      return [def.ref];
    }
    const owners = await this.deps.teamOwners.owners(def.ref).catch(e => {
      this.deps.logger.warn(`Could not read the owners of ${def.ref}: ${e}`);
      return [] as string[];
    });
    // A team naming no owners: its members.
    return owners.length > 0 ? owners : [def.ref];
  }

  private async send(
    def: BudgetDefinition,
    period: string,
    threshold: number,
    spendMicros: number,
  ) {
    const whose = {
      subscription: `Your budget for ${def.serviceRef ?? 'a subscription'}`,
      user: 'Your monthly budget',
      team: `The team budget of ${def.ref}`,
    }[def.scope];
    const amount = formatMicros(def.amountMicros);
    const spent = formatMicros(spendMicros);
    let consequence = 'It is soft: requests continue.';
    if (def.mode === 'hard') {
      consequence =
        threshold >= 100
          ? 'The gateway refuses paid requests until next month or until the budget is raised.'
          : 'It is hard: the gateway refuses paid requests once it is used up.';
    }
    const recipients = await this.recipients(def);
    try {
      if (recipients.length > 0) {
        await this.deps.notifications.send({
          recipients: { type: 'entity', entityRef: recipients },
          payload: {
            title: `${whose} for ${period} is ${threshold}% used`,
            description: `${whose} (${amount}) for ${period}: ${spent} spent, ${threshold}% reached. ${consequence}`,
            link: BUDGET_LINK,
            severity: threshold >= 95 ? 'high' : 'normal',
            topic: 'marketplace-budget',
            scope: `marketplace:budget:${def.scope}:${def.ref}:${period}:${threshold}`,
          },
        });
      }
    } catch (error) {
      this.deps.logger.warn(
        `Could not send the ${threshold}% alert of the ${def.scope} budget of ${def.ref}: ${error}`,
      );
    }
  }

  /** All budgets every 5 minutes, on one instance at a time. */
  async schedule(scheduler: SchedulerService): Promise<void> {
    await scheduler.scheduleTask({
      id: 'marketplace-budget-alerts',
      scope: 'global',
      frequency: { minutes: 5 },
      timeout: { minutes: 5 },
      initialDelay: { seconds: 45 },
      fn: async () => {
        await this.check().catch(e =>
          this.deps.logger.warn(`Budget alerts failed: ${e}`),
        );
      },
    });
  }
}
