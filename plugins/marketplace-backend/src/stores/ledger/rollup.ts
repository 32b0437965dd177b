import { Knex } from 'knex';
import { DAY_MS, HOUR_MS, monthStartOf } from '../../lib/periods';

/*
 * The analytics rollups of the usage ledger (migration 20261202000000_usage_rollups):
 *
 * - `usage_service_hourly`: per UTC hour and service: requests by outcome, tokens,
 *   cost and platform fee, latency sum/count and a latency histogram (for p95);
 * - `usage_customer_daily`: per UTC day and API key (so per user, team and
 *   service): requests by outcome, tokens, cost and fee;
 * - `usage_customer_monthly`: requests per UTC month, user and service.
 *
 * They are maintained on write: the settlement writer adds every ledger row it
 * inserts to them in the same transaction, so they equal the ledger at every
 * commit (a row that was already in the ledger, e.g. a retried batch, is not
 * counted twice; a late row lands in the hour it started in).
 */

/**
 * Upper bounds (inclusive, ms) of the latency histogram buckets; one more bucket
 * counts everything above the last bound. Keep in step with the migration.
 */
export const LATENCY_BUCKETS_MS = [
  50, 100, 150, 200, 300, 400, 500, 750, 1000, 1500, 2000, 3000, 5000, 7500,
  10000, 15000, 20000, 30000, 60000,
] as const;

export const HISTOGRAM_COLUMNS = [
  ...LATENCY_BUCKETS_MS.map((_, i) => `lat_h${String(i).padStart(2, '0')}`),
  `lat_h${LATENCY_BUCKETS_MS.length}`,
];

/** The measure columns both rollups have. */
export const MEASURE_COLUMNS = [
  'requests',
  'ok_requests',
  'error_requests',
  'rejected_requests',
  'prompt_tokens',
  'completion_tokens',
  'trial_tokens',
  'cost_micros',
  'fee_micros',
] as const;

export type Measure = (typeof MEASURE_COLUMNS)[number];
export type Measures = Record<Measure, number>;

/** The histogram bucket of a latency. */
export function latencyBucket(ms: number): number {
  for (let i = 0; i < LATENCY_BUCKETS_MS.length; i++) {
    if (ms <= LATENCY_BUCKETS_MS[i]) {
      return i;
    }
  }
  return LATENCY_BUCKETS_MS.length;
}

/**
 * The latency at a quantile (0..1) of a histogram, interpolated linearly inside
 * the bucket that holds it (as Prometheus' histogram_quantile does); the lower
 * bound of the open last bucket when it falls there. Null without samples.
 */
export function histogramQuantile(
  counts: readonly number[],
  quantile: number,
): number | null {
  const total = counts.reduce((a, b) => a + b, 0);
  if (total === 0) {
    return null;
  }
  const rank = quantile * total;
  let below = 0;
  for (let i = 0; i < counts.length; i++) {
    const count = counts[i];
    if (count > 0 && below + count >= rank) {
      const lower = i === 0 ? 0 : LATENCY_BUCKETS_MS[i - 1];
      if (i >= LATENCY_BUCKETS_MS.length) {
        return lower;
      }
      const upper = LATENCY_BUCKETS_MS[i];
      return lower + ((upper - lower) * (rank - below)) / count;
    }
    below += count;
  }
  return LATENCY_BUCKETS_MS[LATENCY_BUCKETS_MS.length - 1];
}

/** The fields of a ledger row the rollups read (as the settlement writer has it). */
export interface RollupSource {
  request_id: unknown;
  started_at: unknown;
  key_id: unknown;
  subscription_id: unknown;
  user_ref: unknown;
  team_ref: unknown;
  service_ref: unknown;
  provider_ref: unknown;
  status: unknown;
  prompt_tokens: unknown;
  completion_tokens: unknown;
  trial_tokens: unknown;
  cost_micros: unknown;
  platform_fee_micros: unknown;
  upstream_latency_ms: unknown;
}

export interface ServiceHourDelta extends Measures {
  hour: number;
  service_ref: string;
  provider_ref: string;
  latency_sum_ms: number;
  latency_count: number;
  histogram: number[];
}

export interface CustomerDayDelta extends Measures {
  day: number;
  key_id: string;
  team_ref: string;
  subscription_id: string;
  user_ref: string;
  service_ref: string;
  provider_ref: string;
}

