import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { createServer, Server } from 'http';
import { AddressInfo } from 'net';
import request from 'supertest';
import {
  gatewayTestCatalog,
  startGatewayTestBackend,
  subscribeForKey,
} from '../__testUtils__/gatewayTestBackend';
import { expectLedgerInvariants } from '../__testUtils__/ledgerInvariants';

jest.setTimeout(180_000);

/*
 * Attack: an upstream that lies about usage, on each upstream protocol, whole
 * and streamed. It reports absurd counts (a trillion tokens), negative ones,
 * or none at all. Whatever it says, the ledger bills within what the request
 * could have used (the counted prompt plus its tolerance, the reserved
 * completion budget), records the discrepancy (`usage_clamped`, which the
 * provider's and admins' `usageDiscrepancies` count), and the ledger's
 * invariants hold.
 */

const UPSTREAM_KEY = 'upstream-secret-for-lying-tests';
const USER = 'user:default/mallory';
const PROTOCOLS = [
  'openai-chat',
  'openai-responses',
  'anthropic-messages',
  'openai-embeddings',
] as const;
type Protocol = (typeof PROTOCOLS)[number];
const LIES = ['absurd', 'negative', 'missing'] as const;
type Lie = (typeof LIES)[number];

const TEXT = 'All is well, the answer is forty-two and nothing more.';

/** The usage fields an upstream of a protocol reports for a lie. */
function lyingUsage(protocol: Protocol, lie: Lie): object | undefined {
  if (lie === 'missing') {
    return undefined;
  }
  const n = lie === 'absurd' ? 1_000_000_000_000 : -50;
  switch (protocol) {
    case 'openai-chat':
      return { prompt_tokens: n, completion_tokens: n, total_tokens: 2 * n };
    case 'openai-embeddings':
      return { prompt_tokens: n, total_tokens: n };
    case 'openai-responses':
      return { input_tokens: n, output_tokens: n, total_tokens: 2 * n };
    default:
      return { input_tokens: n, output_tokens: n };
  }
}

function sse(name: string | undefined, data: object | string): string {
  return `${name ? `event: ${name}\n` : ''}data: ${
    typeof data === 'string' ? data : JSON.stringify(data)
  }\n\n`;
}

