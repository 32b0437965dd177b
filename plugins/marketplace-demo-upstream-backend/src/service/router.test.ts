import { mockServices } from '@backstage/backend-test-utils';
import express from 'express';
import { countTokens, encodeChat } from 'gpt-tokenizer';
import { AddressInfo } from 'net';
import request from 'supertest';
import { createRouter, SleepFunction } from './router';

const API_KEY = 'sk-demo-upstream-test';
const AUTH = `Bearer ${API_KEY}`;

const baseConfig = {
  marketplace: {
    demoUpstream: {
      enabled: true,
      apiKey: API_KEY,
      defaults: { timeToFirstTokenMs: 250, tokensPerSecond: 1000 },
      models: [
        { id: 'gpt-4o', ownedBy: 'openai', contextWindow: 128000 },
        { id: 'gpt-4o-mini' },
        { id: 'tiny', contextWindow: 60, maxOutputTokens: 20 },
        { id: 'flaky', failureRate: 1 },
        { id: 'sometimes', failureRate: 0.5 },
        { id: 'limited', failureRate: 1, failureStatus: 429 },
        { id: 'broken', failureRate: 1, failureStatus: 502 },
      ],
    },
  },
};

const messages = [
  { role: 'system', content: 'You are a helpful assistant.' },
  { role: 'user', content: 'How should we meter LLM usage per team?' },
];

async function createApp(
  options: {
    data?: object;
    random?: () => number;
    sleep?: SleepFunction;
  } = {},
) {
  const sleep = jest.fn<Promise<void>, [number, AbortSignal?]>(
    options.sleep ?? (async () => {}),
  );
  const router = await createRouter({
    config: mockServices.rootConfig({
      data: (options.data ?? baseConfig) as any,
    }),
    logger: mockServices.logger.mock(),
    random: options.random ?? (() => 0.5),
    sleep,
    now: () => 1_700_000_000_000,
  });
  return { app: express().use(router), sleep };
}

function complete(app: express.Express, body: object) {
  return request(app)
    .post('/v1/chat/completions')
    .set('Authorization', AUTH)
    .send(body);
}

function parseSse(text: string): { events: any[]; done: boolean } {
  const payloads = text
    .split('\n\n')
    .filter(Boolean)
    .map(block => {
      expect(block.startsWith('data: ')).toBe(true);
      return block.slice('data: '.length);
    });
  const done = payloads[payloads.length - 1] === '[DONE]';
  return {
    events: payloads.filter(p => p !== '[DONE]').map(p => JSON.parse(p)),
    done,
  };
}

function expectOpenAiError(
  body: any,
  expected: { type: string; code?: string; param?: string | null },
) {
  expect(Object.keys(body)).toEqual(['error']);
  expect(Object.keys(body.error).sort()).toEqual([
    'code',
    'message',
    'param',
    'type',
  ]);
  expect(typeof body.error.message).toBe('string');
  expect(body.error.message.length).toBeGreaterThan(0);
  expect(body.error.type).toBe(expected.type);
  if (expected.code !== undefined) {
    expect(body.error.code).toBe(expected.code);
  }
  if (expected.param !== undefined) {
    expect(body.error.param).toBe(expected.param);
  }
}

