import {
  countTokens as countO200kTokens,
  decode,
  encode,
  encodeChatGenerator,
} from 'gpt-tokenizer';
import { ChatMessageInput } from './request';

/** A chat message in the shape the tokenizer's chat encoder takes. */
export interface TokenizerChatMessage {
  role: string;
  name?: string;
  content: string;
}

/**
 * Every model is tokenized with o200k_base (the `gpt-tokenizer` default) and
 * the gpt-4o chat format: `<|im_start|>role<|im_sep|>content<|im_end|>` per
 * message plus `<|im_start|>assistant<|im_sep|>` to prime the reply.
 */
const CHAT_FORMAT_MODEL = 'gpt-4o';

/**
 * User text may contain strings such as `<|endoftext|>`; like the OpenAI API,
 * treat them as plain text instead of rejecting them.
 */
const PLAIN_TEXT = { disallowedSpecial: new Set<string>() };

/**
 * The simulator does not download images; each image part is counted at the
 * flat base cost OpenAI charges for a low-detail image.
 */
export const IMAGE_PART_TOKENS = 85;

/** The text of a message, with the text parts of array content concatenated. */
export function messageText(message: ChatMessageInput): string {
  const { content } = message;
  if (typeof content === 'string') {
    return content;
  }
  if (!content) {
    return '';
  }
  return content
    .map(part => (part.type === 'text' ? part.text : ''))
    .join('\n');
}

function imagePartCount(message: ChatMessageInput): number {
  return Array.isArray(message.content)
    ? message.content.filter(part => part.type === 'image_url').length
    : 0;
}

/** Converts request messages into what the tokenizer's chat encoder takes. */
export function toTokenizerMessages(
  messages: readonly ChatMessageInput[],
): TokenizerChatMessage[] {
  return messages.map(message => ({
    role: message.role,
    ...(message.name ? { name: message.name } : {}),
    content: messageText(message),
  }));
}

/**
 * Counts the prompt tokens of a chat, stopping early once `limit` is
 * exceeded.
 *
 * @returns the token count, or `false` if it is larger than `limit`.
 */
export function countPromptTokens(
  messages: readonly ChatMessageInput[],
  limit: number,
): number | false {
  let count = messages.reduce(
    (sum, message) => sum + imagePartCount(message) * IMAGE_PART_TOKENS,
    0,
  );
  if (count > limit) {
    return false;
  }
  for (const tokens of encodeChatGenerator(
    toTokenizerMessages(messages),
    CHAT_FORMAT_MODEL,
    PLAIN_TEXT,
  )) {
    count += tokens.length;
    if (count > limit) {
      return false;
    }
  }
  return count;
}

/** Counts the tokens of a piece of text. */
export function countTextTokens(text: string): number {
  return text ? countO200kTokens(text, PLAIN_TEXT) : 0;
}

/** Encodes text into token ids. */
export function encodeText(text: string): number[] {
  return encode(text, PLAIN_TEXT);
}

/** Decodes token ids into text. */
export function decodeTokens(tokens: readonly number[]): string {
  return decode(tokens);
}
