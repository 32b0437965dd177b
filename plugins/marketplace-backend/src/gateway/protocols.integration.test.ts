import {
  mockCredentials,
  startTestBackend,
  TestDatabases,
} from '@backstage/backend-test-utils';
import Anthropic from '@anthropic-ai/sdk';
import { createAnthropic } from '@ai-sdk/anthropic';
import { createOpenAI } from '@ai-sdk/openai';
import { generateText, streamText, tool, jsonSchema } from 'ai';
import OpenAI from 'openai';
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

/*
 * The gateway's protocols with the official clients, against the real backend
 * and the demo upstream: OpenAI Responses, legacy Completions and Embeddings,
 * Anthropic Messages, and the Vercel AI SDK, translated to an OpenAI-compatible
 * upstream and to an Anthropic-native one, with one honest ledger row each.
 */

const USER = 'user:default/lena';

/** A catalog holding our test entities; the upstream URL needs the test server's port. */
const catalogFactory = gatewayTestCatalog(base => [
  provider,
  service('sim-chat', 'sim-fast', base, {
    apiCompatibility: ['openai', 'anthropic'],
  }),
  service('sim-claude', 'sim-fast', base, {
    family: 'claude',
    apiCompatibility: ['openai', 'anthropic'],
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-fast',
      protocol: 'anthropic-messages',
      auth: {
        type: 'header',
        header: 'x-api-key',
        secretRef: 'SIM_UPSTREAM_KEY',
      },
    },
  }),
  service('sim-embed', 'sim-fast', base, {
    family: 'other',
    pricing: {
      currency: 'USD',
      promptPer1kMicros: 100,
      completionPer1kMicros: 0,
    },
    maxOutputTokens: 1,
    contextWindow: 8192,
    features: {},
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-fast',
      protocol: 'openai-embeddings',
      auth: { type: 'bearer', secretRef: 'SIM_UPSTREAM_KEY' },
    },
  }),
  service('sim-resp', 'sim-fast', base, {
    apiCompatibility: ['openai', 'anthropic'],
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-fast',
      protocol: 'openai-responses',
      auth: { type: 'bearer', secretRef: 'SIM_UPSTREAM_KEY' },
    },
  }),
  service('sim-resp-cut', 'sim-cut', base, {
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-cut',
      protocol: 'openai-responses',
      auth: { type: 'bearer', secretRef: 'SIM_UPSTREAM_KEY' },
    },
  }),
  service('sim-cut', 'sim-cut', base),
  service('sim-claude-cut', 'sim-cut', base, {
    endpoint: {
      baseUrl: base,
      upstreamModel: 'sim-cut',
      protocol: 'anthropic-messages',
      auth: { type: 'bearer', secretRef: 'SIM_UPSTREAM_KEY' },
    },
  }),
  service('sim-limited', 'sim-fast', base, {
    sla: {
      latencyMs: { p50: 100, p95: 200, p99: 300 },
      uptimePercent: 99,
      throughput: { requestsPerSecond: 1, tokensPerSecond: 100 },
      rateLimits: { requestsPerMinute: 2, tokensPerMinute: 1_000_000 },
    },
  }),
]);

