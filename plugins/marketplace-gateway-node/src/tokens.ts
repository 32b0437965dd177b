import { countTokens, encodeChatGenerator } from 'gpt-tokenizer';

/**
 * Token counting for when the upstream does not report `usage` (and for the
 * pre-forwarding estimate that reservations are based on): o200k_base and the
 * gpt-4o chat format, the same as the demo upstream uses.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };
const IMAGE_PART_TOKENS = 85;

export interface ChatMessageLike {
  role: string;
  name?: string | null;
  content?: unknown;
}

function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  if (Array.isArray(content)) {
    return content
      .map(part =>
        part &&
        typeof part === 'object' &&
        (part as { type?: unknown }).type === 'text'
          ? String((part as { text?: unknown }).text ?? '')
          : '',
      )
      .join('\n');
  }
  return '';
}

function images(content: unknown): number {
  return Array.isArray(content)
    ? content.filter(
        p =>
          p &&
          typeof p === 'object' &&
          (p as { type?: unknown }).type === 'image_url',
      ).length
    : 0;
}

/** Parts that are neither text nor images (audio, files, ...), as JSON. */
function otherParts(content: unknown): unknown[] {
  return Array.isArray(content)
    ? content.filter(
        p =>
          !(
            p &&
            typeof p === 'object' &&
            ['text', 'image_url'].includes(
              String((p as { type?: unknown }).type),
            )
          ),
      )
    : [];
}

/** Fields of a message besides its role, name and content (tool calls, ...). */
function messageExtras(message: ChatMessageLike): Record<string, unknown> {
  const {
    role: _role,
    name: _name,
    content: _content,
    ...rest
  } = message as ChatMessageLike & Record<string, unknown>;
  return rest;
}

/**
 * The request fields besides the messages that reach the model as prompt:
 * tool and function definitions, the tool choice and the response format
 * (a JSON schema can be large).
 */
const PROMPT_FIELDS = [
  'tools',
  'tool_choice',
  'functions',
  'function_call',
  'response_format',
] as const;

export interface ChatRequestLike {
  messages: ChatMessageLike[];
  [field: string]: unknown;
}

/**
 * Prompt tokens of a chat request: everything forwarded that the model reads.
 * The message text in the chat format, images at a fixed estimate, and as JSON
 * every other content part, every other message field (tool calls, tool call
 * ids, ...) and the tool, function and response format definitions.
 */
export function countPromptTokens(request: ChatRequestLike): number {
  let count = 0;
  const extras: unknown[] = [];
  const chat = request.messages.map(m => {
    count += images(m.content) * IMAGE_PART_TOKENS;
    const other = otherParts(m.content);
    if (other.length > 0) {
      extras.push(other);
    }
    const rest = messageExtras(m);
    if (Object.keys(rest).length > 0) {
      extras.push(rest);
    }
    return {
      role: m.role,
      ...(m.name ? { name: m.name } : {}),
      content: textOf(m.content),
    };
  });
  for (const chunk of encodeChatGenerator(chat as any, 'gpt-4o', PLAIN_TEXT)) {
    count += chunk.length;
  }
  for (const field of PROMPT_FIELDS) {
    const value = request[field];
    if (value !== undefined && value !== null) {
      extras.push(value);
    }
  }
  for (const extra of extras) {
    count += countTextTokens(JSON.stringify(extra));
  }
  return count;
}

export function countTextTokens(text: string): number {
  return text ? countTokens(text, PLAIN_TEXT) : 0;
}
