import { z } from 'zod';
import { GatewayError } from '../errors';
import { countPromptTokens } from '../tokens';
import { parseWith } from './anthropic';
import {
  ChatAnswer,
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  contentText,
  invalidField,
  newId,
  nowSeconds,
  StreamPart,
} from './canonical';
import { openaiErrorBody } from './sse';
import { TypedEventEncoder } from './typedEvents';
import {
  adapterFor,
  boundThroughForUpstream,
  InboundCodec,
  StreamDecoder,
  TranslatableCall,
} from './translate';
import type { ProtocolAdapter, ReportedUsage } from './types';

/** OpenAI Responses (`POST /v1/responses`), translated to the upstream's protocol. */

const inputItem = z.object({ type: z.string().optional() }).passthrough();

export const responsesRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([z.string(), z.array(inputItem).min(1)]),
    instructions: z.string().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    max_output_tokens: z.number().int().positive().nullable().optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    tools: z
      .array(z.object({ type: z.string() }).passthrough())
      .nullable()
      .optional(),
    tool_choice: z
      .union([
        z.enum(['auto', 'none', 'required']),
        z
          .object({ type: z.string(), name: z.string().optional() })
          .passthrough(),
      ])
      .nullable()
      .optional(),
    previous_response_id: z.string().nullable().optional(),
    text: z
      .object({
        format: z.object({ type: z.string() }).passthrough().optional(),
      })
      .passthrough()
      .nullable()
      .optional(),
  })
  .passthrough();

export type ResponsesRequest = z.infer<typeof responsesRequest>;

function partsToChat(content: unknown): unknown {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  const parts = content.map((p: any) => {
    if (p?.type === 'input_image' && typeof p.image_url === 'string') {
      return { type: 'image_url', image_url: { url: p.image_url } };
    }
    return { type: 'text', text: String(p?.text ?? '') };
  });
  return parts.every(p => p.type === 'text')
    ? parts.map((p: any) => p.text).join('')
    : parts;
}

/** A Responses request as a Chat Completions request. */
export function responsesToChat(body: ResponsesRequest): ChatRequest {
  if (body.previous_response_id) {
    throw invalidField(
      'previous_response_id',
      'the marketplace gateway stores no responses: send the whole conversation in input',
    );
  }
  const messages: ChatMessage[] = [];
  if (body.instructions) {
    messages.push({ role: 'system', content: body.instructions });
  }
  if (typeof body.input === 'string') {
    messages.push({ role: 'user', content: body.input });
  } else {
    body.input.forEach((it: any, i) => {
      const type = it.type ?? 'message';
      if (type === 'message') {
        if (!['user', 'assistant', 'system', 'developer'].includes(it.role)) {
          throw invalidField(
            `input[${i}].role`,
            "must be 'user', 'assistant', 'system' or 'developer'",
          );
        }
        messages.push({
          role: it.role === 'developer' ? 'system' : it.role,
          content: partsToChat(it.content),
        });
      } else if (type === 'function_call') {
        const call: ChatToolCall = {
          id: String(it.call_id ?? it.id ?? newId('call_')),
          type: 'function',
          function: {
            name: String(it.name ?? ''),
            arguments: String(it.arguments ?? ''),
          },
        };
        const last = messages[messages.length - 1];
        if (last?.role === 'assistant' && Array.isArray(last.tool_calls)) {
          last.tool_calls.push(call);
        } else {
          messages.push({
            role: 'assistant',
            content: null,
            tool_calls: [call],
          });
        }
      } else if (type === 'function_call_output') {
        messages.push({
          role: 'tool',
          tool_call_id: String(it.call_id ?? ''),
          content:
            typeof it.output === 'string' ? it.output : contentText(it.output),
        });
      } else if (type !== 'reasoning') {
        throw invalidField(
          `input[${i}].type`,
          `'${type}' items are not supported by the marketplace gateway`,
        );
      }
    });
  }
  if (messages.length === 0) {
    throw invalidField('input', 'holds no message');
  }
  const chat: ChatRequest = { model: body.model, messages };
  if (body.stream) {
    chat.stream = true;
  }
  if (body.max_output_tokens) {
    chat.max_tokens = body.max_output_tokens;
  }
  if (typeof body.temperature === 'number') {
    chat.temperature = body.temperature;
  }
  if (typeof body.top_p === 'number') {
    chat.top_p = body.top_p;
  }
  if (body.tools?.length) {
    chat.tools = body.tools.map((t: any, i) => {
      if (t.type !== 'function') {
        throw invalidField(
          `tools[${i}].type`,
          `'${t.type}' tools are not supported by the marketplace gateway (function tools only)`,
        );
      }
      return {
        type: 'function',
        function: {
          name: t.name,
          ...(t.description ? { description: t.description } : {}),
          parameters: t.parameters ?? { type: 'object', properties: {} },
          ...(typeof t.strict === 'boolean' ? { strict: t.strict } : {}),
        },
      };
    });
  }
  const choice: any = body.tool_choice;
  if (typeof choice === 'string') {
    chat.tool_choice = choice;
  } else if (choice?.type === 'function' && choice.name) {
    chat.tool_choice = { type: 'function', function: { name: choice.name } };
  }
  const format: any = body.text?.format;
  if (format?.type === 'json_schema') {
    chat.response_format = {
      type: 'json_schema',
      json_schema: {
        name: format.name ?? 'response',
        schema: format.schema,
        ...(typeof format.strict === 'boolean'
          ? { strict: format.strict }
          : {}),
      },
    };
  } else if (format?.type === 'json_object') {
    chat.response_format = { type: 'json_object' };
  }
  return chat;
}

