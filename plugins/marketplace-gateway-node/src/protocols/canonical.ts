import { randomUUID } from 'crypto';
import { GatewayError } from '../errors';
import { textBetween, toChatUsage } from './sse';
import type { ReportedUsage } from './types';

export { sseEvent, toChatUsage } from './sse';

/**
 * The form every translation goes through: an OpenAI Chat Completions request,
 * answer and stream. Each client protocol translates its request to it and its
 * answer from it; each upstream protocol the other way round. When the client
 * and the upstream speak the same protocol nothing is translated.
 */

/** A Chat Completions request body (the fields a translation reads or writes). */
export type ChatRequest = Record<string, any> & {
  model: string;
  messages: ChatMessage[];
};

export type ChatMessage = Record<string, any> & {
  role: string;
  content?: unknown;
};

export interface ChatToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

/** Why an answer ended, in Chat Completions' words. */
export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

/** A whole answer in canonical form. */
export interface ChatAnswer {
  id: string;
  model: string;
  created: number;
  text: string;
  toolCalls: ChatToolCall[];
  finishReason: FinishReason;
  usage: ReportedUsage | undefined;
}

/** One piece of a streamed answer in canonical form. */
export type StreamPart =
  | { type: 'start'; id?: string; model?: string }
  | { type: 'text'; text: string }
  | { type: 'tool_start'; index: number; id: string; name: string }
  | { type: 'tool_args'; index: number; args: string }
  | { type: 'finish'; reason: FinishReason }
  | { type: 'usage'; usage: ReportedUsage }
  | { type: 'done' };

/** A server-sent event split into its name and data. */
export interface SseEvent {
  event: string | undefined;
  data: string;
}

/** Splits one server-sent event (without its blank line) into name and data. */
export function parseSseEvent(raw: string): SseEvent {
  if (raw.startsWith('data:') && raw.indexOf('\n') < 0) {
    return { event: undefined, data: raw.slice(5).trimStart() };
  }
  let event: string | undefined;
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith('data:')) {
      data.push(line.slice(5).replace(/^ /, ''));
    } else if (line.startsWith('event:')) {
      event = line.slice(6).trim();
    }
  }
  return { event, data: data.join('\n') };
}

/**
 * An id with a protocol's prefix (`msg_`, `resp_`, ...): 24 random hex digits
 * (from a random UUID, whose entropy Node draws in batches: cheaper than a
 * randomBytes call per id).
 */
export function newId(prefix: string): string {
  const uuid = randomUUID();
  return `${prefix}${uuid.slice(0, 8)}${uuid.slice(9, 13)}${uuid.slice(
    14,
    18,
  )}${uuid.slice(19, 23)}${uuid.slice(24, 28)}`;
}

export function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}

/** Usage as Chat Completions reports it. */
export function chatUsage(usage: any): ReportedUsage | undefined {
  if (
    !Number.isInteger(usage?.prompt_tokens) ||
    !Number.isInteger(usage?.completion_tokens)
  ) {
    return undefined;
  }
  const cached = usage.prompt_tokens_details?.cached_tokens;
  return {
    promptTokens: usage.prompt_tokens,
    completionTokens: usage.completion_tokens,
    ...(Number.isInteger(cached) ? { cachedPromptTokens: cached } : {}),
  };
}

/** Text of a Chat message content (string or parts). */
export function contentText(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content
      .map(p =>
        p && typeof p === 'object' && typeof (p as any).text === 'string'
          ? (p as any).text
          : '',
      )
      .join('');
  }
  return '';
}

/** The text the tokenizer counts for an answer that reported no usage. */
export function answerText(answer: ChatAnswer): string {
  return `${answer.text}${
    answer.toolCalls.length ? JSON.stringify(answer.toolCalls) : ''
  }`;
}

/** A 400 naming the field, in the GatewayError every protocol shapes. */
export function invalidField(param: string, message: string): GatewayError {
  return new GatewayError({
    status: 400,
    message: `Invalid value for '${param}': ${message}`,
    param,
    code: 'invalid_value',
  });
}

export function missingField(param: string): GatewayError {
  return new GatewayError({
    status: 400,
    message: `Missing required parameter: '${param}'.`,
    param,
    code: 'missing_required_parameter',
  });
}

