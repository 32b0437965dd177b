import { LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'crypto';
import { Router } from 'express';
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

function textOf(content: unknown): string {
  if (typeof content === 'string') {
    return content;
  }
  return Array.isArray(content)
    ? content
        .map((p: any) =>
          typeof p?.text === 'string' && p.type !== 'input_image' ? p.text : '',
        )
        .join('')
    : '';
}

/**
 * A Responses body as the simulator's chat request: instructions, input
 * messages, function calls and their outputs as text (they count as prompt),
 * the function tools. Validation of the chat form names the Responses fields.
 */
export function responsesToChat(body: any): unknown {
  if (!body || typeof body !== 'object') {
    return body;
  }
  if (
    typeof body.input !== 'string' &&
    !(Array.isArray(body.input) && body.input.length > 0)
  ) {
    throw new OpenAiError({
      status: 400,
      message: "Missing required parameter: 'input'.",
      param: 'input',
      code: 'missing_required_parameter',
    });
  }
  const messages: { role: string; content: string }[] = [];
  if (typeof body.instructions === 'string' && body.instructions) {
    messages.push({ role: 'system', content: body.instructions });
  }
  const items =
    typeof body.input === 'string'
      ? [{ role: 'user', content: body.input }]
      : body.input;
  for (const item of items) {
    const type = item?.type ?? 'message';
    if (type === 'message') {
      messages.push({
        role: item.role === 'assistant' ? 'assistant' : 'user',
        content: textOf(item.content),
      });
    } else if (type === 'function_call') {
      messages.push({
        role: 'assistant',
        content: JSON.stringify({ name: item.name, arguments: item.arguments }),
      });
    } else if (type === 'function_call_output') {
      messages.push({ role: 'user', content: textOf(item.output) });
    }
  }
  const choice = body.tool_choice;
  let toolChoice: unknown;
  if (typeof choice === 'string') {
    toolChoice = choice;
  } else if (choice?.type === 'function') {
    toolChoice = { type: 'function', function: { name: choice.name } };
  }
  const format = body.text?.format?.type;
  return {
    model: body.model,
    messages,
    max_tokens: body.max_output_tokens ?? undefined,
    stream: body.stream === true,
    tools: Array.isArray(body.tools)
      ? body.tools
          .filter((t: any) => t?.type === 'function')
          .map((t: any) => ({
            type: 'function',
            function: { name: t.name, parameters: t.parameters },
          }))
      : undefined,
    tool_choice: toolChoice,
    response_format:
      format === 'json_schema' || format === 'json_object'
        ? { type: format === 'json_schema' ? 'json_object' : format }
        : undefined,
  };
}

/**
 * `POST /v1/responses`: the simulator speaking OpenAI Responses natively (the
 * response object and the typed event stream), with real token counts and
 * errors in OpenAI's shape.
 */
export function registerResponsesRoute(
  router: Router,
  deps: { simulate: Simulate; sleep: SleepFunction; logger: LoggerService },
) {
  const { simulate, sleep } = deps;
  router.post('/v1/responses', async (req, res) => {
    const request = parseChatCompletionRequest(responsesToChat(req.body));
    const { model, promptTokens, toolCall, completion, completionTokens } =
      simulate(request);
    const id = `resp_${randomBytes(18).toString('hex')}`;
    const messageId = `msg_${randomBytes(18).toString('hex')}`;
    const callItemId = `fc_${randomBytes(18).toString('hex')}`;
    const createdAt = Math.floor(Date.now() / 1000);
    const incomplete = !toolCall && completion.finishReason === 'length';
    const msPerToken = 1000 / model.tokensPerSecond;
    const signal = disconnectSignal(res);
    const usage = {
      input_tokens: promptTokens,
      input_tokens_details: { cached_tokens: 0 },
      output_tokens: completionTokens,
      output_tokens_details: { reasoning_tokens: 0 },
      total_tokens: promptTokens + completionTokens,
    };
    const messageItem = (text: string, status: string) => ({
      id: messageId,
      type: 'message',
      status,
      role: 'assistant',
      content:
        status === 'in_progress'
          ? []
          : [{ type: 'output_text', text, annotations: [] }],
    });
    const callItem = (args: string, status: string) => ({
      id: callItemId,
      type: 'function_call',
      status,
      call_id: toolCall!.id,
      name: toolCall!.name,
      arguments: args,
    });
    const response = (
      status: string,
      output: unknown[],
      withUsage: boolean,
    ) => ({
      id,
      object: 'response',
      created_at: createdAt,
      status,
      error: null,
      incomplete_details:
        status === 'incomplete' ? { reason: 'max_output_tokens' } : null,
      model: model.id,
      output,
      usage: withUsage ? usage : null,
    });

    if (!request.stream) {
      await sleep(model.timeToFirstTokenMs, signal);
      await sleep(completionTokens * msPerToken, signal);
      if (signal.aborted) {
        return;
      }
      res.json(
        response(
          incomplete ? 'incomplete' : 'completed',
          [
            toolCall
              ? callItem(toolCall.arguments, 'completed')
              : messageItem(completion.content, 'completed'),
          ],
          true,
        ),
      );
      return;
    }

    const events = new TypedEventStream(res, { sequenceNumbers: true });
    const pace = { msPerToken, sleep, signal };
    events.open();
    await sleep(model.timeToFirstTokenMs, signal);
    if (signal.aborted) {
      return;
    }
    events.send('response.created', {
      response: response('in_progress', [], false),
    });
    events.send('response.in_progress', {
      response: response('in_progress', [], false),
    });
    let done: unknown;
    if (toolCall) {
      events.send('response.output_item.added', {
        output_index: 0,
        item: callItem('', 'in_progress'),
      });
      const sent = await sendToolArguments(toolCall, pace, delta =>
        events.send('response.function_call_arguments.delta', {
          item_id: callItemId,
          output_index: 0,
          delta,
        }),
      );
      if (!sent) {
        return;
      }
      events.send('response.function_call_arguments.done', {
        item_id: callItemId,
        output_index: 0,
        name: toolCall.name,
        arguments: toolCall.arguments,
      });
      done = callItem(toolCall.arguments, 'completed');
    } else {
      events.send('response.output_item.added', {
        output_index: 0,
        item: messageItem('', 'in_progress'),
      });
      const part = { type: 'output_text', text: '', annotations: [] };
      events.send('response.content_part.added', {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        part,
      });
      const sent = await sendTextDeltas(completion.chunks, pace, delta =>
        events.send('response.output_text.delta', {
          item_id: messageId,
          output_index: 0,
          content_index: 0,
          delta,
          logprobs: [],
        }),
      );
      if (!sent) {
        return;
      }
      events.send('response.output_text.done', {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        text: completion.content,
        logprobs: [],
      });
      events.send('response.content_part.done', {
        item_id: messageId,
        output_index: 0,
        content_index: 0,
        part: { ...part, text: completion.content },
      });
      done = messageItem(completion.content, 'completed');
    }
    events.send('response.output_item.done', { output_index: 0, item: done });
    const status = incomplete ? 'incomplete' : 'completed';
    events.send(`response.${status}`, {
      response: response(status, [done], true),
    });
    res.end();
  });
}
