import {
  ChatAnswer,
  ChatRequest,
  ChatToolCall,
  contentText,
  FinishReason,
  newId,
  nowSeconds,
  StreamPart,
} from './canonical';
import { textBetween } from './sse';
import type { ReportedUsage } from './types';

/**
 * An upstream that speaks OpenAI Responses (`POST /responses`): canonical
 * (Chat) requests to Responses requests, and Responses answers and typed
 * events back to canonical form.
 */

function userContent(content: unknown): unknown {
  if (typeof content === 'string') {
    return content;
  }
  if (!Array.isArray(content)) {
    return '';
  }
  return content
    .map((p: any) => {
      if (p?.type === 'image_url' && p.image_url?.url) {
        return { type: 'input_image', image_url: String(p.image_url.url) };
      }
      if (p?.type === 'text') {
        return { type: 'input_text', text: String(p.text ?? '') };
      }
      return undefined;
    })
    .filter(Boolean);
}

/** A Chat Completions request as a Responses request (for a Responses upstream). */
export function chatToResponses(
  chat: ChatRequest,
  model: string,
  maxTokens: number | undefined,
): Record<string, unknown> {
  const instructions: string[] = [];
  const input: unknown[] = [];
  for (const m of chat.messages) {
    if (m.role === 'system' || m.role === 'developer') {
      instructions.push(contentText(m.content));
    } else if (m.role === 'tool' || m.role === 'function') {
      input.push({
        type: 'function_call_output',
        call_id: String(m.tool_call_id ?? m.name ?? ''),
        output: contentText(m.content),
      });
    } else if (m.role === 'assistant') {
      const text = contentText(m.content);
      if (text) {
        input.push({ role: 'assistant', content: text });
      }
      for (const call of Array.isArray(m.tool_calls) ? m.tool_calls : []) {
        input.push({
          type: 'function_call',
          call_id: String(call?.id ?? newId('call_')),
          name: String(call?.function?.name ?? ''),
          arguments: String(call?.function?.arguments ?? ''),
        });
      }
    } else {
      input.push({ role: 'user', content: userContent(m.content) });
    }
  }
  const body: Record<string, unknown> = { model, input, store: false };
  if (instructions.length) {
    body.instructions = instructions.join('\n\n');
  }
  if (maxTokens !== undefined) {
    body.max_output_tokens = maxTokens;
  }
  if (chat.stream) {
    body.stream = true;
  }
  if (typeof chat.temperature === 'number') {
    body.temperature = chat.temperature;
  }
  if (typeof chat.top_p === 'number') {
    body.top_p = chat.top_p;
  }
  if (Array.isArray(chat.tools) && chat.tools.length) {
    body.tools = chat.tools
      .filter((t: any) => t?.type === 'function')
      .map((t: any) => ({
        type: 'function',
        name: t.function.name,
        ...(t.function.description
          ? { description: t.function.description }
          : {}),
        parameters: t.function.parameters ?? {
          type: 'object',
          properties: {},
        },
        ...(typeof t.function.strict === 'boolean'
          ? { strict: t.function.strict }
          : {}),
      }));
  }
  const choice = chat.tool_choice;
  if (typeof choice === 'string') {
    body.tool_choice = choice;
  } else if (choice?.function?.name) {
    body.tool_choice = { type: 'function', name: choice.function.name };
  }
  const format = chat.response_format;
  if (format?.type === 'json_schema' && format.json_schema) {
    body.text = {
      format: {
        type: 'json_schema',
        name: format.json_schema.name ?? 'response',
        schema: format.json_schema.schema,
        ...(typeof format.json_schema.strict === 'boolean'
          ? { strict: format.json_schema.strict }
          : {}),
      },
    };
  } else if (format?.type === 'json_object') {
    body.text = { format: { type: 'json_object' } };
  }
  return body;
}

/** Usage as Responses reports it. */
export function responsesUsageOf(usage: any): ReportedUsage | undefined {
  if (
    !Number.isInteger(usage?.input_tokens) ||
    !Number.isInteger(usage?.output_tokens)
  ) {
    return undefined;
  }
  const cached = usage.input_tokens_details?.cached_tokens;
  return {
    promptTokens: usage.input_tokens,
    completionTokens: usage.output_tokens,
    ...(Number.isInteger(cached) ? { cachedPromptTokens: cached } : {}),
  };
}

function finishReasonOf(response: any, tools: boolean): FinishReason {
  if (response?.status === 'incomplete') {
    return response.incomplete_details?.reason === 'content_filter'
      ? 'content_filter'
      : 'length';
  }
  return tools ? 'tool_calls' : 'stop';
}