function responsesUsage(usage: ReportedUsage | undefined) {
  if (!usage) {
    return null;
  }
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens ?? 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

function responseObject(
  call: TranslatableCall,
  fields: {
    id: string;
    createdAt: number;
    model: string;
    status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
    output: unknown[];
    usage: ReportedUsage | undefined;
  },
) {
  const body = call.body as ResponsesRequest;
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    error: null,
    incomplete_details:
      fields.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: responsesUsage(fields.usage),
    user: null,
    metadata: (body as any).metadata ?? {},
  };
}

function messageItem(id: string, text: string, status: string) {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content:
      status === 'in_progress'
        ? []
        : [{ type: 'output_text', text, annotations: [] }],
  };
}

function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: string,
) {
  return {
    id,
    type: 'function_call',
    status,
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
  };
}

/** A canonical answer as a Responses answer. */
export function toResponsesAnswer(answer: ChatAnswer, call: TranslatableCall) {
  const output: unknown[] = [];
  if (answer.text || answer.toolCalls.length === 0) {
    output.push(messageItem(newId('msg_'), answer.text, 'completed'));
  }
  for (const tool of answer.toolCalls) {
    output.push(
      functionCallItem(
        newId('fc_'),
        {
          id: tool.id,
          name: tool.function.name,
          arguments: tool.function.arguments,
        },
        'completed',
      ),
    );
  }
  return responseObject(call, {
    id: newId('resp_'),
    createdAt: answer.created,
    model: answer.model || call.model,
    status: answer.finishReason === 'length' ? 'incomplete' : 'completed',
    output,
    usage: answer.usage,
  });
}

type OpenItem =
  | {
      kind: 'message';
      id: string;
      index: number;
      text: string;
      /** The fields of its text deltas before the text. */
      head?: string;
    }
  | {
      kind: 'function_call';
      id: string;
      index: number;
      call: { id: string; name: string; arguments: string };
    };

/** Encodes canonical stream parts as Responses' typed events. */
export class ResponsesStreamEncoder extends TypedEventEncoder {
  private id = newId('resp_');
  private readonly createdAt = nowSeconds();
  private opened = false;
  private current: OpenItem | undefined;
  private readonly output: unknown[] = [];
  private readonly tools = new Map<number, OpenItem>();

  constructor(private readonly call: TranslatableCall) {
    super(true);
  }

  private response(
    status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
  ) {
    return responseObject(this.call, {
      id: this.id,
      createdAt: this.createdAt,
      model: this.call.model,
      status,
      output: status === 'in_progress' ? [] : this.output,
      usage: status === 'in_progress' ? undefined : this.usage,
    });
  }

  protected open(): string {
    if (this.opened) {
      return '';
    }
    this.opened = true;
    // The same response in both events: serialised once.
    const response = `"response":${JSON.stringify(
      this.response('in_progress'),
    )}`;
    return (
      this.events.jsonEvent('response.created', response) +
      this.events.jsonEvent('response.in_progress', response)
    );
  }

