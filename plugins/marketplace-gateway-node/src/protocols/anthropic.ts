import { z } from 'zod';
import { GatewayError } from '../errors';
import {
  ChatAnswer,
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  contentText,
  FinishReason,
  newId,
  nowSeconds,
  StreamPart,
} from './canonical';
import { sseEvent, textBetween } from './sse';
import { TypedEventEncoder } from './typedEvents';
import type { ReportedUsage } from './types';

/** Anthropic Messages (`POST /v1/messages`): request validation and translation. */

const block = z.object({ type: z.string().min(1) }).passthrough();

const positiveInt = z.number().int().positive();

export const messagesRequest = z
  .object({
    model: z.string().min(1),
    max_tokens: positiveInt,
    messages: z
      .array(
        z
          .object({
            role: z.enum(['user', 'assistant']),
            content: z.union([z.string(), z.array(block)]),
          })
          .passthrough(),
      )
      .min(1),
    system: z.union([z.string(), z.array(block)]).optional(),
    stream: z.boolean().optional(),
    stop_sequences: z.array(z.string()).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().nonnegative().optional(),
    tools: z
      .array(
        z
          .object({
            name: z.string().min(1),
            description: z.string().optional(),
            input_schema: z.object({}).passthrough().optional(),
          })
          .passthrough(),
      )
      .optional(),
    tool_choice: z
      .object({
        type: z.enum(['auto', 'any', 'tool', 'none']),
        name: z.string().optional(),
      })
      .passthrough()
      .optional(),
    metadata: z.object({}).passthrough().optional(),
  })
  .passthrough();

export type MessagesRequest = z.infer<typeof messagesRequest>;

/** The request for `/v1/messages/count_tokens`: no `max_tokens`. */
export const countTokensRequest = messagesRequest.extend({
  max_tokens: positiveInt.optional(),
});

