import { ChatAnswer, newId } from './canonical';
import type { ResponsesRequest } from './responsesRequest';
import type { TranslatableCall } from './translate';
import type { ReportedUsage } from './types';

/** OpenAI Responses answers: the response object and its output items. */

/** Usage as a Responses answer reports it. */
function responsesUsage(usage: ReportedUsage | undefined) {
  if (!usage) {
    return null;
  }
  return {
    input_tokens: usage.promptTokens,
    input_tokens_details: { cached_tokens: usage.cachedPromptTokens ?? 0 },
    output_tokens: usage.completionTokens,
    output_tokens_details: { reasoning_tokens: 0 },
    total_tokens: usage.promptTokens + usage.completionTokens,
  };
}

/** A response object (`object: "response"`) with the request's settings echoed. */
export function responseObject(
  call: TranslatableCall,
  fields: {
    id: string;
    createdAt: number;
    model: string;
    status: 'in_progress' | 'completed' | 'incomplete' | 'failed';
    output: unknown[];
    usage: ReportedUsage | undefined;
  },
) {
  const body = call.body as ResponsesRequest;
  return {
    id: fields.id,
    object: 'response',
    created_at: fields.createdAt,
    status: fields.status,
    error: null,
    incomplete_details:
      fields.status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
    instructions: body.instructions ?? null,
    max_output_tokens: body.max_output_tokens ?? null,
    model: fields.model,
    output: fields.output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: body.temperature ?? 1,
    text: body.text ?? { format: { type: 'text' } },
    tool_choice: body.tool_choice ?? 'auto',
    tools: body.tools ?? [],
    top_p: body.top_p ?? 1,
    truncation: 'disabled',
    usage: responsesUsage(fields.usage),
    user: null,
    metadata: (body as any).metadata ?? {},
  };
}

/** An output item of type `message` (its text when not in progress). */
export function messageItem(id: string, text: string, status: string) {
  return {
    id,
    type: 'message',
    status,
    role: 'assistant',
    content:
      status === 'in_progress'
        ? []
        : [{ type: 'output_text', text, annotations: [] }],
  };
}

/** An output item of type `function_call`. */
export function functionCallItem(
  id: string,
  call: { id: string; name: string; arguments: string },
  status: string,
) {
  return {
    id,
    type: 'function_call',
    status,
    call_id: call.id,
    name: call.name,
    arguments: call.arguments,
  };
}

/** A canonical answer as a Responses answer. */
export function toResponsesAnswer(answer: ChatAnswer, call: TranslatableCall) {
  const output: unknown[] = [];
  if (answer.text || answer.toolCalls.length === 0) {
    output.push(messageItem(newId('msg_'), answer.text, 'completed'));
  }
  for (const tool of answer.toolCalls) {
    output.push(
      functionCallItem(
        newId('fc_'),
        {
          id: tool.id,
          name: tool.function.name,
          arguments: tool.function.arguments,
        },
        'completed',
      ),
    );
  }
  return responseObject(call, {
    id: newId('resp_'),
    createdAt: answer.created,
    model: answer.model || call.model,
    status: answer.finishReason === 'length' ? 'incomplete' : 'completed',
    output,
    usage: answer.usage,
  });
}
