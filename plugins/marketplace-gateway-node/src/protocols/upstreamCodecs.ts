/**
 * The upstream protocols the gateway can translate to: how it writes a request
 * for each, reads its answer and stream, and finds the message of its errors.
 */
import type { UpstreamProtocol } from '@internal/plugin-marketplace-common';
import { anthropicAnswerOf } from './anthropicAnswer';
import { chatToAnthropic } from './anthropicRequest';
import { AnthropicStreamDecoder } from './anthropicStream';
import { chatAnswerOf, ChatStreamDecoder } from './canonical';
import {
  chatToResponses,
  responsesAnswerOf,
  ResponsesStreamDecoder,
} from './responsesUpstream';
import type { UpstreamCodec } from './translate';

/** `error.message` of an error answer: OpenAI's and Anthropic's shapes alike. */
function errorMessageOf(parsed: any): string | undefined {
  return typeof parsed?.error?.message === 'string'
    ? parsed.error.message
    : undefined;
}

export const chatUpstream: UpstreamCodec = {
  id: 'openai-chat',
  path: '/chat/completions',
  request(chat, model, maxTokens) {
    const body: Record<string, unknown> = { ...chat, model };
    delete body.max_completion_tokens;
    if (maxTokens !== undefined) {
      body.max_tokens = maxTokens;
    }
    if (chat.stream) {
      body.stream_options = { include_usage: true };
    }
    return body;
  },
  answer: chatAnswerOf,
  decoder: () => new ChatStreamDecoder(),
  errorMessage: errorMessageOf,
};

export const anthropicUpstream: UpstreamCodec = {
  id: 'anthropic-messages',
  path: '/messages',
  request(chat, model, maxTokens) {
    return chatToAnthropic(chat, model, maxTokens ?? chat.max_tokens ?? 4096);
  },
  answer: anthropicAnswerOf,
  decoder: () => new AnthropicStreamDecoder(),
  errorMessage: errorMessageOf,
};

export const responsesUpstream: UpstreamCodec = {
  id: 'openai-responses',
  path: '/responses',
  // The gateway keeps no conversation state (previous_response_id is
  // refused), so nothing is left stored at the upstream either.
  passThroughFields: { store: false },
  request: chatToResponses,
  answer: responsesAnswerOf,
  decoder: () => new ResponsesStreamDecoder(),
  errorMessage: errorMessageOf,
};

export const UPSTREAM_CODECS: Partial<Record<UpstreamProtocol, UpstreamCodec>> =
  {
    'openai-chat': chatUpstream,
    'anthropic-messages': anthropicUpstream,
    'openai-responses': responsesUpstream,
  };

/** The message of an upstream's error answer, or a generic one. */
export function upstreamErrorMessage(
  upstream: UpstreamCodec,
  raw: Buffer,
  status: number,
): string {
  try {
    const message = upstream.errorMessage(JSON.parse(raw.toString('utf8')));
    if (message) {
      return message;
    }
  } catch {
    // Not JSON: a generic message.
  }
  return `The upstream rejected the request (HTTP ${status}).`;
}
