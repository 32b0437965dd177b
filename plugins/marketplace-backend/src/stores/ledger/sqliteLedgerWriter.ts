import { Knex } from 'knex';
import { SubscriptionRow } from '../SubscriptionStore';
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
import type {
  CarriedSettlements,
  ReservationWriter,
  SettlementCarrier,
  SettlementSource,
} from './reservationWriter';
import { SettlementEntry, sqliteSettle } from './settlementWriter';

/*
 * The ledger's writes on SQLite (better-sqlite3), with group commit: one
 * BEGIN/COMMIT per turn of the event loop for the reservations that arrived in
 * it and the settlements that are due (queued for the ledger's batch delay).
 * Due settlements with no reservation to ride with are written in a batch of
 * their own, scheduled the same way.
 */

/** Thrown when a reservation batch's transaction was rolled back as a whole. */
class BatchAborted extends Error {}

interface PendingReservation {
  write: ReservationWrite;
  resolve: (outcome: ReservationOutcome) => void;
  reject: (error: Error) => void;
}

type Result = ReservationOutcome | { error: Error };

interface Statements {
  /** One reservation: its own transaction, or a savepoint inside a batch. */
  one: (w: ReservationWrite) => SubscriptionRow | undefined;
  /** The settlements first, then each reservation in its own savepoint. */
  batch: (
    settlements: SettlementEntry[] | undefined,
    writes: ReservationWrite[],
  ) => { settled: SubscriptionRow[] | undefined; results: Result[] };
}

/**
 * The reservations that arrive in the same turn of the event loop (and while a
 * batch is being written) are written in one synchronous transaction on
 * prepared statements, on the pool's connection (so it never interleaves with a
 * knex transaction), together with the settlements that are due
 * (`carrySettlements`: the ledger's queue hands them to the next batch instead
 * of writing them in a transaction of their own).
 *
 * The settlements go first, in the transaction itself (a savepoint around them
 * measured dearer than their own commit: settlementWriter.ts). Each reservation
 * runs in a savepoint of its own, in arrival order: it sees the counters as the
 * settlements and the reservations before it left them (exactly as one
 * transaction each), a refusal or an error of one rolls back only its own
 * writes, and every request still waits for its own row before it is
 * forwarded. If the transaction fails as a whole (a settlement the database
 * refused, a refused commit, or SQLite rolled everything back), nothing of it
 * was written: each reservation is tried again alone, so one request's failure
 * never fails another's, and the settlements are written apart (as a failed
 * settlement batch always was: the batch, then one by one).
 */
export class SqliteLedgerWriter implements ReservationWriter {
  private readonly prepared = new WeakMap<object, Statements>();
  private pending: PendingReservation[] = [];
  private scheduled = false;
  private source: SettlementSource | undefined;

  constructor(private readonly knex: Knex) {}

  carrySettlements(source: SettlementSource): SettlementCarrier {
    this.source = source;
    return { carry: () => this.schedule() };
  }

  private statements(connection: any): Statements {
    let entry = this.prepared.get(connection);
    if (!entry) {
      const update = connection.prepare(CONDITIONAL_UPDATE);
      const insert = connection.prepare(
        `INSERT INTO usage_reservations (${RESERVATION_COLUMNS.join(
          ', ',
        )}) VALUES (${RESERVATION_COLUMNS.map(() => '?').join(', ')})`,
      );
      const budget = connection.prepare(BUDGET_RESERVE);
      const settle = sqliteSettle(connection).inTransaction;
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
      /** An error inside the batch: the batch's own, unless SQLite ended the transaction. */
      const inside = (e: unknown): Error => {
        if (!connection.inTransaction) {
          // SQLite rolled the whole transaction back (I/O error, disk full,
          // busy): nothing of the batch was written.
          throw new BatchAborted(String(e));
        }
        return e as Error;
      };
      const batch = connection.transaction(
        (
          settlements: SettlementEntry[] | undefined,
          writes: ReservationWrite[],
        ) => {
          // An error here rolls the whole transaction back (BatchAborted
          // below): the reservations are tried again alone.
          const settled = settlements ? settle(settlements) : undefined;
          const results = writes.map((w): Result => {
            try {
              return outcomeOf(one(w));
            } catch (e) {
              const error = inside(e);
              return error instanceof BudgetRefused
                ? { ok: false, budget: error.budget }
                : { error };
            }
          });
          return { settled, results };
        },
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
      this.writeBatch(connection, this.pending.splice(0));
    } finally {
      await client.releaseConnection(connection);
    }
  }

  private writeBatch(connection: any, batch: PendingReservation[]) {
    let statements: Statements;
    try {
      statements = this.statements(connection);
    } catch (e) {
      batch.forEach(p => p.reject(e as Error));
      return;
    }
    const carried: CarriedSettlements | undefined = this.source?.take();
    if (!carried && batch.length === 0) {
      return;
    }
    let settled: SubscriptionRow[] | Error | undefined;
    let results: Result[];
    if (!carried && batch.length === 1) {
      results = [this.alone(statements.one, batch[0].write)];
    } else {
      try {
        ({ settled, results } = statements.batch(
          carried?.entries,
          batch.map(p => p.write),
        ));
      } catch (e) {
        // The transaction failed as a whole: nothing of it was written. Each
        // reservation alone, so that only those that fail again fail; the
        // settlements are written apart.
        settled = e as Error;
        results = batch.map(p => this.alone(statements.one, p.write));
      }
    }
    if (carried) {
      if (Array.isArray(settled)) {
        carried.committed(settled);
      } else {
        carried.failed(settled ?? new Error('settlements not written'));
      }
    }
    batch.forEach((p, i) => {
      const result = results[i];
      if ('error' in result) {
        p.reject(result.error);
      } else {
        p.resolve(result);
      }
    });
  }

  /** One reservation in a transaction of its own. */
  private alone(
    one: (w: ReservationWrite) => SubscriptionRow | undefined,
    write: ReservationWrite,
  ): Result {
    try {
      return outcomeOf(one(write));
    } catch (e) {
      return e instanceof BudgetRefused
        ? { ok: false, budget: e.budget }
        : { error: e as Error };
    }
  }
}