/** The lying upstream's answer: the model names the lie (`lie-absurd`, ...). */
function answer(path: string, body: any): { json?: object; events?: string } {
  const lie = String(body.model).replace(/^lie-/, '') as Lie;
  if (path.endsWith('/embeddings')) {
    const usage = lyingUsage('openai-embeddings', lie);
    return {
      json: {
        object: 'list',
        data: [{ object: 'embedding', index: 0, embedding: [0.1, 0.2] }],
        model: body.model,
        ...(usage ? { usage } : {}),
      },
    };
  }
  if (path.endsWith('/chat/completions')) {
    const usage = lyingUsage('openai-chat', lie);
    const message = { role: 'assistant', content: TEXT };
    if (!body.stream) {
      return {
        json: {
          id: 'chatcmpl-lie',
          object: 'chat.completion',
          created: 1,
          model: body.model,
          choices: [{ index: 0, message, finish_reason: 'stop' }],
          ...(usage ? { usage } : {}),
        },
      };
    }
    const chunk = (delta: object, finish: string | null) =>
      sse(undefined, {
        id: 'chatcmpl-lie',
        object: 'chat.completion.chunk',
        created: 1,
        model: body.model,
        choices: [{ index: 0, delta, finish_reason: finish }],
      });
    return {
      events: `${chunk({ role: 'assistant', content: TEXT }, null)}${chunk(
        {},
        'stop',
      )}${
        usage
          ? sse(undefined, {
              id: 'chatcmpl-lie',
              object: 'chat.completion.chunk',
              created: 1,
              model: body.model,
              choices: [],
              usage,
            })
          : ''
      }${sse(undefined, '[DONE]')}`,
    };
  }
  if (path.endsWith('/responses')) {
    const usage = lyingUsage('openai-responses', lie) ?? null;
    const item = {
      id: 'msg_lie',
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text: TEXT, annotations: [] }],
    };
    const response = (status: string, withUsage: boolean) => ({
      id: 'resp_lie',
      object: 'response',
      created_at: 1,
      status,
      model: body.model,
      output: status === 'completed' ? [item] : [],
      usage: withUsage ? usage : null,
    });
    if (!body.stream) {
      return { json: response('completed', true) };
    }
    let n = 0;
    const event = (type: string, data: object) =>
      sse(type, { type, sequence_number: n++, ...data });
    return {
      events:
        event('response.created', {
          response: response('in_progress', false),
        }) +
        event('response.output_item.added', {
          output_index: 0,
          item: { ...item, status: 'in_progress', content: [] },
        }) +
        event('response.output_text.delta', {
          item_id: 'msg_lie',
          output_index: 0,
          content_index: 0,
          delta: TEXT,
        }) +
        event('response.output_item.done', { output_index: 0, item }) +
        event('response.completed', { response: response('completed', true) }),
    };
  }
  // Anthropic Messages.
  const usage = lyingUsage('anthropic-messages', lie);
  if (!body.stream) {
    return {
      json: {
        id: 'msg_lie',
        type: 'message',
        role: 'assistant',
        model: body.model,
        content: [{ type: 'text', text: TEXT }],
        stop_reason: 'end_turn',
        stop_sequence: null,
        ...(usage ? { usage } : {}),
      },
    };
  }
  const event = (type: string, data: object) => sse(type, { type, ...data });
  return {
    events:
      event('message_start', {
        message: {
          id: 'msg_lie',
          type: 'message',
          role: 'assistant',
          model: body.model,
          content: [],
          ...(usage ? { usage } : {}),
        },
      }) +
      event('content_block_start', {
        index: 0,
        content_block: { type: 'text', text: '' },
      }) +
      event('content_block_delta', {
        index: 0,
        delta: { type: 'text_delta', text: TEXT },
      }) +
      event('content_block_stop', { index: 0 }) +
      event('message_delta', {
        delta: { stop_reason: 'end_turn', stop_sequence: null },
        ...(usage ? { usage } : {}),
      }) +
      event('message_stop', {}),
  };
}

function startLyingUpstream(): Promise<Server> {
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', chunk => {
      raw += chunk;
    });
    req.on('end', () => {
      const { json, events } = answer(req.url ?? '', JSON.parse(raw));
      if (json) {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify(json));
      } else {
        res.writeHead(200, { 'content-type': 'text/event-stream' });
        res.end(events);
      }
    });
  });
  return new Promise(resolve =>
    server.listen(0, '127.0.0.1', () => resolve(server)),
  );
}

const PRICE = { prompt: 2000, completion: 8000 };
const MAX_TOKENS = 40;

function service(protocol: Protocol, lie: Lie, baseUrl: string): Entity {
  return {
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: { name: `${protocol}-${lie}`, namespace: 'default' },
    spec: {
      owner: 'group:default/ai-platform-team',
      providedBy: 'provider:default/liar',
      lifecycle: 'active',
      family: protocol === 'openai-embeddings' ? 'other' : 'gpt',
      pricing: {
        currency: 'USD',
        promptPer1kMicros: PRICE.prompt,
        completionPer1kMicros:
          protocol === 'openai-embeddings' ? 0 : PRICE.completion,
      },
      contextWindow: 8192,
      maxOutputTokens: protocol === 'openai-embeddings' ? 1 : 1024,
      features: { streaming: true },
      apiCompatibility: ['openai'],
      endpoint: {
        baseUrl,
        upstreamModel: `lie-${lie}`,
        protocol,
        auth: { type: 'bearer', secretRef: 'LIAR_KEY' },
      },
      geographic: { country: 'US', region: 'north-america', dataCenters: [] },
      compliance: [],
      availability: { schedule: '24/7' },
      sla: {
        latencyMs: { p50: 100, p95: 200, p99: 300 },
        uptimePercent: 99.9,
        throughput: { requestsPerSecond: 100, tokensPerSecond: 10000 },
        rateLimits: { requestsPerMinute: 10000, tokensPerMinute: 10_000_000 },
      },
    },
  };
}

