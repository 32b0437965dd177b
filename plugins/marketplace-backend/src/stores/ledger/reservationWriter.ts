import { Knex } from 'knex';
import { SubscriptionRow } from '../SubscriptionStore';

/*
 * Reservations of in-flight requests: the conditional budget update and the
 * reservation row, written per database in the fastest safe way (prepared
 * statements batched on SQLite, one CTE statement on PostgreSQL, a knex
 * transaction elsewhere). The settlements that end them: settlementWriter.ts.
 *
 * Over 400 lines on purpose: the three writers share the SQL and bindings at
 * the top, and reading them side by side is how to check they agree.
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
 * Holds budget for one request atomically: the update only applies while the
 * subscription is active, in the same month, the key is not revoked, the user not
 * suspended, and the trial / spend cap still cover the request; the user's and the
 * team's month counters take the request's cost only while their hard budgets
 * (spend + in-flight reservations + this cost) still cover it; the reservation row
 * is written in the same transaction. Returns the subscription as updated, or what
 * refused the request (then nothing was written).
 */
export interface ReservationWriter {
  reserve(write: ReservationWrite): Promise<ReservationOutcome>;
}

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
class BudgetRefused extends Error {
  constructor(readonly budget: BudgetCounterRef) {
    super(`The ${budget.scope} budget of ${budget.ref} refused the request`);
  }
}

function budgetsToReserve(w: ReservationWrite): BudgetCounterRef[] {
  return w.row.budget_micros > 0 ? w.budgets : [];
}

const CONDITIONAL_UPDATE = `
  UPDATE subscriptions
     SET trial_tokens_reserved = trial_tokens_reserved + ?,
         reserved_micros = reserved_micros + ?
   WHERE id = ? AND status = 'active' AND month = ?
     AND trial_tokens_granted - trial_tokens_used - trial_tokens_reserved >= ?
     AND (spend_cap_micros IS NULL OR month_spend_micros + reserved_micros + ? <= spend_cap_micros)
     AND EXISTS (SELECT 1 FROM api_keys WHERE id = ? AND revoked_at IS NULL)
     AND NOT EXISTS (SELECT 1 FROM user_suspensions WHERE user_ref = ?)
  RETURNING *`;

