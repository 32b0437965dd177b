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

/** Prompt tokens of a chat request (messages plus tool definitions). */
export function countPromptTokens(
  messages: ChatMessageLike[],
  tools?: unknown,
): number {
  let count = 0;
  const chat = messages.map(m => {
    count += images(m.content) * IMAGE_PART_TOKENS;
    return {
      role: m.role,
      ...(m.name ? { name: m.name } : {}),
      content: textOf(m.content),
    };
  });
  for (const chunk of encodeChatGenerator(chat as any, 'gpt-4o', PLAIN_TEXT)) {
    count += chunk.length;
  }
  if (tools !== undefined && tools !== null) {
    count += countTextTokens(JSON.stringify(tools));
  }
  return count;
}

export function countTextTokens(text: string): number {
  return text ? countTokens(text, PLAIN_TEXT) : 0;
}