/** The client's request through the upstream's own protocol (passed through) or translated from Chat. */
function clientCall(
  protocol: Protocol,
  model: string,
  stream: boolean,
  via: 'native' | 'chat',
): { path: string; body: object } {
  const prompt = 'Tell me the answer to everything, briefly.';
  if (protocol === 'openai-embeddings') {
    return { path: '/v1/embeddings', body: { model, input: prompt } };
  }
  if (via === 'chat' || protocol === 'openai-chat') {
    return {
      path: '/v1/chat/completions',
      body: {
        model,
        messages: [{ role: 'user', content: prompt }],
        max_tokens: MAX_TOKENS,
        stream,
      },
    };
  }
  if (protocol === 'openai-responses') {
    return {
      path: '/v1/responses',
      body: { model, input: prompt, max_output_tokens: MAX_TOKENS, stream },
    };
  }
  return {
    path: '/v1/messages',
    body: {
      model,
      messages: [{ role: 'user', content: prompt }],
      max_tokens: MAX_TOKENS,
      stream,
    },
  };
}

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('an upstream lying about usage, on each protocol, on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let upstream: Server;
  let knex: any;
  const auth = mockCredentials.user.header(USER);

  beforeAll(async () => {
    upstream = await startLyingUpstream();
    const base = `http://127.0.0.1:${
      (upstream.address() as AddressInfo).port
    }/v1`;
    const entities: Entity[] = [
      {
        apiVersion: 'marketplace.acme.io/v1alpha1',
        kind: 'Provider',
        metadata: { name: 'liar', namespace: 'default' },
        spec: {
          owner: 'group:default/ai-platform-team',
          displayName: 'Lying Provider',
          verification: { status: 'pending' },
          headquarters: { country: 'US', region: 'north-america' },
          compliance: [],
          contact: { email: 'liar@acme.io' },
        },
      },
      ...PROTOCOLS.flatMap(p => LIES.map(l => service(p, l, base))),
    ];
    knex = await databases.init(databaseId);
    ({ backend } = await startGatewayTestBackend({
      knex,
      catalog: gatewayTestCatalog(() => entities),
      marketplace: {
        roles: { providerGroups: ['group:default/ai-platform-team'] },
        gateway: { upstreamTimeoutMs: 3000, instanceId: 'it-liar' },
        secrets: { LIAR_KEY: UPSTREAM_KEY },
      },
    }));
  });

  afterAll(async () => {
    await backend?.stop();
    await new Promise(resolve => upstream?.close(resolve));
  });

  afterEach(async () => {
    await expectLedgerInvariants(knex);
  });

  const keys = new Map<string, string>();
  async function keyFor(name: string) {
    if (!keys.has(name)) {
      const res = await subscribeForKey(backend.server, auth, name);
      keys.set(name, res.body.apiKey.secret as string);
    }
    return keys.get(name)!;
  }

  /** The request's ledger row, once settled (a stream settles just after its end reached the client). */
  async function settledUsage(requestId: string) {
    for (;;) {
      const res = await request(backend.server)
        .get(`/api/marketplace/v1/usage/${requestId}`)
        .set('Authorization', auth);
      if (res.status === 200) {
        return res.body.usage;
      }
      expect(res.status).toBe(404);
      await new Promise(resolve => setTimeout(resolve, 20));
    }
  }

  const cases = PROTOCOLS.flatMap(protocol =>
    LIES.flatMap(lie =>
      (protocol === 'openai-embeddings' ? [false] : [false, true]).flatMap(
        stream =>
          (protocol === 'openai-chat' || protocol === 'openai-embeddings'
            ? (['native'] as const)
            : (['native', 'chat'] as const)
          ).map(via => [protocol, lie, stream, via] as const),
      ),
    ),
  );

  it.each(cases)(
    '%s upstream, %s usage, stream %p, client %s: billed within bounds, discrepancy counted',
    async (protocol, lie, stream, via) => {
      const name = `${protocol}-${lie}`;
      const key = await keyFor(name);
      const clampedBefore = Number(
        (
          await knex('usage_ledger')
            .where({ usage_clamped: true })
            .count({ n: '*' })
        )[0].n,
      );
      const call = clientCall(protocol, name, stream, via);
      const res = await request(backend.server)
        .post(`/api/marketplace/gateway${call.path}`)
        .set('Authorization', `Bearer ${key}`)
        .send(call.body);
      expect(res.status).toBe(200);
      // The client got the answer (no lie reaches it as a failure).
      expect(res.text).toContain(
        protocol === 'openai-embeddings' ? 'embedding' : 'forty-two',
      );
      const requestId = res.headers['x-request-id'];
      const usage = await settledUsage(requestId);
      const rows = await knex('usage_ledger').where({ request_id: requestId });
      expect(rows).toHaveLength(1);
      expect(usage.status).toBe('ok');
      // The gateway's own count of the prompt, and the completion budget reserved.
      const reservedCompletion =
        protocol === 'openai-embeddings' ? 0 : MAX_TOKENS;
      expect(usage.promptTokens).toBeGreaterThanOrEqual(0);
      expect(usage.completionTokens).toBeGreaterThanOrEqual(0);
      expect(usage.completionTokens).toBeLessThanOrEqual(reservedCompletion);
      // A short prompt: the bound is its count plus a tolerance (count/4 + 64).
      expect(usage.promptTokens).toBeLessThanOrEqual(40 + 10 + 64);
      expect(usage.costMicros).toBeGreaterThanOrEqual(0);
      expect(usage.costMicros).toBeLessThanOrEqual(
        Math.ceil(
          ((40 + 10 + 64) * PRICE.prompt +
            reservedCompletion * PRICE.completion) /
            1000,
        ),
      );
      const clampedAfter = Number(
        (
          await knex('usage_ledger')
            .where({ usage_clamped: true })
            .count({ n: '*' })
        )[0].n,
      );
      // What each lie leaves on the ledger. Missing usage: the gateway's
      // tokenizer counts, no discrepancy. Absurd: the bound (the whole
      // reserved completion budget), counted. Negative: zero, counted.
      const observed = {
        tokenSource: usage.tokenSource,
        usageClamped: usage.usageClamped,
        discrepanciesCounted: clampedAfter - clampedBefore,
        completionTokens: usage.completionTokens,
        promptTokens: usage.promptTokens,
        costMicros: usage.costMicros,
      };
      const anyNumber = expect.any(Number);
      const expected = {
        missing: {
          tokenSource: 'tokenizer',
          usageClamped: false,
          discrepanciesCounted: 0,
          // The tokenizer's count of the answer's text.
          completionTokens: protocol === 'openai-embeddings' ? 0 : anyNumber,
          promptTokens: anyNumber,
          costMicros: anyNumber,
        },
        absurd: {
          tokenSource: 'upstream',
          usageClamped: true,
          discrepanciesCounted: 1,
          completionTokens: reservedCompletion,
          promptTokens: anyNumber,
          costMicros: anyNumber,
        },
        negative: {
          tokenSource: 'upstream',
          usageClamped: true,
          discrepanciesCounted: 1,
          completionTokens: 0,
          promptTokens: 0,
          costMicros: 0,
        },
      }[lie];
      expect(observed).toEqual(expected);
      // A text answer is never metered as nothing when no usage came.
      expect(
        lie !== 'missing' ||
          protocol === 'openai-embeddings' ||
          usage.completionTokens > 0,
      ).toBe(true);
    },
  );
});
