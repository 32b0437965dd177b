import { createServiceFactory } from '@backstage/backend-plugin-api';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { notificationService } from '@backstage/plugin-notifications-node';
import {
  MODEL_SERVICE_KIND,
  PROVIDER_KIND,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import request from 'supertest';
import { createSettlementWriter } from '../stores/ledger/settlementWriter';
import { marketplacePlugin } from '../plugin';
import {
  ADMIN,
  ANONYMOUS,
  CONSUMER,
  loadExamples,
  OTHER,
  OWNER,
  permissionsFactory,
  sampleUserInfo,
} from '../__testUtils__/marketplaceTestBackend';

jest.setTimeout(120_000);

/*
 * Provider analytics, payouts and statements through the whole plugin with the
 * real permission policy, on SQLite and PostgreSQL 15: who sees which team's
 * numbers, validation (400 naming the parameter, nothing changed), CSV
 * downloads, marking payouts paid.
 */

const AI_SERVICE = 'northwind-gpt-4o'; // ai-platform-team (OWNER's team)
const RESEARCH_SERVICE = 'research-llama-3-3-70b'; // research-llm-team (OTHER's team)
const AI_TEAM = 'group:default/ai-platform-team';
const RESEARCH_TEAM = 'group:default/research-llm-team';
const CHECKOUT = 'group:default/checkout-team';
const services = loadExamples('services.yaml').filter(
  e => e.kind === MODEL_SERVICE_KIND,
);
const providers = loadExamples('providers.yaml').filter(
  e => e.kind === PROVIDER_KIND,
);
const API = '/api/marketplace';
const DAY = 86_400_000;

const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe.each(databases.eachSupportedId())(
  'analytics API on %p',
  databaseId => {
    let knex: Knex;
    let backend: TestBackend;
    const today = Date.now() - (Date.now() % DAY);
    const thisMonth = new Date(today).toISOString().slice(0, 7);
    const lastMonthDay = Date.UTC(
      new Date(today).getUTCFullYear(),
      new Date(today).getUTCMonth() - 1,
      15,
    );
    const lastMonth = new Date(lastMonthDay).toISOString().slice(0, 7);
    // Only today: the request of last month may or may not be in the last 30 days.
    const TODAY = `from=${new Date(today)
      .toISOString()
      .slice(0, 10)}&to=${new Date(today).toISOString().slice(0, 10)}`;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      backend = await startTestBackend({
        features: [
          marketplacePlugin,
          mockServices.database.factory({ knex }),
          createServiceFactory({
            service: catalogServiceRef,
            deps: {},
            factory: () =>
              catalogServiceMock({ entities: [...services, ...providers] }),
          }),
          createServiceFactory({
            service: notificationService,
            deps: {},
            factory: () => ({ send: jest.fn() }),
          }),
          mockServices.events.mock().factory,
          permissionsFactory,
          mockServices.rootConfig.factory({
            data: { marketplace: { publishing: { requireApproval: false } } },
          }),
          mockServices.httpAuth.factory({
            defaultCredentials: mockCredentials.none(),
          }),
          sampleUserInfo().factory,
        ],
      });
      // Traffic through the ledger's own write path (which keeps the rollups).
      const row = (
        service: string,
        userRef: string,
        teamRef: string | null,
        startedAt: number,
        cost: number,
        status = 'ok',
      ) => ({
        request_id: `req_${randomUUID()}`,
        subscription_id: `sub-${userRef}-${service}`.slice(0, 36),
        key_id: `key-${userRef}-${service}`.slice(0, 36),
        user_ref: userRef,
        team_ref: teamRef,
        service_ref: `modelservice:default/${service}`,
        provider_ref: 'provider:default/x',
        model: service,
        stream: false,
        status,
        http_status: status === 'ok' ? 200 : 502,
        error_code: null,
        prompt_tokens: 100,
        completion_tokens: 50,
        trial_tokens: 0,
        token_source: 'upstream',
        cost_micros: cost,
        platform_fee_micros: Math.floor((cost * 1000 + 5000) / 10000),
        upstream_latency_ms: status === 'ok' ? 200 : null,
        ttft_ms: null,
        started_at: startedAt,
        finished_at: startedAt + 200,
        usage_clamped: false,
      });
      await createSettlementWriter(knex).write(
        [
          row(AI_SERVICE, CONSUMER, CHECKOUT, today + 3_600_000, 1000),
          row(AI_SERVICE, CONSUMER, CHECKOUT, today + 3_700_000, 0, 'timeout'),
          row(AI_SERVICE, 'user:default/kenji', null, lastMonthDay, 5000),
          // Its upstream reported usage out of bounds: billed bounded, flagged.
          {
            ...row(RESEARCH_SERVICE, CONSUMER, null, today + 3_600_000, 7000),
            usage_clamped: true,
          },
        ].map(r => ({ row: r })),
      );
    });

    afterAll(async () => {
      await backend?.stop();
    });

    function call(
      method: 'get' | 'post',
      url: string,
      user: string,
      body?: unknown,
    ) {
      let req = request(backend.server)[method](`${API}${url}`);
      if (user !== ANONYMOUS) {
        req = req.set('Authorization', mockCredentials.user.header(user));
      }
      return body === undefined ? req : req.send(body as object);
    }

    it('shows providers their own teams’ numbers only, admins any team, consumers none', async () => {
      const mine = await call('get', `/v1/provider/analytics?${TODAY}`, OWNER);
      expect(mine.status).toBe(200);
      expect(mine.body.teams).toEqual([AI_TEAM]);
      expect(mine.body.services.every((s: any) => s.owner === AI_TEAM)).toBe(
        true,
      );
      // Today's two requests of the AI team's service; the research one is not theirs.
      expect(mine.body.totals).toMatchObject({
        requests: 2,
        errorRequests: 1,
        grossMicros: 1000,
        platformFeeMicros: 100,
        netMicros: 900,
        errorRate: 0.5,
      });
      expect(mine.body.usageDiscrepancies).toBe(0);
      expect(mine.body.topUsers.map((u: any) => u.ref)).toEqual([CONSUMER]);
      expect(mine.body.topTeams.map((u: any) => u.ref)).toEqual([CHECKOUT]);

      const theirs = await call(
        'get',
        `/v1/provider/analytics?team=${RESEARCH_TEAM}`,
        OWNER,
      );
      expect(theirs.status).toBe(403);
      expect(theirs.body.error.message).toContain('your own teams');
      expect(
        (
          await call(
            'get',
            `/v1/provider/analytics?service=${RESEARCH_SERVICE}`,
            OWNER,
          )
        ).status,
      ).toBe(403);

      const research = await call(
        'get',
        `/v1/provider/analytics?team=research-llm-team&${TODAY}`,
        OTHER,
      );
      expect(research.status).toBe(200);
      expect(research.body.totals.grossMicros).toBe(7000);
      expect(research.body.usageDiscrepancies).toBe(1);

      const admin = await call(
        'get',
        `/v1/provider/analytics?team=${RESEARCH_TEAM}&${TODAY}`,
        ADMIN,
      );
      expect(admin.status).toBe(200);
      expect(admin.body.totals.grossMicros).toBe(7000);
      const all = await call('get', `/v1/provider/analytics?${TODAY}`, ADMIN);
      expect(all.body.teams).toEqual([AI_TEAM, RESEARCH_TEAM]);
      expect(all.body.totals.grossMicros).toBe(8000);
      expect(all.body.usageDiscrepancies).toBe(1);

      const one = await call(
        'get',
        `/v1/provider/analytics?service=${AI_SERVICE}&granularity=hour&from=${new Date(
          today,
        )
          .toISOString()
          .slice(0, 10)}`,
        OWNER,
      );
      expect(one.status).toBe(200);
      expect(one.body.services.map((s: any) => s.name)).toEqual([AI_SERVICE]);
      expect(one.body.buckets).toHaveLength(24);
      expect(one.body.series[0].points[1]).toMatchObject({
        requests: 2,
        errorRequests: 1,
      });

      expect(
        (await call('get', '/v1/provider/analytics', CONSUMER)).status,
      ).toBe(403);
      expect(
        (await call('get', '/v1/provider/analytics', ANONYMOUS)).status,
      ).toBe(401);

      const teams = await call('get', '/v1/provider/teams', OWNER);
      expect(teams.body.teams).toEqual([
        { ref: AI_TEAM, serviceCount: expect.any(Number) },
      ]);
      expect(
        (await call('get', '/v1/provider/teams', ADMIN)).body.teams,
      ).toHaveLength(2);
      expect((await call('get', '/v1/provider/teams', CONSUMER)).status).toBe(
        403,
      );
    });

    it('answers bad parameters with a 400 naming them', async () => {
      const cases: Array<[string, string]> = [
        ['from=2026-03-02&to=2026-03-01', "'from'"],
        ['from=2025-01-01&to=2026-03-01', "'to'"],
        ['granularity=week', "'granularity'"],
        ['from=2026-01-01&to=2026-02-15&granularity=hour', "'granularity'"],
        ['from=2026-02-30', "'from'"],
        ['from=yesterday', "'from'"],
        ['service=../etc', "'service'"],
        ['team=', "'team'"],
        ['team=component:default/x', "'team'"],
        ['colour=red', 'colour'],
      ];
      for (const [query, field] of cases) {
        const res = await call('get', `/v1/provider/analytics?${query}`, OWNER);
        expect({ query, status: res.status }).toEqual({ query, status: 400 });
        expect(res.body.error.message).toContain(field);
      }
      expect(
        (
          await call(
            'get',
            '/v1/provider/analytics?service=no-such-model',
            OWNER,
          )
        ).status,
      ).toBe(404);
      expect(
        (
          await call(
            'get',
            `/v1/provider/analytics?service=${AI_SERVICE}&team=${RESEARCH_TEAM}`,
            ADMIN,
          )
        ).status,
      ).toBe(400);
    });

    it('lists payout statements, exports CSV and lets only admins mark closed months paid', async () => {
      const list = await call(
        'get',
        `/v1/provider/payouts?team=${AI_TEAM}`,
        OWNER,
      );
      expect(list.status).toBe(200);
      expect(
        list.body.statements.map((s: any) => [
          s.month,
          s.status,
          s.totals.grossMicros,
          s.totals.netMicros,
        ]),
      ).toEqual([
        [thisMonth, 'open', 1000, 900],
        [lastMonth, 'closed', 5000, 4500],
      ]);
      expect(
        (await call('get', `/v1/provider/payouts?team=${RESEARCH_TEAM}`, OWNER))
          .status,
      ).toBe(403);
      expect((await call('get', `/v1/provider/payouts`, OWNER)).status).toBe(
        400,
      );

      const csv = await call(
        'get',
        `/v1/provider/payouts/${lastMonth}/csv?team=${AI_TEAM}`,
        OWNER,
      );
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
      expect(csv.headers['content-disposition']).toBe(
        `attachment; filename="payout-default-ai-platform-team-${lastMonth}.csv"`,
      );
      expect(csv.headers['access-control-expose-headers']).toBe(
        'Content-Disposition',
      );
      const lines = csv.text.trim().split('\r\n');
      expect(lines).toHaveLength(3);
      expect(lines[1]).toBe(
        `${lastMonth},closed,${AI_TEAM},modelservice:default/${AI_SERVICE},GPT-4o (Northwind Cloud AI),1,100,50,0,5000,0.005000,500,0.000500,4500,0.004500`,
      );

      const paidUrl = `/v1/admin/payouts/${lastMonth}/paid`;
      expect(
        (await call('post', paidUrl, OWNER, { team: AI_TEAM })).status,
      ).toBe(403);
      for (const [body, field] of [
        [{}, "'team'"],
        [{ team: AI_TEAM, reference: '' }, "'reference'"],
        [{ team: AI_TEAM, extra: 1 }, 'extra'],
      ] as const) {
        const bad = await call('post', paidUrl, ADMIN, body);
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain(field);
      }
      expect(
        (
          await call('post', '/v1/admin/payouts/2026-13/paid', ADMIN, {
            team: AI_TEAM,
          })
        ).status,
      ).toBe(400);
      expect(
        (
          await call('post', `/v1/admin/payouts/${thisMonth}/paid`, ADMIN, {
            team: AI_TEAM,
          })
        ).status,
      ).toBe(409);
      const [{ n }] = await knex('payout_statements').count({ n: '*' });
      expect(Number(n)).toBe(0);

      const paid = await call('post', paidUrl, ADMIN, {
        team: AI_TEAM,
        reference: 'TX-2026-0042',
      });
      expect(paid.status).toBe(200);
      expect(paid.body.statement).toMatchObject({
        status: 'paid',
        payout: { paidBy: ADMIN, reference: 'TX-2026-0042', netMicros: 4500 },
      });
      expect(
        (await call('post', paidUrl, ADMIN, { team: AI_TEAM })).status,
      ).toBe(409);
      // Audited once: who, what, when, before and after.
      const audit = await knex('audit_log').where({ action: 'payout.paid' });
      expect(audit).toHaveLength(1);
      expect(audit[0]).toMatchObject({
        actor_ref: ADMIN,
        target_type: 'payout',
        target: `${AI_TEAM}/${lastMonth}`,
      });
      expect(JSON.parse(audit[0].after_json)).toMatchObject({
        status: 'paid',
        netMicros: 4500,
        reference: 'TX-2026-0042',
      });
      const after = await call(
        'get',
        `/v1/provider/payouts/${lastMonth}?team=${AI_TEAM}`,
        OWNER,
      );
      expect(after.body.statement.status).toBe('paid');
      expect(after.body.statement.lines).toHaveLength(1);
    });

    it('gives consumers their own usage and statements, and their teams’ chargeback', async () => {
      const usage = await call('get', `/v1/me/usage?${TODAY}`, CONSUMER);
      expect(usage.status).toBe(200);
      expect(usage.body.totals).toMatchObject({
        requests: 3,
        costMicros: 8000,
      });
      expect(
        usage.body.services.map((s: any) => [
          s.serviceRef,
          s.totals.costMicros,
        ]),
      ).toEqual([
        [`modelservice:default/${RESEARCH_SERVICE}`, 7000],
        [`modelservice:default/${AI_SERVICE}`, 1000],
      ]);
      expect(
        (await call('get', `/v1/me/usage?service=${AI_SERVICE}`, CONSUMER)).body
          .totals.requests,
      ).toBe(2);
      const hourly = await call(
        'get',
        '/v1/me/usage?granularity=hour',
        CONSUMER,
      );
      expect(hourly.status).toBe(400);
      expect(hourly.body.error.message).toContain("'granularity'");
      expect(
        (await call('get', '/v1/me/usage', OWNER)).body.totals.requests,
      ).toBe(0);

      const mine = await call('get', '/v1/statements', CONSUMER);
      expect(mine.body.statements[0]).toMatchObject({
        kind: 'user',
        ownerRef: CONSUMER,
        month: thisMonth,
        status: 'open',
        totals: { grossMicros: 8000 },
      });
      const team = await call(
        'get',
        `/v1/statements/${thisMonth}?team=checkout-team`,
        CONSUMER,
      );
      expect(team.status).toBe(200);
      expect(team.body.statement.lines).toEqual([
        expect.objectContaining({
          userRef: CONSUMER,
          teamRef: CHECKOUT,
          grossMicros: 1000,
          requests: 2,
        }),
      ]);
      expect(
        (await call('get', `/v1/statements?team=${AI_TEAM}`, CONSUMER)).status,
      ).toBe(403);
      expect(
        (await call('get', `/v1/statements?team=${CHECKOUT}`, ADMIN)).status,
      ).toBe(200);
      const csv = await call(
        'get',
        `/v1/statements/${thisMonth}/csv?team=${CHECKOUT}`,
        CONSUMER,
      );
      expect(csv.headers['content-disposition']).toContain(
        `statement-default-checkout-team-${thisMonth}.csv`,
      );
      expect(csv.text.split('\r\n')[0]).toContain('user,billed_to');
      expect(
        (await call('get', '/v1/statements/2999-01', CONSUMER)).status,
      ).toBe(400);
      expect((await call('get', '/v1/statements', ANONYMOUS)).status).toBe(401);
      // A name no group can have: 400, not a database error.
      const nul = await call('get', '/v1/statements?team=x%00y', CONSUMER);
      expect(nul.status).toBe(400);
      expect(nul.body.error.message).toContain("'team'");
    });

    it('exports usage of any period as JSON and CSV, with the sums of the statements, to whom may see it', async () => {
      // This month so far, by default: the same numbers as this month's statement.
      const mine = await call('get', '/v1/exports/usage', CONSUMER);
      expect(mine.status).toBe(200);
      const statement = await call(
        'get',
        `/v1/statements/${thisMonth}`,
        CONSUMER,
      );
      expect(mine.body).toMatchObject({
        scope: 'user',
        ownerRef: CONSUMER,
        from: `${thisMonth}-01`,
        to: new Date(today).toISOString().slice(0, 10),
      });
      const { okRequests, errorRequests, ...sums } = mine.body.totals;
      expect(sums).toEqual(statement.body.statement.totals);
      expect([okRequests, errorRequests]).toEqual([2, 1]);
      expect(mine.body.rows).toEqual([
        expect.objectContaining({
          day: new Date(today).toISOString().slice(0, 10),
          serviceRef: `modelservice:default/${AI_SERVICE}`,
          userRef: CONSUMER,
          billedTo: CHECKOUT,
          requests: 2,
          errorRequests: 1,
          grossMicros: 1000,
          platformFeeMicros: 100,
          netMicros: 900,
        }),
        expect.objectContaining({
          serviceRef: `modelservice:default/${RESEARCH_SERVICE}`,
          billedTo: 'personal',
          grossMicros: 7000,
        }),
      ]);

      // A provider team over two months: equal to its two payout statements.
      const from = `${lastMonth}-01`;
      const to = new Date(today).toISOString().slice(0, 10);
      const provider = await call(
        'get',
        `/v1/exports/usage?scope=provider&team=${AI_TEAM}&from=${from}&to=${to}`,
        OWNER,
      );
      expect(provider.status).toBe(200);
      let payoutGross = 0;
      for (const month of [lastMonth, thisMonth]) {
        const payout = await call(
          'get',
          `/v1/provider/payouts/${month}?team=${AI_TEAM}`,
          OWNER,
        );
        payoutGross += payout.body.statement.totals.grossMicros;
      }
      expect(provider.body.totals.grossMicros).toBe(payoutGross);
      expect(provider.body.totals.grossMicros).toBe(6000);
      expect(provider.body.rows.every((r: any) => r.userRef === null)).toBe(
        true,
      );
      const service = await call(
        'get',
        `/v1/exports/usage?scope=service&service=${AI_SERVICE}&from=${from}&to=${to}`,
        OWNER,
      );
      expect(service.body.totals).toEqual(provider.body.totals);

      // CSV: the same rows, a TOTAL line, exact USD.
      const csv = await call(
        'get',
        `/v1/exports/usage?scope=team&team=checkout-team&format=csv`,
        CONSUMER,
      );
      expect(csv.status).toBe(200);
      expect(csv.headers['content-type']).toContain('text/csv');
      expect(csv.headers['content-disposition']).toContain(
        'usage-default-checkout-team-',
      );
      const lines = csv.text.trim().split('\r\n');
      expect(lines[0]).toBe(
        'day,service,service_title,user,billed_to,requests,ok_requests,error_requests,prompt_tokens,completion_tokens,trial_tokens,gross_micros,gross_usd,platform_fee_micros,platform_fee_usd,net_micros,net_usd',
      );
      expect(lines).toHaveLength(3);
      expect(lines[2]).toContain(',TOTAL,');
      expect(lines[2]).toContain(',1000,0.001000,100,0.000100,900,0.000900');

      // Nobody else's numbers.
      const denied = [
        ['scope=user&user=user:default/kenji', CONSUMER],
        [`scope=team&team=${AI_TEAM}`, CONSUMER],
        [`scope=provider&team=${RESEARCH_TEAM}`, OWNER],
        [`scope=service&service=${RESEARCH_SERVICE}`, OWNER],
        [`scope=provider&team=${AI_TEAM}`, CONSUMER],
      ];
      for (const [query, user] of denied) {
        const res = await call('get', `/v1/exports/usage?${query}`, user);
        expect([query, res.status]).toEqual([query, 403]);
      }
      // Billing admins may export anyone's.
      const kenji = await call(
        'get',
        `/v1/exports/usage?scope=user&user=kenji&from=${from}&to=${to}`,
        ADMIN,
      );
      expect(kenji.status).toBe(200);
      expect(kenji.body.totals.grossMicros).toBe(5000);

      // Bad input: a 400 naming the field.
      const bad: Array<[string, string]> = [
        ['scope=everyone', "'scope'"],
        ['scope=team', "'team'"],
        ['scope=provider', "'team'"],
        ['scope=service', "'service'"],
        [`scope=user&team=${CHECKOUT}`, "'team'"],
        ['from=2026-02-30', "'from'"],
        [`from=${to}&to=${from}`, "'from'"],
        ['from=2020-01-01&to=2026-12-01', "'to'"],
        ['format=xml', "'format'"],
        ['user=%00', "'user'"],
        ['scope=team&team=a%00b', "'team'"],
        ['extra=1', 'extra'],
      ];
      for (const [query, field] of bad) {
        const res = await call('get', `/v1/exports/usage?${query}`, ADMIN);
        expect([query, res.status]).toEqual([query, 400]);
        expect(res.body.error.message).toContain(field);
      }
      expect(
        (
          await call(
            'get',
            '/v1/exports/usage?scope=service&service=no-such-service',
            ADMIN,
          )
        ).status,
      ).toBe(404);
      expect((await call('get', '/v1/exports/usage', ANONYMOUS)).status).toBe(
        401,
      );
    });
  },
);
