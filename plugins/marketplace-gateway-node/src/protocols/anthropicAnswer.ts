import { GatewayError } from '../errors';
import { parseArguments } from './anthropicRequest';
import { ChatAnswer, FinishReason, newId, nowSeconds } from './canonical';
import type { ReportedUsage } from './types';

/** Anthropic Messages answers: usage, stop reasons, whole answers both ways, errors. */

/** Canonical finish reasons as Messages stop reasons. */
export const STOP_REASONS: Record<FinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
};

/** A Messages stop reason in canonical form. */
export function finishReasonOf(stopReason: unknown): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}

/** Usage as Messages reports it: input counts the cache reads and writes too. */
export function anthropicUsage(usage: any): ReportedUsage | undefined {
  if (
    !Number.isInteger(usage?.input_tokens) ||
    !Number.isInteger(usage?.output_tokens)
  ) {
    return undefined;
  }
  const read = Number.isInteger(usage.cache_read_input_tokens)
    ? usage.cache_read_input_tokens
    : 0;
  const written = Number.isInteger(usage.cache_creation_input_tokens)
    ? usage.cache_creation_input_tokens
    : 0;
  return {
    promptTokens: usage.input_tokens + read + written,
    completionTokens: usage.output_tokens,
    ...(Number.isInteger(usage.cache_read_input_tokens)
      ? { cachedPromptTokens: read }
      : {}),
  };
}

/** Reported usage as Messages reports it (cached reads apart from the input). */
export function toAnthropicUsage(usage: ReportedUsage | undefined) {
  const cached = usage?.cachedPromptTokens ?? 0;
  return {
    input_tokens: Math.max(0, (usage?.promptTokens ?? 0) - cached),
    output_tokens: usage?.completionTokens ?? 0,
    ...(usage?.cachedPromptTokens !== undefined
      ? { cache_read_input_tokens: cached, cache_creation_input_tokens: 0 }
      : {}),
  };
}

/** A Messages answer (from an Anthropic upstream) in canonical form. */
export function anthropicAnswerOf(parsed: any): ChatAnswer {
  const content: any[] = Array.isArray(parsed?.content) ? parsed.content : [];
  return {
    id: String(parsed?.id ?? newId('msg_')),
    model: String(parsed?.model ?? ''),
    created: nowSeconds(),
    text: content
      .filter(b => b?.type === 'text')
      .map(b => String(b.text ?? ''))
      .join(''),
    toolCalls: content
      .filter(b => b?.type === 'tool_use')
      .map(b => ({
        id: String(b.id ?? newId('toolu_')),
        type: 'function' as const,
        function: {
          name: String(b.name ?? ''),
          arguments: JSON.stringify(b.input ?? {}),
        },
      })),
    finishReason: finishReasonOf(parsed?.stop_reason),
    usage: anthropicUsage(parsed?.usage),
  };
}

/** A canonical answer as a Messages answer. */
export function toAnthropicAnswer(answer: ChatAnswer, model: string) {
  const content: unknown[] = [];
  if (answer.text) {
    content.push({ type: 'text', text: answer.text });
  }
  for (const call of answer.toolCalls) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: parseArguments(call.function.arguments),
    });
  }
  return {
    id: answer.id.startsWith('msg_') ? answer.id : newId('msg_'),
    type: 'message',
    role: 'assistant',
    model,
    content,
    stop_reason: STOP_REASONS[answer.finishReason],
    stop_sequence: null,
    usage: toAnthropicUsage(answer.usage),
  };
}

const ERROR_TYPES = new Set([
  'invalid_request_error',
  'authentication_error',
  'permission_error',
  'not_found_error',
  'request_too_large',
  'rate_limit_error',
  'api_error',
  'overloaded_error',
]);

/** An error in Anthropic's shape: `{type: "error", error: {type, message}}`. */
export function anthropicErrorBody(error: GatewayError) {
  let type = ERROR_TYPES.has(error.type) ? error.type : 'api_error';
  if (error.type === 'insufficient_quota') {
    type = 'rate_limit_error';
  } else if (error.status === 413) {
    type = 'request_too_large';
  } else if (!ERROR_TYPES.has(error.type) && error.status < 500) {
    type = 'invalid_request_error';
  }
  return { type: 'error', error: { type, message: error.message } };
}
