import {
  DatabaseService,
  resolvePackagePath,
} from '@backstage/backend-plugin-api';
import { Knex } from 'knex';

const migrationsDir = resolvePackagePath(
  '@internal/plugin-marketplace-backend',
  'migrations',
);

/**
 * Returns the plugin's knex client with the schema migrated to the latest version
 * (unless the deployment runs migrations separately).
 */
export async function connectDatabase(
  database: DatabaseService,
): Promise<Knex> {
  const client = await database.getClient();
  if (!database.migrations?.skip) {
    await client.migrate.latest({ directory: migrationsDir });
  }
  if (client.client.config.client === 'better-sqlite3') {
    // Write-ahead logging: readers never block the writer, and commits are cheap.
    await client.raw('PRAGMA journal_mode = WAL').catch(() => undefined);
    await client.raw('PRAGMA synchronous = NORMAL').catch(() => undefined);
  }
  return client;
}

/** bigint columns come back as strings from PostgreSQL. */
export function num(value: unknown): number {
  if (value === null || value === undefined) {
    return 0;
  }
  return typeof value === 'number' ? value : Number(value);
}

export function numOrNull(value: unknown): number | null {
  return value === null || value === undefined ? null : num(value);
}

export function isoOrNull(ms: unknown): string | null {
  return ms === null || ms === undefined
    ? null
    : new Date(num(ms)).toISOString();
}

let knownMonth = { from: 0, to: 0, month: '' };

/** The UTC calendar month of a time, `YYYY-MM`. */
export function monthOf(ms: number): string {
  // Every request asks for the current month: answered without a Date.
  if (ms >= knownMonth.from && ms < knownMonth.to) {
    return knownMonth.month;
  }
  const date = new Date(ms);
  const month = date.toISOString().slice(0, 7);
  if (Number.isFinite(ms)) {
    knownMonth = {
      from: Date.UTC(date.getUTCFullYear(), date.getUTCMonth(), 1),
      to: Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + 1, 1),
      month,
    };
  }
  return month;
}
