import { TestDatabases } from '@backstage/backend-test-utils';
import path from 'path';

jest.setTimeout(60_000);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const directory = path.resolve(__dirname, '../../migrations');
const name = '20261210240000_routes.js';

describe.each(databases.eachSupportedId())(
  'migration %s of the routes',
  databaseId => {
    it('adds the route columns and takes them away again', async () => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({ directory });
      const ledger = await knex('usage_ledger').columnInfo();
      expect(ledger.route_ref).toBeDefined();
      expect(ledger.route_attempt).toBeDefined();
      expect(
        (await knex('usage_reservations').columnInfo()).route_ref,
      ).toBeDefined();

      await knex.migrate.down({ directory, name });
      expect(
        (await knex('usage_ledger').columnInfo()).route_ref,
      ).toBeUndefined();
      expect(
        (await knex('usage_reservations').columnInfo()).route_ref,
      ).toBeUndefined();

      await knex.migrate.up({ directory, name });
      expect(
        (await knex('usage_ledger').columnInfo()).route_attempt,
      ).toBeDefined();
    });
  },
);