describe.each(
  TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] }).eachSupportedId(),
)('gateway protocols with the official SDKs on %p', databaseId => {
  const databases = TestDatabases.create({ ids: [databaseId] });
  let backend: Awaited<ReturnType<typeof startTestBackend>>;
  let root: string;
  let baseURL: string;
  let knex: any;
  const auth = mockCredentials.user.header(USER);

  beforeAll(async () => {
    knex = await databases.init(databaseId);
    ({ backend, root, baseURL } = await startGatewayTestBackend({
      knex,
      catalog: catalogFactory,
      marketplace: {
        gateway: { upstreamTimeoutMs: 1500, instanceId: 'it-protocols' },
        secrets: { SIM_UPSTREAM_KEY: UPSTREAM_KEY },
      },
      demoModels: [
        SIM_FAST_MODEL,
        {
          // Sends its first words, then falls silent for longer
          // than the gateway waits: a stream cut mid-answer.
          id: 'sim-cut',
          timeToFirstTokenMs: 0,
          tokensPerSecond: 0.2,
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

  const keys = new Map<string, string>();
  async function keyFor(name: string) {
    if (!keys.has(name)) {
      const res = await subscribeForKey(backend.server, auth, name);
      keys.set(name, res.body.apiKey.secret as string);
    }
    return keys.get(name)!;
  }

  function usage(requestId: string) {
    return usageOf(backend.server, auth, requestId);
  }

  async function openai(name: string) {
    return new OpenAI({ baseURL, apiKey: await keyFor(name), maxRetries: 0 });
  }

  async function anthropic(name: string) {
    // The SDK appends /v1/messages to its base URL; it sends x-api-key.
    return new Anthropic({
      baseURL: root,
      apiKey: await keyFor(name),
      maxRetries: 0,
    });
  }

  function costOf(prompt: number, completion: number) {
    return Math.ceil((prompt * 2000 + completion * 8000) / 1000);
  }

  const weatherTool = {
    type: 'object',
    properties: {
      city: { type: 'string' },
      unit: { type: 'string', enum: ['celsius', 'fahrenheit'] },
    },
    required: ['city', 'unit'],
  };

  it.each(['sim-chat', 'sim-claude', 'sim-resp'])(
    'serves OpenAI Responses, whole and streamed, with function tools (%s upstream)',
    async name => {
      const client = await openai(name);
      const { data, response } = await client.responses
        .create({
          model: name,
          instructions: 'Answer briefly.',
          input: 'Say hello to the marketplace',
          max_output_tokens: 30,
        })
        .withResponse();
      expect(data.object).toBe('response');
      expect(data.status).toMatch(/completed|incomplete/);
      expect(data.output_text.length).toBeGreaterThan(0);
      expect(data.usage!.output_tokens).toBeGreaterThan(0);
      expect(data.usage!.output_tokens).toBeLessThanOrEqual(30);
      expect(response.headers.get('x-ratelimit-limit-requests')).toBe('10000');
      expect(
        Number(response.headers.get('x-ratelimit-remaining-requests')),
      ).toBeLessThan(10000);
      expect(response.headers.get('x-ratelimit-reset-requests')).toMatch(
        /^\d+s$/,
      );
      expect(response.headers.get('x-ratelimit-limit-tokens')).toBe('10000000');
      const row = await usage(response.headers.get('x-request-id')!);
      expect(row).toMatchObject({
        status: 'ok',
        protocol: 'openai-responses',
        stream: false,
        tokenSource: 'upstream',
        promptTokens: data.usage!.input_tokens,
        completionTokens: data.usage!.output_tokens,
      });
      expect(row.costMicros).toBe(
        costOf(data.usage!.input_tokens, data.usage!.output_tokens),
      );

      // Streamed: the typed events, usage on response.completed.
      const { data: stream, response: streamResponse } = await client.responses
        .create({
          model: name,
          input: [{ role: 'user', content: 'Stream me a few words' }],
          max_output_tokens: 20,
          stream: true,
        })
        .withResponse();
      const types: string[] = [];
      let text = '';
      let completed: any;
      for await (const event of stream) {
        types.push(event.type);
        if (event.type === 'response.output_text.delta') text += event.delta;
        if (
          event.type === 'response.completed' ||
          event.type === 'response.incomplete'
        ) {
          completed = event.response;
        }
      }
      expect(types[0]).toBe('response.created');
      expect(types).toContain('response.output_text.delta');
      expect(types).toContain('response.output_item.done');
      expect(completed.output[0].content[0].text).toBe(text);
      expect(completed.usage.output_tokens).toBeGreaterThan(0);
      const streamRow = await usage(
        streamResponse.headers.get('x-request-id')!,
      );
      expect(streamRow).toMatchObject({
        status: 'ok',
        protocol: 'openai-responses',
        stream: true,
        tokenSource: 'upstream',
        promptTokens: completed.usage.input_tokens,
        completionTokens: completed.usage.output_tokens,
      });

      // A function tool: the call comes back as a function_call item.
      const tools = await client.responses.create({
        model: name,
        input: 'What is the weather in Paris?',
        tools: [
          {
            type: 'function',
            name: 'get_weather',
            parameters: weatherTool,
            strict: true,
          },
        ],
        tool_choice: { type: 'function', name: 'get_weather' },
      });
      const call = tools.output.find(o => o.type === 'function_call') as any;
      expect(call.name).toBe('get_weather');
      expect(JSON.parse(call.arguments)).toEqual({
        city: 'city',
        unit: 'celsius',
      });
      // The result goes back as input items.
      const followUp = await client.responses.create({
        model: name,
        input: [
          { role: 'user', content: 'What is the weather in Paris?' },
          call,
          {
            type: 'function_call_output',
            call_id: call.call_id,
            output: '{"temperature": 21}',
          },
        ],
        max_output_tokens: 10,
      });
      expect(followUp.output_text.length).toBeGreaterThan(0);
    },
  );

  it('serves legacy completions and embeddings, metered by their usage', async () => {
    const client = await openai('sim-chat');
    const { data, response } = await client.completions
      .create({ model: 'sim-chat', prompt: 'Once upon a time', max_tokens: 12 })
      .withResponse();
    expect(data.object).toBe('text_completion');
    expect(data.choices[0].text.length).toBeGreaterThan(0);
    const row = await usage(response.headers.get('x-request-id')!);
    expect(row).toMatchObject({
      status: 'ok',
      protocol: 'openai-completions',
      promptTokens: data.usage!.prompt_tokens,
      completionTokens: data.usage!.completion_tokens,
    });
    expect(data.usage!.completion_tokens).toBeLessThanOrEqual(12);

    const streamed = await client.completions.create({
      model: 'sim-chat',
      prompt: 'Once upon a time',
      max_tokens: 8,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let streamedUsage: any;
    for await (const chunk of streamed) {
      text += chunk.choices[0]?.text ?? '';
      if (chunk.usage) streamedUsage = chunk.usage;
    }
    expect(text.length).toBeGreaterThan(0);
    expect(streamedUsage.completion_tokens).toBe(8);

    const embedder = await openai('sim-embed');
    const embedded = await embedder.embeddings
      .create({
        model: 'sim-embed',
        input: ['the marketplace', 'the gateway'],
      })
      .withResponse();
    expect(embedded.data.data).toHaveLength(2);
    expect(embedded.data.data[0].embedding).toHaveLength(256);
    // Deterministic: the same text, the same vector.
    const again = await embedder.embeddings.create({
      model: 'sim-embed',
      input: 'the marketplace',
    });
    expect(again.data[0].embedding).toEqual(embedded.data.data[0].embedding);
    const embedRow = await usage(
      embedded.response.headers.get('x-request-id')!,
    );
    expect(embedRow).toMatchObject({
      status: 'ok',
      protocol: 'openai-embeddings',
      promptTokens: embedded.data.usage.prompt_tokens,
      completionTokens: 0,
      tokenSource: 'upstream',
    });
    // Input tokens at the embedding price; there is no output price.
    expect(embedRow.costMicros).toBe(
      Math.ceil((embedded.data.usage.prompt_tokens * 100) / 1000),
    );

    // An embedding model is not a chat model, and the other way round.
    const notChat = await embedder.chat.completions
      .create({
        model: 'sim-embed',
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(notChat).toBeInstanceOf(OpenAI.BadRequestError);
    expect(notChat.param).toBe('model');
    const notEmbed = await client.embeddings
      .create({ model: 'sim-chat', input: 'x' })
      .catch(e => e);
    expect(notEmbed).toBeInstanceOf(OpenAI.BadRequestError);
    expect(notEmbed.message).toContain('not an embedding model');
  });

  it("answers limits with the protocol's typed errors, naming the field", async () => {
    const client = await openai('sim-chat');
    const tooMany = await client.chat.completions
      .create({
        model: 'sim-chat',
        messages: [{ role: 'user', content: 'x' }],
        max_tokens: 10_000_000,
      })
      .catch(e => e);
    expect(tooMany).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooMany.param).toBe('max_tokens');
    expect(tooMany.message).toContain('4096');

    const tooManyOutput = await client.responses
      .create({ model: 'sim-chat', input: 'x', max_output_tokens: 5000 })
      .catch(e => e);
    expect(tooManyOutput).toBeInstanceOf(OpenAI.BadRequestError);
    expect(tooManyOutput.param).toBe('max_output_tokens');

    // Prompt + max output above the context window (128000).
    const long = 'word '.repeat(125_000);
    const overflow = await client.chat.completions
      .create({
        model: 'sim-chat',
        messages: [{ role: 'user', content: long }],
        max_tokens: 4000,
      })
      .catch(e => e);
    expect(overflow).toBeInstanceOf(OpenAI.BadRequestError);
    expect(overflow.code).toBe('context_length_exceeded');
    expect(overflow.param).toBe('max_tokens');

    const claude = await anthropic('sim-chat');
    const missing = await claude.messages
      .create({
        model: 'sim-chat',
        messages: [{ role: 'user', content: 'x' }],
      } as any)
      .catch(e => e);
    expect(missing).toBeInstanceOf(Anthropic.BadRequestError);
    expect(missing.error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error' },
    });
    expect(missing.error.error.message).toContain('max_tokens');

    const badKey = await new Anthropic({
      baseURL: root,
      apiKey: 'mk_notARealKey',
      maxRetries: 0,
    }).messages
      .create({
        model: 'sim-chat',
        max_tokens: 5,
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(badKey).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(badKey.error.error.type).toBe('authentication_error');

    // Every 429 says when to retry, in each protocol's shape.
    const limited = await openai('sim-limited');
    const limitedClaude = await anthropic('sim-limited');
    const results: any[] = [];
    for (let i = 0; i < 3; i++) {
      results.push(
        await limited.responses
          .create({ model: 'sim-limited', input: 'x', max_output_tokens: 3 })
          .catch(e => e),
      );
    }
    const rejected = results[2];
    expect(rejected).toBeInstanceOf(OpenAI.RateLimitError);
    expect(Number(rejected.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(rejected.headers.get('x-ratelimit-remaining-requests')).toBe('0');
    const claudeLimited = await limitedClaude.messages
      .create({
        model: 'sim-limited',
        max_tokens: 3,
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch(e => e);
    expect(claudeLimited).toBeInstanceOf(Anthropic.RateLimitError);
    expect(claudeLimited.error).toEqual({
      type: 'error',
      error: { type: 'rate_limit_error', message: expect.any(String) },
    });
    expect(Number(claudeLimited.headers.get('retry-after'))).toBeGreaterThan(0);
    // The gateway's own 429 on /v1/messages speaks Anthropic's headers too.
    expect(
      claudeLimited.headers.get('anthropic-ratelimit-requests-limit'),
    ).toBe('2');
    expect(
      claudeLimited.headers.get('anthropic-ratelimit-requests-remaining'),
    ).toBe('0');
    const reset = Date.parse(
      claudeLimited.headers.get('anthropic-ratelimit-requests-reset'),
    );
    expect(reset).toBeGreaterThan(Date.now() - 1000);
    expect(claudeLimited.headers.get('anthropic-ratelimit-tokens-limit')).toBe(
      '1000000',
    );
  });

  it.each(['sim-chat', 'sim-claude', 'sim-resp'])(
    'serves Anthropic Messages with the Anthropic SDK: create, stream, tools, count_tokens (%s upstream)',
    async name => {
      const client = await anthropic(name);
      const { data, response } = await client.messages
        .create({
          model: name,
          max_tokens: 30,
          system: 'Answer briefly.',
          messages: [{ role: 'user', content: 'Say hello to the marketplace' }],
        })
        .withResponse();
      expect(data.type).toBe('message');
      expect(data.content[0].type).toBe('text');
      expect(['end_turn', 'max_tokens']).toContain(data.stop_reason);
      expect(response.headers.get('anthropic-ratelimit-requests-limit')).toBe(
        '10000',
      );
      expect(
        response.headers.get('anthropic-ratelimit-requests-reset'),
      ).toMatch(/^\d{4}-\d\d-\d\dT/);
      const row = await usage(response.headers.get('x-request-id')!);
      expect(row).toMatchObject({
        status: 'ok',
        protocol: 'anthropic-messages',
        tokenSource: 'upstream',
        promptTokens: data.usage.input_tokens,
        completionTokens: data.usage.output_tokens,
      });

      const stream = client.messages.stream({
        model: name,
        max_tokens: 20,
        messages: [{ role: 'user', content: 'Stream me a few words' }],
      });
      let text = '';
      stream.on('text', delta => {
        text += delta;
      });
      const final = await stream.finalMessage();
      expect(text.length).toBeGreaterThan(0);
      expect((final.content[0] as any).text).toBe(text);
      expect(final.usage.output_tokens).toBeGreaterThan(0);
      const { response: streamResponse } = await stream.withResponse();
      const streamRow = await usage(
        streamResponse.headers.get('x-request-id')!,
      );
      expect(streamRow).toMatchObject({
        status: 'ok',
        protocol: 'anthropic-messages',
        stream: true,
        completionTokens: final.usage.output_tokens,
      });

      const tools = await client.messages.create({
        model: name,
        max_tokens: 100,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          {
            name: 'get_weather',
            description: 'The weather of a city',
            input_schema: weatherTool as any,
          },
        ],
        tool_choice: { type: 'tool', name: 'get_weather' },
      });
      expect(tools.stop_reason).toBe('tool_use');
      const use = tools.content.find(b => b.type === 'tool_use') as any;
      expect(use).toMatchObject({
        name: 'get_weather',
        input: { city: 'city', unit: 'celsius' },
      });
      const result = await client.messages.create({
        model: name,
        max_tokens: 10,
        messages: [
          { role: 'user', content: 'What is the weather in Paris?' },
          { role: 'assistant', content: tools.content },
          {
            role: 'user',
            content: [
              { type: 'tool_result', tool_use_id: use.id, content: '21 C' },
            ],
          },
        ],
      });
      expect(result.content.length).toBeGreaterThan(0);

      const counted = await client.messages.countTokens({
        model: name,
        system: 'Answer briefly.',
        messages: [{ role: 'user', content: 'Say hello to the marketplace' }],
      });
      expect(counted.input_tokens).toBeGreaterThan(0);
    },
  );

  it("counts tokens only for the key's own model (attack: another subscription's key)", async () => {
    const claude = await anthropic('sim-chat');
    const body = {
      system: 'Answer briefly.',
      messages: [{ role: 'user' as const, content: 'Say hello' }],
    };
    expect(
      (await claude.messages.countTokens({ model: 'sim-chat', ...body }))
        .input_tokens,
    ).toBeGreaterThan(0);
    // A model the key is not for: 403 in Anthropic's shape, nothing counted.
    const other = await claude.messages
      .countTokens({ model: 'sim-claude', ...body })
      .catch(e => e);
    expect(other).toBeInstanceOf(Anthropic.PermissionDeniedError);
    expect(other.error).toEqual({
      type: 'error',
      error: {
        type: 'permission_error',
        message: expect.stringContaining("not 'sim-claude'"),
      },
    });
    // A model that does not exist: 404.
    const unknown = await claude.messages
      .countTokens({ model: 'no-such-model', ...body })
      .catch(e => e);
    expect(unknown).toBeInstanceOf(Anthropic.NotFoundError);
    expect(unknown.error.error.type).toBe('not_found_error');
    // A bad body is still a 400 naming the field.
    const bad = await claude.messages
      .countTokens({ model: 'sim-claude', messages: [] } as any)
      .catch(e => e);
    expect(bad).toBeInstanceOf(Anthropic.BadRequestError);
    expect(bad.error.error.message).toContain('messages');
  });

  it.each(['sim-claude', 'sim-resp'])(
    'translates OpenAI chat to an upstream of another protocol, whole and streamed (%s)',
    async name => {
      const client = await openai(name);
      const { data, response } = await client.chat.completions
        .create({
          model: name,
          messages: [
            { role: 'system', content: 'Answer briefly.' },
            { role: 'user', content: 'Say hello' },
          ],
          max_tokens: 25,
        })
        .withResponse();
      expect(data.object).toBe('chat.completion');
      expect(data.choices[0].message.content!.length).toBeGreaterThan(0);
      const row = await usage(response.headers.get('x-request-id')!);
      expect(row).toMatchObject({
        protocol: 'openai-chat',
        promptTokens: data.usage!.prompt_tokens,
        completionTokens: data.usage!.completion_tokens,
      });

      const stream = await client.chat.completions.create({
        model: name,
        messages: [{ role: 'user', content: 'Stream' }],
        max_tokens: 15,
        stream: true,
        stream_options: { include_usage: true },
      });
      let text = '';
      let streamedUsage: any;
      let finish: string | null = null;
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta?.content ?? '';
        finish = chunk.choices[0]?.finish_reason ?? finish;
        if (chunk.usage) streamedUsage = chunk.usage;
      }
      expect(text.length).toBeGreaterThan(0);
      expect(finish).toBe('length');
      expect(streamedUsage.completion_tokens).toBe(15);

      // Tools both ways through the translation.
      const tools = await client.chat.completions.create({
        model: name,
        messages: [{ role: 'user', content: 'What is the weather in Paris?' }],
        tools: [
          {
            type: 'function',
            function: { name: 'get_weather', parameters: weatherTool },
          },
        ],
        tool_choice: 'required',
      });
      expect(tools.choices[0].finish_reason).toBe('tool_calls');
      const call = tools.choices[0].message.tool_calls![0] as any;
      expect(call.function.name).toBe('get_weather');
      expect(JSON.parse(call.function.arguments)).toEqual({
        city: 'city',
        unit: 'celsius',
      });
    },
  );

  it('works with the Vercel AI SDK: @ai-sdk/openai (Responses) and @ai-sdk/anthropic', async () => {
    const openaiProvider = createOpenAI({
      baseURL,
      apiKey: await keyFor('sim-chat'),
    });
    const generated = await generateText({
      model: openaiProvider('sim-chat'),
      prompt: 'Say hello',
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    expect(generated.text.length).toBeGreaterThan(0);
    expect(generated.usage.outputTokens).toBeGreaterThan(0);

    const streamed = streamText({
      model: openaiProvider('sim-chat'),
      prompt: 'Stream me a few words',
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    let text = '';
    for await (const delta of streamed.textStream) text += delta;
    expect(text.length).toBeGreaterThan(0);
    expect((await streamed.usage).outputTokens).toBeGreaterThan(0);

    const withTools = await generateText({
      model: openaiProvider('sim-chat'),
      prompt: 'What is the weather in Paris?',
      tools: {
        get_weather: tool({
          description: 'The weather of a city',
          inputSchema: jsonSchema<any>(weatherTool as any),
        }),
      },
      toolChoice: 'required',
      maxRetries: 0,
    });
    expect(withTools.toolCalls[0]).toMatchObject({
      toolName: 'get_weather',
      input: { city: 'city', unit: 'celsius' },
    });

    const anthropicProvider = createAnthropic({
      baseURL,
      apiKey: await keyFor('sim-claude'),
    });
    const claude = await generateText({
      model: anthropicProvider('sim-claude'),
      prompt: 'Say hello',
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    expect(claude.text.length).toBeGreaterThan(0);
    expect(claude.usage.inputTokens).toBeGreaterThan(0);
    const claudeStream = streamText({
      model: anthropicProvider('sim-chat'.replace('chat', 'claude')),
      prompt: 'Stream me a few words',
      maxOutputTokens: 20,
      maxRetries: 0,
    });
    let claudeText = '';
    for await (const delta of claudeStream.textStream) claudeText += delta;
    expect(claudeText.length).toBeGreaterThan(0);
  });

  it.each([
    ['Responses from a chat upstream', 'sim-cut'],
    ['Responses from a Responses upstream', 'sim-resp-cut'],
    ['Messages from an Anthropic upstream', 'sim-claude-cut'],
    ['Messages from a chat upstream', 'sim-cut'],
    ['Messages from a Responses upstream', 'sim-resp-cut'],
  ])(
    "a stream cut mid-answer ends with the protocol's error event, one honest row, nothing charged (%s)",
    async (label, name) => {
      let requestId: string;
      let received = '';
      // How the stream ended, and the error's message.
      let ending: Record<string, unknown>;
      let message: string;
      if (label.startsWith('Responses')) {
        const { data: stream, response } = await (await openai(name)).responses
          .create({ model: name, input: 'Tell me a story', stream: true })
          .withResponse();
        requestId = response.headers.get('x-request-id')!;
        // Responses ends a broken stream with its typed response.failed
        // event (the SDK yields it), carrying the error and no usage.
        const types: string[] = [];
        const ids = new Set<string>();
        let failed: any;
        for await (const event of stream) {
          types.push(event.type);
          if (event.type === 'response.output_text.delta') {
            received += event.delta;
          }
          if ('response' in event) {
            ids.add((event as any).response.id);
          }
          if (event.type === 'response.failed') {
            failed = event.response;
          }
        }
        ending = {
          last: types[types.length - 1],
          // One response from start to failure, passed through or translated.
          responses: ids.size,
          status: failed?.status,
          usage: failed?.usage,
          code: failed?.error?.code,
          delivered: failed?.output?.[0]?.content?.[0]?.text,
        };
        message = String(failed?.error?.message);
      } else {
        const stream = (await anthropic(name)).messages.stream({
          model: name,
          max_tokens: 200,
          messages: [{ role: 'user', content: 'Tell me a story' }],
        });
        stream.on('text', delta => {
          received += delta;
        });
        const failure = await stream.finalMessage().catch(e => e);
        requestId = (await stream.withResponse()).response.headers.get(
          'x-request-id',
        )!;
        // Messages ends it with an `error` event of type api_error.
        ending = {
          anthropicError: failure instanceof Anthropic.APIError,
          type: failure.error?.error?.type ?? failure.error?.type,
        };
        message = String(failure.message);
      }
      expect(ending).toEqual(
        label.startsWith('Responses')
          ? {
              last: 'response.failed',
              responses: 1,
              status: 'failed',
              usage: null,
              code: 'upstream_timeout',
              delivered: received,
            }
          : { anthropicError: true, type: 'api_error' },
      );
      expect(message).toContain('stopped sending');
      // Some of the answer arrived before the upstream fell silent.
      expect(received.length).toBeGreaterThan(0);
      const row = await usage(requestId);
      expect(row).toMatchObject({
        status: 'timeout',
        stream: true,
        costMicros: 0,
        trialTokens: 0,
      });
      const rows = await knex('usage_ledger').where({ request_id: requestId });
      expect(rows).toHaveLength(1);
    },
  );
});
