import { LoggerService } from '@backstage/backend-plugin-api';
import { randomInt } from 'crypto';
import { SimulatedModel } from './config';
import { OpenAiError } from './errors';
import { simulateCompletion } from './generator';
import { ChatCompletionRequest } from './request';
import { countPromptTokens } from './tokens';
import { simulateToolCall } from './tools';

const RANDOM_RANGE = 2 ** 47;

/** A random draw in [0, 1) from `crypto.randomInt`. */
export const defaultRandom = () => randomInt(0, RANDOM_RANGE) / RANDOM_RANGE;

export function modelNotFound(model: string, param: string | null) {
  return new OpenAiError({
    status: 404,
    message: `The model \`${model}\` does not exist or you do not have access to it.`,
    param,
    code: 'model_not_found',
  });
}

/**
 * The failure a model with a `failureRate` answers with: its `failureStatus`, or
 * a 503 for half of the failures and a 500 for the rest.
 */
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
 * The simulation of one chat request, shared by every protocol: validates the
 * model and `n`, counts the prompt against the context window, injects the
 * configured failures, then simulates the answer (text or a tool call).
 */
export function createSimulate(options: {
  models: Map<string, SimulatedModel>;
  random: () => number;
  logger: LoggerService;
}) {
  const { models, random, logger } = options;
  return (request: ChatCompletionRequest) => {
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
}
