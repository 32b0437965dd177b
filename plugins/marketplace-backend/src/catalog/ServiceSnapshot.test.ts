import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { MemoryEventBus } from '@internal/plugin-marketplace-gateway-node';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { connectDatabase } from '../stores/migrate';
import { DirectoryService } from './directoryService';
import {
  ServiceSnapshotReader,
  ServiceSnapshotWriter,
} from './ServiceSnapshot';

function svc(
  name: string,
  state: Partial<DirectoryService> = {},
): DirectoryService {
  return {
    name,
    ref: `modelservice:default/${name}`,
    providerRef: 'provider:default/p',
    entity: {
      apiVersion: 'marketplace.acme.io/v1alpha1',
      kind: 'ModelService',
      metadata: { name, namespace: 'default' },
      spec: { lifecycle: 'active' },
    } as unknown as ModelServiceEntityV1alpha1,
    status: 'approved',
    // Review records stay in the portal: never in the snapshot.
    approval: {
      serviceRef: `modelservice:default/${name}`,
      status: 'approved',
      reason: 'secret reviewer note',
    } as any,
    ...state,
  };
}

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('the gateway service snapshot on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
  });

  it('gives a standalone gateway the services, then only what changed, on the announcement', async () => {
    const events = new MemoryEventBus();
    const writer = new ServiceSnapshotWriter(knex);
    await writer.write([svc('a'), svc('b')]);

    const reader = new ServiceSnapshotReader(knex, {
      logger: mockServices.logger.mock(),
      events,
      checkEveryMs: 3_600_000,
    });
    await reader.start();
    expect(reader.state()).toEqual({ services: 2, revision: 1 });
    const a = await reader.get('a');
    expect(a).toMatchObject({
      name: 'a',
      ref: 'modelservice:default/a',
      status: 'approved',
    });
    expect(a).not.toHaveProperty('approval');
    expect(reader.getByRef('modelservice:default/b')?.name).toBe('b');

    // a is deprecated, b leaves the catalog, c arrives.
    await writer.write([
      svc('a', {
        entity: {
          ...svc('a').entity,
          spec: { lifecycle: 'deprecated' },
        } as any,
      }),
      svc('c', { unpublication: { sunsetAt: 5 } as any }),
    ]);
    // Nothing is read before the announcement...
    expect((await reader.get('a'))?.entity.spec.lifecycle).toBe('active');
    await events.publish({ type: 'services.changed' });
    await reader.refresh();
    expect((await reader.get('a'))?.entity.spec.lifecycle).toBe('deprecated');
    expect(reader.getByRef('modelservice:default/b')).toBeUndefined();
    expect((await reader.get('c'))?.unpublication).toEqual({ sunsetAt: 5 });
    expect(reader.state()).toEqual({ services: 2, revision: 2 });

    // Writing the same list again changes nothing.
    await writer.write([
      svc('a', {
        entity: {
          ...svc('a').entity,
          spec: { lifecycle: 'deprecated' },
        } as any,
      }),
      svc('c', { unpublication: { sunsetAt: 5 } as any }),
    ]);
    const { revision } = await knex('gateway_snapshot_state').first();
    expect(Number(revision)).toBe(2);
    reader.stop();
  });

  it('finds a service published a moment ago without waiting for the announcement', async () => {
    const writer = new ServiceSnapshotWriter(knex);
    const reader = new ServiceSnapshotReader(knex, {
      logger: mockServices.logger.mock(),
      checkEveryMs: 3_600_000,
    });
    await reader.start();
    expect(await reader.get('new')).toBeUndefined();
    await writer.write([svc('new')]);
    await new Promise(r => setTimeout(r, 1_100));
    expect((await reader.get('new'))?.name).toBe('new');
    reader.stop();
  });
});