function zero(): Measures {
  return {
    requests: 0,
    ok_requests: 0,
    error_requests: 0,
    rejected_requests: 0,
    prompt_tokens: 0,
    completion_tokens: 0,
    trial_tokens: 0,
    cost_micros: 0,
    fee_micros: 0,
  };
}

function add(m: Measures, row: RollupSource) {
  const status = String(row.status);
  m.requests += 1;
  m.ok_requests += status === 'ok' ? 1 : 0;
  m.error_requests +=
    status === 'upstream_error' || status === 'timeout' ? 1 : 0;
  m.rejected_requests += status === 'upstream_rejected' ? 1 : 0;
  m.prompt_tokens += Number(row.prompt_tokens);
  m.completion_tokens += Number(row.completion_tokens);
  m.trial_tokens += Number(row.trial_tokens);
  m.cost_micros += Number(row.cost_micros);
  m.fee_micros += Number(row.platform_fee_micros);
}

/** What a batch of new ledger rows adds to the rollups, in a stable order. */
export interface MonthlyUseDelta {
  month: number;
  user_ref: string;
  service_ref: string;
  requests: number;
}

export function rollupDeltas(rows: readonly RollupSource[]): {
  services: ServiceHourDelta[];
  customers: CustomerDayDelta[];
  months: MonthlyUseDelta[];
} {
  const services = new Map<string, ServiceHourDelta>();
  const customers = new Map<string, CustomerDayDelta>();
  const months = new Map<string, MonthlyUseDelta>();
  for (const row of rows) {
    const started = Number(row.started_at);
    const hour = started - (started % HOUR_MS);
    const day = started - (started % DAY_MS);
    const serviceRef = String(row.service_ref);
    const sKey = `${serviceRef}\u0000${hour}`;
    let s = services.get(sKey);
    if (!s) {
      s = {
        hour,
        service_ref: serviceRef,
        provider_ref: String(row.provider_ref),
        ...zero(),
        latency_sum_ms: 0,
        latency_count: 0,
        histogram: HISTOGRAM_COLUMNS.map(() => 0),
      };
      services.set(sKey, s);
    }
    add(s, row);
    const latency = row.upstream_latency_ms;
    if (row.status === 'ok' && latency !== null && latency !== undefined) {
      const ms = Number(latency);
      s.latency_sum_ms += ms;
      s.latency_count += 1;
      s.histogram[latencyBucket(ms)] += 1;
    }

    const teamRef = row.team_ref ? String(row.team_ref) : '';
    const cKey = `${row.key_id}\u0000${teamRef}\u0000${day}`;
    let c = customers.get(cKey);
    if (!c) {
      c = {
        day,
        key_id: String(row.key_id),
        team_ref: teamRef,
        subscription_id: String(row.subscription_id),
        user_ref: String(row.user_ref),
        service_ref: serviceRef,
        provider_ref: String(row.provider_ref),
        ...zero(),
      };
      customers.set(cKey, c);
    }
    add(c, row);

    const month = monthStartOf(started);
    const mKey = `${serviceRef}\u0000${month}\u0000${row.user_ref}`;
    const m = months.get(mKey);
    if (m) {
      m.requests += 1;
    } else {
      months.set(mKey, {
        month,
        user_ref: String(row.user_ref),
        service_ref: serviceRef,
        requests: 1,
      });
    }
  }
  // A stable order, so concurrent writers take the row locks in the same order.
  const order = (a: string, b: string) => {
    if (a === b) {
      return 0;
    }
    return a < b ? -1 : 1;
  };
  return {
    services: [...services.entries()]
      .sort(([a], [b]) => order(a, b))
      .map(([, v]) => v),
    customers: [...customers.entries()]
      .sort(([a], [b]) => order(a, b))
      .map(([, v]) => v),
    months: [...months.entries()]
      .sort(([a], [b]) => order(a, b))
      .map(([, v]) => v),
  };
}

function monthlyUseSql(rows = 1): string {
  return `INSERT INTO usage_customer_monthly (service_ref, month, user_ref, requests) VALUES ${Array.from(
    { length: rows },
    () => '(?, ?, ?, ?)',
  ).join(', ')}
    ON CONFLICT (service_ref, month, user_ref) DO UPDATE SET requests = usage_customer_monthly.requests + excluded.requests`;
}

/** Adds a user's requests of a month (bindings: {@link monthlyUseBindings}). */
export const MONTHLY_USE_UPSERT = monthlyUseSql();

