import { ResponseError } from '@backstage/errors';
import type { UsageRecord } from '@internal/plugin-marketplace-common';

/** What the playground sends (an OpenAI chat request without `model`). */
export interface TestRequest {
  messages: { role: 'system' | 'user'; content: string }[];
  temperature: number;
  max_tokens: number;
  stream: boolean;
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
): Promise<TestOutcome> {
  const started = performance.now();
  const res = await fetch(
    `${baseUrl}/v1/services/${encodeURIComponent(name)}/test`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(
        request.stream
          ? { ...request, stream_options: { include_usage: true } }
          : request,
      ),
      signal,
    },
  );
  if (!res.ok) {
    throw await failure(res);
  }
  const requestId = res.headers.get('x-request-id');
  if (!request.stream) {
    const body = await res.json();
    const text = body?.choices?.[0]?.message?.content ?? '';
    onDelta(text);
    return {
      requestId,
      text,
      finishReason: body?.choices?.[0]?.finish_reason ?? null,
      promptTokens: body?.usage?.prompt_tokens ?? null,
      completionTokens: body?.usage?.completion_tokens ?? null,
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
