import type { ServerResponse } from 'http';
import type { RateLimitHeaderState } from './protocols/types';

/**
 * An error answered in OpenAI's error shape:
 * `{ error: { message, type, param, code } }`.
 */
export class GatewayError extends Error {
  readonly status: number;
  readonly type: string;
  readonly param: string | null;
  readonly code: string | null;
  readonly headers: Record<string, string>;
  /** On the gateway's own 429: the limits, for each protocol's own headers. */
  readonly rateLimit: RateLimitHeaderState | undefined;

  constructor(options: {
    status: number;
    message: string;
    type?: string;
    param?: string | null;
    code?: string | null;
    headers?: Record<string, string>;
    rateLimit?: RateLimitHeaderState;
  }) {
    super(options.message);
    this.status = options.status;
    this.type = options.type ?? defaultType(options.status);
    this.param = options.param ?? null;
    this.code = options.code ?? null;
    this.headers = options.headers ?? {};
    this.rateLimit = options.rateLimit;
  }
}

function defaultType(status: number): string {
  if (status === 401) {
    return 'authentication_error';
  }
  if (status === 403) {
    return 'permission_error';
  }
  if (status === 404) {
    return 'not_found_error';
  }
  if (status === 429) {
    return 'rate_limit_error';
  }
  if (status >= 500) {
    return 'api_error';
  }
  return 'invalid_request_error';
}

/** Writes a JSON answer on a plain node:http response (express's too). */
export function sendJson(res: ServerResponse, status: number, body: unknown) {
  const payload = JSON.stringify(body);
  res.statusCode = status;
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', Buffer.byteLength(payload));
  res.end(payload);
}

/** Answers a GatewayError in OpenAI's shape; ends a response already under way. */
export function sendGatewayError(res: ServerResponse, error: GatewayError) {
  if (res.headersSent) {
    res.end();
    return;
  }
  for (const name of Object.keys(error.headers)) {
    res.setHeader(name, error.headers[name]);
  }
  sendJson(res, error.status, {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
    },
  });
}
