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
} from '../analytics/rollup';
import { SubscriptionRow } from './SubscriptionStore';

/** One reservation: the conditional budget update and the reservation row. */
export interface ReservationWrite {
  subscriptionId: string;
  month: string;
  keyId: string;
  userRef: string;
  trialTokens: number;
  costMicros: number;
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
  };
}

/**
 * Holds budget for one request atomically: the update only applies while the
 * subscription is active, in the same month, the key is not revoked, the user not
 * suspended, and the trial / spend cap still cover the request; the reservation
 * row is written in the same transaction. Returns the subscription as updated, or
 * undefined when the conditions did not hold.
 */
export interface ReservationWriter {
  reserve(write: ReservationWrite): Promise<SubscriptionRow | undefined>;
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

/**
 * better-sqlite3: one synchronous transaction on prepared statements, on the pool's
 * connection (so it never interleaves with a knex transaction).
 */
class SqliteReservationWriter implements ReservationWriter {
  private readonly prepared = new WeakMap<
    object,
    { tx: (w: ReservationWrite) => any }
  >();

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
      const tx = connection.transaction((w: ReservationWrite) => {
        const updated = update.get(...updateBindings(w));
        if (!updated) {
          return undefined;
        }
        insert.run(
          ...RESERVATION_COLUMNS.map(c => {
            const v = w.row[c];
            return typeof v === 'boolean' ? Number(v) : v;
          }),
        );
        return updated;
      });
      entry = { tx };
      this.prepared.set(connection, entry);
    }
    return entry;
  }

  async reserve(write: ReservationWrite): Promise<SubscriptionRow | undefined> {
    const client = this.knex.client as any;
    const connection = await client.acquireConnection();
    try {
      return this.statements(connection).tx(write);
    } finally {
      await client.releaseConnection(connection);
    }
  }
}

/**
 * PostgreSQL (and other databases with data-modifying CTEs): one statement, so the
 * subscription's row lock is held only for that statement.
 */
class CteReservationWriter implements ReservationWriter {
  constructor(private readonly knex: Knex) {}

  async reserve(write: ReservationWrite): Promise<SubscriptionRow | undefined> {
    const casts: Record<(typeof RESERVATION_COLUMNS)[number], string> = {
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
    };
    const result = await this.knex.raw(
      `WITH upd AS (${CONDITIONAL_UPDATE}),
            ins AS (
              INSERT INTO usage_reservations (${RESERVATION_COLUMNS.join(', ')})
              SELECT ${RESERVATION_COLUMNS.map(c => `?::${casts[c]}`).join(
                ', ',
              )} FROM upd
              RETURNING request_id
            )
       SELECT * FROM upd`,
      [...updateBindings(write), ...RESERVATION_COLUMNS.map(c => write.row[c])],
    );
    return result.rows?.[0];
  }
}

/** Portable fallback: a knex transaction. */
class KnexReservationWriter implements ReservationWriter {
  constructor(private readonly knex: Knex) {}

  async reserve(write: ReservationWrite): Promise<SubscriptionRow | undefined> {
    return this.knex.transaction(async tx => {
      const result = await tx.raw(CONDITIONAL_UPDATE, updateBindings(write));
      const updated = Array.isArray(result) ? result[0] : result?.rows?.[0];
      if (!updated) {
        return undefined;
      }
      await tx('usage_reservations').insert(write.row);
      return updated;
    });
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

/** One settlement: its ledger row and what it changes on its subscription. */
export interface SettlementEntry {
  row: Record<string, unknown>;
  /** None: the row changes no subscription (a row imported as is). */
  counters?: SubscriptionCounters;
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
      const counters = countersOf(
        entries.filter(e => inserted.has(String(e.row.request_id))),
      );
      for (const c of counters) {
        const result = await tx.raw(COUNTER_UPDATE, counterBindings(c));
        const row = Array.isArray(result) ? result[0] : result?.rows?.[0];
        if (row) {
          updated.push(row);
        }
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

/** better-sqlite3: one synchronous transaction on prepared statements. */
class SqliteSettlementWriter implements SettlementWriter {
  private readonly prepared = new WeakMap<object, Map<string, any>>();

  constructor(private readonly knex: Knex) {}

  private statement(connection: any, sql: string) {
    let cache = this.prepared.get(connection);
    if (!cache) {
      cache = new Map();
      this.prepared.set(connection, cache);
    }
    let stmt = cache.get(sql);
    if (!stmt) {
      stmt = connection.prepare(sql);
      cache.set(sql, stmt);
    }
    return stmt;
  }

  async write(entries: SettlementEntry[]): Promise<SubscriptionRow[]> {
    if (entries.length === 0) {
      return [];
    }
    const columns = Object.keys(entries[0].row);
    const client = this.knex.client as any;
    const connection = await client.acquireConnection();
    try {
      const insert = this.statement(
        connection,
        `INSERT INTO usage_ledger (${columns.join(', ')}) VALUES (${columns
          .map(() => '?')
          .join(', ')}) ON CONFLICT (request_id) DO NOTHING`,
      );
      const remove = this.statement(
        connection,
        'DELETE FROM usage_reservations WHERE request_id = ?',
      );
      const update = this.statement(connection, COUNTER_UPDATE);
      const serviceRollup = this.statement(connection, SERVICE_UPSERT);
      const customerRollup = this.statement(connection, CUSTOMER_UPSERT);
      const monthlyUse = this.statement(connection, MONTHLY_USE_UPSERT);
      return connection.transaction(() => {
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
        return updated;
      })();
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
