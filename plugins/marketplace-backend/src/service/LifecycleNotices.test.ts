import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { Knex } from 'knex';
import { connectDatabase } from '../stores/migrate';
import {
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from '../stores/SubscriptionStore';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';
import { LifecycleNotices } from './LifecycleNotices';

jest.setTimeout(60_000);

const DAY = 86_400_000;
const SUNSET = Date.UTC(2027, 2, 1, 12);

function retiring(
  name: string,
  unpublishedAt: number,
  successorRef: string | null = null,
): DirectoryService {
  return {
    name,
    ref: `modelservice:default/${name}`,
    providerRef: 'provider:default/p',
    status: 'approved',
    entity: {
      apiVersion: 'marketplace.acme.io/v1alpha1',
      kind: 'ModelService',
      metadata: { name, title: `Title of ${name}` },
      spec: {},
    } as any,
    unpublication: {
      serviceRef: `modelservice:default/${name}`,
      unpublishedAt,
      sunsetAt: SUNSET,
      unpublishedBy: 'user:default/owner',
      successorRef,
    },
  };
}

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('LifecycleNotices on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let knex: Knex;
  let subscriptions: SubscriptionStore;
  let now: number;
  let services: DirectoryService[];
  const send = jest.fn();

  function notices() {
    return new LifecycleNotices({
      db: knex,
      directory: { list: () => services } as unknown as ServiceDirectory,
      subscriptions,
      notifications: { send },
      logger: mockServices.logger.mock(),
      clock: () => now,
    });
  }

  async function subscribe(user: string, service: string) {
    await subscriptions.create({
      serviceRef: `modelservice:default/${service}`,
      userRef: user,
      teamRef: null,
      spendCapMicros: null,
      trialTokens: 0,
    });
  }

  /** The titles sent so far, with their recipients. */
  function sent() {
    return send.mock.calls.map(([n]) => [
      n.payload.title,
      n.recipients.entityRef,
    ]);
  }

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    subscriptions = new DatabaseSubscriptionStore(knex);
    send.mockReset();
  });

  it('reminds the subscribers 30 and 7 days before the sunset and on the day, each once', async () => {
    services = [
      retiring('old-model', SUNSET - 60 * DAY, 'modelservice:default/new-one'),
    ];
    await subscribe('user:default/ada', 'old-model');
    await subscribe('user:default/lena', 'old-model');
    await subscribe('user:default/wei', 'other-model');
    await subscriptions.cancel(
      'user:default/lena',
      'modelservice:default/old-model',
    );

    now = SUNSET - 30 * DAY - 1;
    expect(await notices().run()).toBe(0);
    now = SUNSET - 30 * DAY;
    expect(await notices().run()).toBe(1);
    // Again, and a day later: nothing more.
    expect(await notices().run()).toBe(0);
    now += DAY;
    expect(await notices().run()).toBe(0);
    now = SUNSET - 7 * DAY + 1;
    expect(await notices().run()).toBe(1);
    now = SUNSET;
    expect(await notices().run()).toBe(1);
    now = SUNSET + 30 * DAY;
    expect(await notices().run()).toBe(0);

    // Only the active subscriber, never the one who left or another service's.
    expect(sent()).toEqual([
      ['Title of old-model retires in 30 days', ['user:default/ada']],
      ['Title of old-model retires in 7 days', ['user:default/ada']],
      ['Title of old-model is retired', ['user:default/ada']],
    ]);
    expect(send.mock.calls[0][0].payload.description).toContain(
      'On 2027-03-01 the gateway stops serving old-model',
    );
    expect(send.mock.calls[0][0].payload.description).toContain(
      'Its successor is new-one',
    );
    const rows = await knex('lifecycle_notices').orderBy('sent_at');
    expect(rows.map(r => [r.notice, Number(r.recipients)])).toEqual([
      ['30d', 1],
      ['7d', 1],
      ['sunset', 1],
    ]);
  });

  it('skips a reminder whose window had begun when the service was unpublished', async () => {
    // Unpublished 10 days before its sunset: the unpublish notice said it all
    // for the 30-day reminder; the 7-day one still comes.
    services = [retiring('short-notice', SUNSET - 10 * DAY)];
    await subscribe('user:default/ada', 'short-notice');
    now = SUNSET - 9 * DAY;
    expect(await notices().run()).toBe(0);
    now = SUNSET - 7 * DAY;
    expect(await notices().run()).toBe(1);
    expect(sent()).toEqual([
      ['Title of short-notice retires in 7 days', ['user:default/ada']],
    ]);
    expect(send.mock.calls[0][0].payload.description).toContain(
      'Move to another model',
    );
  });

  it('sends each reminder once when several instances run at the same time', async () => {
    services = [retiring('raced', SUNSET - 60 * DAY)];
    await subscribe('user:default/ada', 'raced');
    now = SUNSET - 30 * DAY;
    const counts = await Promise.all(
      Array.from({ length: 5 }, () => notices().run()),
    );
    expect(counts.reduce((a, b) => a + b, 0)).toBe(1);
    expect(send).toHaveBeenCalledTimes(1);
  });
});