describe('createRouter', () => {
  describe('authentication', () => {
    it('rejects requests without an API key', async () => {
      const { app } = await createApp();
      const res = await request(app).get('/v1/models');
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: expect.stringContaining("didn't provide an API key"),
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
    });

    it('rejects a wrong API key', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', 'Bearer sk-wrong')
        .send({ model: 'gpt-4o', messages });
      expect(res.status).toBe(401);
      expect(res.body).toEqual({
        error: {
          message: 'Incorrect API key provided.',
          type: 'invalid_request_error',
          param: null,
          code: 'invalid_api_key',
        },
      });
      expect(JSON.stringify(res.body)).not.toContain('sk-wrong');
    });

    it('rejects a key sent without the Bearer scheme', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .get('/v1/models')
        .set('Authorization', API_KEY);
      expect(res.status).toBe(401);
      expect(res.body.error.code).toBe('invalid_api_key');
    });
  });

  describe('GET /v1/models', () => {
    it('lists the configured models', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .get('/v1/models')
        .set('Authorization', AUTH);
      expect(res.status).toBe(200);
      expect(res.body.object).toBe('list');
      expect(res.body.data).toHaveLength(7);
      expect(res.body.data[0]).toEqual({
        id: 'gpt-4o',
        object: 'model',
        created: 1_700_000_000,
        owned_by: 'openai',
      });
      expect(res.body.data.map((m: any) => m.id)).toEqual([
        'gpt-4o',
        'gpt-4o-mini',
        'tiny',
        'flaky',
        'sometimes',
        'limited',
        'broken',
      ]);
      expect(res.body.data[1].owned_by).toBe('demo-upstream');
    });

    it('serves a built-in catalogue when no models are configured', async () => {
      const { app } = await createApp({
        data: {
          marketplace: { demoUpstream: { enabled: true, apiKey: API_KEY } },
        },
      });
      const res = await request(app)
        .get('/v1/models')
        .set('Authorization', AUTH);
      expect(res.body.data.map((m: any) => m.id)).toEqual([
        'gpt-4o',
        'gpt-4o-mini',
      ]);
    });

    it('retrieves a single model and 404s unknown ones', async () => {
      const { app } = await createApp();
      const ok = await request(app)
        .get('/v1/models/tiny')
        .set('Authorization', AUTH);
      expect(ok.status).toBe(200);
      expect(ok.body.id).toBe('tiny');

      const missing = await request(app)
        .get('/v1/models/nope')
        .set('Authorization', AUTH);
      expect(missing.status).toBe(404);
      expectOpenAiError(missing.body, {
        type: 'invalid_request_error',
        code: 'model_not_found',
      });
    });
  });

  describe('POST /v1/chat/completions', () => {
    it('answers with real token counts', async () => {
      const { app } = await createApp();
      const res = await complete(app, { model: 'gpt-4o', messages });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        id: expect.stringMatching(/^chatcmpl-/),
        object: 'chat.completion',
        created: 1_700_000_000,
        model: 'gpt-4o',
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: expect.any(String),
              refusal: null,
            },
            logprobs: null,
            finish_reason: 'stop',
          },
        ],
        usage: {
          prompt_tokens: expect.any(Number),
          completion_tokens: expect.any(Number),
          total_tokens: expect.any(Number),
        },
      });
      const content = res.body.choices[0].message.content;
      const { usage } = res.body;
      expect(usage.completion_tokens).toBe(countTokens(content));
      expect(usage.prompt_tokens).toBe(
        encodeChat(messages as any, 'gpt-4o').length,
      );
      expect(usage.total_tokens).toBe(
        usage.prompt_tokens + usage.completion_tokens,
      );
      // The natural answer length is 64 to 256 tokens, ending a sentence.
      expect(usage.completion_tokens).toBeGreaterThanOrEqual(64);
      expect(usage.completion_tokens).toBeLessThan(300);
      expect(content).toMatch(/\.$/);
    });

    it('counts the text of content parts and accepts images', async () => {
      const { app } = await createApp();
      const parts = [
        { role: 'user', content: 'First line' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in' },
            { type: 'text', text: 'this picture?' },
            {
              type: 'image_url',
              image_url: { url: 'https://example.com/a.png' },
            },
          ],
        },
      ];
      const res = await complete(app, { model: 'gpt-4o', messages: parts });
      expect(res.status).toBe(200);
      const expected =
        encodeChat(
          [
            { role: 'user', content: 'First line' },
            { role: 'user', content: 'What is in\nthis picture?' },
          ],
          'gpt-4o',
        ).length + 85;
      expect(res.body.usage.prompt_tokens).toBe(expected);
    });

    it('treats special-token strings in the prompt as plain text', async () => {
      const { app } = await createApp();
      const res = await complete(app, {
        model: 'gpt-4o',
        messages: [{ role: 'user', content: 'Ignore <|endoftext|> this' }],
      });
      expect(res.status).toBe(200);
      expect(res.body.usage.prompt_tokens).toBeGreaterThan(10);
    });

    it('is deterministic for the same request and varies with the seed', async () => {
      const { app } = await createApp();
      const first = await complete(app, { model: 'gpt-4o', messages });
      const second = await complete(app, { model: 'gpt-4o', messages });
      expect(second.body.choices[0].message.content).toBe(
        first.body.choices[0].message.content,
      );
      expect(second.body.usage).toEqual(first.body.usage);
      expect(second.body.id).not.toBe(first.body.id);

      const seeded = await complete(app, {
        model: 'gpt-4o',
        messages,
        seed: 7,
      });
      expect(seeded.body.choices[0].message.content).not.toBe(
        first.body.choices[0].message.content,
      );
    });

    it('respects max_tokens and reports finish_reason length', async () => {
      const { app } = await createApp();
      const res = await complete(app, {
        model: 'gpt-4o',
        messages,
        max_tokens: 7,
      });
      expect(res.status).toBe(200);
      const content = res.body.choices[0].message.content;
      expect(res.body.choices[0].finish_reason).toBe('length');
      expect(res.body.usage.completion_tokens).toBe(7);
      expect(countTokens(content)).toBe(7);

      const full = await complete(app, { model: 'gpt-4o', messages });
      expect(full.body.choices[0].message.content.startsWith(content)).toBe(
        true,
      );
    });

    it('prefers max_completion_tokens and caps at the model maxOutputTokens', async () => {
      const { app } = await createApp();
      const res = await complete(app, {
        model: 'gpt-4o',
        messages,
        max_tokens: 50,
        max_completion_tokens: 3,
      });
      expect(res.body.usage.completion_tokens).toBe(3);

      const tiny = await complete(app, {
        model: 'tiny',
        messages: [{ role: 'user', content: 'Hi' }],
        max_tokens: 1000,
      });
      expect(tiny.status).toBe(200);
      expect(tiny.body.usage.completion_tokens).toBe(20);
      expect(tiny.body.choices[0].finish_reason).toBe('length');
    });

    it('stops at a stop sequence', async () => {
      const { app } = await createApp();
      const full = await complete(app, { model: 'gpt-4o', messages });
      const content: string = full.body.choices[0].message.content;
      const stop = content.split(' ')[3];
      const res = await complete(app, { model: 'gpt-4o', messages, stop });
      expect(res.body.choices[0].finish_reason).toBe('stop');
      expect(res.body.choices[0].message.content).toBe(
        content.slice(0, content.indexOf(stop)),
      );
      expect(res.body.usage.completion_tokens).toBe(
        countTokens(res.body.choices[0].message.content),
      );
    });

    it('returns valid JSON in json_object mode, even when cut', async () => {
      const { app } = await createApp();
      const res = await complete(app, {
        model: 'gpt-4o',
        messages: [
          { role: 'system', content: 'Answer in JSON.' },
          { role: 'user', content: 'Summarise our quota policy.' },
        ],
        response_format: { type: 'json_object' },
      });
      expect(res.status).toBe(200);
      const content = res.body.choices[0].message.content;
      expect(() => JSON.parse(content)).not.toThrow();
      expect(JSON.parse(content)).toEqual(
        expect.objectContaining({ answer: expect.any(String) }),
      );
      expect(res.body.usage.completion_tokens).toBe(countTokens(content));

      const cut = await complete(app, {
        model: 'gpt-4o',
        messages,
        response_format: { type: 'json_object' },
        max_tokens: 20,
      });
      const cutContent = cut.body.choices[0].message.content;
      expect(() => JSON.parse(cutContent)).not.toThrow();
      expect(cut.body.usage.completion_tokens).toBeLessThanOrEqual(20);
      expect(cut.body.choices[0].finish_reason).toBe('length');
    });

    it('accepts and ignores parameters it cannot simulate', async () => {
      const { app } = await createApp();
      const res = await complete(app, {
        model: 'gpt-4o',
        messages: [
          ...messages,
          { role: 'assistant', content: null, tool_calls: [] },
          { role: 'tool', content: '{"ok":true}', tool_call_id: 'call_1' },
          { role: 'developer', content: 'Be brief.' },
          { role: 'user', name: 'alice_1', content: 'Thanks!' },
        ],
        temperature: 0.2,
        top_p: 0.9,
        n: 1,
        user: 'team-a',
        presence_penalty: 0,
        tools: [{ type: 'function', function: { name: 'lookup' } }],
        tool_choice: 'auto',
        stream: false,
      });
      expect(res.status).toBe(200);
    });

    it('waits the time to first token and the generation time', async () => {
      const { app, sleep } = await createApp();
      const res = await complete(app, { model: 'gpt-4o', messages });
      expect(sleep).toHaveBeenCalledTimes(2);
      expect(sleep.mock.calls[0][0]).toBe(250);
      // 1000 tokens per second: one millisecond per token.
      expect(sleep.mock.calls[1][0]).toBeCloseTo(
        res.body.usage.completion_tokens,
      );
    });
    it('waits for real when no sleep function is injected', async () => {
      const router = await createRouter({
        config: mockServices.rootConfig({
          data: {
            marketplace: {
              demoUpstream: {
                enabled: true,
                apiKey: API_KEY,
                defaults: { timeToFirstTokenMs: 40, tokensPerSecond: 2000 },
              },
            },
          },
        }),
        logger: mockServices.logger.mock(),
      });
      const start = Date.now();
      const res = await complete(express().use(router), {
        model: 'gpt-4o',
        messages,
      });
      const elapsed = Date.now() - start;
      expect(res.status).toBe(200);
      // 40 ms to the first token, then 0.5 ms per token; allow timer slack.
      expect(elapsed).toBeGreaterThanOrEqual(
        40 + res.body.usage.completion_tokens / 2 - 5,
      );
    });
  });

  describe('streaming', () => {
    it('streams SSE chunks whose deltas add up to the content', async () => {
      const { app, sleep } = await createApp();
      const plain = await complete(app, { model: 'gpt-4o', messages });
      const res = await complete(app, {
        model: 'gpt-4o',
        messages,
        stream: true,
      });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toMatch(/^text\/event-stream/);
      expect(res.headers['cache-control']).toBe('no-cache');

      const { events, done } = parseSse(res.text);
      expect(done).toBe(true);
      expect(events.length).toBeGreaterThan(3);
      for (const event of events) {
        expect(event.object).toBe('chat.completion.chunk');
        expect(event.model).toBe('gpt-4o');
        expect(event.id).toBe(events[0].id);
        expect(event.usage).toBeUndefined();
      }
      expect(events[0].choices[0].delta).toEqual({
        role: 'assistant',
        content: '',
      });
      const last = events[events.length - 1];
      expect(last.choices[0]).toEqual({
        index: 0,
        delta: {},
        logprobs: null,
        finish_reason: 'stop',
      });
      const content = events
        .map(event => event.choices[0].delta.content ?? '')
        .join('');
      expect(content).toBe(plain.body.choices[0].message.content);

      // TTFT first, then the pacing of every delta.
      const streamCalls = sleep.mock.calls.slice(2);
      expect(streamCalls[0][0]).toBe(250);
      const paced = streamCalls.slice(1).reduce((sum, [ms]) => sum + ms, 0);
      expect(paced).toBeCloseTo(plain.body.usage.completion_tokens);
    });

    it('adds a usage chunk only when include_usage is set', async () => {
      const { app } = await createApp();
      const plain = await complete(app, {
        model: 'gpt-4o',
        messages,
        max_tokens: 12,
      });
      const res = await complete(app, {
        model: 'gpt-4o',
        messages,
        max_tokens: 12,
        stream: true,
        stream_options: { include_usage: true },
      });
      const { events, done } = parseSse(res.text);
      expect(done).toBe(true);
      const usageChunk = events[events.length - 1];
      expect(usageChunk.choices).toEqual([]);
      expect(usageChunk.usage).toEqual(plain.body.usage);
      expect(usageChunk.usage.completion_tokens).toBe(12);
      for (const event of events.slice(0, -1)) {
        expect(event.usage).toBeNull();
      }
      expect(events[events.length - 2].choices[0].finish_reason).toBe('length');

      const without = await complete(app, {
        model: 'gpt-4o',
        messages,
        stream: true,
        stream_options: { include_usage: false },
      });
      expect(
        parseSse(without.text).events.some(event => event.usage !== undefined),
      ).toBe(false);
    });

    it('stops generating when the client disconnects', async () => {
      let aborted: AbortSignal | undefined;
      const { app, sleep } = await createApp({
        // Never finish waiting, until the client goes away.
        sleep: (_ms, signal) =>
          new Promise<void>(resolve => {
            aborted = signal;
            signal?.addEventListener('abort', () => resolve());
          }),
      });
      const server = app.listen(0);
      try {
        const { port } = server.address() as AddressInfo;
        const controller = new AbortController();
        const response = await fetch(
          `http://127.0.0.1:${port}/v1/chat/completions`,
          {
            method: 'POST',
            headers: {
              authorization: AUTH,
              'content-type': 'application/json',
            },
            body: JSON.stringify({ model: 'gpt-4o', messages, stream: true }),
            signal: controller.signal,
          },
        );
        expect(response.status).toBe(200);
        controller.abort();
        await new Promise(resolve => setTimeout(resolve, 50));
        expect(aborted?.aborted).toBe(true);
        expect(sleep).toHaveBeenCalledTimes(1);
      } finally {
        await new Promise(resolve => server.close(resolve));
      }
    });
  });

  describe('errors', () => {
    it('answers malformed JSON with invalid_json', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', AUTH)
        .set('Content-Type', 'application/json')
        .send('{"model": "gpt-4o", "messages": [');
      expect(res.status).toBe(400);
      expectOpenAiError(res.body, {
        type: 'invalid_request_error',
        code: 'invalid_json',
        param: null,
      });
    });

    it('names a missing field', async () => {
      const { app } = await createApp();
      const res = await complete(app, { model: 'gpt-4o' });
      expect(res.status).toBe(400);
      expectOpenAiError(res.body, {
        type: 'invalid_request_error',
        param: 'messages',
        code: 'missing_required_parameter',
      });
      expect(res.body.error.message).toContain("'messages'");
    });

    it.each([
      ['messages', { model: 'gpt-4o', messages: [] }],
      ['model', { messages }],
      [
        'messages[0].role',
        { model: 'gpt-4o', messages: [{ role: 'robot', content: 'x' }] },
      ],
      [
        'messages[0].content',
        { model: 'gpt-4o', messages: [{ role: 'user' }] },
      ],
      [
        'messages[0].content[0].text',
        {
          model: 'gpt-4o',
          messages: [{ role: 'user', content: [{ type: 'text', text: 3 }] }],
        },
      ],
      [
        'messages[0].name',
        {
          model: 'gpt-4o',
          messages: [{ role: 'user', name: '<|endoftext|>', content: 'x' }],
        },
      ],
      ['temperature', { model: 'gpt-4o', messages, temperature: 3 }],
      ['max_tokens', { model: 'gpt-4o', messages, max_tokens: 0 }],
      ['max_tokens', { model: 'gpt-4o', messages, max_tokens: 1.5 }],
      ['stream', { model: 'gpt-4o', messages, stream: 'yes' }],
      [
        'response_format.type',
        { model: 'gpt-4o', messages, response_format: { type: 'xml' } },
      ],
    ])('rejects an invalid %s', async (param, body) => {
      const { app } = await createApp();
      const res = await complete(app, body);
      expect(res.status).toBe(400);
      expectOpenAiError(res.body, { type: 'invalid_request_error', param });
      expect(res.body.error.message).toContain(`'${param}'`);
    });

    it('rejects a body that is not an object', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/chat/completions')
        .set('Authorization', AUTH)
        .set('Content-Type', 'application/json')
        .send('[1, 2]');
      expect(res.status).toBe(400);
      expect(res.body.error.type).toBe('invalid_request_error');
    });

    it('answers an unknown model with 404 model_not_found', async () => {
      const { app } = await createApp();
      const res = await complete(app, { model: 'gpt-9', messages });
      expect(res.status).toBe(404);
      expectOpenAiError(res.body, {
        type: 'invalid_request_error',
        code: 'model_not_found',
        param: 'model',
      });
      expect(res.body.error.message).toContain('gpt-9');
    });

    it('rejects n other than 1', async () => {
      const { app } = await createApp();
      const res = await complete(app, { model: 'gpt-4o', messages, n: 2 });
      expect(res.status).toBe(400);
      expectOpenAiError(res.body, {
        type: 'invalid_request_error',
        param: 'n',
      });
    });

    it('rejects prompts longer than the context window', async () => {
      const { app, sleep } = await createApp();
      const res = await complete(app, {
        model: 'tiny',
        messages: [{ role: 'user', content: 'word '.repeat(100) }],
      });
      expect(res.status).toBe(400);
      expectOpenAiError(res.body, {
        type: 'invalid_request_error',
        code: 'context_length_exceeded',
        param: 'messages',
      });
      expect(res.body.error.message).toContain('60 tokens');
      expect(sleep).not.toHaveBeenCalled();
    });

    it('limits the completion to the context left after the prompt', async () => {
      const { app } = await createApp();
      const prompt = [{ role: 'user', content: 'word '.repeat(40).trim() }];
      const promptTokens = encodeChat(prompt as any, 'gpt-4o').length;
      const res = await complete(app, { model: 'tiny', messages: prompt });
      expect(res.status).toBe(200);
      expect(res.body.usage.prompt_tokens).toBe(promptTokens);
      expect(res.body.usage.completion_tokens).toBe(
        Math.min(20, 60 - promptTokens),
      );
    });

    it.each([
      [0.9, 500],
      [0.1, 503],
    ])(
      'simulates server errors with failureRate 1 (draw %s -> %s)',
      async (draw, status) => {
        const { app, sleep } = await createApp({ random: () => draw });
        const res = await complete(app, { model: 'flaky', messages });
        expect(res.status).toBe(status);
        expectOpenAiError(res.body, { type: 'server_error', param: null });
        expect(sleep).not.toHaveBeenCalled();
      },
    );

    it.each([
      ['limited', 429, 'requests'],
      ['broken', 502, 'server_error'],
    ])(
      'injects failures of the configured status (%s -> %s)',
      async (model, status, type) => {
        const { app } = await createApp({ random: () => 0.1 });
        const res = await complete(app, { model, messages });
        expect(res.status).toBe(status);
        expect(res.body.error.type).toBe(type);
      },
    );

    it('fails with the configured probability', async () => {
      const { app: unlucky } = await createApp({ random: () => 0.49 });
      expect(
        (await complete(unlucky, { model: 'sometimes', messages })).status,
      ).toBe(500);
      const { app: lucky } = await createApp({ random: () => 0.5 });
      expect(
        (await complete(lucky, { model: 'sometimes', messages })).status,
      ).toBe(200);
      // failureRate 0 never fails, whatever the draw.
      const { app: steady } = await createApp({ random: () => 0 });
      expect(
        (await complete(steady, { model: 'gpt-4o', messages })).status,
      ).toBe(200);
    });

    it('answers unknown /v1 routes with 404 in the OpenAI shape', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/assistants')
        .set('Authorization', AUTH)
        .send({});
      expect(res.status).toBe(404);
      expectOpenAiError(res.body, { type: 'invalid_request_error' });
    });
  });

  describe('Anthropic Messages and embeddings', () => {
    it('answers /v1/messages in Anthropic shape with real token counts, with x-api-key', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/messages')
        .set('x-api-key', AUTH.replace(/^Bearer /, ''))
        .send({
          model: 'gpt-4o',
          max_tokens: 20,
          system: 'Be brief.',
          messages: [{ role: 'user', content: 'Hello there' }],
        });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        type: 'message',
        role: 'assistant',
        content: [{ type: 'text' }],
      });
      expect(res.body.usage.input_tokens).toBeGreaterThan(0);
      expect(res.body.usage.output_tokens).toBeLessThanOrEqual(20);

      const missing = await request(app)
        .post('/v1/messages')
        .set('Authorization', AUTH)
        .send({ model: 'gpt-4o', messages: [{ role: 'user', content: 'x' }] });
      expect(missing.status).toBe(400);
      expect(missing.body).toEqual({
        type: 'error',
        error: {
          type: 'invalid_request_error',
          message: expect.stringContaining('max_tokens'),
        },
      });
    });

    it('streams /v1/messages as Anthropic events', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/messages')
        .set('Authorization', AUTH)
        .send({
          model: 'gpt-4o',
          max_tokens: 10,
          stream: true,
          messages: [{ role: 'user', content: 'Hello there' }],
        });
      const events = [...res.text.matchAll(/^event: (\S+)$/gm)].map(m => m[1]);
      expect(events[0]).toBe('message_start');
      expect(events).toContain('content_block_delta');
      expect(events.slice(-2)).toEqual(['message_delta', 'message_stop']);
    });

    it('answers /v1/responses in Responses shape, whole and as typed events, with real token counts', async () => {
      const { app } = await createApp();
      const res = await request(app)
        .post('/v1/responses')
        .set('Authorization', AUTH)
        .send({
          model: 'gpt-4o',
          instructions: 'Be brief.',
          input: [{ role: 'user', content: 'Hello there' }],
          max_output_tokens: 20,
        });
      expect(res.status).toBe(200);
      expect(res.body).toMatchObject({
        object: 'response',
        model: 'gpt-4o',
        output: [
          {
            type: 'message',
            role: 'assistant',
            content: [{ type: 'output_text' }],
          },
        ],
      });
      expect(['completed', 'incomplete']).toContain(res.body.status);
      expect(res.body.usage.input_tokens).toBeGreaterThan(0);
      expect(res.body.usage.output_tokens).toBeLessThanOrEqual(20);

      const streamed = await request(app)
        .post('/v1/responses')
        .set('Authorization', AUTH)
        .send({
          model: 'gpt-4o',
          input: 'Hello there',
          max_output_tokens: 10,
          stream: true,
        });
      const events = streamed.text
        .split('\n\n')
        .filter(Boolean)
        .map(block => JSON.parse(block.slice(block.indexOf('data: ') + 6)));
      expect(events[0].type).toBe('response.created');
      expect(events.map(e => e.sequence_number)).toEqual(
        events.map((_, i) => i),
      );
      const text = events
        .filter(e => e.type === 'response.output_text.delta')
        .map(e => e.delta)
        .join('');
      const last = events[events.length - 1];
      expect(last.type).toMatch(/^response\.(completed|incomplete)$/);
      expect(last.response.output[0].content[0].text).toBe(text);
      expect(last.response.usage.output_tokens).toBeLessThanOrEqual(10);

      const tool = await request(app)
        .post('/v1/responses')
        .set('Authorization', AUTH)
        .send({
          model: 'gpt-4o',
          input: 'What is the weather in Paris?',
          tools: [
            {
              type: 'function',
              name: 'get_weather',
              parameters: {
                type: 'object',
                properties: { city: { type: 'string' } },
                required: ['city'],
              },
            },
          ],
          tool_choice: { type: 'function', name: 'get_weather' },
        });
      expect(tool.body.output[0]).toMatchObject({
        type: 'function_call',
        name: 'get_weather',
      });
      expect(JSON.parse(tool.body.output[0].arguments)).toEqual({
        city: 'city',
      });

      const missing = await request(app)
        .post('/v1/responses')
        .set('Authorization', AUTH)
        .send({ model: 'gpt-4o' });
      expect(missing.status).toBe(400);
      expectOpenAiError(missing.body, {
        type: 'invalid_request_error',
        param: 'input',
      });
    });

    it('embeds deterministically, as floats or base64', async () => {
      const { app } = await createApp();
      const embed = (body: object) =>
        request(app)
          .post('/v1/embeddings')
          .set('Authorization', AUTH)
          .send(body);
      const a = await embed({ model: 'gpt-4o', input: ['one text', 'two'] });
      expect(a.status).toBe(200);
      expect(a.body.data).toHaveLength(2);
      expect(a.body.data[0].embedding).toHaveLength(256);
      const norm = Math.sqrt(
        a.body.data[0].embedding.reduce((s: number, v: number) => s + v * v, 0),
      );
      expect(norm).toBeCloseTo(1, 6);
      expect(a.body.usage.prompt_tokens).toBeGreaterThan(0);
      const b = await embed({
        model: 'gpt-4o',
        input: 'one text',
        encoding_format: 'base64',
        dimensions: 8,
      });
      const floats = Buffer.from(b.body.data[0].embedding, 'base64');
      expect(floats.length).toBe(32);
      const bad = await embed({ model: 'gpt-4o', input: 42 });
      expect(bad.status).toBe(400);
    });
  });

  describe('configuration', () => {
    it('serves only a 404 when disabled', async () => {
      const { app } = await createApp({
        data: { marketplace: { demoUpstream: { enabled: false } } },
      });
      const res = await request(app)
        .get('/v1/models')
        .set('Authorization', AUTH);
      expect(res.status).toBe(404);
    });

    it('is disabled when the config is absent', async () => {
      const logger = mockServices.logger.mock();
      const router = await createRouter({
        config: mockServices.rootConfig({ data: {} }),
        logger,
      });
      const res = await request(express().use(router)).get('/v1/models');
      expect(res.status).toBe(404);
      expect(logger.info).toHaveBeenCalledWith(
        expect.stringContaining('disabled'),
      );
    });

    it.each([
      ['marketplace.demoUpstream.apiKey', { enabled: true }],
      ['marketplace.demoUpstream.apiKey', { enabled: true, apiKey: '' }],
      [
        'marketplace.demoUpstream.defaults.tokensPerSecond',
        { enabled: true, apiKey: 'k', defaults: { tokensPerSecond: 0 } },
      ],
      [
        'marketplace.demoUpstream.models[0].failureRate',
        { enabled: true, apiKey: 'k', models: [{ id: 'a', failureRate: 2 }] },
      ],
      [
        'marketplace.demoUpstream.models[1].id',
        { enabled: true, apiKey: 'k', models: [{ id: 'a' }, { id: 'a' }] },
      ],
    ])('rejects invalid config naming %s', async (key, demoUpstream) => {
      await expect(
        createRouter({
          config: mockServices.rootConfig({
            data: { marketplace: { demoUpstream } },
          }),
          logger: mockServices.logger.mock(),
        }),
      ).rejects.toThrow(key);
    });
  });
});
