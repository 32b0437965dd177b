import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import express from 'express';
import http from 'http';
import { AddressInfo } from 'net';
import request from 'supertest';
import { Knex } from 'knex';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';
import { connectDatabase } from '../stores/migrate';
import {
  SubscriptionStore,
  DatabaseSubscriptionStore,
} from '../stores/SubscriptionStore';
import { UsageLedger, DatabaseUsageLedger } from '../stores/ledger/UsageLedger';
import { createGatewayRouter } from './router';
import { EgressPolicy } from '../egress/EgressPolicy';
import { SecretResolver } from './secrets';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { DirectoryService } from '../catalog/directoryService';
import { TeamMembership } from './TeamMembership';
import { countTextTokens } from '@internal/plugin-marketplace-gateway-node';

jest.setTimeout(30_000);

/** A scripted upstream: each test decides how it answers. */
let upstreamHandler: express.RequestHandler = (_req, res) => {
  res.json({});
};
let lastUpstreamBody: any;
let lastUpstreamHeaders: http.IncomingHttpHeaders;
const upstreamApp = express();
upstreamApp.use(express.json());
upstreamApp.post('/v1/chat/completions', (req, res, next) => {
  lastUpstreamBody = req.body;
  lastUpstreamHeaders = req.headers;
  upstreamHandler(req, res, next);
});
/** Requests that reached a path other than the upstream's chat completions. */
let internalHits = 0;
upstreamApp.use('/internal', (_req, res) => {
  internalHits++;
  res.json({ secret: 'internal-only' });
});
let upstreamServer: http.Server;
let upstreamBase: string;

beforeAll(async () => {
  upstreamServer = http.createServer(upstreamApp);
  await new Promise<void>(r =>
    upstreamServer.listen(0, '127.0.0.1', () => r()),
  );
  upstreamBase = `http://127.0.0.1:${
    (upstreamServer.address() as AddressInfo).port
  }/v1`;
});
afterAll(async () => {
  await new Promise(r => upstreamServer.close(r));
});

function entity(
  name: string,
  overrides: Record<string, any> = {},
): ModelServiceEntityV1alpha1 {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name, namespace: 'default' },
    spec: {
      owner: 'group:default/team',
      providedBy: 'provider:default/p',
      lifecycle: 'active',
      family: 'other',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: 1000,
        completionPer1kMicros: 2000,
      },
      contextWindow: 1000,
      maxOutputTokens: 200,
      features: {},
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl: upstreamBase,
        upstreamModel: 'up-model',
        auth: { type: 'header', header: 'x-api-key', secretRef: 'UP_KEY' },
      },
      geographic: { country: 'DE', region: 'europe', dataCenters: ['fra'] },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 1, p95: 2, p99: 3 },
        uptimePercent: 99,
        throughput: { requestsPerSecond: 1, tokensPerSecond: 1 },
        rateLimits: { requestsPerMinute: 1000, tokensPerMinute: 1_000_000 },
      },
      ...overrides,
    },
  } as ModelServiceEntityV1alpha1;
}