/** Reads a canonical answer from a Chat Completions answer body. */
export function chatAnswerOf(parsed: any): ChatAnswer {
  const choice = parsed?.choices?.[0];
  const message = choice?.message ?? {};
  const toolCalls: ChatToolCall[] = Array.isArray(message.tool_calls)
    ? message.tool_calls.map((c: any) => ({
        id: String(c?.id ?? ''),
        type: 'function',
        function: {
          name: String(c?.function?.name ?? ''),
          arguments: String(c?.function?.arguments ?? ''),
        },
      }))
    : [];
  return {
    id: String(parsed?.id ?? newId('chatcmpl-')),
    model: String(parsed?.model ?? ''),
    created: Number.isInteger(parsed?.created) ? parsed.created : nowSeconds(),
    text: contentText(message.content),
    toolCalls,
    finishReason: finishReasonOf(choice?.finish_reason, toolCalls.length > 0),
    usage: chatUsage(parsed?.usage),
  };
}

function finishReasonOf(value: unknown, tools: boolean): FinishReason {
  if (
    value === 'length' ||
    value === 'tool_calls' ||
    value === 'content_filter'
  ) {
    return value;
  }
  if (value === 'function_call') {
    return 'tool_calls';
  }
  return tools ? 'tool_calls' : 'stop';
}

/** A Chat Completions answer body from a canonical answer. */
export function toChatAnswer(answer: ChatAnswer, model: string) {
  return {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created,
    model,
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: answer.text || (answer.toolCalls.length ? null : ''),
          ...(answer.toolCalls.length ? { tool_calls: answer.toolCalls } : {}),
          refusal: null,
        },
        logprobs: null,
        finish_reason: answer.finishReason,
      },
    ],
    ...(answer.usage ? { usage: toChatUsage(answer.usage) } : {}),
  };
}

/** What may follow the text of a plain Chat text delta (OpenAI's chunks, with and without `usage: null`). */
const CHAT_TEXT_SUFFIXES = [
  '},"logprobs":null,"finish_reason":null}]}',
  '},"logprobs":null,"finish_reason":null}],"usage":null}',
  '},"finish_reason":null}]}',
  '},"finish_reason":null}],"usage":null}',
];
const CHAT_TEXT_PREFIX = '"choices":[{"index":0,"delta":{"content":';

/**
 * The text of a Chat chunk that is a plain text delta (the most of a stream),
 * read without parsing the chunk; undefined for any other chunk.
 */
export function chatDeltaText(data: string): string | undefined {
  const at = data.indexOf(CHAT_TEXT_PREFIX);
  // Nothing before the choices may be usage (a model named so: the slow
  // path). After them, `"usage"` can only be a suffix's `"usage":null`: a
  // string's quotes are escaped.
  const usage = at < 0 ? -1 : data.indexOf('"usage"');
  if (at < 0 || (usage >= 0 && usage < at)) {
    return undefined;
  }
  for (const suffix of CHAT_TEXT_SUFFIXES) {
    const text = textBetween(data, CHAT_TEXT_PREFIX, at, suffix);
    if (text !== undefined) {
      return text;
    }
  }
  return undefined;
}

/** Decodes a Chat Completions stream into canonical parts. */
export class ChatStreamDecoder {
  private started = false;

  /** The hot path: a plain text delta's text (once the answer started); else undefined. */
  text(data: string): string | undefined {
    return this.started ? chatDeltaText(data) : undefined;
  }

  decode(data: string): StreamPart[] {
    if (!data) {
      return [];
    }
    if (data === '[DONE]') {
      return [{ type: 'done' }];
    }
    let chunk: any;
    try {
      chunk = JSON.parse(data);
    } catch {
      return [];
    }
    const parts: StreamPart[] = [];
    if (!this.started) {
      this.started = true;
      parts.push({ type: 'start', id: chunk?.id, model: chunk?.model });
    }
    const choice = Array.isArray(chunk?.choices) ? chunk.choices[0] : undefined;
    const delta = choice?.delta;
    if (typeof delta?.content === 'string' && delta.content) {
      parts.push({ type: 'text', text: delta.content });
    }
    if (Array.isArray(delta?.tool_calls)) {
      for (const call of delta.tool_calls) {
        const index = Number.isInteger(call?.index) ? call.index : 0;
        if (call?.id || call?.function?.name) {
          parts.push({
            type: 'tool_start',
            index,
            id: String(call.id ?? newId('call_')),
            name: String(call.function?.name ?? ''),
          });
        }
        const args = call?.function?.arguments;
        if (typeof args === 'string' && args) {
          parts.push({ type: 'tool_args', index, args });
        }
      }
    }
    if (choice?.finish_reason) {
      parts.push({
        type: 'finish',
        reason: finishReasonOf(choice.finish_reason, false),
      });
    }
    const usage = chunk?.usage ? chatUsage(chunk.usage) : undefined;
    if (usage) {
      parts.push({ type: 'usage', usage });
    }
    return parts;
  }
}
