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
