import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { DirectoryService } from '../catalog/directoryService';
import { connectDatabase } from './migrate';
import { DatabaseServiceTimesStore } from './ServiceTimesStore';

jest.setTimeout(60_000);

function service(
  name: string,
  spec: Record<string, unknown>,
  published?: { createdAt: number; updatedAt: number },
): DirectoryService {
  return {
    name,
    ref: `modelservice:default/${name}`,
    providerRef: 'provider:default/acme',
    entity: {
      apiVersion: 'marketplace.acme.io/v1alpha1',
      kind: 'ModelService',
      metadata: { name, title: name },
      spec,
    } as any,
    status: 'approved',
    published: published as any,
  };
}

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'service times on %p',
  databaseId => {
    let knex: Knex;
    beforeEach(async () => {
      knex = await connectDatabase(
        mockServices.database({ knex: await databases.init(databaseId) }),
      );
    });

    it('records when a catalog service was first seen, and when its spec last changed', async () => {
      const store = new DatabaseServiceTimesStore(knex);
      const yaml = service('yaml-svc', { contextWindow: 8192 });
      const first = await store.sync([yaml], 1_000);
      expect(first.get(yaml.ref)).toEqual({
        createdAt: 1_000,
        updatedAt: 1_000,
      });
      // Seen again unchanged: nothing moves.
      expect((await store.sync([yaml], 2_000)).get(yaml.ref)).toEqual({
        createdAt: 1_000,
        updatedAt: 1_000,
      });
      // Its spec changed: updatedAt moves, createdAt stays.
      const changed = service('yaml-svc', { contextWindow: 16384 });
      expect((await store.sync([changed], 3_000)).get(yaml.ref)).toEqual({
        createdAt: 1_000,
        updatedAt: 3_000,
      });
      // A second instance reads the same times.
      expect(
        (await new DatabaseServiceTimesStore(knex).sync([changed], 4_000)).get(
          yaml.ref,
        ),
      ).toEqual({ createdAt: 1_000, updatedAt: 3_000 });
      expect(store.get(yaml.ref)).toEqual({
        createdAt: 1_000,
        updatedAt: 3_000,
      });
    });

    it('uses the publication times of portal-published services', async () => {
      const store = new DatabaseServiceTimesStore(knex);
      const published = service(
        'portal-svc',
        { contextWindow: 8192 },
        { createdAt: 500, updatedAt: 700 },
      );
      expect(
        (await store.sync([published], 10_000)).get(published.ref),
      ).toEqual({ createdAt: 500, updatedAt: 700 });
    });

    it('takes the hash of a row from before hashes were kept without calling it a change', async () => {
      await knex('service_first_seen').insert({
        service_ref: 'modelservice:default/old-svc',
        first_seen_at: 100,
        updated_at: 100,
        spec_hash: null,
      });
      const store = new DatabaseServiceTimesStore(knex);
      const old = service('old-svc', { contextWindow: 8192 });
      expect((await store.sync([old], 5_000)).get(old.ref)).toEqual({
        createdAt: 100,
        updatedAt: 100,
      });
    });
  },
);
