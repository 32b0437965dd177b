import {
  RootHttpRouterConfigureContext,
  rootHttpRouterServiceFactory,
} from '@backstage/backend-defaults/rootHttpRouter';
import { ErrorResponseBody } from '@backstage/errors';
import { embeddedGatewayLane } from '@internal/plugin-marketplace-backend';
import { Request, Response } from 'express';
import { ServerResponse, STATUS_CODES } from 'node:http';
import { Duplex } from 'node:stream';

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
 *   default answers with an empty body), and so do the errors Node's HTTP layer
 *   answers itself (431, 408, 400);
 * - calls of the embedded metering gateway take a fast lane past this stack
 *   (`GatewayLane` in plugins/marketplace-gateway-node).
 */
/**
 * What Node's HTTP layer answers itself (headers or URL too large, a request that
 * does not arrive in time, a request that is not HTTP), with the usual error body
 * instead of an empty one.
 */
export function clientErrorHandler(
  error: Error & { code?: string },
  socket: Duplex,
) {
  const headersSent = (socket as Duplex & { _httpMessage?: ServerResponse })
    ._httpMessage?.headersSent;
  if (error.code === 'ECONNRESET' || !socket.writable || headersSent) {
    socket.destroy();
    return;
  }
  let statusCode = 400;
  let message = 'The request is not valid HTTP';
  if (error.code === 'HPE_HEADER_OVERFLOW') {
    statusCode = 431;
    message = 'The request headers or the URL are too large';
  } else if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') {
    statusCode = 408;
    message =
      'The request did not arrive in time (backend.server.headersTimeout / requestTimeout)';
  }
  const body = JSON.stringify({
    error: { name: 'InputError', message },
    response: { statusCode },
  });
  socket.end(
    `HTTP/1.1 ${statusCode} ${STATUS_CODES[statusCode]}\r\n` +
      'Content-Type: application/json; charset=utf-8\r\n' +
      `Content-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}

export function configureRootHttpRouter({
  middleware,
  applyDefaults,
  server,
}: Pick<
  RootHttpRouterConfigureContext,
  'middleware' | 'applyDefaults' | 'server'
>) {
  server.on('clientError', clientErrorHandler);
  // Gateway calls go straight to the embedded gateway's node:http handler once
  // the marketplace plugin has opened its lane; everything else, and browsers'
  // cross-origin gateway calls, through express as below.
  embeddedGatewayLane.attach(server);
  const error = middleware.error.bind(middleware);
  middleware.error = options => error({ ...options, showStackTraces: false });
  middleware.notFound = () => notFoundHandler;
  applyDefaults();
}

export const rootHttpRouter = rootHttpRouterServiceFactory({
  configure: configureRootHttpRouter,
});
