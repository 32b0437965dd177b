import {
  RootHttpRouterConfigureContext,
  rootHttpRouterServiceFactory,
} from '@backstage/backend-defaults/rootHttpRouter';
import { ErrorResponseBody } from '@backstage/errors';
import { Request, Response } from 'express';

/** A 404 with the usual error body, naming the method and path. */
export function notFoundHandler(req: Request, res: Response) {
  const body: ErrorResponseBody = {
    error: {
      name: 'NotFoundError',
      message: `No route for ${req.method} ${req.path}`,
    },
    request: { method: req.method, url: req.originalUrl },
    response: { statusCode: 404 },
  };
  res.status(404).json(body);
}

/**
 * The root HTTP router with Backstage's defaults (helmet, CORS, compression,
 * request log, rate limit, health, `backend.server` timeouts) and two changes to
 * what callers see when something goes wrong:
 *
 * - error answers never carry a stack trace (Backstage adds one whenever NODE_ENV
 *   is development, which the demo's `yarn start` is); the backend log keeps the
 *   stack of every 5xx;
 * - a path no plugin serves gets a 404 with the usual error body (Backstage's
 *   default answers with an empty body).
 */
export function configureRootHttpRouter({
  middleware,
  applyDefaults,
}: Pick<RootHttpRouterConfigureContext, 'middleware' | 'applyDefaults'>) {
  const error = middleware.error.bind(middleware);
  middleware.error = options => error({ ...options, showStackTraces: false });
  middleware.notFound = () => notFoundHandler;
  applyDefaults();
}

export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure: configureRootHttpRouter,
});
