import type { Readable } from 'stream';
import { Agent, Dispatcher } from 'undici';

export class UpstreamTimeoutError extends Error {}
export class UpstreamConnectionError extends Error {}

/**
 * One keep-alive pool per upstream origin (undici's Agent keeps a Pool per
 * origin), shared by every request of the process.
 */
const agent = new Agent({
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 512,
});

/** An upstream's answer once its headers arrived. */
export interface UpstreamResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Readable;
}

/** Whether an error is a timeout of the upstream (no headers, or a silence of the body). */
export function isUpstreamTimeout(error: unknown): boolean {
  const code = (error as { code?: string })?.code;
  return (
    error instanceof UpstreamTimeoutError ||
    code === 'UND_ERR_HEADERS_TIMEOUT' ||
    code === 'UND_ERR_BODY_TIMEOUT'
  );
}

/**
 * Sends one request to an upstream over a pooled keep-alive connection.
 * Resolves with the response once its headers arrive. `timeoutMs` bounds the
 * wait for the headers and every silence of the body afterwards.
 *
 * This is the gateway's only call to an upstream: egress policies (which URLs
 * may be called) belong here.
 */
export async function postUpstream(options: {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
}): Promise<UpstreamResponse> {
  const { url } = options;
  let response: Dispatcher.ResponseData;
  try {
    response = await agent.request({
      origin: url.origin,
      path: `${url.pathname}${url.search}`,
      method: 'POST',
      headers: {
        ...options.headers,
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(options.body)),
      },
      body: options.body,
      signal: options.signal,
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
  } catch (error) {
    if (isUpstreamTimeout(error)) {
      throw new UpstreamTimeoutError('The upstream did not answer in time');
    }
    throw new UpstreamConnectionError(
      (error as Error)?.message ?? String(error),
    );
  }
  return {
    status: response.statusCode,
    headers: response.headers,
    body: response.body,
  };
}

/** Reads a whole (non-streaming) body. */
export function readBody(
  body: Readable,
  limitBytes = 16 * 1024 * 1024,
): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let ended = false;
    body.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limitBytes) {
        body.destroy(
          new UpstreamConnectionError('The upstream response is too large'),
        );
        return;
      }
      chunks.push(chunk);
    });
    body.on('end', () => {
      ended = true;
      resolve(chunks.length === 1 ? chunks[0] : Buffer.concat(chunks));
    });
    body.on('error', reject);
    body.on('close', () => {
      // An error is costly to build (its stack): only for a body cut short.
      if (!ended) {
        reject(
          new UpstreamConnectionError('The upstream closed the connection'),
        );
      }
    });
  });
}

/** The first value of a response header. */
export function headerValue(
  value: string | string[] | undefined,
): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
