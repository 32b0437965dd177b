import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import { isError } from '@backstage/errors';
import { randomBytes, randomInt } from 'crypto';
import { setTimeout as delay } from 'timers/promises';
import express, { ErrorRequestHandler, Response } from 'express';
import Router from 'express-promise-router';
import { requireApiKey } from './auth';
import { readDemoUpstreamConfig, SimulatedModel } from './config';
import { OpenAiError, sendOpenAiError } from './errors';
import { CompletionChunk, simulateCompletion } from './generator';
import { simulateToolCall } from './tools';
import { ChatCompletionRequest, parseChatCompletionRequest } from './request';
import { countPromptTokens } from './tokens';
import { registerEmbeddingsRoute } from './embeddings';
import { registerResponsesRoute } from './responses';
import { registerMessagesRoute } from './messages';

/**
 * Waits `ms` milliseconds, resolving early when `signal` aborts.
 *
 * @public
 */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/**
 * Options for {@link createRouter}.
 *
 * @public
 */
export interface RouterOptions {
  logger: LoggerService;
  config: RootConfigService;
  /**
   * Random source in [0, 1) used for failure simulation. Defaults to
   * `crypto.randomInt`.
   */
  random?: () => number;
  /** Used for all simulated latency. Defaults to a timer. */
  sleep?: SleepFunction;
  /** Current time in epoch milliseconds. Defaults to `Date.now`. */
  now?: () => number;
}

const BODY_LIMIT = '4mb';
const RANDOM_RANGE = 2 ** 47;

const defaultRandom = () => randomInt(0, RANDOM_RANGE) / RANDOM_RANGE;

const defaultSleep: SleepFunction = async (ms, signal) => {
  if (ms <= 0 || signal?.aborted) {
    return;
  }
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // An abort just ends the wait early.
    if (!signal?.aborted) {
      throw error;
    }
  }
};

export function flush(res: Response) {
  // The compression middleware of the Backstage root router buffers output
  // unless it is told to flush.
  (res as Response & { flush?: () => void }).flush?.();
}

function modelNotFound(model: string, param: string | null) {
  return new OpenAiError({
    status: 404,
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    param,
    code: 'model_not_found',
  });
}

function modelObject(model: SimulatedModel, created: number) {
  return {
    id: model.id,
    object: 'model' as const,
    created,
    owned_by: model.ownedBy,
  };
}

function simulatedFailure(
  draw: number,
  failureRate: number,
  status?: 429 | 500 | 502 | 503,
): OpenAiError {
  if (status === 429) {
    return new OpenAiError({
      status: 429,
      message: 'Rate limit reached for requests. Please try again in 1s.',
      type: 'requests',
      code: 'rate_limit_exceeded',
    });
  }
  if (status === 502) {
    return new OpenAiError({
      status: 502,
      message: 'Bad gateway.',
      type: 'server_error',
      code: 'bad_gateway',
    });
  }
  if (status === 503 || (status === undefined && draw < failureRate / 2)) {
    return new OpenAiError({
      status: 503,
      message: 'The engine is currently overloaded, please try again later.',
      type: 'server_error',
      code: 'upstream_overloaded',
    });
  }
  return new OpenAiError({
    status: 500,
    message: 'The server had an error while processing your request.',
    type: 'server_error',
    code: 'server_error',
  });
}

function stopSequences(stop: ChatCompletionRequest['stop']): string[] {
  if (!stop) {
    return [];
  }
  return typeof stop === 'string' ? [stop] : stop;
}

/**
 * Turns errors, including those of the JSON body parser, into OpenAI error
 * responses. User input never results in a 500.
 */
function errorHandler(logger: LoggerService): ErrorRequestHandler {
  return (error, _req, res, next) => {
    if (res.headersSent) {
      logger.warn(`Error after the response started: ${error}`);
      res.end();
      return;
    }
    if (error instanceof OpenAiError) {
      sendOpenAiError(res, error);
      return;
    }
    if (!isError(error)) {
      next(error);
      return;
    }

    const bodyError = error as Error & { type?: string; status?: number };
    switch (bodyError.type) {
      case 'entity.parse.failed':
        sendOpenAiError(
          res,
          new OpenAiError({
            status: 400,
            message:
              "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
            code: 'invalid_json',
          }),
        );
        return;
      case 'entity.too.large':
        sendOpenAiError(
          res,
          new OpenAiError({
            status: 413,
            message: `The request body is larger than ${BODY_LIMIT}.`,
            code: 'request_too_large',
          }),
        );
        return;
      default:
        break;
    }
    if (
      typeof bodyError.status === 'number' &&
      bodyError.status >= 400 &&
      bodyError.status < 500
    ) {
      sendOpenAiError(
        res,
        new OpenAiError({
          status: bodyError.status,
          message: bodyError.message,
          code: bodyError.type?.replace(/\./g, '_') ?? null,
        }),
      );
      return;
    }

    logger.error('Unexpected error in the demo upstream', error);
    sendOpenAiError(
      res,
      new OpenAiError({
        status: 500,
        message: 'The server had an error while processing your request.',
        type: 'server_error',
        code: 'internal_error',
      }),
    );
  };
}

