import { Knex } from 'knex';
import {
  applyRollups,
  CUSTOMER_UPSERT,
  customerBindings,
  MONTHLY_USE_UPSERT,
  monthlyUseBindings,
  RollupSource,
  rollupDeltas,
  SERVICE_UPSERT,
  serviceBindings,
} from './rollup';
import { SubscriptionRow } from '../SubscriptionStore';
import { BudgetCounterRef } from './reservationSql';

/*
 * Settlements: a batch of ledger rows written in one transaction with the
 * counters they release and add (subscriptions, user and team budgets) and the
 * analytics rollups of the rows really inserted, so the rollups equal the
 * ledger at every commit.
 */

/** What one settlement batch adds to a subscription's counters. */
export interface SubscriptionCounters {
  id: string;
  trialReserved: number;
  trialUsed: number;
  reserved: number;
  spend: number;
  tokens: number;
  /** The month of the reservations: month counters only grow if it is still current. */
  month: string;
}

/** What one settlement changes on a user's or team's month counter. */
export interface BudgetCounterDelta extends BudgetCounterRef {
  /** The reservation's hold, released. */
  released: number;
  /** The row's cost, added to the month's spend. */
  spend: number;
}

/** One settlement: its ledger row and what it changes on its subscription. */
export interface SettlementEntry {
  row: Record<string, unknown>;
  /** None: the row changes no subscription (a row imported as is). */
  counters?: SubscriptionCounters;
  /** The user's and team's month counters. */
  budgets?: BudgetCounterDelta[];
}

/** One update per month counter, summing the entries that were inserted. */
function budgetDeltasOf(inserted: SettlementEntry[]): BudgetCounterDelta[] {
  const byCounter = new Map<string, BudgetCounterDelta>();
  for (const entry of inserted) {
    for (const d of entry.budgets ?? []) {
      if (d.released === 0 && d.spend === 0) {
        continue;
      }
      const key = `${d.scope}|${d.ref}|${d.period}`;
      const acc = byCounter.get(key);
      if (!acc) {
        byCounter.set(key, { ...d });
      } else {
        acc.released += d.released;
        acc.spend += d.spend;
      }
    }
  }
  return [...byCounter.values()];
}

/** Releases the holds and adds the spend of settled rows on a month counter. */
const BUDGET_SETTLE = `
  INSERT INTO budget_usage (scope, scope_ref, period, spend_micros, reserved_micros)
  VALUES (?, ?, ?, CAST(? AS BIGINT), 0)
  ON CONFLICT (scope, scope_ref, period) DO UPDATE
     SET spend_micros = budget_usage.spend_micros + excluded.spend_micros,
         reserved_micros = budget_usage.reserved_micros - CAST(? AS BIGINT)`;

function budgetSettleBindings(d: BudgetCounterDelta) {
  return [d.scope, d.ref, d.period, d.spend, d.released];
}

/**
 * Writes a batch of settlements in one transaction: the ledger rows (a retried batch
 * never duplicates them), the reservations removed, and for the rows really
 * inserted (a request is settled once: a late settlement of a request that was
 * already reconciled changes nothing) the counters released/added and the
 * analytics rollups.
 */
export interface SettlementWriter {
  /** Returns the subscriptions as updated. */
  write(entries: SettlementEntry[]): Promise<SubscriptionRow[]>;
}

/** One counter update per subscription, summing the entries that were inserted. */
function countersOf(inserted: SettlementEntry[]): SubscriptionCounters[] {
  const bySubscription = new Map<string, SubscriptionCounters>();
  for (const { counters: c } of inserted) {
    if (!c) {
      continue;
    }
    const key = `${c.id}|${c.month}`;
    const acc = bySubscription.get(key);
    if (!acc) {
      bySubscription.set(key, { ...c });
      continue;
    }
    acc.trialReserved += c.trialReserved;
    acc.trialUsed += c.trialUsed;
    acc.reserved += c.reserved;
    acc.spend += c.spend;
    acc.tokens += c.tokens;
  }
  return [...bySubscription.values()];
}

/** Rows per INSERT: 22 columns x 100 rows stays far below SQLite's bound-variable limit. */
const INSERT_CHUNK = 100;

const COUNTER_UPDATE = `
  UPDATE subscriptions
     SET trial_tokens_reserved = trial_tokens_reserved - ?,
         trial_tokens_used = trial_tokens_used + ?,
         reserved_micros = reserved_micros - ?,
         total_spend_micros = total_spend_micros + ?,
         month_spend_micros = CASE WHEN month = ? THEN month_spend_micros + ? ELSE month_spend_micros END,
         month_tokens = CASE WHEN month = ? THEN month_tokens + ? ELSE month_tokens END
   WHERE id = ?
  RETURNING *`;

function counterBindings(c: SubscriptionCounters) {
  return [
    c.trialReserved,
    c.trialUsed,
    c.reserved,
    c.spend,
    c.month,
    c.spend,
    c.month,
    c.tokens,
    c.id,
  ];
}

class KnexSettlementWriter implements SettlementWriter {
  constructor(private readonly knex: Knex) {}