/** A Responses answer (from a Responses upstream) in canonical form. */
export function responsesAnswerOf(parsed: any): ChatAnswer {
  const output: any[] = Array.isArray(parsed?.output) ? parsed.output : [];
  let text = '';
  const toolCalls: ChatToolCall[] = [];
  for (const item of output) {
    if (item?.type === 'message' && Array.isArray(item.content)) {
      for (const part of item.content) {
        if (part?.type === 'output_text') {
          text += String(part.text ?? '');
        }
      }
    } else if (item?.type === 'function_call') {
      toolCalls.push({
        id: String(item.call_id ?? item.id ?? newId('call_')),
        type: 'function',
        function: {
          name: String(item.name ?? ''),
          arguments: String(item.arguments ?? ''),
        },
      });
    }
  }
  return {
    id: String(parsed?.id ?? newId('resp_')),
    model: String(parsed?.model ?? ''),
    created: Number.isInteger(parsed?.created_at)
      ? parsed.created_at
      : nowSeconds(),
    text,
    toolCalls,
    finishReason: finishReasonOf(parsed, toolCalls.length > 0),
    usage: responsesUsageOf(parsed?.usage),
  };
}

const TEXT_DELTA_PREFIX =
  '{"type":"response.output_text.delta","sequence_number":';

/** Decodes a Responses event stream (from a Responses upstream) into canonical parts. */
export class ResponsesStreamDecoder {
  private readonly tools = new Map<string, number>();
  private sawTools = false;
  /** The upstream's response id and last sequence number (for an error event of a pass-through). */
  responseId: string | undefined;
  sequence = -1;
  /** The upstream's output item under way, if any. */
  openItem: { id: string; index: number; kind: string } | undefined;

  /** The text of a text delta (the most of a stream), read without parsing the event; else undefined. */
  text(raw: string): string | undefined {
    if (!raw.startsWith(TEXT_DELTA_PREFIX)) {
      return undefined;
    }
    let at = TEXT_DELTA_PREFIX.length;
    let sequence = 0;
    for (
      let c = raw.charCodeAt(at);
      c >= 48 && c <= 57;
      c = raw.charCodeAt(++at)
    ) {
      sequence = sequence * 10 + (c - 48);
    }
    const field = raw.indexOf(',"delta":', at);
    if (
      at === TEXT_DELTA_PREFIX.length ||
      field < 0 ||
      // Only ids and numbers between: no other field that could matter.
      raw.indexOf('"usage"', at) >= 0
    ) {
      return undefined;
    }
    const text =
      textBetween(raw, ',"delta":', field, ',"logprobs":[]}') ??
      textBetween(raw, ',"delta":', field, '}');
    if (text !== undefined) {
      this.sequence = sequence;
    }
    return text;
  }

  decode(raw: string): StreamPart[] {
    let data: any;
    try {
      data = JSON.parse(raw);
    } catch {
      return [];
    }
    if (Number.isInteger(data?.sequence_number)) {
      this.sequence = data.sequence_number;
    }
    switch (data?.type) {
      case 'response.output_text.delta':
        return typeof data.delta === 'string' && data.delta
          ? [{ type: 'text', text: data.delta }]
          : [];
      case 'response.created':
        this.responseId = data.response?.id;
        return [
          { type: 'start', id: data.response?.id, model: data.response?.model },
        ];
      case 'response.output_item.done':
        this.openItem = undefined;
        return [];
      case 'response.output_item.added': {
        const item = data.item;
        this.openItem = {
          id: String(item?.id ?? ''),
          index: Number(data.output_index ?? 0),
          kind: String(item?.type ?? ''),
        };
        if (item?.type !== 'function_call') {
          return [];
        }
        const index = this.tools.size;
        this.tools.set(String(item.id ?? data.output_index), index);
        this.sawTools = true;
        const parts: StreamPart[] = [
          {
            type: 'tool_start',
            index,
            id: String(item.call_id ?? newId('call_')),
            name: String(item.name ?? ''),
          },
        ];
        if (typeof item.arguments === 'string' && item.arguments) {
          parts.push({ type: 'tool_args', index, args: item.arguments });
        }
        return parts;
      }
      case 'response.function_call_arguments.delta': {
        const index = this.tools.get(String(data.item_id ?? data.output_index));
        return index !== undefined &&
          typeof data.delta === 'string' &&
          data.delta
          ? [{ type: 'tool_args', index, args: data.delta }]
          : [];
      }
      case 'response.completed':
      case 'response.incomplete':
      case 'response.failed': {
        const parts: StreamPart[] = [
          {
            type: 'finish',
            reason: finishReasonOf(data.response, this.sawTools),
          },
        ];
        const usage = responsesUsageOf(data.response?.usage);
        if (usage) {
          parts.push({ type: 'usage', usage });
        }
        parts.push({ type: 'done' });
        return parts;
      }
      default:
        return [];
    }
  }
}