const RESERVATION_COLUMNS = [
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

function updateBindings(w: ReservationWrite) {
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

/** Thrown when a reservation batch's transaction was rolled back as a whole. */
class BatchAborted extends Error {}

interface PendingReservation {
  write: ReservationWrite;
  resolve: (outcome: ReservationOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * better-sqlite3, with group commit: the reservations that arrive in the same
 * turn of the event loop (and while a batch is being written) are written in
 * one synchronous transaction on prepared statements, on the pool's connection
 * (so it never interleaves with a knex transaction). Each reservation runs in a
 * savepoint of its own, in arrival order: it sees the counters as the ones
 * before it left them (exactly as one transaction each), a refusal or an error
 * of one rolls back only its own writes, and every request still waits for its
 * own row before it is forwarded. If the batch's transaction fails as a whole
 * (the database refused the commit, or rolled everything back), nothing of it
 * was written and each reservation is tried again alone, so one request's
 * failure never fails another's.
 */
class SqliteReservationWriter implements ReservationWriter {
  private readonly prepared = new WeakMap<
    object,
    {
      one: (w: ReservationWrite) => SubscriptionRow | undefined;
      batch: (
        writes: ReservationWrite[],
      ) => Array<ReservationOutcome | { error: Error }>;
    }
  >();
  private pending: PendingReservation[] = [];
  private scheduled = false;

  constructor(private readonly knex: Knex) {}

  private statements(connection: any) {
    let entry = this.prepared.get(connection);
    if (!entry) {
      const update = connection.prepare(CONDITIONAL_UPDATE);
      const insert = connection.prepare(
        `INSERT INTO usage_reservations (${RESERVATION_COLUMNS.join(
          ', ',
        )}) VALUES (${RESERVATION_COLUMNS.map(() => '?').join(', ')})`,
      );
      const budget = connection.prepare(BUDGET_RESERVE);
      const values: unknown[] = new Array(RESERVATION_COLUMNS.length);
      // Inside a transaction, better-sqlite3 runs a transaction function in a
      // savepoint: its writes go or stay together.
      const one = connection.transaction(
        (w: ReservationWrite): SubscriptionRow | undefined => {
          const updated = update.get(...updateBindings(w));
          if (!updated) {
            return undefined;
          }
          for (const b of budgetsToReserve(w)) {
            if (!budget.get(...budgetReserveBindings(b, w.row.budget_micros))) {
              throw new BudgetRefused(b); // rolls its savepoint back
            }
          }
          for (let i = 0; i < RESERVATION_COLUMNS.length; i++) {
            const v = w.row[RESERVATION_COLUMNS[i]];
            values[i] = typeof v === 'boolean' ? Number(v) : v;
          }
          insert.run(...values);
          return updated;
        },
      );
      const batch = connection.transaction((writes: ReservationWrite[]) =>
        writes.map(w => {
          try {
            return outcomeOf(one(w));
          } catch (e) {
            if (!connection.inTransaction) {
              // SQLite rolled the whole transaction back (I/O error, disk
              // full, busy): nothing of the batch was written.
              throw new BatchAborted(String(e));
            }
            return e instanceof BudgetRefused
              ? ({ ok: false, budget: e.budget } as const)
              : { error: e as Error };
          }
        }),
      );
      entry = { one, batch };
      this.prepared.set(connection, entry);
    }
    return entry;
  }

  reserve(write: ReservationWrite): Promise<ReservationOutcome> {
    return new Promise((resolve, reject) => {
      this.pending.push({ write, resolve, reject });
      this.schedule();
    });
  }

  private schedule() {
    if (!this.scheduled) {
      this.scheduled = true;
      // After the I/O of this turn: the requests read in it join the batch.
      setImmediate(() => {
        this.writePending().finally(() => {
          this.scheduled = false;
          if (this.pending.length > 0) {
            this.schedule();
          }
        });
      });
    }
  }

  private async writePending(): Promise<void> {
    const client = this.knex.client as any;
    let connection: any;
    try {
      connection = await client.acquireConnection();
    } catch (e) {
      for (const p of this.pending.splice(0)) {
        p.reject(e as Error);
      }
      return;
    }
    try {
      // Those that arrived while the connection was awaited join too.
      const batch = this.pending.splice(0);
      if (batch.length === 0) {
        return;
      }
      const statements = this.statements(connection);
      let results: Array<ReservationOutcome | { error: Error }>;
      try {
        results =
          batch.length === 1
            ? [this.alone(statements.one, batch[0].write)]
            : statements.batch(batch.map(p => p.write));
      } catch {
        // The batch's transaction failed as a whole: nothing of it was
        // written. Each one alone, so that only those that fail again fail.
        results = batch.map(p => this.alone(statements.one, p.write));
      }
      batch.forEach((p, i) => {
        const result = results[i];
        if ('error' in result) {
          p.reject(result.error);
        } else {
          p.resolve(result);
        }
      });
    } finally {
      await client.releaseConnection(connection);
    }
  }

  /** One reservation in a transaction of its own. */
  private alone(
    one: (w: ReservationWrite) => SubscriptionRow | undefined,
    write: ReservationWrite,
  ): ReservationOutcome | { error: Error } {
    try {
      return outcomeOf(one(write));
    } catch (e) {
      return e instanceof BudgetRefused
        ? { ok: false, budget: e.budget }
        : { error: e as Error };
    }
  }
}

function outcomeOf(row: SubscriptionRow | undefined): ReservationOutcome {
  return row ? { ok: true, row } : { ok: false };
}

/** `?` placeholders as PostgreSQL's `$1`, `$2`, ... */
function dollarParams(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

const CTE_CASTS: Record<(typeof RESERVATION_COLUMNS)[number], string> = {
  request_id: 'text',
  subscription_id: 'text',
  key_id: 'text',
  user_ref: 'text',
  team_ref: 'text',
  service_ref: 'text',
  route_ref: 'text',
  provider_ref: 'text',
  model: 'text',
  stream: 'boolean',
  trial_tokens: 'bigint',
  cost_micros: 'bigint',
  started_at: 'bigint',
  instance_id: 'text',
  budget_micros: 'bigint',
};

const RESERVE_CTE = dollarParams(`WITH upd AS (${CONDITIONAL_UPDATE}),
     ins AS (
       INSERT INTO usage_reservations (${RESERVATION_COLUMNS.join(', ')})
       SELECT ${RESERVATION_COLUMNS.map(c => `?::${CTE_CASTS[c]}`).join(
         ', ',
       )} FROM upd
       RETURNING request_id
     )
SELECT * FROM upd`);

const BUDGET_RESERVE_PG = dollarParams(BUDGET_RESERVE);

/** PostgreSQL: a named prepared statement's plan no longer fits the table (a migration ran). */
const CACHED_PLAN_CHANGED = '0A000';

/**
 * PostgreSQL (and other databases with data-modifying CTEs): one statement, so the
 * subscription's row lock is held only for that statement. A request that costs
 * money also takes its cost on the user's and team's counters: then the statement
 * and the counters' conditional upserts run in one transaction (row locks in the
 * order subscription, user, team: never a cycle).
 *
 * The statements are named prepared statements on the pool's connections (parsed
 * and planned once per connection, not per request), sent on the driver's own
 * client without knex's query building. If a migration changed a table under a
 * prepared plan, the statements are prepared again under new names.
 */
class CteReservationWriter implements ReservationWriter {
  private generation = 0;

  constructor(private readonly knex: Knex) {}

  async reserve(write: ReservationWrite): Promise<ReservationOutcome> {
    const client = this.knex.client as any;
    const connection = await client.acquireConnection();
    try {
      try {
        return await this.reserveOn(connection, write);
      } catch (e) {
        if ((e as { code?: string })?.code !== CACHED_PLAN_CHANGED) {
          throw e;
        }
        this.generation++;
        return await this.reserveOn(connection, write);
      }
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private async reserveOn(
    connection: any,
    write: ReservationWrite,
  ): Promise<ReservationOutcome> {
    const query = (name: string, text: string, values: unknown[]) =>
      connection.query({
        name: `marketplace_${name}_${this.generation}`,
        text,
        values,
      });
    const values = [
      ...updateBindings(write),
      ...RESERVATION_COLUMNS.map(c => write.row[c]),
    ];
    const budgets = budgetsToReserve(write);
    if (budgets.length === 0) {
      const result = await query('reserve', RESERVE_CTE, values);
      return outcomeOf(result.rows?.[0]);
    }
    await connection.query('BEGIN');
    try {
      const row = (await query('reserve', RESERVE_CTE, values)).rows?.[0];
      if (!row) {
        await connection.query('ROLLBACK');
        return { ok: false };
      }
      for (const b of budgets) {
        const taken = await query(
          'budget_reserve',
          BUDGET_RESERVE_PG,
          budgetReserveBindings(b, write.row.budget_micros),
        );
        if (!taken.rows?.length) {
          await connection.query('ROLLBACK');
          return { ok: false, budget: b };
        }
      }
      await connection.query('COMMIT');
      return { ok: true, row };
    } catch (e) {
      await connection.query('ROLLBACK').catch(() => undefined);
      throw e;
    }
  }
}

/** Portable fallback: a knex transaction. */
class KnexReservationWriter implements ReservationWriter {
  constructor(private readonly knex: Knex) {}

  async reserve(write: ReservationWrite): Promise<ReservationOutcome> {
    try {
      return await this.knex.transaction(async tx => {
        const result = await tx.raw(CONDITIONAL_UPDATE, updateBindings(write));
        const updated = Array.isArray(result) ? result[0] : result?.rows?.[0];
        if (!updated) {
          return { ok: false };
        }
        for (const b of budgetsToReserve(write)) {
          const taken = await tx.raw(
            BUDGET_RESERVE,
            budgetReserveBindings(b, write.row.budget_micros),
          );
          if (!(Array.isArray(taken) ? taken : taken?.rows)?.length) {
            throw new BudgetRefused(b);
          }
        }
        await tx('usage_reservations').insert(write.row);
        return { ok: true, row: updated } as const;
      });
    } catch (e) {
      if (e instanceof BudgetRefused) {
        return { ok: false, budget: e.budget };
      }
      throw e;
    }
  }
}

export function createReservationWriter(knex: Knex): ReservationWriter {
  const client = String(knex.client.config.client);
  if (client === 'better-sqlite3') {
    return new SqliteReservationWriter(knex);
  }
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    return new CteReservationWriter(knex);
  }
  return new KnexReservationWriter(knex);
}
