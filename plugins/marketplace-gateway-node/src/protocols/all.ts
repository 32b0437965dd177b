import { anthropicMessagesAdapter } from './anthropicMessages';
import { openaiChatAdapter } from './openaiChat';
import {
  openaiCompletionsAdapter,
  openaiEmbeddingsAdapter,
} from './openaiLegacy';
import { openaiResponsesAdapter } from './openaiResponses';
import type { ProtocolAdapter } from './types';

/** Every client protocol the gateway serves, each on its own route. */
export const ALL_PROTOCOLS: ProtocolAdapter[] = [
  openaiChatAdapter,
  openaiResponsesAdapter,
  anthropicMessagesAdapter,
  openaiCompletionsAdapter,
  openaiEmbeddingsAdapter,
];