export function monthlyUseBindings(d: MonthlyUseDelta): Array<string | number> {
  return [d.service_ref, d.month, d.user_ref, d.requests];
}

function upsertSql(
  table: string,
  keyColumns: string[],
  otherColumns: string[],
  addColumns: string[],
  rows = 1,
): string {
  const columns = [...keyColumns, ...otherColumns, ...addColumns];
  const values = `(${columns.map(() => '?').join(', ')})`;
  return `INSERT INTO ${table} (${columns.join(', ')}) VALUES ${Array.from(
    { length: rows },
    () => values,
  ).join(', ')}
    ON CONFLICT (${keyColumns.join(', ')}) DO UPDATE SET ${addColumns
    .map(c => `${c} = ${table}.${c} + excluded.${c}`)
    .join(', ')}`;
}

const SERVICE_ADD_COLUMNS = [
  ...MEASURE_COLUMNS,
  'latency_sum_ms',
  'latency_count',
  ...HISTOGRAM_COLUMNS,
];

const SERVICE_TABLE = [
  'usage_service_hourly',
  ['service_ref', 'hour'],
  ['provider_ref'],
  SERVICE_ADD_COLUMNS,
] as const;

/** Adds a service-hour delta (bindings: {@link serviceBindings}). */
export const SERVICE_UPSERT = upsertSql(
  SERVICE_TABLE[0],
  [...SERVICE_TABLE[1]],
  [...SERVICE_TABLE[2]],
  SERVICE_TABLE[3],
);

export function serviceBindings(d: ServiceHourDelta): Array<string | number> {
  return [
    d.service_ref,
    d.hour,
    d.provider_ref,
    ...MEASURE_COLUMNS.map(c => d[c]),
    d.latency_sum_ms,
    d.latency_count,
    ...d.histogram,
  ];
}

const CUSTOMER_TABLE = [
  'usage_customer_daily',
  ['key_id', 'team_ref', 'day'],
  ['subscription_id', 'user_ref', 'service_ref', 'provider_ref'],
  [...MEASURE_COLUMNS],
] as const;

/** Adds a customer-day delta (bindings: {@link customerBindings}). */
export const CUSTOMER_UPSERT = upsertSql(
  CUSTOMER_TABLE[0],
  [...CUSTOMER_TABLE[1]],
  [...CUSTOMER_TABLE[2]],
  [...CUSTOMER_TABLE[3]],
);

export function customerBindings(d: CustomerDayDelta): Array<string | number> {
  return [
    d.key_id,
    d.team_ref,
    d.day,
    d.subscription_id,
    d.user_ref,
    d.service_ref,
    d.provider_ref,
    ...MEASURE_COLUMNS.map(c => d[c]),
  ];
}

/** Deltas per multi-row upsert (the keys of one statement are distinct). */
const UPSERT_CHUNK = 100;

/**
 * Adds new ledger rows to the rollups inside the caller's knex transaction, with
 * multi-row upserts (the deltas have distinct keys, as one statement needs).
 */
export async function applyRollups(
  tx: Knex | Knex.Transaction,
  rows: readonly RollupSource[],
): Promise<void> {
  if (rows.length === 0) {
    return;
  }
  const { services, customers, months } = rollupDeltas(rows);
  for (let i = 0; i < months.length; i += UPSERT_CHUNK) {
    const chunk = months.slice(i, i + UPSERT_CHUNK);
    await tx.raw(
      monthlyUseSql(chunk.length),
      chunk.flatMap(monthlyUseBindings),
    );
  }
  for (let i = 0; i < services.length; i += UPSERT_CHUNK) {
    const chunk = services.slice(i, i + UPSERT_CHUNK);
    await tx.raw(
      upsertSql(
        SERVICE_TABLE[0],
        [...SERVICE_TABLE[1]],
        [...SERVICE_TABLE[2]],
        SERVICE_TABLE[3],
        chunk.length,
      ),
      chunk.flatMap(serviceBindings),
    );
  }
  for (let i = 0; i < customers.length; i += UPSERT_CHUNK) {
    const chunk = customers.slice(i, i + UPSERT_CHUNK);
    await tx.raw(
      upsertSql(
        CUSTOMER_TABLE[0],
        [...CUSTOMER_TABLE[1]],
        [...CUSTOMER_TABLE[2]],
        [...CUSTOMER_TABLE[3]],
        chunk.length,
      ),
      chunk.flatMap(customerBindings),
    );
  }
}
