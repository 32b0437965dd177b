import { ConflictError } from '@backstage/errors';
import {
  MarketplaceRole,
  RoleOverride,
  UserSuspension,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { monthOf } from '../lib/periods';
import { isoOrNull, num } from '../lib/numbers';
import { isUniqueViolation } from './SubscriptionStore';
import type { UserAdminStore } from './UserAdminStore';

interface OverrideRow {
  user_ref: string;
  role: string;
  set_by: string;
  set_at: number | string;
}

interface SuspensionRow {
  user_ref: string;
  reason: string | null;
  suspended_by: string;
  suspended_at: number | string;
}

/** What the marketplace holds about a user's use of it. */
export interface UserActivity {
  subscriptions: number;
  activeKeys: number;
  monthSpendMicros: number;
  lastActiveAt: string | null;
}

function toOverride(row: OverrideRow): RoleOverride {
  return {
    role: row.role as MarketplaceRole,
    setBy: row.set_by,
    setAt: new Date(num(row.set_at)).toISOString(),
  };
}

function toSuspension(row: SuspensionRow): UserSuspension {
  return {
    reason: row.reason ?? '',
    suspendedBy: row.suspended_by,
    suspendedAt: new Date(num(row.suspended_at)).toISOString(),
  };
}

/**
 * What admins change about users: role overrides and suspensions (every change
 * is audited in the same transaction), and each user's activity (subscriptions,
 * keys, spend this month, last request) for the users list. User refs are
 * lowercase entity refs, as the catalog and sign-in produce them.
 */
export class DatabaseUserAdminStore implements UserAdminStore {
  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    private readonly clock: () => number = Date.now,
  ) {}

  // --- role overrides -------------------------------------------------------

  async listOverrides(): Promise<Map<string, RoleOverride>> {
    const rows = await this.db<OverrideRow>('user_role_overrides');
    return new Map(rows.map(r => [r.user_ref, toOverride(r)]));
  }

  async getOverride(userRef: string): Promise<RoleOverride | null> {
    const row = await this.db<OverrideRow>('user_role_overrides')
      .where({ user_ref: userRef })
      .first();
    return row ? toOverride(row) : null;
  }

  /**
   * Sets (or with `null` removes) a user's role override, audited with the role
   * in effect before and after (`groupRole`: what the user's groups give).
   */
  async setRole(options: {
    userRef: string;
    role: MarketplaceRole | null;
    groupRole: MarketplaceRole;
    actor: string;
  }): Promise<RoleOverride | null> {
    const { userRef, role, groupRole, actor } = options;
    const now = this.clock();
    return this.db.transaction(async tx => {
      const row = await tx<OverrideRow>('user_role_overrides')
        .where({ user_ref: userRef })
        .first();
      const before = row?.role ?? null;
      if (before === role) {
        // Nothing changes: nothing to audit.
        return row ? toOverride(row) : null;
      }
      if (role === null) {
        await tx('user_role_overrides').where({ user_ref: userRef }).delete();
      } else {
        await tx('user_role_overrides')
          .insert({ user_ref: userRef, role, set_by: actor, set_at: now })
          .onConflict('user_ref')
          .merge();
      }
      await this.audit.record(
        {
          actor,
          action: 'user.role.changed',
          targetType: 'user',
          target: userRef,
          before: { override: before, role: before ?? groupRole },
          after: { override: role, role: role ?? groupRole },
        },
        tx,
      );
      return role === null
        ? null
        : { role, setBy: actor, setAt: new Date(now).toISOString() };
    });
  }

  // --- suspensions ------------------------------------------------------------

  async listSuspensions(): Promise<Map<string, UserSuspension>> {
    const rows = await this.db<SuspensionRow>('user_suspensions');
    return new Map(rows.map(r => [r.user_ref, toSuspension(r)]));
  }

  async getSuspension(userRef: string): Promise<UserSuspension | null> {
    const row = await this.db<SuspensionRow>('user_suspensions')
      .where({ user_ref: userRef })
      .first();
    return row ? toSuspension(row) : null;
  }

  /**
   * Suspends a user: from the next request on, the gateway refuses their keys
   * (it checks `user_suspensions` in the same statement that reserves budget).
   * A user who is suspended already is a ConflictError.
   */
  async suspend(options: {
    userRef: string;
    reason: string;
    actor: string;
  }): Promise<UserSuspension> {
    const { userRef, reason, actor } = options;
    const now = this.clock();
    const conflict = () =>
      new ConflictError(
        `${userRef} is suspended already; reinstate them first to change the reason`,
      );
    try {
      return await this.db.transaction(async tx => {
        if (await tx('user_suspensions').where({ user_ref: userRef }).first()) {
          throw conflict();
        }
        await tx('user_suspensions').insert({
          user_ref: userRef,
          reason,
          suspended_by: actor,
          suspended_at: now,
        });
        const suspension = {
          reason,
          suspendedBy: actor,
          suspendedAt: new Date(now).toISOString(),
        };
        await this.audit.record(
          {
            actor,
            action: 'user.suspended',
            targetType: 'user',
            target: userRef,
            before: { status: 'active' },
            after: { status: 'suspended', ...suspension },
          },
          tx,
        );
        return suspension;
      });
    } catch (error) {
      // A concurrent suspension won the primary key.
      if (isUniqueViolation(error)) {
        throw conflict();
      }
      throw error;
    }
  }

  /** Lifts a suspension; a user who is not suspended is a ConflictError. */
  async reinstate(options: { userRef: string; actor: string }): Promise<void> {
    const { userRef, actor } = options;
    await this.db.transaction(async tx => {
      const row = await tx<SuspensionRow>('user_suspensions')
        .where({ user_ref: userRef })
        .first();
      const deleted = row
        ? await tx('user_suspensions').where({ user_ref: userRef }).delete()
        : 0;
      if (!row || deleted !== 1) {
        throw new ConflictError(`${userRef} is not suspended`);
      }
      await this.audit.record(
        {
          actor,
          action: 'user.reinstated',
          targetType: 'user',
          target: userRef,
          before: { status: 'suspended', ...toSuspension(row) },
          after: { status: 'active' },
        },
        tx,
      );
    });
  }

  // --- activity ---------------------------------------------------------------

  /**
   * Every user the marketplace has data about (subscriptions, keys, requests,
   * an override or a suspension), with their activity.
   */
  async activity(): Promise<Map<string, UserActivity>> {
    const month = monthOf(this.clock());
    const [subscriptions, spend, keys, lastActive, suspended, overridden] =
      await Promise.all([
        this.db('subscriptions')
          .where({ status: 'active' })
          .groupBy('user_ref')
          .select('user_ref')
          .count({ n: '*' }),
        this.db('subscriptions')
          .where({ month })
          .groupBy('user_ref')
          .select('user_ref')
          .sum({ n: 'month_spend_micros' }),
        this.db('api_keys')
          .whereNull('revoked_at')
          .groupBy('user_ref')
          .select('user_ref')
          .count({ n: '*' }),
        this.db('usage_ledger')
          .groupBy('user_ref')
          .select('user_ref')
          .max({ n: 'started_at' }),
        this.db('user_suspensions').select('user_ref'),
        this.db('user_role_overrides').select('user_ref'),
      ]);
    // Users who only ever subscribed (all cancelled) are known too.
    const everSubscribed = await this.db('subscriptions')
      .distinct('user_ref')
      .select('user_ref');
    const result = new Map<string, UserActivity>();
    const entry = (ref: string) => {
      let e = result.get(ref);
      if (!e) {
        e = {
          subscriptions: 0,
          activeKeys: 0,
          monthSpendMicros: 0,
          lastActiveAt: null,
        };
        result.set(ref, e);
      }
      return e;
    };
    for (const r of [...everSubscribed, ...suspended, ...overridden]) {
      entry(r.user_ref);
    }
    for (const r of subscriptions as { user_ref: string; n: unknown }[]) {
      entry(r.user_ref).subscriptions = num(r.n);
    }
    for (const r of spend as { user_ref: string; n: unknown }[]) {
      entry(r.user_ref).monthSpendMicros = num(r.n);
    }
    for (const r of keys as { user_ref: string; n: unknown }[]) {
      entry(r.user_ref).activeKeys = num(r.n);
    }
    for (const r of lastActive as { user_ref: string; n: unknown }[]) {
      entry(r.user_ref).lastActiveAt = isoOrNull(r.n);
    }
    return result;
  }
}
