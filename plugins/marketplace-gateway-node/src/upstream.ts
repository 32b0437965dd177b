import type { Readable } from 'stream';
import { Agent, Dispatcher } from 'undici';
import { EgressDeniedError, EgressPolicy } from './egress/EgressPolicy';

export class UpstreamTimeoutError extends Error {}
export class UpstreamConnectionError extends Error {}

const AGENT_OPTIONS = {
  keepAliveTimeout: 30_000,
  keepAliveMaxTimeout: 600_000,
  connections: 512,
};

/**
 * One keep-alive pool per upstream origin (undici's Agent keeps a Pool per
 * origin), shared by every request of the process: one for the hosts an
 * egress policy allows as they are, one per policy whose connections resolve
 * their host through the policy (public addresses only, pinned to the address
 * it checked).
 */
const allowedAgent = new Agent(AGENT_OPTIONS);
const checkedAgents = new WeakMap<EgressPolicy, Agent>();

function agentFor(egress: EgressPolicy, url: URL): Agent {
  const { lookup } = egress.requestOptions(url);
  if (!lookup) {
    return allowedAgent;
  }
  let agent = checkedAgents.get(egress);
  if (!agent) {
    agent = new Agent({ ...AGENT_OPTIONS, connect: { lookup } });
    checkedAgents.set(egress, agent);
  }
  return agent;
}

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
 * This is the gateway's only call to an upstream: the egress policy decides
 * which URLs may be called (an EgressDeniedError rejects the call), and
 * redirects are never followed.
 */
export async function postUpstream(options: {
  url: URL;
  headers: Record<string, string>;
  body: string;
  timeoutMs: number;
  signal: AbortSignal;
  egress: EgressPolicy;
}): Promise<UpstreamResponse> {
  const url = options.egress.check(options.url);
  let response: Dispatcher.ResponseData;
  try {
    response = await agentFor(options.egress, url).request({
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
    const denied = egressDenial(error);
    if (denied) {
      throw denied;
    }
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

/** The egress policy's refusal behind a failed connection, if it was one. */
function egressDenial(error: unknown): EgressDeniedError | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 4; depth++) {
    if (current instanceof EgressDeniedError) {
      return current;
    }
    if ((current as NodeJS.ErrnoException).code === 'EGRESS_DENIED') {
      return new EgressDeniedError((current as Error).message);
    }
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}
