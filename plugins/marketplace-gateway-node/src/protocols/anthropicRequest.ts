import { z } from 'zod';
import {
  ChatMessage,
  ChatRequest,
  ChatToolCall,
  contentText,
  newId,
} from './canonical';

/**
 * Anthropic Messages (`POST /v1/messages`): request validation, and request
 * translation both ways (a Messages request as Chat Completions for any
 * upstream; Chat Completions as Messages for an Anthropic upstream). Answers
 * are in anthropicAnswer.ts, event streams in anthropicStream.ts.
 */

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

/** Tool call arguments (a JSON string) as an object; `{}` when they are not one. */
export function parseArguments(args: string): unknown {
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
