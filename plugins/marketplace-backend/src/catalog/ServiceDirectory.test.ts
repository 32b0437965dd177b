import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { Entity } from '@backstage/catalog-model';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { connectDatabase } from '../stores/migrate';
import {
  PublishingStore,
  DatabasePublishingStore,
} from '../stores/PublishingStore';
import { ServiceDirectory } from './ServiceDirectory';
import { isLive, isServable } from './directoryService';
import { reviewHash } from './reviewHash';

jest.setTimeout(60_000);

function service(
  name: string,
  prompt = 1000,
  extra: Partial<ModelServiceEntityV1alpha1['metadata']> = {},
): ModelServiceEntityV1alpha1 {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name, namespace: 'default', ...extra },
    spec: {
      owner: 'group:default/team',
      providedBy: 'provider:default/p',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: prompt,
        completionPer1kMicros: 2 * prompt,
      },
    },
  } as unknown as ModelServiceEntityV1alpha1;
}

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('ServiceDirectory on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let entities: Entity[];
  let store: PublishingStore;

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    store = new DatabasePublishingStore(knex);
    entities = [];
  });

  const onQueued = jest.fn(async () => {});
  function directory(requireApproval: boolean) {
    return new ServiceDirectory({
      catalog: { getEntities: async () => ({ items: entities }) },
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      publishing: store,
      requireApproval,
      onQueued,
    });
  }

  async function prices(ref: string) {
    return (await store.priceHistory(ref)).map(p => p.promptPer1kMicros);
  }

  it('never lets a service of another namespace shadow the real one (issue 16)', async () => {
    const impostor = service('northwind-gpt-4o', 1, { namespace: 'aaa' });
    (impostor.spec as any).endpoint = { baseUrl: 'https://evil.example/v1' };
    entities = [impostor, service('northwind-gpt-4o')];
    const dir = directory(false);
    await dir.refresh();
    const found = await dir.get('northwind-gpt-4o');
    expect(found?.ref).toBe('modelservice:default/northwind-gpt-4o');
    expect(found?.status).toBe('approved');
    expect(dir.getByRef('modelservice:aaa/northwind-gpt-4o')).toBeUndefined();
    expect(dir.list().map(s => s.ref)).toEqual([
      'modelservice:default/northwind-gpt-4o',
    ]);
    // Nothing was queued for the impostor either.
    expect((await store.listApprovals()).map(a => a.serviceRef)).toEqual([
      'modelservice:default/northwind-gpt-4o',
    ]);
  });

  it('never approves a Provider of a group that is not a provider yet on its own, whatever requireApproval says (issue 16)', async () => {
    const provider = (name: string, owner: string) =>
      ({
        apiVersion: 'marketplace.acme.io/v1alpha1',
        kind: 'Provider',
        metadata: { name, namespace: 'default' },
        spec: {
          owner,
          displayName: name,
          verification: { status: 'verified', verifiedAt: '2026-01-01' },
        },
      } as Entity);
    entities = [
      // A consumer registers a Provider of their own, "verified".
      provider('mine', 'user:default/lena.fischer'),
      provider('trusted', 'group:default/ai-platform-team'),
    ];
    const dir = new ServiceDirectory({
      catalog: { getEntities: async () => ({ items: entities }) },
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      publishing: store,
      requireApproval: false,
      trustedProviderOwners: ['group:default/ai-platform-team'],
    });
    await dir.refresh();
    expect(dir.isProviderApproved('provider:default/mine')).toBe(false);
    expect(dir.providerApproval('provider:default/mine')?.status).toBe(
      'pending',
    );
    expect(dir.isProviderApproved('provider:default/trusted')).toBe(true);
    // An admin's decision counts.
    await store.decide(
      'provider:default/mine',
      { status: 'approved', reason: null },
      'user:default/ada',
    );
    await dir.refresh();
    expect(dir.isProviderApproved('provider:default/mine')).toBe(true);
  });

  it('never serves a catalog YAML service whose owner may not publish (issue 16)', async () => {
    const consumers = service('consumer-model', 1000);
    (consumers.spec as any).owner = 'group:default/checkout-team';
    entities = [consumers, service('team-model')];
    const dir = new ServiceDirectory({
      catalog: { getEntities: async () => ({ items: entities }) },
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      publishing: store,
      requireApproval: false,
      trustedProviderOwners: ['group:default/team'],
    });
    await dir.refresh();
    const held = (await dir.get('consumer-model'))!;
    expect(held.ownerMayPublish).toBe(false);
    expect(held.status).toBe('pending');
    expect(isServable(held)).toBe(false);
    expect(isLive(held)).toBe(false);
    expect(isServable((await dir.get('team-model'))!)).toBe(true);
  });

  it('never serves a catalog YAML service naming a Provider of another team (issue 14: it would get that Provider’s credentials)', async () => {
    const provider = (name: string, owner: string) =>
      ({
        apiVersion: 'marketplace.acme.io/v1alpha1',
        kind: 'Provider',
        metadata: { name, namespace: 'default' },
        spec: { owner, displayName: name },
      } as Entity);
    const borrowed = service('borrowed-model');
    (borrowed.spec as any).providedBy = 'provider:default/acme';
    const own = service('own-model');
    (own.spec as any).owner = 'group:default/acme-team';
    (own.spec as any).providedBy = 'provider:default/acme';
    entities = [
      provider('acme', 'group:default/Acme-Team'),
      borrowed,
      own,
      service('team-model'),
    ];
    const dir = new ServiceDirectory({
      catalog: { getEntities: async () => ({ items: entities }) },
      auth: mockServices.auth(),
      logger: mockServices.logger.mock(),
      publishing: store,
      requireApproval: false,
      // Both teams may publish, each for its own Providers.
      trustedProviderOwners: ['group:default/team', 'group:default/acme-team'],
    });
    await dir.refresh();
    const held = (await dir.get('borrowed-model'))!;
    expect(held.foreignProviderOwner).toBe('group:default/acme-team');
    expect(held.ownerMayPublish).toBe(false);
    expect(held.status).toBe('pending');
    expect(isServable(held)).toBe(false);
    // The Provider's own team (refs compared case-insensitively), and a
    // service whose Provider is not in the catalog, are served as before.
    expect(isServable((await dir.get('own-model'))!)).toBe(true);
    expect((await dir.get('own-model'))!.foreignProviderOwner).toBeUndefined();
    expect(isServable((await dir.get('team-model'))!)).toBe(true);
  });

  describe('approvals bound to what was reviewed (issue 16)', () => {
    const REF = 'modelservice:default/bound';
    const withBaseUrl = (baseUrl: string, prompt = 1000) => {
      const e = service('bound', prompt);
      (e.spec as any).endpoint = {
        baseUrl,
        auth: { type: 'bearer', secretRef: 'KEY' },
      };
      return e;
    };

    async function approveCurrent(dir: ServiceDirectory) {
      const s = (await dir.get('bound'))!;
      const reviewed = s.reviewEntity ?? s.entity;
      await store.decide(
        REF,
        {
          status: 'approved',
          reason: null,
          reviewed: {
            hash: reviewHash(reviewed, s.providerRef),
            entity: reviewed,
          },
        },
        'user:default/ada',
      );
      await dir.refresh();
    }

    it('sends a changed YAML service back to review; its subscribers keep the approved version', async () => {
      entities = [withBaseUrl('https://api.acme.example/v1')];
      const dir = directory(true);
      await dir.refresh();
      await approveCurrent(dir);
      expect(isServable((await dir.get('bound'))!)).toBe(true);

      // The team changes the upstream in its repository, without review.
      entities = [withBaseUrl('https://attacker.example/v1', 1)];
      await dir.refresh();
      const s = (await dir.get('bound'))!;
      expect((await store.getApproval(REF))?.status).toBe('pending');
      // Still served, but as approved: old endpoint, old price.
      expect(isServable(s)).toBe(true);
      expect(s.entity.spec.endpoint.baseUrl).toBe(
        'https://api.acme.example/v1',
      );
      expect(s.entity.spec.pricing.promptPer1kMicros).toBe(1000);
      expect(s.reviewEntity?.spec.endpoint.baseUrl).toBe(
        'https://attacker.example/v1',
      );

      // Once an admin approved the change, it is served.
      await approveCurrent(dir);
      const after = (await dir.get('bound'))!;
      expect(after.entity.spec.endpoint.baseUrl).toBe(
        'https://attacker.example/v1',
      );
      expect(after.reviewEntity).toBeUndefined();
      expect((await store.getApproval(REF))?.status).toBe('approved');
    });

    async function rejectCurrent(dir: ServiceDirectory, reason: string) {
      const s = (await dir.get('bound'))!;
      const reviewed = s.reviewEntity ?? s.entity;
      const after = await store.decide(
        REF,
        {
          status: 'rejected',
          reason,
          reviewed: {
            hash: reviewHash(reviewed, s.providerRef),
            entity: reviewed,
          },
        },
        'user:default/ada',
      );
      await dir.refresh();
      return after;
    }

    it('rejecting a changed YAML service rejects the change: the approved version stays served until the YAML changes again', async () => {
      entities = [withBaseUrl('https://api.acme.example/v1')];
      const dir = directory(true);
      await dir.refresh();
      await approveCurrent(dir);

      entities = [withBaseUrl('https://attacker.example/v1', 1)];
      await dir.refresh();
      const decided = await rejectCurrent(dir, 'Unknown host');
      expect(decided).toMatchObject({
        status: 'approved',
        reason: 'Unknown host',
      });
      expect(decided?.rejectedHash).toBeTruthy();
      const s = (await dir.get('bound'))!;
      expect(isServable(s)).toBe(true);
      expect(s.entity.spec.endpoint.baseUrl).toBe(
        'https://api.acme.example/v1',
      );
      expect(s.entity.spec.pricing.promptPer1kMicros).toBe(1000);
      expect(s.rejectedChange).toMatchObject({ reason: 'Unknown host' });
      // Later refreshes neither re-queue the rejected change nor serve it.
      await dir.refresh();
      expect((await store.getApproval(REF))?.status).toBe('approved');
      expect((await dir.get('bound'))!.entity.spec.endpoint.baseUrl).toBe(
        'https://api.acme.example/v1',
      );

      // Another change goes back to review (the approved version still served).
      entities = [withBaseUrl('https://attacker.example/v2', 1)];
      await dir.refresh();
      expect(await store.getApproval(REF)).toMatchObject({
        status: 'pending',
        rejectedHash: null,
      });
      const queued = (await dir.get('bound'))!;
      expect(queued.rejectedChange).toBeUndefined();
      expect(queued.entity.spec.endpoint.baseUrl).toBe(
        'https://api.acme.example/v1',
      );

      // Rejected again, then undone in the YAML: the rejection is cleared.
      await rejectCurrent(dir, 'Still unknown');
      entities = [withBaseUrl('https://api.acme.example/v1')];
      await dir.refresh();
      expect(await store.getApproval(REF)).toMatchObject({
        status: 'approved',
        rejectedHash: null,
        reason: null,
      });
      const undone = (await dir.get('bound'))!;
      expect(undone.rejectedChange).toBeUndefined();
      expect(undone.reviewEntity).toBeUndefined();

      // Rejecting the approved version itself takes the service offline.
      await rejectCurrent(dir, 'Withdrawn');
      expect(await store.getApproval(REF)).toMatchObject({
        status: 'rejected',
        approvedHash: null,
      });
      expect(isServable((await dir.get('bound'))!)).toBe(false);
    });

    it('lets an approval die with its entity: a later import of the same ref starts over', async () => {
      entities = [withBaseUrl('https://api.acme.example/v1')];
      const dir = directory(true);
      await dir.refresh();
      await approveCurrent(dir);
      expect((await store.getApproval(REF))?.status).toBe('approved');

      // The team removes its YAML; someone else imports the same ref.
      entities = [];
      await dir.refresh();
      expect(await store.getApproval(REF)).toBeUndefined();
      entities = [withBaseUrl('https://impostor.example/v1')];
      await dir.refresh();
      const s = (await dir.get('bound'))!;
      expect(s.status).toBe('pending');
      expect(isServable(s)).toBe(false);
    });
  });

  it('queues new services for review, leaves decided ones alone', async () => {
    entities = [service('a'), service('b')];
    await store.ensureApprovals(['modelservice:default/b'], 'rejected');
    onQueued.mockClear();
    const dir = directory(true);
    await dir.refresh();
    expect((await dir.get('a'))!.status).toBe('pending');
    expect((await dir.get('b'))!.status).toBe('rejected');
    expect(onQueued).toHaveBeenCalledTimes(1);
    expect(onQueued).toHaveBeenCalledWith([
      { ref: 'modelservice:default/a', status: 'pending' },
    ]);
    await dir.refresh();
    expect(onQueued).toHaveBeenCalledTimes(1);
    expect(isServable((await dir.get('a'))!)).toBe(false);

    entities.push(service('c'));
    const open = directory(false);
    await open.refresh();
    expect(onQueued).toHaveBeenLastCalledWith([
      { ref: 'modelservice:default/c', status: 'approved' },
    ]);
    expect((await open.get('a'))!.status).toBe('pending');
    expect((await open.get('c'))!.status).toBe('approved');
    expect(isLive((await open.get('c'))!)).toBe(true);
  });

  it('records the first price of every service and each change, once', async () => {
    entities = [service('a', 1000)];
    const dir = directory(false);
    await dir.refresh();
    await dir.refresh();
    expect(await prices('modelservice:default/a')).toEqual([1000]);

    entities = [service('a', 1500)];
    await dir.refresh();
    // A second instance seeing the same price records nothing more.
    await directory(false).refresh();
    expect(await prices('modelservice:default/a')).toEqual([1000, 1500]);

    entities = [service('a', 1000)];
    await dir.refresh();
    expect(await prices('modelservice:default/a')).toEqual([1000, 1500, 1000]);
  });

  it('takes portal-published services from the database, before the catalog has them', async () => {
    await store.publish({
      entity: service('portal', 3000),
      owner: 'group:default/team',
      providerRef: 'provider:default/p',
      createdBy: 'user:default/u',
      idempotencyKey: null,
      status: 'approved',
    });
    const dir = directory(true);
    await dir.refresh();
    const found = (await dir.get('portal'))!;
    expect(found.published?.createdBy).toBe('user:default/u');
    expect(found.status).toBe('approved');
    const version = dir.version;

    // The catalog's copy (older) does not replace ours.
    entities = [
      service('portal', 1, {
        annotations: {
          'backstage.io/managed-by-location': 'marketplace:portal',
        },
      }),
    ];
    await dir.refresh();
    expect(
      (await dir.get('portal'))!.entity.spec.pricing.promptPer1kMicros,
    ).toBe(3000);
    expect(dir.version).toBe(version);
  });

  it('bumps its version only when something changed', async () => {
    entities = [service('a')];
    const dir = directory(false);
    await dir.refresh();
    const v = dir.version;
    await dir.refresh();
    expect(dir.version).toBe(v);
    await store.unpublish('modelservice:default/a', Date.now() + 1000, 'u');
    await dir.refresh();
    expect(dir.version).toBe(v + 1);
    expect(isLive((await dir.get('a'))!)).toBe(false);
    expect(isServable((await dir.get('a'))!)).toBe(true);
  });
});

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('the publishing migration on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });

  it('keeps the services that were live before approvals existed approved', async () => {
    const knex = await databases.init(databaseId);
    const directory = resolvePackagePath(
      '@internal/plugin-marketplace-backend',
      'migrations',
    );
    await knex.migrate.up({ directory });
    await knex.migrate.up({ directory });
    await knex('service_first_seen').insert([
      { service_ref: 'modelservice:default/old-a', first_seen_at: 1000 },
      { service_ref: 'modelservice:default/old-b', first_seen_at: 2000 },
    ]);
    await knex.migrate.latest({ directory });
    const rows = await knex('service_approvals').orderBy('service_ref');
    expect(
      rows.map(r => [r.service_ref, r.status, Number(r.submitted_at)]),
    ).toEqual([
      ['modelservice:default/old-a', 'approved', 1000],
      ['modelservice:default/old-b', 'approved', 2000],
    ]);
    await knex.migrate.rollback({ directory }, true);
    expect(await knex.schema.hasTable('service_approvals')).toBe(false);
  });
});
