import type { IncomingMessage, ServerResponse } from 'http';
import { GatewayError, sendGatewayError, sendJson } from '../errors';
import { Gateway } from '../pipeline/Gateway';
import { GatewayLogger, GatewayReservation } from '../pipeline/ports';
import { ExtraRoute, ProtocolAdapter } from '../protocols/types';
import { newRequestId } from '../requestId';

/** The largest request body the gateway reads. */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

const TOO_LARGE = new GatewayError({
  status: 413,
  message: 'The request body is larger than 4 MB.',
  code: 'request_too_large',
});

const INVALID_JSON = new GatewayError({
  status: 400,
  message: 'We could not parse the JSON body of your request.',
  code: 'invalid_json',
});

const INTERNAL = new GatewayError({
  status: 500,
  message: 'The gateway failed to handle the request.',
  code: 'internal_error',
});

/**
 * Reads a JSON request body (at most MAX_BODY_BYTES). An empty body, or one
 * that is not JSON by its content type, reads as `{}`, as with express.json().
 */
export function readJsonBody(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const type = req.headers['content-type'];
    const isJson = !!type && /\bjson\b/i.test(type);
    const declared = Number(req.headers['content-length']);
    let tooLarge = declared > MAX_BODY_BYTES;
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        tooLarge = true;
        chunks.length = 0;
      } else if (!tooLarge) {
        chunks.push(chunk);
      }
    });
    req.on('end', () => {
      if (tooLarge) {
        reject(TOO_LARGE);
        return;
      }
      if (!isJson || size === 0) {
        resolve({});
        return;
      }
      try {
        const text = (
          chunks.length === 1 ? chunks[0] : Buffer.concat(chunks)
        ).toString('utf8');
        const first = text.trimStart()[0];
        // Like express.json's strict mode: objects and arrays only.
        if (first !== '{' && first !== '[') {
          reject(INVALID_JSON);
          return;
        }
        resolve(JSON.parse(text));
      } catch {
        reject(INVALID_JSON);
      }
    });
    req.on('error', reject);
  });
}

/**
 * The key of a request: `Authorization: Bearer mk_...`, or Anthropic's
 * `x-api-key: mk_...` (what Anthropic's SDKs and agents send).
 */
export function authorizationOf(req: IncomingMessage): string | undefined {
  const apiKey = req.headers['x-api-key'];
  if (!req.headers.authorization && typeof apiKey === 'string' && apiKey) {
    return `Bearer ${apiKey}`;
  }
  return req.headers.authorization;
}

export interface GatewayHttpHandlerOptions {
  gateway: Gateway<GatewayReservation>;
  /** The protocols served, each on its own route. */
  protocols: ProtocolAdapter[];
  logger: GatewayLogger;
  /** A prefix of every route (the standalone server's `/api/marketplace/gateway`); none when mounted. */
  basePath?: string;
}

/** A node:http request handler. */
export type GatewayHttpHandler = (
  req: IncomingMessage,
  res: ServerResponse,
) => void;

/**
 * The gateway's HTTP surface on plain node:http (no framework): `GET
 * /v1/models` and one POST route per protocol adapter. Every answer carries an
 * `x-request-id`; for forwarded requests it keys the ledger row. Mountable in
 * express as is (the embedded mode).
 */
export function createGatewayHttpHandler(
  options: GatewayHttpHandlerOptions,
): GatewayHttpHandler {
  const { gateway, logger } = options;
  const basePath = (options.basePath ?? '').replace(/\/+$/, '');
  const routes = new Map<string, ProtocolAdapter>();
  const extraRoutes = new Map<
    string,
    { protocol: ProtocolAdapter; route: ExtraRoute }
  >();
  for (const protocol of options.protocols) {
    routes.set(`${basePath}${protocol.path}`, protocol);
    for (const [path, route] of Object.entries(protocol.extraRoutes ?? {})) {
      extraRoutes.set(`${basePath}${path}`, { protocol, route });
    }
  }
  const modelsPath = `${basePath}/v1/models`;
  const unknownRoute = new GatewayError({
    status: 404,
    message: `Unknown gateway route. The gateway serves GET /v1/models and ${options.protocols
      .flatMap(p => [p.path, ...Object.keys(p.extraRoutes ?? {})])
      .map(path => `POST ${path}`)
      .join(', ')}.`,
    code: 'unknown_route',
  });

  const fail = (
    res: ServerResponse,
    error: unknown,
    protocol?: ProtocolAdapter,
  ) => {
    let gatewayError: GatewayError;
    if (error instanceof GatewayError) {
      gatewayError = error;
    } else {
      logger.error(`Gateway error: ${(error as Error)?.stack ?? error}`);
      gatewayError = INTERNAL;
    }
    if (protocol && !res.headersSent) {
      for (const name of Object.keys(gatewayError.headers)) {
        res.setHeader(name, gatewayError.headers[name]);
      }
      // The protocol's own rate limit headers on the gateway's own 429.
      const own = gatewayError.rateLimit
        ? protocol.rateLimitHeaders?.(gatewayError.rateLimit)
        : undefined;
      for (const name of Object.keys(own ?? {})) {
        res.setHeader(name, own![name]);
      }
      sendJson(res, gatewayError.status, protocol.errorBody(gatewayError));
      return;
    }
    sendGatewayError(res, gatewayError);
  };

  const serve = async (req: IncomingMessage, res: ServerResponse) => {
    // The ledger row's wait counts from here (reading, authenticating, limits).
    const receivedAt = performance.now();
    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    const url = req.url ?? '/';
    const q = url.indexOf('?');
    const path = q >= 0 ? url.slice(0, q) : url;
    const protocol = req.method === 'POST' ? routes.get(path) : undefined;
    if (protocol) {
      try {
        const body = await readJsonBody(req);
        const grant = await gateway.authenticate(authorizationOf(req));
        await gateway.complete(protocol, res, grant, body, requestId, {
          receivedAt,
        });
      } catch (error) {
        fail(res, error, protocol);
      }
      return;
    }
    const extra = req.method === 'POST' ? extraRoutes.get(path) : undefined;
    if (extra) {
      try {
        const body = await readJsonBody(req);
        const grant = await gateway.authenticate(authorizationOf(req));
        sendJson(
          res,
          200,
          await extra.route(body, model =>
            gateway.authorizeModel(model, grant),
          ),
        );
      } catch (error) {
        fail(res, error, extra.protocol);
      }
      return;
    }
    if (req.method === 'GET' && path === modelsPath) {
      try {
        const grant = await gateway.authenticate(authorizationOf(req));
        sendJson(res, 200, await gateway.listModels(grant));
      } catch (error) {
        fail(res, error);
      }
      return;
    }
    req.resume();
    sendGatewayError(res, unknownRoute);
  };

  return (req, res) => {
    serve(req, res).catch(error => fail(res, error));
  };
}
