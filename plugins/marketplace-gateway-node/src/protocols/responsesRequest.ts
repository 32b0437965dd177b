import { z } from 'zod';
import {
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  contentText,
  invalidField,
  newId,
} from './canonical';

/**
 * OpenAI Responses (`POST /v1/responses`): request validation, and the
 * request as Chat Completions (the canonical form every upstream is
 * translated from). Answers are in responsesAnswer.ts, event streams in
 * responsesStream.ts; a Responses upstream's side is responsesUpstream.ts.
 */

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