function pathOf(path: PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`,
    )
    .join('');
}

/** Validates a body with a zod schema; a 400 names the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError({
      status: 400,
      message: 'The request body must be a JSON object',
      code: 'invalid_request',
    });
  }
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  const param = pathOf(issue.path) || null;
  const missing =
    issue.code === 'invalid_type' &&
    issue.path.length === 1 &&
    (body as any)[String(issue.path[0])] === undefined;
  throw new GatewayError({
    status: 400,
    message: missing
      ? `Missing required parameter: '${param}'.`
      : `Invalid value for '${param}': ${issue.message}`,
    param,
    code: missing ? 'missing_required_parameter' : 'invalid_value',
  });
}

function imageUrlOf(source: any): string | undefined {
  if (source?.type === 'base64' && typeof source.data === 'string') {
    return `data:${source.media_type ?? 'image/png'};base64,${source.data}`;
  }
  if (source?.type === 'url' && typeof source.url === 'string') {
    return source.url;
  }
  return undefined;
}

function toolResultText(content: unknown): string {
  return typeof content === 'string' ? content : contentText(content);
}

/** A Messages request as a Chat Completions request. */
export function anthropicToChat(body: MessagesRequest): ChatRequest {
  const messages: ChatMessage[] = [];
  if (body.system !== undefined) {
    const system =
      typeof body.system === 'string' ? body.system : contentText(body.system);
    if (system) {
      messages.push({ role: 'system', content: system });
    }
  }
  for (const message of body.messages) {
    if (typeof message.content === 'string') {
      messages.push({ role: message.role, content: message.content });
      continue;
    }
    const parts: unknown[] = [];
    const toolCalls: ChatToolCall[] = [];
    const toolResults: ChatMessage[] = [];
    for (const b of message.content as any[]) {
      if (b.type === 'text') {
        parts.push({ type: 'text', text: String(b.text ?? '') });
      } else if (b.type === 'image') {
        const url = imageUrlOf(b.source);
        if (url) {
          parts.push({ type: 'image_url', image_url: { url } });
        }
      } else if (b.type === 'tool_use') {
        toolCalls.push({
          id: String(b.id ?? newId('toolu_')),
          type: 'function',
          function: {
            name: String(b.name ?? ''),
            arguments: JSON.stringify(b.input ?? {}),
          },
        });
      } else if (b.type === 'tool_result') {
        toolResults.push({
          role: 'tool',
          tool_call_id: String(b.tool_use_id ?? ''),
          content: `${b.is_error ? 'Error: ' : ''}${toolResultText(b.content)}`,
        });
      }
      // Thinking and other blocks reach no chat model: dropped.
    }
    messages.push(...toolResults);
    if (parts.length > 0 || toolCalls.length > 0) {
      const onlyText = parts.every((p: any) => p.type === 'text');
      messages.push({
        role: message.role,
        content: onlyText
          ? parts.map((p: any) => p.text).join('\n') || null
          : parts,
        ...(toolCalls.length ? { tool_calls: toolCalls } : {}),
      });
    }
  }
  const chat: ChatRequest = {
    model: body.model,
    messages,
    max_tokens: body.max_tokens,
  };
  if (body.stream) {
    chat.stream = true;
  }
  if (body.temperature !== undefined) {
    chat.temperature = body.temperature;
  }
  if (body.top_p !== undefined) {
    chat.top_p = body.top_p;
  }
  if (body.stop_sequences?.length) {
    chat.stop = body.stop_sequences;
  }
  if (body.tools?.length) {
    chat.tools = body.tools.map(t => ({
      type: 'function',
      function: {
        name: t.name,
        ...(t.description ? { description: t.description } : {}),
        parameters: t.input_schema ?? { type: 'object', properties: {} },
      },
    }));
  }
  const choice = body.tool_choice;
  if (choice) {
    if (choice.type === 'any') {
      chat.tool_choice = 'required';
    } else if (choice.type === 'tool' && choice.name) {
      chat.tool_choice = { type: 'function', function: { name: choice.name } };
    } else {
      chat.tool_choice = choice.type === 'none' ? 'none' : 'auto';
    }
  }
  return chat;
}

function parseArguments(args: string): unknown {
  try {
    const value = JSON.parse(args || '{}');
    return value && typeof value === 'object' ? value : {};
  } catch {
    return {};
  }
}

function imageBlock(url: string) {
  const data = /^data:([^;,]+);base64,(.*)$/s.exec(url);
  return data
    ? {
        type: 'image',
        source: { type: 'base64', media_type: data[1], data: data[2] },
      }
    : { type: 'image', source: { type: 'url', url } };
}

/** A Chat Completions request as a Messages request (for an Anthropic upstream). */
export function chatToAnthropic(
  chat: ChatRequest,
  model: string,
  maxTokens: number,
): Record<string, unknown> {
  const system: string[] = [];
  const messages: { role: 'user' | 'assistant'; content: any[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: any[]) => {
    const last = messages[messages.length - 1];
    if (last && last.role === role) {
      last.content.push(...blocks);
    } else {
      messages.push({ role, content: blocks });
    }
  };
  for (const m of chat.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      system.push(contentText(m.content));
      continue;
    }
    if (m.role === 'tool' || m.role === 'function') {
      push('user', [
        {
          type: 'tool_result',
          tool_use_id: String(m.tool_call_id ?? m.name ?? ''),
          content: contentText(m.content),
        },
      ]);
      continue;
    }
    const blocks: any[] = [];
    if (typeof m.content === 'string') {
      if (m.content) {
        blocks.push({ type: 'text', text: m.content });
      }
    } else if (Array.isArray(m.content)) {
      for (const part of m.content as any[]) {
        if (part?.type === 'text' && part.text) {
          blocks.push({ type: 'text', text: String(part.text) });
        } else if (part?.type === 'image_url' && part.image_url?.url) {
          blocks.push(imageBlock(String(part.image_url.url)));
        }
      }
    }
    if (m.role === 'assistant' && Array.isArray(m.tool_calls)) {
      for (const call of m.tool_calls) {
        blocks.push({
          type: 'tool_use',
          id: String(call?.id ?? newId('toolu_')),
          name: String(call?.function?.name ?? ''),
          input: parseArguments(String(call?.function?.arguments ?? '')),
        });
      }
    }
    if (blocks.length > 0) {
      push(m.role === 'assistant' ? 'assistant' : 'user', blocks);
    }
  }
  const body: Record<string, unknown> = {
    model,
    max_tokens: maxTokens,
    messages,
  };
  if (system.length) {
    body.system = system.join('\n\n');
  }
  if (chat.stream) {
    body.stream = true;
  }
  if (typeof chat.temperature === 'number') {
    body.temperature = Math.min(1, chat.temperature);
  }
  if (typeof chat.top_p === 'number') {
    body.top_p = chat.top_p;
  }
  if (chat.stop) {
    body.stop_sequences = Array.isArray(chat.stop) ? chat.stop : [chat.stop];
  }
  if (Array.isArray(chat.tools) && chat.tools.length) {
    body.tools = chat.tools
      .filter((t: any) => t?.type === 'function')
      .map((t: any) => ({
        name: t.function.name,
        ...(t.function.description
          ? { description: t.function.description }
          : {}),
        input_schema: t.function.parameters ?? {
          type: 'object',
          properties: {},
        },
      }));
  }
  const choice = chat.tool_choice;
  if (choice === 'required') {
    body.tool_choice = { type: 'any' };
  } else if (choice === 'none' || choice === 'auto') {
    body.tool_choice = { type: choice };
  } else if (choice?.function?.name) {
    body.tool_choice = { type: 'tool', name: choice.function.name };
  }
  return body;
}

const STOP_REASONS: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Usage as Messages reports it: input counts the cache reads and writes too. */
export function anthropicUsage(usage: any): ReportedUsage | undefined {
  if (
    !Number.isInteger(usage?.input_tokens) ||
    !Number.isInteger(usage?.output_tokens)
  ) {
    return undefined;
  }
  const read = Number.isInteger(usage.cache_read_input_tokens)
    ? usage.cache_read_input_tokens
    : 0;
  const written = Number.isInteger(usage.cache_creation_input_tokens)
    ? usage.cache_creation_input_tokens
    : 0;
  return {
    promptTokens: usage.input_tokens + read + written,
    completionTokens: usage.output_tokens,
    ...(Number.isInteger(usage.cache_read_input_tokens)
      ? { cachedPromptTokens: read }
      : {}),
  };
}

function toAnthropicUsage(usage: ReportedUsage | undefined) {
  const cached = usage?.cachedPromptTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.promptTokens ?? 0) - cached),
    output_tokens: usage?.completionTokens ?? 0,
    ...(usage?.cachedPromptTokens !== undefined
      ? { cache_read_input_tokens: cached, cache_creation_input_tokens: 0 }
      : {}),
  };
}

/** A Messages answer (from an Anthropic upstream) in canonical form. */
export function anthropicAnswerOf(parsed: any): ChatAnswer {
  const content: any[] = Array.isArray(parsed?.content) ? parsed.content : [];
  return {
    id: String(parsed?.id ?? newId('msg_')),
    model: String(parsed?.model ?? ''),
    created: nowSeconds(),
    text: content
      .filter(b => b?.type === 'text')
      .map(b => String(b.text ?? ''))
      .join(''),
    toolCalls: content
      .filter(b => b?.type === 'tool_use')
      .map(b => ({
        id: String(b.id ?? newId('toolu_')),
        type: 'function' as const,
        function: {
          name: String(b.name ?? ''),
          arguments: JSON.stringify(b.input ?? {}),
        },
      })),
    finishReason: finishReasonOf(parsed?.stop_reason),
    usage: anthropicUsage(parsed?.usage),
  };
}

/** A canonical answer as a Messages answer. */
export function toAnthropicAnswer(answer: ChatAnswer, model: string) {
  const content: unknown[] = [];
  if (answer.text) {
    content.push({ type: 'text', text: answer.text });
  }
  for (const call of answer.toolCalls) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments),
    });
  }
  return {
    id: answer.id.startsWith('msg_') ? answer.id : newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: STOP_REASONS[answer.finishReason],
    stop_sequence: null,
    usage: toAnthropicUsage(answer.usage),
  };
}

const ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);

/** An error in Anthropic's shape: `{type: "error", error: {type, message}}`. */
export function anthropicErrorBody(error: GatewayError) {
  let type = ERROR_TYPES.has(error.type) ? error.type : 'api_error';
  if (error.type === 'insufficient_quota') {
    type = 'rate_limit_error';
  } else if (error.status === 413) {
    type = 'request_too_large';
  } else if (!ERROR_TYPES.has(error.type) && error.status < 500) {
    type = 'invalid_request_error';
  }
  return { type: 'error', error: { type, message: error.message } };
}

const TEXT_DELTA_PREFIX = '{"type":"content_block_delta","index":';
const TEXT_DELTA_FIELD = ',"delta":{"type":"text_delta","text":';

/** Decodes a Messages event stream (from an Anthropic upstream) into canonical parts. */
export class AnthropicStreamDecoder {
  private input: any;
  private readonly toolIndex = new Map<number, number>();

  /** The text of a text delta (the most of a stream), read without parsing the event; else undefined. */
  text(raw: string): string | undefined {
    if (!raw.startsWith(TEXT_DELTA_PREFIX)) {
      return undefined;
    }
    let at = TEXT_DELTA_PREFIX.length;
    while (raw.charCodeAt(at) >= 48 && raw.charCodeAt(at) <= 57) {
      at++;
    }
    return textBetween(raw, TEXT_DELTA_FIELD, at, '}}');
  }

  decode(raw: string): StreamPart[] {
    let data: any;
    try {
      data = JSON.parse(raw);
    } catch {
      return [];
    }
    switch (data?.type) {
      case 'message_start':
        this.input = data.message?.usage;
        return [
          { type: 'start', id: data.message?.id, model: data.message?.model },
        ];
      case 'content_block_start': {
        const b = data.content_block;
        if (b?.type === 'tool_use') {
          const index = this.toolIndex.size;
          this.toolIndex.set(data.index, index);
          const parts: StreamPart[] = [
            {
              type: 'tool_start',
              index,
              id: String(b.id ?? newId('toolu_')),
              name: String(b.name ?? ''),
            },
          ];
          if (b.input && Object.keys(b.input).length > 0) {
            parts.push({
              type: 'tool_args',
              index,
              args: JSON.stringify(b.input),
            });
          }
          return parts;
        }
        if (b?.type === 'text' && b.text) {
          return [{ type: 'text', text: String(b.text) }];
        }
        return [];
      }
      case 'content_block_delta': {
        const d = data.delta;
        if (d?.type === 'text_delta' && d.text) {
          return [{ type: 'text', text: String(d.text) }];
        }
        if (d?.type === 'input_json_delta' && d.partial_json) {
          return [
            {
              type: 'tool_args',
              index: this.toolIndex.get(data.index) ?? 0,
              args: String(d.partial_json),
            },
          ];
        }
        return [];
      }
      case 'message_delta': {
        const parts: StreamPart[] = [];
        if (data.delta?.stop_reason) {
          parts.push({
            type: 'finish',
            reason: finishReasonOf(data.delta.stop_reason),
          });
        }
        const usage = anthropicUsage({ ...this.input, ...data.usage });
        if (usage) {
          parts.push({ type: 'usage', usage });
        }
        return parts;
      }
      case 'message_stop':
        return [{ type: 'done' }];
      default:
        return [];
    }
  }
}

/** Encodes canonical stream parts as a Messages event stream. */
export class AnthropicStreamEncoder extends TypedEventEncoder {
  private block:
    | {
        index: number;
        kind: 'text' | 'tool';
        /** The fields of its text deltas before the text. */
        head: string;
      }
    | undefined;
  private blocks = 0;
  private readonly tools = new Map<number, number>();
  private opened = false;

  constructor(
    private readonly model: string,
    private readonly promptTokens: number,
  ) {
    super(false);
  }

  protected open(): string {
    if (this.opened) {
      return '';
    }
    this.opened = true;
    return this.events.event('message_start', {
      message: {
        id: newId('msg_'),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.promptTokens, output_tokens: 0 },
      },
    });
  }

  private closeBlock(): string {
    if (!this.block) {
      return '';
    }
    const out = this.events.event('content_block_stop', {
      index: this.block.index,
    });
    this.block = undefined;
    return out;
  }

  /** A piece of text: the hot path (one event per piece), written directly. */
  text(text: string): string {
    let out = this.open();
    if (this.block?.kind !== 'text') {
      out += this.closeBlock();
      const index = this.blocks++;
      this.block = {
        index,
        kind: 'text',
        head: `"index":${index},"delta":{"type":"text_delta",`,
      };
      out += this.events.event('content_block_start', {
        index: this.block.index,
        content_block: { type: 'text', text: '' },
      });
    }
    return (
      out +
      this.events.textEvent(
        'content_block_delta',
        this.block.head,
        'text',
        text,
        '}',
      )
    );
  }

  protected toolStart(part: Extract<StreamPart, { type: 'tool_start' }>) {
    const out = this.closeBlock();
    this.block = { index: this.blocks++, kind: 'tool', head: '' };
    this.tools.set(part.index, this.block.index);
    return (
      out +
      this.events.event('content_block_start', {
        index: this.block.index,
        content_block: {
          type: 'tool_use',
          id: part.id,
          name: part.name,
          input: {},
        },
      })
    );
  }

  protected toolArgs(part: Extract<StreamPart, { type: 'tool_args' }>) {
    return this.events.event('content_block_delta', {
      index: this.tools.get(part.index) ?? this.block?.index ?? 0,
      delta: { type: 'input_json_delta', partial_json: part.args },
    });
  }

  protected close(): string {
    return `${this.open()}${this.closeBlock()}${this.events.event(
      'message_delta',
      {
        delta: { stop_reason: STOP_REASONS[this.reason], stop_sequence: null },
        usage: toAnthropicUsage(
          this.usage ?? {
            promptTokens: this.promptTokens,
            completionTokens: 0,
          },
        ),
      },
    )}${this.events.event('message_stop', {})}`;
  }

  errorEvent(error: GatewayError): string {
    this.closed = true;
    return sseEvent('error', anthropicErrorBody(error));
  }
}