const completion = (content: string, usage?: object) => ({
  id: 'chatcmpl-1',
  object: 'chat.completion',
  created: 1,
  model: 'up-model',
  choices: [
    {
      index: 0,
      message: { role: 'assistant', content },
      finish_reason: 'stop',
    },
  ],
  ...(usage ? { usage } : {}),
});

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('gateway router on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let app: express.Express;
  let knex: Knex;
  let subs: SubscriptionStore;
  let ledger: UsageLedger;
  const services = new Map<string, DirectoryService>();
  /** The catalog's users: their groups (memberOf relations). */
  const members = new Map<string, string[]>();
  const notifications = { send: jest.fn() };

  function add(
    name: string,
    overrides: Record<string, any> = {},
    state: Partial<DirectoryService> = {},
  ) {
    const e = entity(name, overrides);
    services.set(name, {
      name,
      ref: `modelservice:default/${name}`,
      providerRef: 'provider:default/p',
      entity: e,
      status: 'approved',
      ...state,
    });
  }

  beforeEach(async () => {
    knex = await connectDatabase(
      mockServices.database({ knex: await databases.init(databaseId) }),
    );
    subs = new DatabaseSubscriptionStore(knex);
    ledger = new DatabaseUsageLedger(knex, {
      instanceId: 't',
      platformFeeBasisPoints: 0,
      batchDelayMs: 1,
    });
    services.clear();
    add('svc');
    add('old', { lifecycle: 'deprecated' });
    const directory = {
      get: async (n: string) => services.get(n),
      getByRef: (r: string) => [...services.values()].find(s => s.ref === r),
    } as unknown as ServiceDirectory;
    app = express();
    app.use(
      createGatewayRouter({
        logger: mockServices.logger.mock(),
        subscriptions: subs,
        ledger,
        directory,
        secrets: new SecretResolver(
          new ConfigReader({
            marketplace: { secrets: { UP_KEY: 'up-secret' } },
          }),
          {},
        ),
        upstreamTimeoutMs: 500,
        maxRequestMs: 2000,
        portalBaseUrl: 'http://portal.test/',
        // The scripted upstream runs on this machine: allowed explicitly.
        egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
        streamLimits: { maxEventBytes: 4096, maxStreamBytes: 64 * 1024 },
        teamMembership: new TeamMembership({
          catalog: {
            getEntityByRef: async (ref: any) => {
              if (ref === 'group:default/checkout-team') {
                return {
                  apiVersion: 'backstage.io/v1alpha1',
                  kind: 'Group',
                  metadata: { name: 'checkout-team' },
                  spec: { profile: { displayName: 'Checkout Team' } },
                } as any;
              }
              return members.has(ref)
                ? ({
                    apiVersion: 'backstage.io/v1alpha1',
                    kind: 'User',
                    metadata: { name: 'x' },
                    relations: members.get(ref)!.map(targetRef => ({
                      type: 'memberOf',
                      targetRef,
                    })),
                  } as any)
                : undefined;
            },
          },
          auth: mockServices.auth(),
          logger: mockServices.logger.mock(),
          notifications,
          subscriptions: subs,
          ttlMs: 0,
        }),
      }),
    );
  });

  afterEach(async () => {
    await ledger.flush();
    await expectLedgerInvariants(knex);
  });

  async function keyFor(name: string) {
    const { apiKey } = await subs.create({
      serviceRef: `modelservice:default/${name}`,
      userRef: 'user:default/u',
      teamRef: null,
      spendCapMicros: null,
      trialTokens: 0,
    });
    return apiKey.secret;
  }

  const post = (key: string, body: object | string) =>
    request(app)
      .post('/v1/chat/completions')
      .set('Authorization', `Bearer ${key}`)
      .set('Content-Type', 'application/json')
      .send(body as any);

  async function row(res: request.Response) {
    await ledger.flush();
    return ledger.getUsage(res.headers['x-request-id']);
  }

  it('forwards with the provider credential, the upstream model and the other fields untouched', async () => {
    upstreamHandler = (_req, res) => {
      res.json(
        completion('hi', {
          prompt_tokens: 7,
          completion_tokens: 3,
          total_tokens: 10,
        }),
      );
    };
    const key = await keyFor('svc');
    const res = await post(key, {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
      response_format: { type: 'json_object' },
      temperature: 0.3,
      tools: [{ type: 'function', function: { name: 'f', parameters: {} } }],
    });
    expect(res.status).toBe(200);
    expect(lastUpstreamHeaders['x-api-key']).toBe('up-secret');
    expect(lastUpstreamHeaders.authorization).toBeUndefined();
    expect(lastUpstreamHeaders['x-request-id']).toBe(
      res.headers['x-request-id'],
    );
    expect(lastUpstreamBody).toMatchObject({
      model: 'up-model',
      response_format: { type: 'json_object' },
      temperature: 0.3,
      tools: [{ type: 'function' }],
    });
    expect(lastUpstreamBody.max_tokens).toBeUndefined();
    expect(await row(res)).toMatchObject({
      status: 'ok',
      promptTokens: 7,
      completionTokens: 3,
      costMicros: Math.ceil((7 * 1000 + 3 * 2000) / 1000),
      tokenSource: 'upstream',
    });
  });

  it('counts tokens with the tokenizer when the upstream reports no usage', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('one two three four'));
    };
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(res.status).toBe(200);
    const usage = (await row(res))!;
    expect(usage.tokenSource).toBe('tokenizer');
    expect(usage.completionTokens).toBe(4);
    expect(usage.promptTokens).toBeGreaterThan(0);
  });

  it('passes an upstream 4xx through, free', async () => {
    upstreamHandler = (_req, res) => {
      res.status(400).json({
        error: {
          message: 'bad temperature',
          type: 'invalid_request_error',
          param: 'temperature',
          code: null,
        },
      });
    };
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.status).toBe(400);
    expect(res.body.error.param).toBe('temperature');
    expect(await row(res)).toMatchObject({
      status: 'upstream_rejected',
      costMicros: 0,
      httpStatus: 400,
    });
  });

  it('answers 502 for an upstream that sends invalid JSON, free', async () => {
    upstreamHandler = (_req, res) => {
      res.type('application/json').send('{not json');
    };
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(res.status).toBe(502);
    expect(res.body.error.code).toBe('upstream_error');
    expect(await row(res)).toMatchObject({
      status: 'upstream_error',
      costMicros: 0,
    });
  });

  it('ends a broken stream with an error event and charges nothing', async () => {
    upstreamHandler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `data: ${JSON.stringify({
          choices: [{ index: 0, delta: { content: 'partial' } }],
        })}\n\n`,
      );
      setTimeout(() => res.destroy(), 20);
    };
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    expect(res.status).toBe(200);
    expect(res.text).toContain('partial');
    expect(res.text).toMatch(/"code":"upstream_(broken|timeout)"/);
    const usage = (await row(res))!;
    expect(usage.costMicros).toBe(0);
    expect(['upstream_error', 'timeout']).toContain(usage.status);
    expect(lastUpstreamBody.stream_options).toEqual({ include_usage: true });
  });

  it('a stream in flight across the reservation sweep is billed once, in full', async () => {
    let release!: () => void;
    const released = new Promise<void>(r => {
      release = r;
    });
    let started!: () => void;
    const streaming = new Promise<void>(r => {
      started = r;
    });
    upstreamHandler = async (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.write(
        `data: ${JSON.stringify({
          choices: [{ index: 0, delta: { content: 'Hello' } }],
        })}\n\n`,
      );
      started();
      await released;
      res.write(
        `data: ${JSON.stringify({
          choices: [],
          usage: {
            prompt_tokens: 8,
            completion_tokens: 120,
            total_tokens: 128,
          },
        })}\n\n`,
      );
      res.end('data: [DONE]\n\n');
    };
    const done = post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    }).then(r => r);
    await streaming;
    expect(await ledger.countReservations()).toBe(1);
    // The periodic sweep runs while the stream is going.
    await expect(ledger.reconcile({ maxAgeMs: 600_000 })).resolves.toBe(0);
    release();
    const res = await done;
    expect(res.status).toBe(200);
    expect(await row(res)).toMatchObject({
      status: 'ok',
      promptTokens: 8,
      completionTokens: 120,
      costMicros: Math.ceil((8 * 1000 + 120 * 2000) / 1000),
      usageClamped: false,
    });
    expect(await ledger.countReservations()).toBe(0);
  });

  it('ends a request that outlives the longest request duration, free', async () => {
    upstreamHandler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      // Never silent long enough for the idle timeout, never done.
      const timer = setInterval(
        () =>
          res.write(
            `data: ${JSON.stringify({
              choices: [{ index: 0, delta: { content: 'more ' } }],
            })}\n\n`,
          ),
        100,
      );
      res.on('close', () => clearInterval(timer));
    };
    const started = Date.now();
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
      stream: true,
    });
    expect(Date.now() - started).toBeLessThan(5000);
    expect(res.text).toContain('"code":"upstream_timeout"');
    expect(await row(res)).toMatchObject({ status: 'timeout', costMicros: 0 });
  });

  it('bills at most what the request could produce, whatever usage the upstream reports', async () => {
    const key = await keyFor('svc');
    const send = async (usage: object) => {
      upstreamHandler = (_req, res) => {
        res.json(completion('hi', usage));
      };
      const res = await post(key, {
        model: 'svc',
        messages: [{ role: 'user', content: 'hello' }],
      });
      expect(res.status).toBe(200);
      return (await row(res))!;
    };
    // maxOutputTokens is 200: no request may bill more completion tokens.
    const huge = await send({
      prompt_tokens: 7,
      completion_tokens: 50_000_000,
    });
    expect(huge).toMatchObject({
      promptTokens: 7,
      completionTokens: 200,
      usageClamped: true,
    });
    expect(huge.costMicros).toBeLessThanOrEqual(
      Math.ceil((huge.promptTokens * 1000 + 200 * 2000) / 1000),
    );
    const beyondBigint = await send({
      prompt_tokens: 1e30,
      completion_tokens: 1e30,
    });
    expect(beyondBigint.usageClamped).toBe(true);
    expect(beyondBigint.completionTokens).toBe(200);
    expect(beyondBigint.promptTokens).toBeLessThan(200);
    const negative = await send({ prompt_tokens: -7, completion_tokens: -3 });
    expect(negative).toMatchObject({
      promptTokens: 0,
      completionTokens: 0,
      costMicros: 0,
      usageClamped: true,
    });
    const honest = await send({ prompt_tokens: 9, completion_tokens: 20 });
    expect(honest).toMatchObject({
      costMicros: Math.ceil((9 * 1000 + 20 * 2000) / 1000),
      usageClamped: false,
    });
  });

  it('counts response formats, tool definitions and non-text parts in the prompt it reserves for', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('{}'));
    };
    const schema = {
      type: 'json_schema',
      json_schema: {
        name: 'invoice',
        schema: {
          type: 'object',
          properties: Object.fromEntries(
            Array.from({ length: 20 }, (_, i) => [
              `field_${i}`,
              { type: 'string', description: `Line item ${i}` },
            ]),
          ),
        },
      },
    };
    const functions = [{ name: 'lookup', parameters: { type: 'object' } }];
    const res = await post(await keyFor('svc'), {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
      response_format: schema,
      functions,
    });
    expect(res.status).toBe(200);
    const usage = (await row(res))!;
    expect(usage.tokenSource).toBe('tokenizer');
    expect(usage.promptTokens).toBeGreaterThanOrEqual(
      countTextTokens(JSON.stringify(schema)) +
        countTextTokens(JSON.stringify(functions)),
    );
  });

  it('bills a team only while the user is a member: a member who left is refused and told', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('hi', { prompt_tokens: 5, completion_tokens: 2 }));
    };
    const user = 'user:default/leaver';
    const team = 'group:default/checkout-team';
    members.set(user, [team]);
    notifications.send.mockClear();
    const { apiKey } = await subs.create({
      serviceRef: 'modelservice:default/svc',
      userRef: user,
      teamRef: team,
      spendCapMicros: null,
      trialTokens: 0,
    });
    const ask = () =>
      post(apiKey.secret, {
        model: 'svc',
        messages: [{ role: 'user', content: 'hello' }],
      });
    const billed = await ask();
    expect(billed.status).toBe(200);
    expect(await row(billed)).toMatchObject({ teamRef: team, costMicros: 9 });

    // The user leaves the team.
    members.set(user, ['group:default/other-team']);
    const refused = await ask();
    expect(refused.status).toBe(403);
    expect(refused.body.error).toMatchObject({
      code: 'team_membership_ended',
      message: expect.stringContaining('no longer a member of'),
    });
    await ledger.flush();
    const rows = await knex('usage_ledger').where({ team_ref: team });
    expect(rows).toHaveLength(1);
    expect(await ledger.countReservations()).toBe(0);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: user },
      payload: expect.objectContaining({
        // The team by its display name, not its ref.
        title: 'Your svc subscription no longer bills Checkout Team',
        description: expect.stringMatching(
          /^You are no longer a member of Checkout Team,/,
        ),
        topic: 'marketplace-team-billing-ended',
      }),
    });
    // Told once; a user removed from the catalog altogether is refused too.
    expect((await ask()).status).toBe(403);
    members.delete(user);
    expect((await ask()).status).toBe(403);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    // Recorded, so no other instance tells them again.
    expect(
      (await knex('subscriptions').where({ user_ref: user }).first())
        .team_billing_ended_at,
    ).not.toBeNull();
    // Back in the team: billed to it again.
    members.set(user, [team]);
    expect((await ask()).status).toBe(200);
  });

  it('ends team billing when the membership ends, without a request: told once across instances, again after rejoining and leaving', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('hi', { prompt_tokens: 5, completion_tokens: 2 }));
    };
    const user = 'user:default/quiet-leaver';
    const team = 'group:default/checkout-team';
    members.set(user, [team]);
    notifications.send.mockClear();
    const { apiKey, subscription } = await subs.create({
      serviceRef: 'modelservice:default/svc',
      userRef: user,
      teamRef: team,
      spendCapMicros: null,
      trialTokens: 0,
    });
    // A subscription billed to the user alone is never touched.
    await subs.create({
      serviceRef: 'modelservice:default/old',
      userRef: user,
      teamRef: null,
      spendCapMicros: null,
      trialTokens: 0,
    });
    const catalog = {
      getEntityByRef: async (ref: any) =>
        members.has(ref)
          ? ({
              apiVersion: 'backstage.io/v1alpha1',
              kind: 'User',
              metadata: { name: 'x' },
              relations: members.get(ref)!.map(targetRef => ({
                type: 'memberOf',
                targetRef,
              })),
            } as any)
          : undefined,
    };
    // Two portal instances running the periodic check.
    const instance = () =>
      new TeamMembership({
        catalog,
        auth: mockServices.auth(),
        logger: mockServices.logger.mock(),
        notifications,
        subscriptions: new DatabaseSubscriptionStore(knex),
        ttlMs: 0,
      });
    const [a, b] = [instance(), instance()];
    const endedAt = async () =>
      (await knex('subscriptions').where({ id: subscription.id }).first())
        .team_billing_ended_at;

    // Still a member: nothing happens.
    expect(await a.sweep()).toBe(0);
    expect(await endedAt()).toBeNull();
    expect(notifications.send).not.toHaveBeenCalled();

    // The user leaves; both instances check at the same time: told once.
    members.set(user, ['group:default/other-team']);
    const swept = await Promise.all([a.sweep(), b.sweep()]);
    expect(swept.sort()).toEqual([0, 1]);
    expect(await endedAt()).not.toBeNull();
    expect(notifications.send).toHaveBeenCalledTimes(1);
    expect(notifications.send).toHaveBeenCalledWith({
      recipients: { type: 'entity', entityRef: user },
      payload: expect.objectContaining({
        // the team by its name (the test catalog has no Group entity for it)
        title: 'Your svc subscription no longer bills checkout-team',
        topic: 'marketplace-team-billing-ended',
      }),
    });
    // The team is never billed again: the gateway refuses, without telling twice.
    const refused = await post(apiKey.secret, {
      model: 'svc',
      messages: [{ role: 'user', content: 'hello' }],
    });
    expect(refused.status).toBe(403);
    expect(refused.body.error.code).toBe('team_membership_ended');
    expect(await a.sweep()).toBe(0);
    expect(notifications.send).toHaveBeenCalledTimes(1);
    await ledger.flush();
    expect(await knex('usage_ledger').where({ team_ref: team })).toEqual([]);

    // Back in the team: team billing holds again; leaving again tells again.
    members.set(user, [team]);
    expect(await b.sweep()).toBe(0);
    expect(await endedAt()).toBeNull();
    members.delete(user); // removed from the catalog altogether
    expect(await b.sweep()).toBe(1);
    expect(notifications.send).toHaveBeenCalledTimes(2);
    expect(await endedAt()).not.toBeNull();
  });

  it('refuses deprecated services, too-long prompts, n>1, unknown fields of the wrong type, and large bodies', async () => {
    const oldKey = await keyFor('old');
    const dep = await post(oldKey, {
      model: 'old',
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(dep.status).toBe(403);
    expect(dep.body.error.code).toBe('service_deprecated');

    const key = await keyFor('svc');
    const long = await post(key, {
      model: 'svc',
      messages: [{ role: 'user', content: 'word '.repeat(2000) }],
    });
    expect(long.status).toBe(400);
    expect(long.body.error).toMatchObject({
      code: 'context_length_exceeded',
      param: 'messages',
    });

    const n = await post(key, {
      model: 'svc',
      messages: [{ role: 'user', content: 'x' }],
      n: 2,
    });
    expect(n.status).toBe(400);
    expect(n.body.error.param).toBe('n');

    const badRole = await post(key, {
      model: 'svc',
      messages: [{ role: 'wizard', content: 'x' }],
    });
    expect(badRole.status).toBe(400);
    expect(badRole.body.error.param).toBe('messages[0].role');

    const missing = await post(key, {
      messages: [{ role: 'user', content: 'x' }],
    });
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({
      param: 'model',
      code: 'missing_required_parameter',
    });

    const huge = await post(
      key,
      JSON.stringify({
        model: 'svc',
        messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }],
      }),
    );
    expect(huge.status).toBe(413);

    const notObject = await post(key, '[1,2]');
    expect(notObject.status).toBe(400);
    await ledger.flush();
    expect(await ledger.listUsage({ limit: 10 })).toHaveLength(0);
  });

  it('enforces the completion budget of a trial-only subscription upstream', async () => {
    upstreamHandler = (req, res) => {
      res.json(
        completion('ok', {
          prompt_tokens: 5,
          completion_tokens: req.body.max_tokens ?? 99,
          total_tokens: 0,
        }),
      );
    };
    const { apiKey } = await subs.create({
      serviceRef: 'modelservice:default/svc',
      userRef: 'user:default/t',
      teamRef: null,
      spendCapMicros: 0,
      trialTokens: 40,
    });
    const res = await post(apiKey.secret, {
      model: 'svc',
      messages: [{ role: 'user', content: 'hi' }],
    });
    expect(res.status).toBe(200);
    expect(lastUpstreamBody.max_tokens).toBeGreaterThan(0);
    expect(lastUpstreamBody.max_tokens).toBeLessThan(40);
    const res2 = await post(apiKey.secret, {
      model: 'svc',
      messages: [{ role: 'user', content: 'hi' }],
      max_completion_tokens: 100,
    });
    // The upstream used the whole budget it was given: the trial is used up.
    expect(res2.status).toBe(429);
    expect(res2.body.error).toMatchObject({
      code: 'trial_exhausted',
      type: 'insufficient_quota',
    });
  });

  it('treats services under review or rejected like unknown models', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('hi', { prompt_tokens: 1, completion_tokens: 1 }));
    };
    for (const status of ['pending', 'rejected'] as const) {
      add(`svc-${status}`, {}, { status });
      const key = await keyFor(`svc-${status}`);
      const res = await post(key, {
        model: `svc-${status}`,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.status).toBe(404);
      expect(res.body.error).toEqual({
        message: `The model 'svc-${status}' does not exist in the marketplace.`,
        type: 'not_found_error',
        param: 'model',
        code: 'model_not_found',
      });
      expect(await row(res)).toBeUndefined();
      const models = await request(app)
        .get('/v1/models')
        .set('Authorization', `Bearer ${key}`);
      expect(models.body.data).toEqual([]);
    }
  });

  it('serves an unpublished service until its sunset, then answers 410', async () => {
    upstreamHandler = (_req, res) => {
      res.json(completion('hi', { prompt_tokens: 3, completion_tokens: 2 }));
    };
    const unpublication = {
      serviceRef: 'modelservice:default/retiring',
      unpublishedAt: Date.now() - 1000,
      sunsetAt: Date.now() + 60_000,
      unpublishedBy: 'user:default/owner',
      successorRef: null as string | null,
    };
    add('retiring', {}, { unpublication });
    const key = await keyFor('retiring');
    const body = {
      model: 'retiring',
      messages: [{ role: 'user', content: 'x' }],
    };
    const before = await post(key, body);
    expect(before.status).toBe(200);
    expect((await row(before))?.status).toBe('ok');
    // Retiring: RFC 9745 Deprecation (since when) and RFC 8594 Sunset (until when).
    expect(before.headers.deprecation).toBe(
      `@${Math.floor(unpublication.unpublishedAt / 1000)}`,
    );
    expect(before.headers.sunset).toBe(
      new Date(unpublication.sunsetAt).toUTCString(),
    );
    expect(before.headers.link).toBeUndefined();
    // A service that is not retiring has none of them.
    add('steady');
    const steady = await post(await keyFor('steady'), {
      ...body,
      model: 'steady',
    });
    expect(steady.status).toBe(200);
    expect(steady.headers.deprecation).toBeUndefined();
    expect(steady.headers.sunset).toBeUndefined();
    // With a successor named, its page as rel="successor-version".
    unpublication.successorRef = 'modelservice:default/next-model';
    const named = await post(key, body);
    expect(named.headers.link).toBe(
      '<http://portal.test/catalog/default/modelservice/next-model>; rel="successor-version"',
    );

    unpublication.sunsetAt = Date.now() - 1;
    const after = await post(key, body);
    expect(after.status).toBe(410);
    expect(after.body.error).toMatchObject({
      type: 'invalid_request_error',
      param: 'model',
      code: 'model_sunset',
    });
    expect(after.body.error.message).toContain('retiring');
    expect(after.body.error.message).toContain("Its successor is 'next-model'");
    expect(after.headers.link).toContain('rel="successor-version"');
    expect(after.headers.sunset).toBe(
      new Date(unpublication.sunsetAt).toUTCString(),
    );
    // Nothing was forwarded or metered.
    expect(await row(after)).toBeUndefined();
    const models = await request(app)
      .get('/v1/models')
      .set('Authorization', `Bearer ${key}`);
    expect(models.body.data).toEqual([]);
  });

  it('answers unknown routes in OpenAI shape', async () => {
    const res = await request(app).get('/v1/embeddings');
    expect(res.status).toBe(404);
    expect(res.body.error.code).toBe('unknown_route');
  });
  describe('egress (issue 16: server-side request forgery)', () => {
    it('refuses upstreams on loopback, private or link-local addresses that are not allowed, by name or number', async () => {
      upstreamHandler = (_req, res) => {
        res.json(completion('internal answer'));
      };
      const { port } = new URL(upstreamBase);
      const targets = [
        // The allow list names 127.0.0.1 only: other names of it and other
        // loopback addresses (in numeric forms) are refused.
        `http://localhost:${port}/v1`,
        `http://2130706434:${port}/v1`,
        `http://0x7f.0.0.2:${port}/v1`,
        `http://[::ffff:127.0.0.1]:${port}/v1`,
        'http://169.254.169.254/latest/meta-data',
        'http://10.0.0.1/v1',
      ];
      for (const [i, baseUrl] of targets.entries()) {
        const name = `ssrf-${i}`;
        add(name, {
          endpoint: {
            baseUrl,
            upstreamModel: 'up-model',
            auth: { type: 'none' },
          },
        });
        const res = await post(await keyFor(name), {
          model: name,
          messages: [{ role: 'user', content: 'x' }],
        });
        expect({ baseUrl, status: res.status, body: res.body }).toMatchObject({
          baseUrl,
          status: 502,
          body: { error: { code: 'upstream_not_allowed', type: 'api_error' } },
        });
        expect(JSON.stringify(res.body)).not.toContain('internal answer');
        expect(await row(res)).toMatchObject({
          status: 'upstream_error',
          errorCode: 'upstream_not_allowed',
          costMicros: 0,
        });
      }
    });

    it('never lets a fragment, a query or credentials in the base URL change the path it calls', async () => {
      const origin = new URL(upstreamBase).origin;
      internalHits = 0;
      for (const [i, baseUrl] of [
        `${origin}/internal#`,
        `${origin}/internal?`,
        `http://user:pw@${new URL(upstreamBase).host}/internal#`,
      ].entries()) {
        const name = `shape-${i}`;
        add(name, {
          endpoint: {
            baseUrl,
            upstreamModel: 'up-model',
            auth: { type: 'none' },
          },
        });
        const res = await post(await keyFor(name), {
          model: name,
          messages: [{ role: 'user', content: 'x' }],
        });
        expect(res.status).toBe(502);
        expect(res.body.error.code).toBe('upstream_not_allowed');
      }
      expect(internalHits).toBe(0);
    });

    it('relays only JSON and event streams: redirects and other bodies become its own errors', async () => {
      const key = await keyFor('svc');
      const body = { model: 'svc', messages: [{ role: 'user', content: 'x' }] };

      upstreamHandler = (_req, res) => {
        res.redirect(307, `${new URL(upstreamBase).origin}/internal`);
      };
      internalHits = 0;
      const redirected = await post(key, body);
      expect(redirected.status).toBe(502);
      expect(redirected.body.error).toMatchObject({
        code: 'upstream_redirect',
        type: 'api_error',
      });
      expect(internalHits).toBe(0);
      expect(await row(redirected)).toMatchObject({ costMicros: 0 });

      upstreamHandler = (_req, res) => {
        res.status(200).type('text/html').send('<h1>admin console secret</h1>');
      };
      const html = await post(key, body);
      expect(html.status).toBe(502);
      expect(html.body.error.code).toBe('upstream_invalid_response');
      expect(html.text).not.toContain('admin console secret');

      upstreamHandler = (_req, res) => {
        res.status(403).type('text/plain').send('internal token: abc');
      };
      const text403 = await post(key, body);
      expect(text403.status).toBe(403);
      expect(text403.headers['content-type']).toMatch(/application\/json/);
      expect(text403.body.error.code).toBe('upstream_invalid_response');
      expect(text403.text).not.toContain('internal token');
      expect(await row(text403)).toMatchObject({
        status: 'upstream_rejected',
        costMicros: 0,
      });

      upstreamHandler = (_req, res) => {
        res.status(200).type('application/octet-stream').send('raw secret');
      };
      const streamed = await post(key, { ...body, stream: true });
      expect(streamed.status).toBe(502);
      expect(streamed.text).not.toContain('raw secret');
      expect(streamed.body.error.code).toBe('upstream_invalid_response');
    });
  });
  describe('resource limits (issue 16)', () => {
    it('ends a stream whose event outgrows the cap with an error event, free', async () => {
      upstreamHandler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.write(
          `data: ${JSON.stringify({
            choices: [{ index: 0, delta: { content: 'hi' } }],
          })}\n\n`,
        );
        // One event that never ends: without a cap the gateway buffers it all.
        const piece = `data: ${'x'.repeat(1024)}`;
        let written = 0;
        const more = () => {
          while (written < 200 && res.write(piece)) {
            written++;
          }
          if (written < 200) {
            res.once('drain', more);
          } else {
            res.end('\n\n');
          }
        };
        more();
      };
      const res = await post(await keyFor('svc'), {
        model: 'svc',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.status).toBe(200);
      expect(res.text).toContain('"content":"hi"');
      expect(res.text).toContain('"code":"upstream_stream_too_large"');
      expect(res.text.length).toBeLessThan(8 * 1024);
      expect(await row(res)).toMatchObject({
        status: 'upstream_error',
        costMicros: 0,
      });
    });

    it('ends a stream that outgrows the total cap with an error event, free', async () => {
      const chunk = `data: ${JSON.stringify({
        choices: [{ index: 0, delta: { content: 'y'.repeat(900) } }],
      })}\n\n`;
      upstreamHandler = (_req, res) => {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        let written = 0;
        const more = () => {
          while (written < 200 && res.write(chunk)) {
            written++;
          }
          if (written < 200) {
            res.once('drain', more);
          } else {
            res.end('data: [DONE]\n\n');
          }
        };
        more();
      };
      const res = await post(await keyFor('svc'), {
        model: 'svc',
        stream: true,
        messages: [{ role: 'user', content: 'x' }],
      });
      expect(res.text).toContain('"code":"upstream_stream_too_large"');
      expect(res.text).not.toContain('[DONE]');
      expect(res.text.length).toBeLessThan(70 * 1024);
      expect(await row(res)).toMatchObject({
        status: 'upstream_error',
        costMicros: 0,
      });
    });

    it('asks the database about an unknown key once, then answers from memory for a while', async () => {
      const findGrant = jest.spyOn(subs, 'findGrant');
      const body = { model: 'svc', messages: [{ role: 'user', content: 'x' }] };
      for (let i = 0; i < 5; i++) {
        const res = await post('mk_unknown_key_for_the_miss_cache', body);
        expect(res.status).toBe(401);
        expect(res.body.error.code).toBe('invalid_api_key');
      }
      expect(findGrant).toHaveBeenCalledTimes(1);
    });
  });
});