  private closeItem(): string {
    const item = this.current;
    if (!item) {
      return '';
    }
    this.current = undefined;
    if (item.kind === 'message') {
      const done = messageItem(item.id, item.text, 'completed');
      this.output.push(done);
      const part = { type: 'output_text', text: item.text, annotations: [] };
      return (
        this.events.event('response.output_text.done', {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          text: item.text,
          logprobs: [],
        }) +
        this.events.event('response.content_part.done', {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          part,
        }) +
        this.events.event('response.output_item.done', {
          output_index: item.index,
          item: done,
        })
      );
    }
    const done = functionCallItem(item.id, item.call, 'completed');
    this.output.push(done);
    return (
      this.events.event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: item.index,
        name: item.call.name,
        arguments: item.call.arguments,
      }) +
      this.events.event('response.output_item.done', {
        output_index: item.index,
        item: done,
      })
    );
  }

  /** A piece of text: the hot path (one event per piece), written directly. */
  text(text: string): string {
    let out = this.open();
    if (this.current?.kind !== 'message') {
      out += this.closeItem();
      const added: OpenItem = {
        kind: 'message',
        id: newId('msg_'),
        index: this.output.length,
        text: '',
      };
      this.current = added;
      out +=
        this.events.event('response.output_item.added', {
          output_index: added.index,
          item: messageItem(added.id, '', 'in_progress'),
        }) +
        this.events.event('response.content_part.added', {
          item_id: added.id,
          output_index: added.index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
    }
    const item = this.current as Extract<OpenItem, { kind: 'message' }>;
    item.text += text;
    return (
      out +
      this.events.textEvent(
        'response.output_text.delta',
        (item.head ??= `"item_id":${JSON.stringify(item.id)},"output_index":${
          item.index
        },"content_index":0,`),
        'delta',
        text,
        ',"logprobs":[]',
      )
    );
  }

  protected toolStart(part: Extract<StreamPart, { type: 'tool_start' }>) {
    const out = this.closeItem();
    const item: OpenItem = {
      kind: 'function_call',
      id: newId('fc_'),
      index: this.output.length,
      call: { id: part.id, name: part.name, arguments: '' },
    };
    this.current = item;
    this.tools.set(part.index, item);
    return (
      out +
      this.events.event('response.output_item.added', {
        output_index: item.index,
        item: functionCallItem(item.id, item.call, 'in_progress'),
      })
    );
  }

  protected toolArgs(part: Extract<StreamPart, { type: 'tool_args' }>) {
    const item = this.tools.get(part.index);
    if (!item || item.kind !== 'function_call') {
      return '';
    }
    item.call.arguments += part.args;
    return this.events.event('response.function_call_arguments.delta', {
      item_id: item.id,
      output_index: item.index,
      delta: part.args,
    });
  }

  protected close(): string {
    let out = this.open() + this.closeItem();
    if (this.output.length === 0) {
      // An answer without content still has its (empty) message.
      this.output.push(messageItem(newId('msg_'), '', 'completed'));
    }
    const status = this.reason === 'length' ? 'incomplete' : 'completed';
    out += this.events.event(`response.${status}`, {
      response: this.response(status),
    });
    return out;
  }

  continueFrom(decoder: StreamDecoder, text: string) {
    if (decoder.responseId) {
      this.id = decoder.responseId;
      // The upstream's events opened the response already.
      this.opened = true;
    }
    if (decoder.sequence !== undefined) {
      this.events.sequence = decoder.sequence + 1;
    }
    const open = decoder.openItem;
    if (open?.kind === 'message') {
      // The message under way, with the text relayed so far.
      this.current = { kind: 'message', id: open.id, index: open.index, text };
    }
  }

  /**
   * A stream that broke off ends as Responses does: `response.failed`, whose
   * response carries the error and the output delivered so far (an open item
   * stays `in_progress`), and no usage (the gateway charges nothing for it).
   */
  errorEvent(error: GatewayError): string {
    this.closed = true;
    const item = this.current;
    if (item) {
      this.output.push(
        item.kind === 'message'
          ? {
              ...messageItem(item.id, item.text, 'in_progress'),
              content: [
                { type: 'output_text', text: item.text, annotations: [] },
              ],
            }
          : functionCallItem(item.id, item.call, 'in_progress'),
      );
      this.current = undefined;
    }
    this.usage = undefined;
    const response = {
      ...this.response('failed'),
      error: { code: error.code, message: error.message },
    };
    return this.open() + this.events.event('response.failed', { response });
  }
}

export const openaiResponsesAdapter: ProtocolAdapter & InboundCodec = {
  id: 'openai.responses',
  path: '/v1/responses',
  protocol: 'openai-responses',

  parse(raw): TranslatableCall {
    const body = parseWith(responsesRequest, raw);
    const chat = responsesToChat(body);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(chat),
      requestedMaxTokens: body.max_output_tokens ?? undefined,
      maxTokensParam: 'max_output_tokens',
      promptParam: 'input',
      body: body as Record<string, unknown>,
      chat,
    };
  },

  forUpstream(upstream, serviceName) {
    return adapterFor(
      openaiResponsesAdapter,
      'openai-responses',
      upstream,
      serviceName,
    );
  },

  answer: toResponsesAnswer,
  encoder: call => new ResponsesStreamEncoder(call),
  errorBody: openaiErrorBody,

  ...boundThroughForUpstream('openaiResponsesAdapter'),
};
