import {
  LoggerService,
  RootConfigService,
} from '@backstage/backend-plugin-api';
import express from 'express';
import Router from 'express-promise-router';
import { requireApiKey } from './auth';
import { registerChatCompletionsRoute } from './chatCompletions';
import { readDemoUpstreamConfig, SimulatedModel } from './config';
import { registerEmbeddingsRoute } from './embeddings';
import { BODY_LIMIT, errorHandler } from './errorHandler';
import { OpenAiError, sendOpenAiError } from './errors';
import { registerMessagesRoute } from './messages';
import { registerResponsesRoute } from './responses';
import { createSimulate, defaultRandom, modelNotFound } from './simulation';
import { defaultSleep, SleepFunction } from './sleep';

export type { SleepFunction } from './sleep';

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

function modelObject(model: SimulatedModel, created: number) {
  return {
    id: model.id,
    object: 'model' as const,
    created,
    owned_by: model.ownedBy,
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
  const simulate = createSimulate({ models, random, logger });

  registerChatCompletionsRoute(router, { simulate, sleep, logger, now });
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