  async write(entries: SettlementEntry[]): Promise<SubscriptionRow[]> {
    const ledgerRows = entries.map(e => e.row);
    return this.knex.transaction(async tx => {
      const inserted = new Set<string>();
      for (let i = 0; i < ledgerRows.length; i += INSERT_CHUNK) {
        const ids: Array<{ request_id: string }> = await tx('usage_ledger')
          .insert(ledgerRows.slice(i, i + INSERT_CHUNK))
          .onConflict('request_id')
          .ignore()
          .returning('request_id');
        ids.forEach(r => inserted.add(r.request_id));
      }

      await tx('usage_reservations')
        .whereIn(
          'request_id',
          ledgerRows.map(r => String(r.request_id)),
        )
        .delete();
      const updated: SubscriptionRow[] = [];
      const insertedEntries = entries.filter(e =>
        inserted.has(String(e.row.request_id)),
      );
      const counters = countersOf(insertedEntries);
      for (const c of counters) {
        const result = await tx.raw(COUNTER_UPDATE, counterBindings(c));
        const row = Array.isArray(result) ? result[0] : result?.rows?.[0];
        if (row) {
          updated.push(row);
        }
      }
      for (const d of budgetDeltasOf(insertedEntries)) {
        await tx.raw(BUDGET_SETTLE, budgetSettleBindings(d));
      }
      // Last: the service-hour rows are shared by all subscriptions of a service.
      await applyRollups(
        tx,
        ledgerRows.filter(r =>
          inserted.has(String(r.request_id)),
        ) as unknown as RollupSource[],
      );
      return updated;
    });
  }
}

/** Writes settlements on one better-sqlite3 connection; returns the subscriptions as updated. */
export type SqliteSettle = (entries: SettlementEntry[]) => SubscriptionRow[];

const sqliteSettles = new WeakMap<
  object,
  { inTransaction: SqliteSettle; alone: SqliteSettle }
>();

/**
 * better-sqlite3: the settlement of a batch on prepared statements (prepared
 * once per connection), as a synchronous function: `alone` in a transaction
 * of its own, `inTransaction` in the transaction the caller has open (the
 * reservation batch's, sqliteLedgerWriter.ts). Not in a savepoint there: a
 * savepoint copies every page it changes to SQLite's sub-journal, which for
 * the ledger's, indexes' and rollups' pages cost more than the commit it
 * saves; if a statement fails, the caller rolls its whole transaction back.
 */
export function sqliteSettle(connection: any): {
  inTransaction: SqliteSettle;
  alone: SqliteSettle;
} {
  let settle = sqliteSettles.get(connection);
  if (settle) {
    return settle;
  }
  const inserts = new Map<string, any>();
  const remove = connection.prepare(
    'DELETE FROM usage_reservations WHERE request_id = ?',
  );
  const update = connection.prepare(COUNTER_UPDATE);
  const serviceRollup = connection.prepare(SERVICE_UPSERT);
  const customerRollup = connection.prepare(CUSTOMER_UPSERT);
  const monthlyUse = connection.prepare(MONTHLY_USE_UPSERT);
  const budgetSettle = connection.prepare(BUDGET_SETTLE);
  const inTransaction = (entries: SettlementEntry[]): SubscriptionRow[] => {
    if (entries.length === 0) {
      return [];
    }
    const columns = Object.keys(entries[0].row);
    const key = columns.join(',');
    let insert = inserts.get(key);
    if (!insert) {
      insert = connection.prepare(
        `INSERT INTO usage_ledger (${columns.join(', ')}) VALUES (${columns
          .map(() => '?')
          .join(', ')}) ON CONFLICT (request_id) DO NOTHING`,
      );
      inserts.set(key, insert);
    }
    const inserted: SettlementEntry[] = [];
    for (const entry of entries) {
      const { row } = entry;
      const result = insert.run(
        ...columns.map(c => {
          const v = row[c];
          return typeof v === 'boolean' ? Number(v) : v;
        }),
      );
      if (result.changes > 0) {
        inserted.push(entry);
      }
      remove.run(row.request_id);
    }
    const deltas = rollupDeltas(
      inserted.map(e => e.row as unknown as RollupSource),
    );
    for (const d of deltas.services) {
      serviceRollup.run(...serviceBindings(d));
    }
    for (const d of deltas.customers) {
      customerRollup.run(...customerBindings(d));
    }
    for (const d of deltas.months) {
      monthlyUse.run(...monthlyUseBindings(d));
    }
    const updated: SubscriptionRow[] = [];
    for (const c of countersOf(inserted)) {
      const row = update.get(...counterBindings(c));
      if (row) {
        updated.push(row);
      }
    }
    for (const d of budgetDeltasOf(inserted)) {
      budgetSettle.run(...budgetSettleBindings(d));
    }
    return updated;
  };
  settle = { inTransaction, alone: connection.transaction(inTransaction) };
  sqliteSettles.set(connection, settle!);
  return settle!;
}

/** better-sqlite3: one synchronous transaction on prepared statements. */
class SqliteSettlementWriter implements SettlementWriter {
  constructor(private readonly knex: Knex) {}

  async write(entries: SettlementEntry[]): Promise<SubscriptionRow[]> {
    if (entries.length === 0) {
      return [];
    }
    const client = this.knex.client as any;
    const connection = await client.acquireConnection();
    try {
      return sqliteSettle(connection).alone(entries);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}

export function createSettlementWriter(knex: Knex): SettlementWriter {
  return String(knex.client.config.client) === 'better-sqlite3'
    ? new SqliteSettlementWriter(knex)
    : new KnexSettlementWriter(knex);
}
