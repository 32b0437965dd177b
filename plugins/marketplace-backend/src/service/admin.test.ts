import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
// The demo upstream is a dev dependency: a real OpenAI-compatible upstream here.
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import demoUpstreamPlugin from '@internal/plugin-marketplace-demo-upstream-backend';
import { platformFeeMicros } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import request from 'supertest';
import { marketplacePlugin } from '../plugin';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import {
  ADMIN,
  ANONYMOUS,
  CONSUMER,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';
import {
  callAs,
  chat,
  notificationsFactory,
  simCatalogFactory,
  simConfig,
  simProvider,
} from '../__testUtils__/simMarketplace';

/**
 * A Provider of a consumer team that declares itself verified, as the catalog
 * delivers it while it waits for review: unverified, its claim annotated.
 */
const claimingProvider = {
  ...simProvider,
  metadata: {
    name: 'claiming',
    namespace: 'default',
    annotations: { 'marketplace.acme.io/claimed-verification': 'verified' },
  },
  spec: {
    ...simProvider.spec,
    owner: 'group:default/checkout-team',
    displayName: 'Claiming Provider',
    verification: { status: 'unverified' },
  },
};

jest.setTimeout(120_000);

/*
 * The admin API through the whole plugin in a test backend with the real
 * permission policy (reading the role overrides from the plugin over HTTP), the
 * demo upstream as the services' upstream, on SQLite and PostgreSQL 15: the
 * users list joined with marketplace data, role overrides the policy honours,
 * suspensions the gateway enforces on the next request, the platform fee, and
 * an audit row for every admin action.
 */

const GPT = 'sim-gpt';
const OTHER_SERVICE = 'sim-other';
const KENJI = 'user:default/kenji.nakamura';
const LENA_PATH = encodeURIComponent(CONSUMER);

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())('admin API on %p', databaseId => {
  let knex: Knex;
  let backend: TestBackend;
  let lenaKey: string;

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    backend = await startTestBackend({
      features: [
        marketplacePlugin,
        demoUpstreamPlugin,
        mockServices.database.factory({ knex }),
        simCatalogFactory([GPT, OTHER_SERVICE], [claimingProvider]),
        notificationsFactory,
        mockServices.events.factory(),
        permissionsFactory,
        // Providers: research-llm-team from config, ai-platform-team because
        // it owns the sim Provider once an admin approved it (below).
        simConfig({
          publishing: { requireApproval: true },
          roles: { providerGroups: ['group:default/research-llm-team'] },
        }),
        mockServices.httpAuth.factory({
          defaultCredentials: mockCredentials.none(),
        }),
        sampleUserInfo().factory,
      ],
    });
    const approved = await callAs(
      backend.server,
      'post',
      '/v1/admin/provider-approvals/sim/approve',
      ADMIN,
      {},
    );
    if (approved.status !== 200) {
      throw new Error(`Could not approve the sim Provider: ${approved.text}`);
    }
  });

  // Every request this suite sends through the gateway is billed exactly once.
  afterEach(async () => {
    await expectLedgerInvariants(knex);
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const call = (
    method: 'get' | 'post' | 'put' | 'delete',
    url: string,
    user: string,
    body?: unknown,
  ) => callAs(backend.server, method, url, user, body);

  async function auditOf(filter: string) {
    const res = await call('get', `/v1/admin/audit?${filter}`, ADMIN);
    expect(res.status).toBe(200);
    return res.body.items as any[];
  }

  async function adminView(ref: string) {
    const res = await call(
      'get',
      `/v1/admin/users/${encodeURIComponent(ref)}`,
      ADMIN,
    );
    expect(res.status).toBe(200);
    return res.body.user;
  }

  it('audits approvals and rejections of services', async () => {
    const approve = await call(
      'post',
      `/v1/admin/approvals/${GPT}/approve`,
      ADMIN,
      {},
    );
    expect(approve.status).toBe(200);
    const reject = await call(
      'post',
      `/v1/admin/approvals/${OTHER_SERVICE}/reject`,
      ADMIN,
      { reason: 'The upstream has no SOC2 report' },
    );
    expect(reject.status).toBe(200);

    const [rejected] = await auditOf('action=service.rejected');
    expect(rejected).toMatchObject({
      actor: ADMIN,
      action: 'service.rejected',
      targetType: 'service',
      target: `modelservice:default/${OTHER_SERVICE}`,
      before: { status: 'pending', reason: null },
      after: {
        status: 'rejected',
        reason: 'The upstream has no SOC2 report',
        decidedBy: ADMIN,
      },
    });
    const [approved] = await auditOf('action=service.approved');
    expect(approved).toMatchObject({
      target: `modelservice:default/${GPT}`,
      before: { status: 'pending' },
      after: { status: 'approved', decidedBy: ADMIN },
    });
    expect(Date.parse(approved.at)).not.toBeNaN();
  });

  it('lists the catalog users with their role, status, subscriptions, keys, spend and last request', async () => {
    const subscribed = await call(
      'post',
      `/v1/services/${GPT}/subscribe`,
      CONSUMER,
      {},
    );
    expect(subscribed.status).toBe(201);
    lenaKey = subscribed.body.apiKey.secret;
    expect((await chat(backend.server, lenaKey, GPT)).status).toBe(200);

    const res = await call('get', '/v1/admin/users?limit=100', ADMIN);
    expect(res.status).toBe(200);
    expect(res.body.total).toBe(8);
    const byRef = new Map<string, any>(
      res.body.items.map((u: any) => [u.userRef, u]),
    );
    expect(byRef.get(ADMIN)).toMatchObject({
      displayName: 'Ada Okafor',
      email: 'ada.okafor@acme.io',
      groups: ['group:default/platform-admins'],
      role: 'admin',
      groupRole: 'admin',
      roleOverride: null,
      status: 'active',
      suspension: null,
      inCatalog: true,
    });
    expect(byRef.get(OWNER).role).toBe('provider');
    expect(byRef.get(OTHER).role).toBe('provider');
    expect(byRef.get(KENJI).role).toBe('consumer');

    await request(backend.server)
      .get(`/api/marketplace/v1/subscriptions`)
      .set('Authorization', mockCredentials.user.header(CONSUMER));
    const usage = await call(
      'get',
      `/v1/subscriptions/${subscribed.body.subscription.id}/usage`,
      CONSUMER,
    );
    const spent = usage.body.usage.reduce(
      (sum: number, u: any) => sum + u.costMicros,
      0,
    );
    expect(spent).toBeGreaterThan(0);
    expect(byRef.get(CONSUMER)).toMatchObject({
      role: 'consumer',
      subscriptions: 1,
      activeKeys: 1,
      monthSpendMicros: spent,
      lastActiveAt: usage.body.usage[0].startedAt,
    });
    expect(byRef.get(KENJI)).toMatchObject({
      subscriptions: 0,
      activeKeys: 0,
      monthSpendMicros: 0,
      lastActiveAt: null,
    });
    // Sorted by display name by default.
    expect(res.body.items[0].displayName).toBe('Ada Okafor');
  });

  it('searches, filters, sorts and pages', async () => {
    const refs = async (query: string) => {
      const res = await call('get', `/v1/admin/users?${query}`, ADMIN);
      expect(res.status).toBe(200);
      return res.body;
    };
    expect((await refs('q=FISCHER')).items.map((u: any) => u.userRef)).toEqual([
      CONSUMER,
    ]);
    expect(
      (await refs('q=ada.okafor%40acme')).items.map((u: any) => u.userRef),
    ).toEqual([ADMIN]);
    expect(
      (await refs('q=user:default/wei')).items.map((u: any) => u.userRef),
    ).toEqual([OTHER]);
    const providers = await refs('role=provider');
    expect(providers.total).toBe(4);
    expect(providers.items.map((u: any) => u.name).sort()).toEqual([
      'diego.alvarez',
      'priya.raman',
      'samira.haddad',
      'wei.chen',
    ]);
    expect((await refs('role=admin,provider')).total).toBe(5);
    expect((await refs('status=suspended')).total).toBe(0);
    const bySpend = await refs('sort=spend&order=desc&limit=1');
    expect(bySpend).toMatchObject({ total: 8, offset: 0, limit: 1 });
    expect(bySpend.items.map((u: any) => u.userRef)).toEqual([CONSUMER]);
    const page = await refs('sort=name&offset=6&limit=5');
    expect(page.items).toHaveLength(2);

    for (const [query, field] of [
      ['role=root', "'role[0]'"],
      ['status=gone', "'status[0]'"],
      ['limit=0', "'limit'"],
      ['sort=age', "'sort'"],
      ['offset=-1', "'offset'"],
    ]) {
      const res = await call('get', `/v1/admin/users?${query}`, ADMIN);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
      expect(res.body.error.message).toContain(`query field ${field}`);
    }
    expect((await call('get', '/v1/admin/users?unknown=1', ADMIN)).status).toBe(
      400,
    );
  });

  it('sets role overrides that the permission policy honours at once', async () => {
    expect((await call('get', '/v1/admin/users', CONSUMER)).status).toBe(403);
    expect((await call('get', '/v1/me', CONSUMER)).body.role).toBe('consumer');

    const promoted = await call(
      'put',
      `/v1/admin/users/${LENA_PATH}/role`,
      ADMIN,
      { role: 'admin' },
    );
    expect(promoted.status).toBe(200);
    expect(promoted.body.user).toMatchObject({
      userRef: CONSUMER,
      role: 'admin',
      groupRole: 'consumer',
      roleOverride: { role: 'admin', setBy: ADMIN },
    });
    expect((await call('get', '/v1/admin/users', CONSUMER)).status).toBe(200);
    expect((await call('get', '/v1/me', CONSUMER)).body.role).toBe('admin');

    // Demoting a provider: the short name works as the path parameter too.
    const demoted = await call(
      'put',
      '/v1/admin/users/samira.haddad/role',
      ADMIN,
      { role: 'consumer' },
    );
    expect(demoted.status).toBe(200);
    expect((await call('get', '/v1/me', OWNER)).body.role).toBe('consumer');

    for (const ref of [LENA_PATH, 'samira.haddad']) {
      const cleared = await call('put', `/v1/admin/users/${ref}/role`, ADMIN, {
        role: null,
      });
      expect(cleared.status).toBe(200);
      expect(cleared.body.user.roleOverride).toBeNull();
    }
    expect((await call('get', '/v1/admin/users', CONSUMER)).status).toBe(403);
    expect((await call('get', '/v1/me', OWNER)).body.role).toBe('provider');

    const changes = await auditOf(
      `action=user.role.changed&target=${LENA_PATH}`,
    );
    expect(changes.map(c => [c.before, c.after])).toEqual([
      [
        { override: 'admin', role: 'admin' },
        { override: null, role: 'consumer' },
      ],
      [
        { override: null, role: 'consumer' },
        { override: 'admin', role: 'admin' },
      ],
    ]);
    // The target filter finds a user by ref, name, part of it or display name.
    for (const target of [
      OWNER,
      'samira.haddad',
      'samira',
      'Samira Haddad',
      'SAMIRA',
    ]) {
      const found = await auditOf(
        `action=user.role.changed&target=${encodeURIComponent(target)}`,
      );
      expect({ target, found: found.length }).toEqual({ target, found: 2 });
      expect(new Set(found.map(e => e.target))).toEqual(new Set([OWNER]));
    }
    expect(
      await auditOf('action=user.role.changed&target=nobody%25at_all'),
    ).toEqual([]);
  });

  it('refuses bad role changes, changing nothing', async () => {
    const before = (await auditOf('limit=200')).length;
    const cases: Array<[string, unknown, number, string]> = [
      [LENA_PATH, { role: 'root' }, 400, "body field 'role'"],
      [LENA_PATH, {}, 400, "body field 'role'"],
      [LENA_PATH, { role: 'admin', extra: 1 }, 400, 'extra'],
      ['group:default%2Fcheckout-team', { role: 'admin' }, 400, "'userRef'"],
      ['nobody', { role: 'admin' }, 404, 'No user user:default/nobody'],
      [encodeURIComponent(ADMIN), { role: 'consumer' }, 409, 'yourself'],
    ];
    for (const [ref, body, status, message] of cases) {
      const res = await call('put', `/v1/admin/users/${ref}/role`, ADMIN, body);
      expect({ ref, body, status: res.status }).toEqual({ ref, body, status });
      expect(res.body.error.message).toContain(message);
    }
    expect((await auditOf('limit=200')).length).toBe(before);
    expect((await adminView(CONSUMER)).roleOverride).toBeNull();
  });

  it('suspends a user: their key gets 403 with the reason on the next request; reinstating restores it', async () => {
    const reason = 'Unusual traffic from a leaked key';
    const suspended = await call(
      'post',
      `/v1/admin/users/${LENA_PATH}/suspend`,
      ADMIN,
      { reason: `  ${reason}  ` },
    );
    expect(suspended.status).toBe(200);
    expect(suspended.body.user).toMatchObject({
      status: 'suspended',
      suspension: { reason, suspendedBy: ADMIN },
    });

    const refused = await chat(backend.server, lenaKey, GPT);
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'user_suspended',
      type: 'permission_error',
    });
    expect(refused.body.error.message).toContain(reason);
    const models = await request(backend.server)
      .get('/api/marketplace/gateway/v1/models')
      .set('Authorization', `Bearer ${lenaKey}`);
    expect(models.status).toBe(403);
    expect(models.body.error.message).toContain(reason);
    // The Test API runs the same pipeline.
    const tested = await call('post', `/v1/services/${GPT}/test`, CONSUMER, {
      messages: [{ role: 'user', content: 'hi' }],
      max_tokens: 3,
    });
    expect(tested.status).toBe(403);
    expect(tested.body.error.code).toBe('user_suspended');
    // The portal can tell the user why.
    const me = await call('get', '/v1/me', CONSUMER);
    expect(me.body.suspension).toEqual({
      reason,
      suspendedAt: suspended.body.user.suspension.suspendedAt,
    });
    const list = await call('get', '/v1/admin/users?status=suspended', ADMIN);
    expect(list.body.items.map((u: any) => u.userRef)).toEqual([CONSUMER]);

    const reinstated = await call(
      'post',
      `/v1/admin/users/${LENA_PATH}/reinstate`,
      ADMIN,
      {},
    );
    expect(reinstated.status).toBe(200);
    expect(reinstated.body.user).toMatchObject({
      status: 'active',
      suspension: null,
    });
    expect((await chat(backend.server, lenaKey, GPT)).status).toBe(200);
    expect((await call('get', '/v1/me', CONSUMER)).body.suspension).toBeNull();

    const [lifted, began] = await auditOf(
      `target=${LENA_PATH}&action=user.suspended,user.reinstated`,
    );
    expect(began).toMatchObject({
      action: 'user.suspended',
      actor: ADMIN,
      before: { status: 'active' },
      after: { status: 'suspended', reason, suspendedBy: ADMIN },
    });
    expect(lifted).toMatchObject({
      action: 'user.reinstated',
      before: { status: 'suspended', reason },
      after: { status: 'active' },
    });
  });

  it('refuses a subscription while suspended, saying why', async () => {
    await call(
      'post',
      `/v1/admin/users/${encodeURIComponent(KENJI)}/suspend`,
      ADMIN,
      {
        reason: 'Left the company',
      },
    );
    await call(
      'post',
      `/v1/admin/approvals/${OTHER_SERVICE}/approve`,
      ADMIN,
      {},
    );
    const res = await call(
      'post',
      `/v1/services/${OTHER_SERVICE}/subscribe`,
      KENJI,
      {},
    );
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('Left the company');
    expect(
      (
        await call(
          'post',
          `/v1/admin/users/${encodeURIComponent(KENJI)}/reinstate`,
          ADMIN,
          {},
        )
      ).status,
    ).toBe(200);
    expect(
      (await call('post', `/v1/services/${OTHER_SERVICE}/subscribe`, KENJI, {}))
        .status,
    ).toBe(201);
  });

  it('refuses bad suspensions and reinstatements, changing nothing', async () => {
    const before = (await auditOf('limit=200')).length;
    const suspend = (ref: string, body: unknown) =>
      call('post', `/v1/admin/users/${ref}/suspend`, ADMIN, body);
    const cases: Array<[string, unknown, number, string]> = [
      [LENA_PATH, { reason: '   ' }, 400, "body field 'reason'"],
      [LENA_PATH, {}, 400, "body field 'reason'"],
      [LENA_PATH, { reason: 'x'.repeat(501) }, 400, '500 characters'],
      [LENA_PATH, { reason: 'bad\u0007bell' }, 400, 'control characters'],
      [LENA_PATH, { reason: 42 }, 400, "body field 'reason'"],
      ['nobody', { reason: 'x' }, 404, 'No user user:default/nobody'],
      [encodeURIComponent(ADMIN), { reason: 'x' }, 409, 'yourself'],
    ];
    for (const [ref, body, status, message] of cases) {
      const res = await suspend(ref, body);
      expect({ ref, body, status: res.status }).toEqual({ ref, body, status });
      expect(res.body.error.message).toContain(message);
    }
    const notSuspended = await call(
      'post',
      `/v1/admin/users/${LENA_PATH}/reinstate`,
      ADMIN,
      {},
    );
    expect(notSuspended.status).toBe(409);
    expect(
      (
        await call('post', `/v1/admin/users/${LENA_PATH}/reinstate`, ADMIN, {
          why: 'x',
        })
      ).status,
    ).toBe(400);
    expect((await adminView(CONSUMER)).status).toBe('active');

    expect((await suspend(LENA_PATH, { reason: 'once' })).status).toBe(200);
    const twice = await suspend(LENA_PATH, { reason: 'twice' });
    expect(twice.status).toBe(409);
    expect((await adminView(CONSUMER)).suspension.reason).toBe('once');
    expect(
      (await call('post', `/v1/admin/users/${LENA_PATH}/reinstate`, ADMIN, {}))
        .status,
    ).toBe(200);
    expect((await auditOf('limit=200')).length).toBe(before + 2);
  });

  it('sets the platform fee for new requests; requests already metered keep theirs', async () => {
    const initial = await call('get', '/v1/admin/settings', ADMIN);
    expect(initial.status).toBe(200);
    expect(initial.body.settings).toEqual({
      platformFeePercent: 10,
      platformFeeBasisPoints: 1000,
      platformFeeSource: 'config',
      updatedBy: null,
      updatedAt: null,
    });
    const first = await chat(backend.server, lenaKey, GPT);
    const firstId = first.headers['x-request-id'];

    for (const percent of [100.5, -1, 1.234, '10', null]) {
      const res = await call('put', '/v1/admin/settings/platform-fee', ADMIN, {
        percent,
      });
      expect({ percent, status: res.status }).toEqual({ percent, status: 400 });
      expect(res.body.error.message).toContain("body field 'percent'");
    }
    expect(
      (await call('get', '/v1/admin/settings', ADMIN)).body.settings
        .platformFeeSource,
    ).toBe('config');

    const set = await call('put', '/v1/admin/settings/platform-fee', ADMIN, {
      percent: 12.5,
    });
    expect(set.status).toBe(200);
    expect(set.body.settings).toMatchObject({
      platformFeePercent: 12.5,
      platformFeeBasisPoints: 1250,
      platformFeeSource: 'admin',
      updatedBy: ADMIN,
    });
    const second = await chat(backend.server, lenaKey, GPT);
    const usage = async (id: string) =>
      (await call('get', `/v1/usage/${id}`, CONSUMER)).body.usage;
    const [before, after] = [
      await usage(firstId),
      await usage(second.headers['x-request-id']),
    ];
    expect(before.costMicros).toBeGreaterThan(0);
    expect(before.platformFeeMicros).toBe(
      platformFeeMicros(before.costMicros, 1000),
    );
    expect(after.platformFeeMicros).toBe(
      platformFeeMicros(after.costMicros, 1250),
    );

    const [changed] = await auditOf('action=platform.fee.changed');
    expect(changed).toMatchObject({
      actor: ADMIN,
      targetType: 'platform',
      target: 'platform-fee',
      before: { platformFeePercent: 10, source: 'config' },
      after: { platformFeePercent: 12.5, source: 'admin' },
    });
    // Two decimals that are no exact binary multiple of 0.01 are fine.
    for (const [percent, basisPoints] of [
      [0.29, 29],
      [33.33, 3333],
    ]) {
      const res = await call('put', '/v1/admin/settings/platform-fee', ADMIN, {
        percent,
      });
      expect({ percent, status: res.status }).toEqual({ percent, status: 200 });
      expect(res.body.settings.platformFeeBasisPoints).toBe(basisPoints);
    }
    expect(
      (
        await call('put', '/v1/admin/settings/platform-fee', ADMIN, {
          percent: 10,
        })
      ).status,
    ).toBe(200);
  });

  it('audits hiding and unhiding reviews', async () => {
    const posted = await call(
      'post',
      `/marketplace/services/${GPT}/reviews`,
      CONSUMER,
      { rating: 2, title: 'Meh', text: 'Slow at times.' },
    );
    expect(posted.status).toBe(201);
    const id = posted.body.review.id;
    const url = `/marketplace/services/${GPT}/reviews/${id}/hide`;
    expect(
      (await call('post', url, ADMIN, { reason: 'Off-topic' })).status,
    ).toBe(200);
    expect((await call('delete', url, ADMIN)).status).toBe(200);
    const [unhidden, hidden] = await auditOf(
      'action=review.hidden,review.unhidden',
    );
    expect(hidden).toMatchObject({
      action: 'review.hidden',
      actor: ADMIN,
      targetType: 'review',
      target: id,
      before: { hidden: false, serviceRef: `modelservice:default/${GPT}` },
      after: { hidden: true, hiddenReason: 'Off-topic', author: CONSUMER },
    });
    expect(unhidden).toMatchObject({
      action: 'review.unhidden',
      before: { hidden: true },
      after: { hidden: false, hiddenReason: null },
    });
  });

  it('reads the audit log newest first, filtered and paged; admins only', async () => {
    const all = await call('get', '/v1/admin/audit?limit=200', ADMIN);
    expect(all.status).toBe(200);
    const times = all.body.items.map((e: any) => Date.parse(e.at));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(new Set(all.body.items.map((e: any) => e.action))).toEqual(
      new Set([
        'service.approved',
        'service.rejected',
        'provider.approved',
        'user.role.changed',
        'user.suspended',
        'user.reinstated',
        'platform.fee.changed',
        'review.hidden',
        'review.unhidden',
      ]),
    );
    expect(all.body.total).toBe(all.body.items.length);

    const page = await call('get', '/v1/admin/audit?limit=2&offset=1', ADMIN);
    expect(page.body).toMatchObject({
      total: all.body.total,
      offset: 1,
      limit: 2,
    });
    expect(page.body.items).toEqual(all.body.items.slice(1, 3));

    const byActor = await call('get', '/v1/admin/audit?actor=ada', ADMIN);
    expect(byActor.body.total).toBe(all.body.total);
    const nobody = await call(
      'get',
      '/v1/admin/audit?actor=lena.fischer',
      ADMIN,
    );
    expect(nobody.body.total).toBe(0);

    for (const query of ['action=user.deleted', 'limit=201', 'actor=']) {
      const res = await call('get', `/v1/admin/audit?${query}`, ADMIN);
      expect({ query, status: res.status }).toEqual({ query, status: 400 });
    }
    expect((await call('get', '/v1/admin/audit', CONSUMER)).status).toBe(403);
    expect((await call('get', '/v1/admin/audit', OWNER)).status).toBe(403);
    expect((await call('get', '/v1/admin/audit', ANONYMOUS)).status).toBe(401);
  });

  it('lists a Provider waiting for review with its owner and the verification it declares (issue 16)', async () => {
    const pending = await call(
      'get',
      '/v1/admin/provider-approvals?status=pending',
      ADMIN,
    );
    expect(pending.status).toBe(200);
    expect(pending.body.approvals).toEqual([
      {
        providerRef: 'provider:default/claiming',
        name: 'claiming',
        displayName: 'Claiming Provider',
        owner: 'group:default/checkout-team',
        // Its claim, for the admin to judge: the catalog shows it unverified.
        verification: 'verified',
        status: 'pending',
        reason: null,
        submittedAt: expect.any(String),
        decidedBy: null,
        decidedAt: null,
      },
    ]);
  });

  it('gives the policy the overrides and provider groups, to backend plugins only', async () => {
    await call('put', `/v1/admin/users/${LENA_PATH}/role`, ADMIN, {
      role: 'provider',
    });
    const roles = () =>
      request(backend.server)
        .get('/api/marketplace/v1/internal/roles')
        .set('Authorization', mockCredentials.service.header());
    // A rejected Provider (owned by ai-platform-team) grants nothing (issue 16:
    // anyone can register a Provider in the catalog).
    const rejected = await call(
      'post',
      '/v1/admin/provider-approvals/sim/reject',
      ADMIN,
      { reason: 'Unknown team' },
    );
    expect(rejected.status).toBe(200);
    expect((await roles()).body.providerGroups).toEqual([
      'group:default/research-llm-team',
    ]);
    const listed = await call(
      'get',
      '/v1/admin/provider-approvals?status=rejected',
      ADMIN,
    );
    expect(listed.body.approvals).toEqual([
      expect.objectContaining({
        providerRef: 'provider:default/sim',
        owner: 'group:default/ai-platform-team',
        status: 'rejected',
        reason: 'Unknown team',
      }),
    ]);
    expect(
      (await call('get', '/v1/admin/provider-approvals', OWNER)).status,
    ).toBe(403);
    const approved = await call(
      'post',
      '/v1/admin/provider-approvals/sim/approve',
      ADMIN,
      {},
    );
    expect(approved.status).toBe(200);
    expect(approved.body.approval).toMatchObject({
      status: 'approved',
      decidedBy: ADMIN,
    });
    const res = await roles();
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      overrides: { [CONSUMER]: 'provider' },
      providerGroups: [
        'group:default/ai-platform-team',
        'group:default/research-llm-team',
      ],
    });
    expect((await call('get', '/v1/internal/roles', ADMIN)).status).toBe(403);
    await call('put', `/v1/admin/users/${LENA_PATH}/role`, ADMIN, {
      role: null,
    });
  });
});
