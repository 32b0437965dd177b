import { countPromptTokens } from '../tokens';
import { toResponsesAnswer } from './responsesAnswer';
import { responsesRequest, responsesToChat } from './responsesRequest';
import { ResponsesStreamEncoder } from './responsesStream';
import { openaiErrorBody } from './sse';
import {
  adapterFor,
  boundThroughForUpstream,
  InboundCodec,
  TranslatableCall,
} from './translate';
import type { ProtocolAdapter } from './types';
import { parseWith } from './validation';

/**
 * OpenAI Responses (`POST /v1/responses`): passed through to a Responses
 * upstream, translated to any other (request in responsesRequest.ts, answer
 * in responsesAnswer.ts, stream in responsesStream.ts).
 */
export const openaiResponsesAdapter: ProtocolAdapter & InboundCodec = {
  id: 'openai.responses',
  path: '/v1/responses',
  protocol: 'openai-responses',

  parse(raw): TranslatableCall {
    const body = parseWith(responsesRequest, raw);
    const chat = responsesToChat(body);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(chat),
      requestedMaxTokens: body.max_output_tokens ?? undefined,
      maxTokensParam: 'max_output_tokens',
      promptParam: 'input',
      body: body as Record<string, unknown>,
      chat,
    };
  },

  forUpstream(upstream, serviceName) {
    return adapterFor(
      openaiResponsesAdapter,
      'openai-responses',
      upstream,
      serviceName,
    );
  },

  answer: toResponsesAnswer,
  encoder: call => new ResponsesStreamEncoder(call),
  errorBody: openaiErrorBody,

  ...boundThroughForUpstream('openaiResponsesAdapter'),
};
