import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import {
  Budget,
  BudgetScope,
  DEFAULT_BUDGET_THRESHOLDS,
  marketplaceUsersManagePermission,
  UsageSummary,
} from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { BudgetStore } from '../stores/BudgetStore';
import { num, numOrNull, isoOrNull } from '../lib/numbers';
import { SubscriptionRow } from '../stores/SubscriptionStore';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { Knex } from 'knex';
import { Access, Caller } from './access';
import { groupRefOf, TeamOwners } from './TeamOwners';

export interface BudgetsRouterOptions {
  access: Access;
  db: Knex;
  budgets: BudgetStore;
  ledger: Pick<UsageLedger, 'flush'>;
  teamOwners: Pick<TeamOwners, 'isOwner' | 'ownedAmong'>;
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
 * Budgets (`/v1/budgets`) and the usage summaries for scripts
 * (`/v1/teams/{ref}/usage`; the subscription's is in router.ts). Users set their
 * own and their subscriptions' budgets, team owners their team's, admins
 * (marketplace.admin.users.manage) anyone's; every change is audited.
 */
export function createBudgetsRouter(
  options: BudgetsRouterOptions,
): express.Router {
  const { access, budgets, teamOwners, db } = options;
  const router = createApiRouter();
  async function isAdmin(me: Caller) {
    return access.allowed(me, marketplaceUsersManagePermission);
  }

  /** The scope's ref in stored form; a 400 names what is wrong. */
  function normalize(scope: BudgetScope, ref: string): string {
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

  async function subscriptionOf(id: string) {
    return db<SubscriptionRow>('subscriptions').where({ id }).first();
  }

  /**
   * Whether the caller may change (or, `read`, see) a budget; a subscription
   * someone else holds is reported as missing.
   */
  async function authorize(
    me: Caller,
    scope: BudgetScope,
    ref: string,
    mode: 'read' | 'write',
  ) {
    if (scope === 'subscription') {
      const sub = await subscriptionOf(ref);
      if (!sub) {
        throw new NotFoundError(`No subscription ${ref}`);
      }
      if (sub.user_ref !== me.userRef && !(await isAdmin(me))) {
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
        !(await isAdmin(me))
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
      !(await teamOwners.isOwner(me.userRef, ref).catch(() => false)) &&
      !(await isAdmin(me))
    ) {
      throw new NotAllowedError(
        `Only the owners of ${ref} (and admins) can ${
          mode === 'read' ? 'see' : 'set'
        } its team budget`,
      );
    }
  }

  router.get('/v1/budgets', async (req, res) => {
    const query = { scope: req.query.scope, all: req.query.all === 'true' };
    const me = await access.caller(req);
    const admin = await isAdmin(me);
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
      await options.ledger.flush();
      items = await budgets.list({
        userRefs: [me.userRef],
        teamRefs: ownedTeams.map(t => t.ref),
      });
      if (query.scope) {
        items = items.filter(b => b.scope === query.scope);
      }
    }
    res.json({ period: budgets.period(), items, ownedTeams });
  });

  router.get('/v1/budgets/:scope/:ref', async (req, res) => {
    const { scope } = req.params;
    const ref = normalize(scope, req.params.ref);
    const me = await access.caller(req);
    await authorize(me, scope, ref, 'read');
    const budget = await budgets.get(scope, ref);
    if (!budget) {
      throw new NotFoundError(`No ${scope} budget for ${ref}`);
    }
    res.json({ budget });
  });

  router.put('/v1/budgets/:scope/:ref', async (req, res) => {
    const { scope } = req.params;
    const ref = normalize(scope, req.params.ref);
    const body = req.body;
    const thresholds = thresholdsOf(body.thresholds);
    const me = await access.caller(req);
    await authorize(me, scope, ref, 'write');
    const budget = await budgets.put(
      scope,
      ref,
      {
        amountMicros: body.amountMicros,
        mode: body.mode,
        thresholds,
      },
      me.userRef,
    );
    res.json({ budget });
  });

  router.delete('/v1/budgets/:scope/:ref', async (req, res) => {
    const { scope } = req.params;
    const ref = normalize(scope, req.params.ref);
    const me = await access.caller(req);
    await authorize(me, scope, ref, 'write');
    await budgets.remove(scope, ref, me.userRef);
    res.status(204).end();
  });

  router.get('/v1/teams/:ref/usage', async (req, res) => {
    const ref = normalize('team', req.params.ref);
    const me = await access.caller(req);
    await authorize(me, 'team', ref, 'read');
    await options.ledger.flush();
    const period = budgets.period();
    const { spendMicros, reservedMicros } = await budgets.usage(
      'team',
      ref,
      period,
    );
    const team = await budgets.get('team', ref);
    const summary: UsageSummary = {
      scope: 'team',
      ref,
      period,
      spendMicros,
      reservedMicros,
      budgets: team ? [team] : [],
    };
    res.json(summary);
  });

  return router;
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
