import { ResponseError } from '@backstage/errors';
import type { UsageRecord } from '@internal/plugin-marketplace-common';

/** What the playground sends (an OpenAI chat request without `model`). */
export interface TestRequest {
  messages: { role: 'system' | 'user'; content: string }[];
  temperature: number;
  max_tokens: number;
  stream: boolean;
}

/** The protocols the playground sends through (the gateway's routes). */
export type TestProtocol =
  | 'chat'
  | 'responses'
  | 'messages'
  | 'completions'
  | 'embeddings';

export const TEST_PROTOCOL_LABELS: Record<TestProtocol, string> = {
  chat: 'OpenAI Chat Completions',
  responses: 'OpenAI Responses',
  messages: 'Anthropic Messages',
  completions: 'OpenAI Completions (legacy)',
  embeddings: 'OpenAI Embeddings',
};

/** The protocols a service serves, by the protocol of its upstream. */
export function testProtocolsOf(upstream: string | undefined): TestProtocol[] {
  return upstream === 'openai-embeddings'
    ? ['embeddings']
    : ['chat', 'responses', 'messages', 'completions'];
}

/** The playground's request as a body of `protocol` (without `model`). */
export function bodyFor(protocol: TestProtocol, request: TestRequest): object {
  const system = request.messages.find(m => m.role === 'system')?.content;
  const user = request.messages
    .filter(m => m.role === 'user')
    .map(m => m.content)
    .join('\n');
  switch (protocol) {
    case 'responses':
      return {
        ...(system ? { instructions: system } : {}),
        input: user,
        temperature: request.temperature,
        max_output_tokens: request.max_tokens,
        stream: request.stream,
      };
    case 'messages':
      return {
        ...(system ? { system } : {}),
        messages: [{ role: 'user', content: user }],
        // Anthropic's temperature is 0 to 1.
        temperature: Math.min(1, request.temperature),
        max_tokens: request.max_tokens,
        stream: request.stream,
      };
    case 'completions':
      return {
        prompt: system ? `${system}\n\n${user}` : user,
        temperature: request.temperature,
        max_tokens: request.max_tokens,
        stream: request.stream,
        ...(request.stream ? { stream_options: { include_usage: true } } : {}),
      };
    case 'embeddings':
      return { input: user };
    default:
      return request.stream
        ? { ...request, stream_options: { include_usage: true } }
        : request;
  }
}

/** Text, finish and usage of a whole answer in `protocol`'s shape. */
function readWhole(protocol: TestProtocol, body: any) {
  switch (protocol) {
    case 'responses':
      return {
        text: (body?.output ?? [])
          .flatMap((o: any) => o?.content ?? [])
          .map((c: any) => c?.text ?? '')
          .join(''),
        finishReason: body?.status ?? null,
        promptTokens: body?.usage?.input_tokens ?? null,
        completionTokens: body?.usage?.output_tokens ?? null,
      };
    case 'messages':
      return {
        text: (body?.content ?? [])
          .map((c: any) =>
            c?.type === 'text' ? c.text : JSON.stringify(c?.input ?? ''),
          )
          .join(''),
        finishReason: body?.stop_reason ?? null,
        promptTokens: body?.usage?.input_tokens ?? null,
        completionTokens: body?.usage?.output_tokens ?? null,
      };
    case 'completions':
      return {
        text: body?.choices?.[0]?.text ?? '',
        finishReason: body?.choices?.[0]?.finish_reason ?? null,
        promptTokens: body?.usage?.prompt_tokens ?? null,
        completionTokens: body?.usage?.completion_tokens ?? null,
      };
    case 'embeddings': {
      const vectors: number[][] = (body?.data ?? []).map(
        (d: any) => d?.embedding ?? [],
      );
      return {
        text: vectors
          .map(
            (v, i) =>
              `Vector ${i + 1}: ${v.length} dimensions [${v
                .slice(0, 4)
                .map(x => x.toFixed(4))
                .join(', ')}, …]`,
          )
          .join('\n'),
        finishReason: null,
        promptTokens: body?.usage?.prompt_tokens ?? null,
        completionTokens: 0,
      };
    }
    default:
      return {
        text: body?.choices?.[0]?.message?.content ?? '',
        finishReason: body?.choices?.[0]?.finish_reason ?? null,
        promptTokens: body?.usage?.prompt_tokens ?? null,
        completionTokens: body?.usage?.completion_tokens ?? null,
      };
  }
}

/** What the playground shows once an answer is complete. */
export interface TestOutcome {
  requestId: string | null;
  text: string;
  finishReason: string | null;
  promptTokens: number | null;
  completionTokens: number | null;
  /** Milliseconds until the first streamed token (browser side). */
  firstTokenMs: number | null;
  /** Milliseconds until the answer was complete (browser side). */
  totalMs: number;
}

/** An answer in OpenAI's error shape. */
export class TestApiError extends Error {
  constructor(
    message: string,
    readonly status: number,
    readonly code: string | null,
  ) {
    super(message);
  }
}

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;

async function failure(res: Response): Promise<Error> {
  const text = await res.text();
  try {
    const body = JSON.parse(text);
    if (body?.error?.message && typeof body.error.message === 'string') {
      return new TestApiError(
        body.error.message,
        res.status,
        body.error.code ?? null,
      );
    }
  } catch {
    // not JSON
  }
  return new TestApiError(text || `HTTP ${res.status}`, res.status, null);
}

