import { countPromptTokens } from '../tokens';
import { anthropicErrorBody, toAnthropicAnswer } from './anthropicAnswer';
import {
  anthropicToChat,
  countTokensRequest,
  messagesRequest,
} from './anthropicRequest';
import { AnthropicStreamEncoder } from './anthropicStream';
import {
  adapterFor,
  boundThroughForUpstream,
  InboundCodec,
  TranslatableCall,
} from './translate';
import { parseWith } from './validation';
import type { ProtocolAdapter } from './types';

function resetAt(seconds: number): string {
  return new Date(Date.now() + seconds * 1000).toISOString();
}

/**
 * Anthropic Messages (`POST /v1/messages`, and `POST
 * /v1/messages/count_tokens`): passed through to an Anthropic upstream,
 * translated to any other.
 */
export const anthropicMessagesAdapter: ProtocolAdapter & InboundCodec = {
  id: 'anthropic.messages',
  path: '/v1/messages',
  protocol: 'anthropic-messages',

  parse(raw): TranslatableCall {
    const body = parseWith(messagesRequest, raw);
    const chat = anthropicToChat(body);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(chat),
      requestedMaxTokens: body.max_tokens,
      maxTokensParam: 'max_tokens',
      promptParam: 'messages',
      body: body as Record<string, unknown>,
      chat,
    };
  },

  forUpstream(upstream, serviceName) {
    return adapterFor(
      anthropicMessagesAdapter,
      'anthropic-messages',
      upstream,
      serviceName,
    );
  },

  extraRoutes: {
    '/v1/messages/count_tokens': async (body, authorize) => {
      const request = parseWith(countTokensRequest, body);
      // Only for a model the key's subscription is for.
      await authorize(request.model);
      return {
        input_tokens: countPromptTokens(
          anthropicToChat({ ...request, max_tokens: request.max_tokens ?? 1 }),
        ),
      };
    },
  },

  rateLimitHeaders(state) {
    // On the gateway's own 429 only the exhausted limit's remaining and reset are known.
    const headers: Record<string, string> = {
      'anthropic-ratelimit-requests-limit': String(state.requestsPerMinute),
      'anthropic-ratelimit-tokens-limit': String(state.tokensPerMinute),
    };
    if (state.remainingRequests !== undefined) {
      headers['anthropic-ratelimit-requests-remaining'] = String(
        state.remainingRequests,
      );
    }
    if (state.resetRequestsSeconds !== undefined) {
      headers['anthropic-ratelimit-requests-reset'] = resetAt(
        state.resetRequestsSeconds,
      );
    }
    if (state.remainingTokens !== undefined) {
      headers['anthropic-ratelimit-tokens-remaining'] = String(
        state.remainingTokens,
      );
    }
    if (state.resetTokensSeconds !== undefined) {
      headers['anthropic-ratelimit-tokens-reset'] = resetAt(
        state.resetTokensSeconds,
      );
    }
    return headers;
  },

  answer: (answer, call) =>
    toAnthropicAnswer(answer, answer.model || call.model),
  encoder: call => new AnthropicStreamEncoder(call.model, call.promptTokens),
  errorBody: anthropicErrorBody,

  ...boundThroughForUpstream('anthropicMessagesAdapter'),
};
