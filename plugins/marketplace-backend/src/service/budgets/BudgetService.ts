import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  Budget,
  BudgetScope,
  BudgetsResponse,
  DEFAULT_BUDGET_THRESHOLDS,
  marketplaceUsersManagePermission,
  UsageSummary,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { BudgetStore } from '../../stores/BudgetStore';
import { num, numOrNull, isoOrNull } from '../../lib/numbers';
import { SubscriptionRow } from '../../stores/SubscriptionStore';
import { UsageLedger } from '../../stores/ledger/UsageLedger';
import { Access, Caller } from '../access';
import { groupRefOf, TeamOwners } from '../TeamOwners';

export interface BudgetServiceOptions {
  access: Access;
  db: Knex;
  budgets: BudgetStore;
  ledger: Pick<UsageLedger, 'flush'>;
  teamOwners: Pick<TeamOwners, 'isOwner' | 'ownedAmong'>;
}

/** What a budget is set to (`PUT /v1/budgets/{scope}/{ref}`). */
export interface BudgetInput {
  amountMicros: number;
  mode: Budget['mode'];
  thresholds?: number[];
}

/**
 * A budget's alert thresholds: ascending, without repeats (a rule across the
 * list's items; the document checks each item and the list's length).
 */
function thresholdsOf(thresholds: number[] | undefined): number[] {
  if (thresholds === undefined) {
    return [...DEFAULT_BUDGET_THRESHOLDS];
  }
  if (!thresholds.every((v, i) => i === 0 || v > thresholds[i - 1])) {
    throw new InputError(
      "Invalid body field 'thresholds': must be sorted ascending, without repeats",
    );
  }
  return thresholds;
}

/**
 * Budgets of a subscription, a user or a team, and a team's usage summary.
 * Users set their own and their subscriptions' budgets, team owners their
 * team's, admins (marketplace.admin.users.manage) anyone's; every change is
 * audited by the store.
 */
export class BudgetService {
  constructor(private readonly options: BudgetServiceOptions) {}

  /** The scope's ref in stored form; a 400 names what is wrong. */
  refOf(scope: BudgetScope, ref: string): string {
    if (scope === 'subscription') {
      return ref;
    }
    if (scope === 'team') {
      const group = groupRefOf(ref);
      if (!group) {
        throw new InputError(
          `Invalid path parameter 'ref': a team budget needs a group ref, got '${ref}'`,
        );
      }
      return group;
    }
    const user = ref.toLocaleLowerCase('en-US');
    if (!/^user:[^/]+\/.+$/.test(user)) {
      throw new InputError(
        `Invalid path parameter 'ref': a user budget needs a user ref like user:default/name, got '${ref}'`,
      );
    }
    return user;
  }

  /** The caller's budgets, or (admins, `all`) everyone's. */
  async list(
    me: Caller,
    query: { scope?: BudgetScope; all: boolean },
  ): Promise<BudgetsResponse> {
    const { budgets, teamOwners } = this.options;
    const admin = await this.isAdmin(me);
    if (query.all && !admin) {
      throw new NotAllowedError('Only platform admins can list all budgets');
    }
    const ownedTeams = await teamOwners
      .ownedAmong(me.userRef, me.ownership)
      .catch(() => []);
    let items: Budget[];
    if (query.all) {
      items = await budgets.list({ all: true, scope: query.scope });
    } else {
      await this.options.ledger.flush();
      items = await budgets.list({
        userRefs: [me.userRef],
        teamRefs: ownedTeams.map(t => t.ref),
      });
      if (query.scope) {
        items = items.filter(b => b.scope === query.scope);
      }
    }
    return { period: budgets.period(), items, ownedTeams };
  }

  async get(me: Caller, scope: BudgetScope, ref: string): Promise<Budget> {
    await this.authorize(me, scope, ref, 'read');
    const budget = await this.options.budgets.get(scope, ref);
    if (!budget) {
      throw new NotFoundError(`No ${scope} budget for ${ref}`);
    }
    return budget;
  }

  /** A budget's settings from a request, thresholds defaulted; a 400 names what is wrong. */
  inputOf(body: BudgetInput): Required<BudgetInput> {
    return {
      amountMicros: body.amountMicros,
      mode: body.mode,
      thresholds: thresholdsOf(body.thresholds),
    };
  }