/**
 * Creates the router of the demo upstream: an OpenAI-compatible LLM
 * simulator with real token counts and configurable latency and failures.
 *
 * @public
 */
export async function createRouter(
  options: RouterOptions,
): Promise<express.Router> {
  const { logger } = options;
  const random = options.random ?? defaultRandom;
  const sleep = options.sleep ?? defaultSleep;
  const now = options.now ?? Date.now;

  const router = Router();
  const settings = readDemoUpstreamConfig(options.config);

  if (!settings) {
    logger.info(
      'The demo upstream is disabled; set marketplace.demoUpstream.enabled to true to serve it',
    );
    router.use((_req, res) => {
      sendOpenAiError(
        res,
        new OpenAiError({
          status: 404,
          message: 'The demo upstream is disabled.',
          code: 'not_found',
        }),
      );
    });
    return router;
  }

  const { apiKey, models } = settings;
  const startedAt = Math.floor(now() / 1000);
  logger.info(
    `The demo upstream serves ${models.size} model(s): ${[
      ...models.keys(),
    ].join(', ')}`,
  );

  router.use('/v1', requireApiKey(apiKey));
  router.use(express.json({ limit: BODY_LIMIT }));

  router.get('/v1/models', (_req, res) => {
    res.json({
      object: 'list',
      data: [...models.values()].map(model => modelObject(model, startedAt)),
    });
  });

  router.get('/v1/models/:model', (req, res) => {
    const model = models.get(req.params.model);
    if (!model) {
      throw modelNotFound(req.params.model, 'model');
    }
    res.json(modelObject(model, startedAt));
  });

  /** Validates, counts and simulates one chat request (shared by every protocol). */
  const simulate = (request: ChatCompletionRequest) => {
    const model = models.get(request.model);
    if (!model) {
      throw modelNotFound(request.model, 'model');
    }
    if (request.n !== undefined && request.n !== null && request.n !== 1) {
      throw new OpenAiError({
        status: 400,
        message: `Invalid value for 'n': the demo upstream only supports n=1, got ${request.n}.`,
        param: 'n',
        code: 'unsupported_value',
      });
    }

    const promptTokens = countPromptTokens(
      request.messages,
      model.contextWindow,
    );
    if (promptTokens === false) {
      throw new OpenAiError({
        status: 400,
        message: `This model's maximum context length is ${model.contextWindow} tokens. However, your messages resulted in more tokens than that. Please reduce the length of the messages.`,
        param: 'messages',
        code: 'context_length_exceeded',
      });
    }

    const draw = random();
    if (draw < model.failureRate) {
      const failure = simulatedFailure(
        draw,
        model.failureRate,
        model.failureStatus,
      );
      logger.debug(
        `Simulating a ${failure.status} for model ${model.id} (failureRate ${model.failureRate})`,
      );
      throw failure;
    }

    const requestedMaxTokens =
      request.max_completion_tokens ?? request.max_tokens ?? Infinity;
    const toolCall = simulateToolCall(request);
    const completion = simulateCompletion({
      messages: request.messages,
      seed: request.seed,
      maxTokens: Math.min(
        requestedMaxTokens,
        model.maxOutputTokens,
        model.contextWindow - promptTokens,
      ),
      stop: stopSequences(request.stop),
      jsonMode:
        request.response_format?.type === 'json_object' ||
        request.response_format?.type === 'json_schema',
    });
    const completionTokens = toolCall
      ? toolCall.completionTokens
      : completion.completionTokens;
    return { model, promptTokens, toolCall, completion, completionTokens };
  };

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

  registerMessagesRoute(router, {
    simulate,
    sleep,
    logger,
  });
  registerResponsesRoute(router, { simulate, sleep, logger });
  registerEmbeddingsRoute(router, { models });

  router.use('/v1', (req, _res) => {
    throw new OpenAiError({
      status: 404,
      message: `Invalid URL (${req.method} ${req.baseUrl}${req.path})`,
      code: 'unknown_url',
    });
  });

  router.use(errorHandler(logger));

  return router;
}
