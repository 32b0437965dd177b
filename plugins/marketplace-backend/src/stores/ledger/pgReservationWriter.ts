import { Knex } from 'knex';
import {
  BudgetRefused,
  BUDGET_RESERVE,
  budgetReserveBindings,
  budgetsToReserve,
  CONDITIONAL_UPDATE,
  outcomeOf,
  RESERVATION_COLUMNS,
  ReservationOutcome,
  ReservationWrite,
  updateBindings,
} from './reservationSql';
import type { ReservationWriter } from './reservationWriter';

/*
 * Reservations on PostgreSQL (one data-modifying CTE per request, on named
 * prepared statements) and on any other database (a knex transaction). The
 * batched SQLite writer: sqliteLedgerWriter.ts.
 */

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
export class CteReservationWriter implements ReservationWriter {
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
export class KnexReservationWriter implements ReservationWriter {
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
