import { LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'crypto';
import { ErrorRequestHandler, Router } from 'express';
import { OpenAiError } from './errors';
import {
  disconnectSignal,
  sendTextDeltas,
  sendToolArguments,
  Simulate,
  TypedEventStream,
} from './eventStream';
import { parseChatCompletionRequest } from './request';
import type { SleepFunction } from './sleep';

const ANTHROPIC_ERROR_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  529: 'overloaded_error',
};

function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  return Array.isArray(content)
    ? content
        .map((b: any) => (b?.type === 'text' ? String(b.text ?? '') : ''))
        .join('\n')
    : '';
}

/**
 * A Messages body as the simulator's chat request: the system prompt, text
 * blocks, tool uses and results as text (they count as prompt), the tools as
 * functions. Validation of the chat form names the Messages fields.
 */
export function messagesToChat(body: any): unknown {
  if (!body || typeof body !== 'object') {
    return body;
  }
  if (!Number.isInteger(body.max_tokens) || body.max_tokens < 1) {
    throw new OpenAiError({
      status: 400,
      message: 'max_tokens: a positive integer is required',
      param: 'max_tokens',
    });
  }
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    throw new OpenAiError({
      status: 400,
      message: 'messages: at least one message is required',
      param: 'messages',
    });
  }
  const messages: unknown[] = [];
  const system = textOf(body.system);
  if (system) {
    messages.push({ role: 'system', content: system });
  }
  for (const m of body.messages) {
    const blocks =
      typeof m?.content === 'string'
        ? [{ type: 'text', text: m.content }]
        : m?.content;
    const text = (Array.isArray(blocks) ? blocks : [])
      .map((b: any) => {
        if (b?.type === 'text') {
          return String(b.text ?? '');
        }
        if (b?.type === 'tool_use') {
          return JSON.stringify({ name: b.name, input: b.input });
        }
        if (b?.type === 'tool_result') {
          return textOf(b.content);
        }
        return '';
      })
      .join('\n');
    messages.push({
      role: m?.role === 'assistant' ? 'assistant' : 'user',
      content: text,
    });
  }
  const choice = body.tool_choice;
  let toolChoice: unknown;
  if (choice?.type === 'any') {
    toolChoice = 'required';
  } else if (choice?.type === 'tool') {
    toolChoice = { type: 'function', function: { name: choice.name } };
  } else if (choice?.type === 'none') {
    toolChoice = 'none';
  }
  return {
    model: body.model,
    messages,
    max_tokens: body.max_tokens,
    stream: body.stream === true,
    stop: Array.isArray(body.stop_sequences)
      ? body.stop_sequences.slice(0, 4)
      : undefined,
    tools: Array.isArray(body.tools)
      ? body.tools.map((t: any) => ({
          type: 'function',
          function: { name: t?.name, parameters: t?.input_schema },
        }))
      : undefined,
    tool_choice: toolChoice,
  };
}

/**
 * `POST /v1/messages`: the simulator speaking Anthropic Messages natively
 * (JSON and the event stream), with real token counts and errors in
 * Anthropic's shape.
 */
export function registerMessagesRoute(
  router: Router,
  deps: { simulate: Simulate; sleep: SleepFunction; logger: LoggerService },
) {
  const { simulate, sleep } = deps;
  router.post('/v1/messages', async (req, res) => {
    const request = parseChatCompletionRequest(messagesToChat(req.body));
    const { model, promptTokens, toolCall, completion, completionTokens } =
      simulate(request);
    const id = `msg_${randomBytes(18).toString('hex')}`;
    let stopReason =
      completion.finishReason === 'length' ? 'max_tokens' : 'end_turn';
    if (toolCall) {
      stopReason = 'tool_use';
    }
    const input = toolCall ? JSON.parse(toolCall.arguments) : undefined;
    const toolId = toolCall?.id.replace(/^call_/, 'toolu_');
    const msPerToken = 1000 / model.tokensPerSecond;
    const signal = disconnectSignal(res);

    if (!request.stream) {
      await sleep(model.timeToFirstTokenMs, signal);
      await sleep(completionTokens * msPerToken, signal);
      if (signal.aborted) {
        return;
      }
      res.json({
        id,
        type: 'message',
        role: 'assistant',
        model: model.id,
        content: toolCall
          ? [{ type: 'tool_use', id: toolId, name: toolCall.name, input }]
          : [{ type: 'text', text: completion.content }],
        stop_reason: stopReason,
        stop_sequence: null,
        usage: { input_tokens: promptTokens, output_tokens: completionTokens },
      });
      return;
    }

    const events = new TypedEventStream(res);
    const pace = { msPerToken, sleep, signal };
    events.open();
    await sleep(model.timeToFirstTokenMs, signal);
    if (signal.aborted) {
      return;
    }
    events.send('message_start', {
      message: {
        id,
        type: 'message',
        role: 'assistant',
        model: model.id,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: promptTokens, output_tokens: 1 },
      },
    });
    if (toolCall) {
      events.send('content_block_start', {
        index: 0,
        content_block: {
          type: 'tool_use',
          id: toolId,
          name: toolCall.name,
          input: {},
        },
      });
      const sent = await sendToolArguments(toolCall, pace, partial_json =>
        events.send('content_block_delta', {
          index: 0,
          delta: { type: 'input_json_delta', partial_json },
        }),
      );
      if (!sent) {
        return;
      }
    } else {
      events.send('content_block_start', {
        index: 0,
        content_block: { type: 'text', text: '' },
      });
      const sent = await sendTextDeltas(completion.chunks, pace, text =>
        events.send('content_block_delta', {
          index: 0,
          delta: { type: 'text_delta', text },
        }),
      );
      if (!sent) {
        return;
      }
    }
    events.send('content_block_stop', { index: 0 });
    events.send('message_delta', {
      delta: { stop_reason: stopReason, stop_sequence: null },
      usage: { output_tokens: completionTokens },
    });
    events.send('message_stop', {});
    res.end();
  });

  // Errors of the Messages route in Anthropic's shape.
  const anthropicErrors: ErrorRequestHandler = (error, _req, res, next) => {
    if (!(error instanceof OpenAiError) || res.headersSent) {
      next(error);
      return;
    }
    res.status(error.status).json({
      type: 'error',
      error: {
        type:
          ANTHROPIC_ERROR_TYPES[error.status] ??
          (error.status >= 500 ? 'api_error' : 'invalid_request_error'),
        message: error.message,
      },
    });
  };
  router.use('/v1/messages', anthropicErrors);
}
