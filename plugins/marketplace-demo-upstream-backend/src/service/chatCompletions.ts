import { LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'crypto';
import { Router } from 'express';
import { createSimulate } from './simulation';
import { CompletionChunk } from './generator';
import { parseChatCompletionRequest } from './request';
import { flush, SleepFunction } from './sleep';

/** `POST /v1/chat/completions`: the OpenAI chat answer, whole or streamed. */
export function registerChatCompletionsRoute(
  router: Router,
  options: {
    simulate: ReturnType<typeof createSimulate>;
    sleep: SleepFunction;
    logger: LoggerService;
    now: () => number;
  },
) {
  const { simulate, sleep, logger, now } = options;
  router.post('/v1/chat/completions', async (req, res) => {
    const request = parseChatCompletionRequest(req.body);
    const { model, promptTokens, toolCall, completion, completionTokens } =
      simulate(request);
    const usage = {
      prompt_tokens: promptTokens,
      completion_tokens: completionTokens,
      total_tokens: promptTokens + completionTokens,
    };
    const id = `chatcmpl-${randomBytes(18).toString('base64url')}`;
    const created = Math.floor(now() / 1000);
    const msPerToken = 1000 / model.tokensPerSecond;

    // Stop generating when the client goes away. `req` emits 'close' once
    // its body is consumed, so listen on the response instead.
    const disconnected = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) {
        disconnected.abort();
      }
    });

    logger.debug(
      `Completion ${id} for ${model.id}: ${usage.prompt_tokens} prompt + ${
        usage.completion_tokens
      } completion tokens (${completion.finishReason})${
        request.stream ? ', streamed' : ''
      }`,
    );

    if (!request.stream) {
      await sleep(model.timeToFirstTokenMs, disconnected.signal);
      await sleep(completionTokens * msPerToken, disconnected.signal);
      if (disconnected.signal.aborted) {
        return;
      }
      if (toolCall) {
        res.json({
          id,
          object: 'chat.completion',
          created,
          model: model.id,
          choices: [
            {
              index: 0,
              message: {
                role: 'assistant',
                content: null,
                refusal: null,
                tool_calls: [
                  {
                    id: toolCall.id,
                    type: 'function',
                    function: {
                      name: toolCall.name,
                      arguments: toolCall.arguments,
                    },
                  },
                ],
              },
              logprobs: null,
              finish_reason: 'tool_calls',
            },
          ],
          usage,
        });
        return;
      }
      res.json({
        id,
        object: 'chat.completion',
        created,
        model: model.id,
        choices: [
          {
            index: 0,
            message: {
              role: 'assistant',
              content: completion.content,
              refusal: null,
            },
            logprobs: null,
            finish_reason: completion.finishReason,
          },
        ],
        usage,
      });
      return;
    }

    const includeUsage = request.stream_options?.include_usage === true;
    const send = (payload: object) => {
      res.write(`data: ${JSON.stringify(payload)}\n\n`);
      flush(res);
    };
    const chunk = (
      delta: { role?: 'assistant'; content?: string; tool_calls?: unknown[] },
      finishReason: string | null,
    ) => ({
      id,
      object: 'chat.completion.chunk',
      created,
      model: model.id,
      choices: [
        { index: 0, delta, logprobs: null, finish_reason: finishReason },
      ],
      ...(includeUsage ? { usage: null } : {}),
    });

    res.status(200);
    res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    res.setHeader('Cache-Control', 'no-cache');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    res.flushHeaders();

    await sleep(model.timeToFirstTokenMs, disconnected.signal);
    if (disconnected.signal.aborted) {
      return;
    }
    send(chunk({ role: 'assistant', content: '' }, null));

    if (toolCall) {
      send(
        chunk(
          {
            tool_calls: [
              {
                index: 0,
                id: toolCall.id,
                type: 'function',
                function: { name: toolCall.name, arguments: '' },
              },
            ],
          },
          null,
        ),
      );
      // The arguments arrive in pieces, like a real model streams them.
      const step = Math.max(1, Math.ceil(toolCall.arguments.length / 4));
      for (let i = 0; i < toolCall.arguments.length; i += step) {
        send(
          chunk(
            {
              tool_calls: [
                {
                  index: 0,
                  function: {
                    arguments: toolCall.arguments.slice(i, i + step),
                  },
                },
              ],
            },
            null,
          ),
        );
        await sleep(
          (toolCall.completionTokens / 4) * msPerToken,
          disconnected.signal,
        );
        if (disconnected.signal.aborted) {
          return;
        }
      }
    } else {
      const deltas: CompletionChunk[] = completion.chunks;
      for (const delta of deltas) {
        send(chunk({ content: delta.text }, null));
        await sleep(delta.tokens * msPerToken, disconnected.signal);
        if (disconnected.signal.aborted) {
          return;
        }
      }
    }

    send(chunk({}, toolCall ? 'tool_calls' : completion.finishReason));
    if (includeUsage) {
      send({
        id,
        object: 'chat.completion.chunk',
        created,
        model: model.id,
        choices: [],
        usage,
      });
    }
    res.write('data: [DONE]\n\n');
    res.end();
  });
}