/**
 * Calls `POST /v1/services/:name/test` (the gateway on the signed-in user's own
 * subscription). With `stream`, `onDelta` receives the text as it arrives.
 */
export async function runTest(
  fetch: Fetch,
  baseUrl: string,
  name: string,
  request: TestRequest,
  onDelta: (text: string) => void,
  signal?: AbortSignal,
  protocol: TestProtocol = 'chat',
): Promise<TestOutcome> {
  const started = performance.now();
  const stream = request.stream && protocol !== 'embeddings';
  const res = await fetch(
    `${baseUrl}/v1/services/${encodeURIComponent(name)}/test${
      protocol === 'chat' ? '' : `?protocol=${protocol}`
    }`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(bodyFor(protocol, request)),
      signal,
    },
  );
  if (!res.ok) {
    throw await failure(res);
  }
  const requestId = res.headers.get('x-request-id');
  if (!stream) {
    const whole = readWhole(protocol, await res.json());
    onDelta(whole.text);
    return {
      requestId,
      ...whole,
      firstTokenMs: null,
      totalMs: Math.round(performance.now() - started),
    };
  }

  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  let pending = '';
  let text = '';
  let finishReason: string | null = null;
  let usage: { prompt_tokens?: number; completion_tokens?: number } | undefined;
  let firstTokenMs: number | null = null;
  let streamError: Error | undefined;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    pending += decoder.decode(value, { stream: true }).replace(/\r\n/g, '\n');
    let index = pending.indexOf('\n\n');
    while (index >= 0) {
      const event = pending.slice(0, index);
      pending = pending.slice(index + 2);
      index = pending.indexOf('\n\n');
      const data = event
        .split('\n')
        .filter(l => l.startsWith('data:'))
        .map(l => l.slice(5).trim())
        .join('\n');
      if (!data || data === '[DONE]') {
        continue;
      }
      try {
        const chunk = JSON.parse(data);
        // Responses and Messages events: their text, finish and usage.
        const piece =
          (chunk?.type === 'response.output_text.delta' && chunk.delta) ||
          (chunk?.type === 'content_block_delta' && chunk.delta?.text) ||
          (protocol === 'completions' && chunk?.choices?.[0]?.text) ||
          '';
        if (piece) {
          if (firstTokenMs === null) {
            firstTokenMs = Math.round(performance.now() - started);
          }
          text += piece;
          onDelta(text);
        }
        if (
          chunk?.type === 'response.completed' ||
          chunk?.type === 'response.incomplete'
        ) {
          finishReason = chunk.response?.status ?? null;
          usage = {
            prompt_tokens: chunk.response?.usage?.input_tokens,
            completion_tokens: chunk.response?.usage?.output_tokens,
          };
        }
        if (chunk?.type === 'message_start') {
          usage = { prompt_tokens: chunk.message?.usage?.input_tokens };
        }
        if (chunk?.type === 'message_delta') {
          finishReason = chunk.delta?.stop_reason ?? finishReason;
          usage = {
            prompt_tokens: chunk.usage?.input_tokens ?? usage?.prompt_tokens,
            completion_tokens: chunk.usage?.output_tokens,
          };
        }
        if (
          chunk?.type === 'error' &&
          (chunk.error?.message || chunk.message)
        ) {
          streamError = new TestApiError(
            chunk.error?.message ?? chunk.message,
            502,
            chunk.code ?? null,
          );
          continue;
        }
        if (protocol === 'completions') {
          if (chunk?.usage) {
            usage = chunk.usage;
          }
          if (chunk?.choices?.[0]?.finish_reason) {
            finishReason = chunk.choices[0].finish_reason;
          }
          continue;
        }
        if (chunk?.error?.message) {
          streamError = new TestApiError(
            chunk.error.message,
            502,
            chunk.error.code ?? null,
          );
          continue;
        }
        if (chunk?.usage) {
          usage = chunk.usage;
        }
        const choice = chunk?.choices?.[0];
        if (choice?.delta?.content) {
          if (firstTokenMs === null) {
            firstTokenMs = Math.round(performance.now() - started);
          }
          text += choice.delta.content;
          onDelta(text);
        }
        if (choice?.finish_reason) {
          finishReason = choice.finish_reason;
        }
      } catch {
        // ignore a malformed event
      }
    }
  }
  if (streamError) {
    throw streamError;
  }
  return {
    requestId,
    text,
    finishReason,
    promptTokens: usage?.prompt_tokens ?? null,
    completionTokens: usage?.completion_tokens ?? null,
    firstTokenMs,
    totalMs: Math.round(performance.now() - started),
  };
}

/** The ledger row of a request (tokens, cost, upstream latency as metered). */
export async function fetchUsage(
  fetch: Fetch,
  baseUrl: string,
  requestId: string,
): Promise<UsageRecord> {
  const res = await fetch(
    `${baseUrl}/v1/usage/${encodeURIComponent(requestId)}`,
  );
  if (!res.ok) {
    throw await ResponseError.fromResponse(res);
  }
  return (await res.json()).usage;
}
