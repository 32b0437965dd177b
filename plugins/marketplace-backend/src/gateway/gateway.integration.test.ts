import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { formatMicros } from '@internal/plugin-marketplace-common';
import OpenAI from 'openai';
import request from 'supertest';
import {
  GATEWAY_TEST_UPSTREAM_KEY as UPSTREAM_KEY,
  gatewayTestCatalog,
  gatewayTestProvider as provider,
  gatewayTestService as service,
  SIM_FAST_MODEL,
  startGatewayTestBackend,
  subscribeForKey,
  usageOf,
} from '../__testUtils__/gatewayTestBackend';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';

jest.setTimeout(120_000);

const USER = 'user:default/lena';

/** A catalog holding our test entities; the upstream URL needs the test server's port. */
const catalogFactory = gatewayTestCatalog(base => [
  provider,
  service('sim-gpt', 'sim-fast', base),
  service('sim-stream', 'sim-slow', base),
  service('sim-trial', 'sim-fast', base, { trial: { tokens: 300 } }),
  service('sim-burst', 'sim-fast', base, { trial: { tokens: 5000 } }),
  service('sim-play', 'sim-fast', base),
  service('sim-budget', 'sim-fast', base),
  service('sim-limited', 'sim-fast', base, {
    sla: {
      latencyMs: { p50: 100, p95: 200, p99: 300 },
      uptimePercent: 99,
      throughput: { requestsPerSecond: 1, tokensPerSecond: 100 },
      rateLimits: { requestsPerMinute: 2, tokensPerMinute: 1_000_000 },
    },
  }),
  service('sim-broken', 'sim-fail', base),
  service('sim-hang', 'sim-hang', base),
  service('sim-maint', 'sim-fast', base, { lifecycle: 'maintenance' }),
  service('sim-nocred', 'sim-fast', base, {
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-fast',
      auth: { type: 'bearer', secretRef: 'NOT_CONFIGURED_ANYWHERE' },
    },
  }),
]);

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('gateway with the official openai SDK on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let baseURL: string;
  let knex: any;
  const auth = mockCredentials.user.header(USER);

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ backend, baseURL } = await startGatewayTestBackend({
      knex,
      catalog: catalogFactory,
      marketplace: {
        gateway: { upstreamTimeoutMs: 1500, instanceId: 'it-1' },
        secrets: { SIM_UPSTREAM_KEY: UPSTREAM_KEY },
      },
      demoModels: [
        SIM_FAST_MODEL,
        {
          id: 'sim-slow',
          timeToFirstTokenMs: 30,
          tokensPerSecond: 60,
          failureRate: 0,
        },
        {
          id: 'sim-fail',
          timeToFirstTokenMs: 0,
          tokensPerSecond: 100000,
          failureRate: 1,
        },
        {
          id: 'sim-hang',
          timeToFirstTokenMs: 10000,
          tokensPerSecond: 100,
          failureRate: 0,
        },
      ],
    }));
  });

  afterAll(async () => {
    await backend?.stop();
  });

  afterEach(async () => {
    await expectLedgerInvariants(knex);
  });

  async function subscribe(name: string, body: object = {}) {
    const res = await subscribeForKey(backend.server, auth, name, body);
    expect(res.body.endpoint.baseUrl).toBe(baseURL);
    return res.body.apiKey.secret as string;
  }

  function usage(requestId: string) {
    return usageOf(backend.server, auth, requestId);
  }

  function client(apiKey: string) {
    return new OpenAI({ baseURL, apiKey, maxRetries: 0 });
  }

  it('completes, streams and passes tools through, metering each request', async () => {
    const key = await subscribe('sim-gpt');
    const openai = client(key);

    // 1. a plain completion
    const { data, response } = await openai.chat.completions
      .create({
        model: 'sim-gpt',
        messages: [{ role: 'user', content: 'Say hello to the marketplace' }],
        max_tokens: 24,
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.choices[0].message.content).toEqual(expect.any(String));
    const requestId = response.headers.get('x-request-id')!;
    expect(requestId).toMatch(/^req_/);
    const row = await usage(requestId);
    expect(row).toMatchObject({
      status: 'ok',
      httpStatus: 200,
      model: 'sim-gpt',
      promptTokens: data.usage!.prompt_tokens,
      completionTokens: data.usage!.completion_tokens,
      tokenSource: 'upstream',
      trialTokens: 0,
      stream: false,
    });
    // Not streamed: latency is the time to the answer's first byte, within
    // the whole duration; the wait before going upstream is measured too.
    expect(row.timeToFirstTokenMs).toEqual(expect.any(Number));
    expect(row.timeToFirstTokenMs!).toBeLessThanOrEqual(row.upstreamLatencyMs!);
    expect(row.waitMs).toEqual(expect.any(Number));
    expect(row.waitMs!).toBeGreaterThanOrEqual(0);
    const expectedCost = Math.ceil(
      (data.usage!.prompt_tokens * 2000 +
        data.usage!.completion_tokens * 8000) /
        1000,
    );
    expect(row.costMicros).toBe(expectedCost);
    expect(row.platformFeeMicros).toBe(
      Math.floor((expectedCost * 1000 + 5000) / 10000),
    );

    // 2. a tools call passthrough
    const tools = await openai.chat.completions
      .create({
        model: 'sim-gpt',
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: {
              name: 'get_weather',
              parameters: {
                type: 'object',
                properties: {
                  city: { type: 'string' },
                  unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
                },
                required: ['city', 'unit'],
              },
            },
          },
        ],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
      })
      .withResponse();
    const call = tools.data.choices[0].message.tool_calls![0] as any;
    expect(tools.data.choices[0].finish_reason).toBe('tool_calls');
    expect(call.function.name).toBe('get_weather');
    expect(JSON.parse(call.function.arguments)).toEqual({
      city: 'city',
      unit: 'celsius',
    });
    const toolRow = await usage(tools.response.headers.get('x-request-id')!);
    expect(toolRow.completionTokens).toBe(tools.data.usage!.completion_tokens);
    expect(toolRow.costMicros).toBeGreaterThan(0);
  });

  it('streams chunk by chunk and meters the stream', async () => {
    const key = await subscribe('sim-stream');
    const { data: stream, response } = await client(key)
      .chat.completions.create({
        model: 'sim-stream',
        messages: [{ role: 'user', content: 'Stream me a few words' }],
        max_tokens: 40,
        stream: true,
      })
      .withResponse();
    const arrivals: number[] = [];
    let text = '';
    let sawUsage = false;
    for await (const chunk of stream) {
      arrivals.push(Date.now());
      text += chunk.choices[0]?.delta?.content ?? '';
      if (chunk.usage) sawUsage = true;
    }
    // Several chunks, delivered as the upstream produced them (not all at once at the end).
    expect(arrivals.length).toBeGreaterThan(4);
    expect(arrivals[arrivals.length - 1] - arrivals[0]).toBeGreaterThan(200);
    // The client did not ask for usage: the gateway's own usage chunk is not passed on.
    expect(sawUsage).toBe(false);
    const row = await usage(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({
      status: 'ok',
      stream: true,
      tokenSource: 'upstream',
      completionTokens: 40,
    });
    expect(row.timeToFirstTokenMs).toEqual(expect.any(Number));
    // The first token came well before the end of the stream.
    expect(row.timeToFirstTokenMs!).toBeLessThan(row.upstreamLatencyMs!);
    expect(row.waitMs).toEqual(expect.any(Number));
    expect(text.length).toBeGreaterThan(0);

    // Asking for usage gets it.
    const again = await client(key).chat.completions.create({
      model: 'sim-stream',
      messages: [{ role: 'user', content: 'again' }],
      max_tokens: 5,
      stream: true,
      stream_options: { include_usage: true },
    });
    let usageChunk: any;
    for await (const chunk of again) {
      if (chunk.usage) usageChunk = chunk.usage;
    }
    expect(usageChunk).toMatchObject({ completion_tokens: 5 });
  });

  it("answers bad keys and forbidden calls with the SDK's typed errors", async () => {
    await expect(
      client('mk_notARealKey').chat.completions.create({
        model: 'sim-gpt',
        messages: [{ role: 'user', content: 'x' }],
      }),
    ).rejects.toBeInstanceOf(OpenAI.AuthenticationError);
    const noKey = await request(backend.server).get(
      '/api/marketplace/gateway/v1/models',
    );
    expect(noKey.status).toBe(401);
    expect(noKey.body.error).toMatchObject({
      code: 'invalid_api_key',
      type: 'authentication_error',
    });

    // A key of another subscription
    const limitedKey = await subscribe('sim-limited');
    const err = await client(limitedKey)
      .chat.completions.create({
        model: 'sim-gpt',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(err.code).toBe('model_not_subscribed');

    // Unknown model
    const missing = await client(limitedKey)
      .chat.completions.create({
        model: 'no-such-model',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(missing).toBeInstanceOf(OpenAI.NotFoundError);
    expect(missing.code).toBe('model_not_found');

    // Invalid body names the field
    const bad = await client(limitedKey)
      .chat.completions.create({ model: 'sim-limited', messages: [] })
      .catch(e => e);
    expect(bad).toBeInstanceOf(OpenAI.BadRequestError);
    expect(bad.param).toBe('messages');

    // /v1/models lists what the key can call
    const models = await client(limitedKey).models.list();
    expect(models.data.map(m => m.id)).toEqual(['sim-limited']);
    expect(models.data[0].owned_by).toBe('Simulated Provider');

    // Rate limit: 2 requests per minute, the third gets 429 with retry-after
    const ok1 = await client(limitedKey).chat.completions.create({
      model: 'sim-limited',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 2,
    });
    expect(ok1.choices).toHaveLength(1);
    const ok2 = await client(limitedKey).chat.completions.create({
      model: 'sim-limited',
      messages: [{ role: 'user', content: 'y' }],
      max_tokens: 2,
    });
    expect(ok2.choices).toHaveLength(1);
    const limited = await client(limitedKey)
      .chat.completions.create({
        model: 'sim-limited',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 2,
      })
      .catch(e => e);
    expect(limited).toBeInstanceOf(OpenAI.RateLimitError);
    expect(limited.code).toBe('rate_limit_exceeded');
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
    // Nothing was forwarded or charged for the rejected request.
    expect(limited.headers.get('x-request-id')).toMatch(/^req_/);
    const notFound = await request(backend.server)
      .get(`/api/marketplace/v1/usage/${limited.headers.get('x-request-id')}`)
      .set('Authorization', auth);
    expect(notFound.status).toBe(404);
  });

  it('stops a trial-only subscription when the trial is used up (429 insufficient_quota)', async () => {
    const key = await subscribe('sim-trial', { spendCapMicros: 0 });
    const openai = client(key);
    let exhausted: any;
    let spent = 0;
    for (let i = 0; i < 30 && !exhausted; i++) {
      try {
        const { data } = await openai.chat.completions
          .create({
            model: 'sim-trial',
            messages: [{ role: 'user', content: `question ${i}` }],
            max_tokens: 100,
          })
          .withResponse();
        spent += data.usage!.total_tokens;
      } catch (e) {
        exhausted = e;
      }
    }
    expect(exhausted).toBeInstanceOf(OpenAI.RateLimitError);
    expect(exhausted.code).toBe('trial_exhausted');
    expect(exhausted.type).toBe('insufficient_quota');
    expect(spent).toBeLessThanOrEqual(300);
    const subs = (
      await request(backend.server)
        .get('/api/marketplace/v1/subscriptions')
        .set('Authorization', auth)
    ).body.subscriptions;
    const trial = subs.find((s: any) => s.model === 'sim-trial');
    expect(trial.trialTokensUsed).toBe(spent);
    expect(trial.monthSpendMicros).toBe(0);
  });

  it('never spends more than the trial with 200 parallel requests', async () => {
    const key = await subscribe('sim-burst', { spendCapMicros: 0 });
    const openai = client(key);
    const outcomes = await Promise.all(
      Array.from({ length: 200 }, (_, i) =>
        openai.chat.completions
          .create({
            model: 'sim-burst',
            messages: [{ role: 'user', content: `parallel request ${i}` }],
            max_tokens: 60,
          })
          .withResponse()
          .then(
            ({ data, response }) => ({
              ok: true as const,
              tokens: data.usage!.total_tokens,
              id: response.headers.get('x-request-id')!,
            }),
            error => ({ ok: false as const, error }),
          ),
      ),
    );
    const answered = outcomes.filter(o => o.ok) as {
      ok: true;
      tokens: number;
      id: string;
    }[];
    const refused = outcomes.filter(o => !o.ok) as { ok: false; error: any }[];
    expect(answered.length).toBeGreaterThan(0);
    expect(refused.length).toBeGreaterThan(0);
    // Refused for the exhausted trial; on a loaded machine a few may also time
    // out upstream (504, the test backend waits 2 s), which charges nothing too.
    for (const r of refused) {
      expect(r.error.code).toMatch(/^(trial_exhausted|upstream_timeout)$/);
      expect(r.error).toBeInstanceOf(
        r.error.code === 'trial_exhausted'
          ? OpenAI.RateLimitError
          : OpenAI.InternalServerError,
      );
    }
    expect(refused.some(r => r.error.code === 'trial_exhausted')).toBe(true);
    const spent = answered.reduce((sum, a) => sum + a.tokens, 0);
    const largest = Math.max(...answered.map(a => a.tokens));
    expect(spent).toBeLessThanOrEqual(5000 + largest);
    // exactly one ledger row per forwarded request, all free (trial only)
    const subs = (
      await request(backend.server)
        .get('/api/marketplace/v1/subscriptions')
        .set('Authorization', auth)
    ).body.subscriptions;
    const burst = subs.find((s: any) => s.model === 'sim-burst');
    const rows = (
      await request(backend.server)
        .get(`/api/marketplace/v1/subscriptions/${burst.id}/usage?limit=500`)
        .set('Authorization', auth)
    ).body.usage;
    // Timed-out requests were forwarded too: they have a (free) row of their own.
    const timedOut = refused.filter(r => r.error.code === 'upstream_timeout');
    expect(rows).toHaveLength(answered.length + timedOut.length);
    expect(
      new Set(
        rows.filter((r: any) => r.status === 'ok').map((r: any) => r.requestId),
      ),
    ).toEqual(new Set(answered.map(a => a.id)));
    expect(rows.every((r: any) => r.costMicros === 0)).toBe(true);
    expect(burst.trialTokensUsed).toBe(spent);
  });

  it("Test API: the playground calls the gateway on the user's own subscription, metered", async () => {
    const notYet = await request(backend.server)
      .post('/api/marketplace/v1/services/sim-play/test')
      .set('Authorization', auth)
      .send({ messages: [{ role: 'user', content: 'hi' }] });
    expect(notYet.status).toBe(403);
    expect(notYet.body.error).toMatchObject({ code: 'not_subscribed' });

    await subscribe('sim-play');
    const res = await request(backend.server)
      .post('/api/marketplace/v1/services/sim-play/test')
      .set('Authorization', auth)
      .send({
        messages: [
          { role: 'system', content: 'Be brief.' },
          { role: 'user', content: 'hi' },
        ],
        max_tokens: 12,
        temperature: 0.2,
      });
    expect(res.status).toBe(200);
    expect(res.body.object).toBe('chat.completion');
    const row = await usage(res.headers['x-request-id']);
    expect(row).toMatchObject({
      status: 'ok',
      model: 'sim-play',
      completionTokens: res.body.usage.completion_tokens,
    });

    const streamed = await request(backend.server)
      .post('/api/marketplace/v1/services/sim-play/test')
      .set('Authorization', auth)
      .send({
        messages: [{ role: 'user', content: 'stream please' }],
        max_tokens: 8,
        stream: true,
        stream_options: { include_usage: true },
      });
    expect(streamed.status).toBe(200);
    expect(streamed.headers['content-type']).toMatch(/text\/event-stream/);
    expect(streamed.text).toContain('data: [DONE]');
    expect(streamed.text).toContain('"completion_tokens":8');
    expect(await usage(streamed.headers['x-request-id'])).toMatchObject({
      status: 'ok',
      stream: true,
    });

    const bad = await request(backend.server)
      .post('/api/marketplace/v1/services/sim-play/test')
      .set('Authorization', auth)
      .send({ messages: [] });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ param: 'messages' });
  });

  it('maps upstream failures to 502/504, charges nothing, and still writes one row', async () => {
    const broken = await subscribe('sim-broken');
    const err = await client(broken)
      .chat.completions.create({
        model: 'sim-broken',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(err).toBeInstanceOf(OpenAI.APIError);
    expect(err.status).toBe(502);
    expect(err.code).toBe('upstream_error');
    expect(await usage(err.headers.get('x-request-id'))).toMatchObject({
      status: 'upstream_error',
      costMicros: 0,
      httpStatus: 502,
    });

    const hang = await subscribe('sim-hang');
    const timeout = await client(hang)
      .chat.completions.create({
        model: 'sim-hang',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(timeout.status).toBe(504);
    expect(timeout.code).toBe('upstream_timeout');
    expect(await usage(timeout.headers.get('x-request-id'))).toMatchObject({
      status: 'timeout',
      costMicros: 0,
    });

    const nocred = await subscribe('sim-nocred');
    const cred = await client(nocred)
      .chat.completions.create({
        model: 'sim-nocred',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(cred.status).toBe(502);
    expect(cred.code).toBe('upstream_credentials_missing');
  });

  it('refuses maintenance (503), revoked keys and suspended users (403)', async () => {
    const maint = await subscribe('sim-maint');
    const m = await client(maint)
      .chat.completions.create({
        model: 'sim-maint',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(m.status).toBe(503);
    expect(m.code).toBe('service_in_maintenance');

    // revoke the sim-gpt key through the REST API; the SDK sees 403 at once
    const subs = (
      await request(backend.server)
        .get('/api/marketplace/v1/subscriptions')
        .set('Authorization', auth)
    ).body.subscriptions;
    const gpt = subs.find(
      (s: any) => s.model === 'sim-gpt' && s.status === 'active',
    );
    const rotated = await request(backend.server)
      .post(`/api/marketplace/v1/keys/${gpt.keys[0].id}/rotate`)
      .set('Authorization', auth);
    expect(rotated.status).toBe(201);
    const fresh = rotated.body.apiKey.secret;
    const works = await client(fresh).chat.completions.create({
      model: 'sim-gpt',
      messages: [{ role: 'user', content: 'x' }],
      max_tokens: 3,
    });
    expect(works.choices).toHaveLength(1);

    await knex('user_suspensions').insert({
      user_ref: USER,
      suspended_by: 'user:default/ada',
      suspended_at: Date.now(),
    });
    const suspended = await client(fresh)
      .chat.completions.create({
        model: 'sim-gpt',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(suspended).toBeInstanceOf(OpenAI.PermissionDeniedError);
    expect(suspended.code).toBe('user_suspended');
    await knex('user_suspensions').where({ user_ref: USER }).delete();

    // invalid JSON -> 400 in OpenAI's shape
    const raw = await request(backend.server)
      .post('/api/marketplace/gateway/v1/chat/completions')
      .set('Authorization', `Bearer ${fresh}`)
      .set('Content-Type', 'application/json')
      .send('{"model":');
    expect(raw.status).toBe(400);
    expect(raw.body.error).toMatchObject({
      code: 'invalid_json',
      type: 'invalid_request_error',
    });
  });

  it('keeps the price of metered requests; a price increase applies to new subscriptions only, a decrease at once', async () => {
    const address = backend.server.address();
    const port = typeof address === 'object' && address ? address.port : 0;
    const upstream = `http://localhost:${port}/api/demo-upstream/v1`;
    const entity = service('sim-repriced', 'sim-fast', upstream);
    const published = await request(backend.server)
      .post('/api/marketplace/v1/provider/services')
      .set('Authorization', auth)
      .send({ entity });
    expect(published.status).toBe(201);
    // No approval needed in this backend.
    expect(published.body.status).toBe('approved');

    let openai = client(await subscribe('sim-repriced'));
    const ask = async () => {
      const { data, response } = await openai.chat.completions
        .create({
          model: 'sim-repriced',
          messages: [{ role: 'user', content: 'Price check, please' }],
          max_tokens: 16,
        })
        .withResponse();
      return { usage: data.usage!, id: response.headers.get('x-request-id')! };
    };
    const cost = (
      u: { prompt_tokens: number; completion_tokens: number },
      prompt: number,
      completion: number,
    ) =>
      Math.ceil(
        (u.prompt_tokens * prompt + u.completion_tokens * completion) / 1000,
      );
    const reprice = async (prompt: number, completion: number) => {
      const res = await request(backend.server)
        .put(`/api/marketplace/v1/provider/services/${published.body.id}`)
        .set('Authorization', auth)
        .send({
          entity: {
            ...entity,
            spec: {
              ...entity.spec,
              pricing: {
                currency: 'USD',
                promptPer1kMicros: prompt,
                completionPer1kMicros: completion,
              },
            },
          },
        });
      expect(res.status).toBe(200);
      return res;
    };

    const first = await ask();
    const firstRow = await usage(first.id);
    expect(firstRow.costMicros).toBe(cost(first.usage, 2000, 8000));

    const raised = await reprice(20000, 80000);
    expect(
      raised.body.service.priceHistory.map((p: any) => p.promptPer1kMicros),
    ).toEqual([2000, 20000]);

    // The existing subscription keeps the price it subscribed at.
    const second = await ask();
    expect((await usage(second.id)).costMicros).toBe(
      cost(second.usage, 2000, 8000),
    );

    // A decrease applies to it at once.
    await reprice(1000, 4000);
    const third = await ask();
    expect((await usage(third.id)).costMicros).toBe(
      cost(third.usage, 1000, 4000),
    );

    // A new subscription pays the current price, including a later increase.
    await reprice(20000, 80000);
    const cancelled = await request(backend.server)
      .delete('/api/marketplace/v1/services/sim-repriced/subscribe')
      .set('Authorization', auth);
    expect(cancelled.status).toBe(200);
    openai = client(await subscribe('sim-repriced'));
    const fourth = await ask();
    expect((await usage(fourth.id)).costMicros).toBe(
      cost(fourth.usage, 20000, 80000),
    );
    // The first request's row is untouched.
    expect(await usage(first.id)).toEqual(firstRow);
  });

  // Last: the user budget it sets would stop the other tests' calls.
  it('a hard user budget answers 402 budget_exceeded naming it; the usage route shows it', async () => {
    const userPath = `/api/marketplace/v1/budgets/user/${encodeURIComponent(
      USER,
    )}`;
    const key = await subscribe('sim-budget');
    // What earlier tests spent this month counts: the budget allows 2,000 more.
    const initial = await request(backend.server)
      .put(userPath)
      .set('Authorization', auth)
      .send({ amountMicros: 1_000_000_000, mode: 'hard' });
    expect(initial.status).toBe(200);
    const amount = initial.body.budget.spendMicros + 2_000;
    const put = await request(backend.server)
      .put(userPath)
      .set('Authorization', auth)
      .send({ amountMicros: amount, mode: 'hard', thresholds: [50, 100] });
    expect(put.status).toBe(200);
    const period = new Date().toISOString().slice(0, 7);
    const openai = client(key);
    let refused: any;
    let ok = 0;
    for (let i = 0; i < 20 && !refused; i++) {
      try {
        await openai.chat.completions.create({
          model: 'sim-budget',
          messages: [{ role: 'user', content: `question ${i}` }],
          max_tokens: 100,
        });
        ok += 1;
      } catch (e) {
        refused = e;
      }
    }
    expect(ok).toBeGreaterThan(0);
    expect(refused).toBeInstanceOf(OpenAI.APIError);
    expect(refused.status).toBe(402);
    expect(refused.error).toEqual({
      message: `The user budget of ${USER} for ${period} (${formatMicros(
        amount,
      )}) is used up. Raise it in the marketplace (My subscriptions) or wait for next month.`,
      type: 'insufficient_quota',
      code: 'budget_exceeded',
      param: 'user',
    });
    const subs = (
      await request(backend.server)
        .get('/api/marketplace/v1/subscriptions')
        .set('Authorization', auth)
    ).body.subscriptions;
    const sub = subs.find((s: any) => s.model === 'sim-budget');
    const usageRes = await request(backend.server)
      .get(`/api/marketplace/v1/subscriptions/${sub.id}/usage`)
      .set('Authorization', auth);
    expect(usageRes.status).toBe(200);
    expect(usageRes.body).toMatchObject({
      scope: 'subscription',
      ref: sub.id,
      period,
      reservedMicros: 0,
      budgets: [
        {
          scope: 'user',
          ref: USER,
          amountMicros: amount,
          mode: 'hard',
          reservedMicros: 0,
        },
      ],
    });
    const [budget] = usageRes.body.budgets;
    expect(budget.remainingMicros).toBe(
      Math.max(0, amount - budget.spendMicros),
    );
    expect(usageRes.body.usage).toHaveLength(ok);
    // Without the budget, the calls go through again.
    const del = await request(backend.server)
      .delete(userPath)
      .set('Authorization', auth);
    expect(del.status).toBe(204);
    await openai.chat.completions.create({
      model: 'sim-budget',
      messages: [{ role: 'user', content: 'again' }],
      max_tokens: 10,
    });
  });
});