  async put(
    me: Caller,
    scope: BudgetScope,
    ref: string,
    input: Required<BudgetInput>,
  ): Promise<Budget> {
    await this.authorize(me, scope, ref, 'write');
    return this.options.budgets.put(scope, ref, input, me.userRef);
  }

  async remove(me: Caller, scope: BudgetScope, ref: string): Promise<void> {
    await this.authorize(me, scope, ref, 'write');
    await this.options.budgets.remove(scope, ref, me.userRef);
  }

  /** A team's usage this month with its budget (`GET /v1/teams/{ref}/usage`). */
  async teamUsage(me: Caller, ref: string): Promise<UsageSummary> {
    const { budgets } = this.options;
    await this.authorize(me, 'team', ref, 'read');
    await this.options.ledger.flush();
    const period = budgets.period();
    const { spendMicros, reservedMicros } = await budgets.usage(
      'team',
      ref,
      period,
    );
    const team = await budgets.get('team', ref);
    return {
      scope: 'team',
      ref,
      period,
      spendMicros,
      reservedMicros,
      budgets: team ? [team] : [],
    };
  }

  private async isAdmin(me: Caller) {
    return this.options.access.allowed(me, marketplaceUsersManagePermission);
  }

  private async subscriptionOf(id: string) {
    return this.options
      .db<SubscriptionRow>('subscriptions')
      .where({ id })
      .first();
  }

  /**
   * Whether the caller may change (or, `read`, see) a budget; a subscription
   * someone else holds is reported as missing.
   */
  private async authorize(
    me: Caller,
    scope: BudgetScope,
    ref: string,
    mode: 'read' | 'write',
  ) {
    if (scope === 'subscription') {
      const sub = await this.subscriptionOf(ref);
      if (!sub) {
        throw new NotFoundError(`No subscription ${ref}`);
      }
      if (sub.user_ref !== me.userRef && !(await this.isAdmin(me))) {
        throw new NotFoundError(`No subscription ${ref}`);
      }
      if (mode === 'write' && sub.status !== 'active') {
        throw new NotAllowedError(
          `Subscription ${ref} has ended: its budget can no longer change`,
        );
      }
      return;
    }
    if (scope === 'user') {
      if (
        ref !== me.userRef.toLocaleLowerCase('en-US') &&
        !(await this.isAdmin(me))
      ) {
        throw new NotAllowedError(
          'You can only set your own user budget (admins set anyone’s)',
        );
      }
      return;
    }
    const member = me.ownership.includes(ref);
    if (mode === 'read' && member) {
      return;
    }
    if (
      !(await this.options.teamOwners
        .isOwner(me.userRef, ref)
        .catch(() => false)) &&
      !(await this.isAdmin(me))
    ) {
      throw new NotAllowedError(
        `Only the owners of ${ref} (and admins) can ${
          mode === 'read' ? 'see' : 'set'
        } its team budget`,
      );
    }
  }
}

/** The usage summary of a subscription: this month, its trial and its budgets. */
export async function subscriptionUsageSummary(
  budgets: BudgetStore,
  sub: SubscriptionRow,
  now = Date.now(),
): Promise<UsageSummary> {
  const period = budgets.period();
  const { spendMicros, reservedMicros } = await budgets.usage(
    'subscription',
    sub.id,
    period,
  );
  const expiresAt = numOrNull(sub.trial_expires_at);
  const expired = expiresAt !== null && expiresAt <= now;
  const granted = num(sub.trial_tokens_granted);
  const used = num(sub.trial_tokens_used);
  const reserved = num(sub.trial_tokens_reserved);
  return {
    scope: 'subscription',
    ref: sub.id,
    period,
    spendMicros,
    reservedMicros,
    trial: {
      grantedTokens: granted,
      usedTokens: used,
      reservedTokens: reserved,
      remainingTokens: expired ? 0 : Math.max(0, granted - used - reserved),
      expiresAt: isoOrNull(sub.trial_expires_at),
    },
    budgets: await budgets.forSubscription(sub),
  };
}
