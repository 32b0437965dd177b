import http, { IncomingMessage } from 'http';
import https from 'https';
import { EgressDeniedError, EgressPolicy } from '../egress/EgressPolicy';

const agents = {
  http: new http.Agent({
    keepAlive: true,
    maxSockets: 512,
    keepAliveMsecs: 30_000,
  }),
  https: new https.Agent({
    keepAlive: true,
    maxSockets: 512,
    keepAliveMsecs: 30_000,
  }),
};

export class UpstreamTimeoutError extends Error {}
export class UpstreamConnectionError extends Error {}

/**
 * Sends one request to an upstream over a keep-alive connection. Resolves with the
 * response once its headers arrive. `timeoutMs` bounds the wait for the headers
 * and, through `idleTimeoutMs`, every silence of the body afterwards.
 */
export function postUpstream(options: {
  url: URL;
  headers: Record<string, string>;
  body: Buffer;
  timeoutMs: number;
  signal: AbortSignal;
  /** Where upstream traffic may go; an EgressDeniedError rejects the call. */
  egress: EgressPolicy;
}): Promise<IncomingMessage> {
  let url: URL;
  try {
    url = options.egress.check(options.url);
  } catch (error) {
    return Promise.reject(error);
  }
  const lib = url.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    let timer: NodeJS.Timeout | undefined = undefined;
    const req = lib.request(
      url,
      {
        method: 'POST',
        agent: url.protocol === 'https:' ? agents.https : agents.http,
        headers: {
          ...options.headers,
          'content-type': 'application/json',
          'content-length': String(options.body.length),
          accept: options.headers.accept ?? 'application/json',
        },
        signal: options.signal,
        ...options.egress.requestOptions(url),
      },
      res => {
        clearTimeout(timer);
        res.setTimeout(options.timeoutMs, () => {
          res.destroy(new UpstreamTimeoutError('The upstream stopped sending'));
        });
        resolve(res);
      },
    );
    timer = setTimeout(() => {
      req.destroy(
        new UpstreamTimeoutError('The upstream did not answer in time'),
      );
    }, options.timeoutMs);
    req.on('error', error => {
      clearTimeout(timer);
      reject(
        error instanceof UpstreamTimeoutError ||
          error.name === 'AbortError' ||
          error instanceof EgressDeniedError
          ? error
          : new UpstreamConnectionError(error.message),
      );
    });
    req.end(options.body);
  });
}

/** Reads a whole (non-streaming) body. */
export function readBody(
  res: IncomingMessage,
  limitBytes = 16 * 1024 * 1024,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    res.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        res.destroy(
          new UpstreamConnectionError('The upstream response is too large'),
        );
        return;
      }
      chunks.push(chunk);
    });
    res.on('end', () => resolve(Buffer.concat(chunks)));
    res.on('error', reject);
    res.on('aborted', () =>
      reject(new UpstreamConnectionError('The upstream closed the connection')),
    );
  });
}
