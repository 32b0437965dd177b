import { anthropicMessagesAdapter } from './anthropicMessages';
import { openaiChatAdapter } from './openaiChat';
import {
  openaiCompletionsAdapter,
  openaiEmbeddingsAdapter,
} from './openaiLegacy';
import { openaiResponsesAdapter } from './openaiResponses';
import type { ProtocolAdapter } from './types';

/**
 * The client protocols the gateway serves, by short name (the Test API's
 * `?protocol=`): OpenAI Chat Completions, Responses, legacy Completions and
 * Embeddings, and Anthropic Messages.
 */
export const INBOUND_PROTOCOLS = {
  chat: openaiChatAdapter,
  responses: openaiResponsesAdapter,
  messages: anthropicMessagesAdapter,
  completions: openaiCompletionsAdapter,
  embeddings: openaiEmbeddingsAdapter,
} satisfies Record<string, ProtocolAdapter>;

/** The short name of a client protocol the gateway serves. */
export type InboundProtocol = keyof typeof INBOUND_PROTOCOLS;

/** Every client protocol the gateway serves, each on its own route. */
export const ALL_PROTOCOLS: ProtocolAdapter[] =
  Object.values(INBOUND_PROTOCOLS);
