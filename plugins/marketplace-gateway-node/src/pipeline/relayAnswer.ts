import { GatewayError } from '../errors';
import type { ProtocolAdapter } from '../protocols/types';
import { attemptFailed } from '../routing/attempts';
import { countTextTokens } from '../tokens';
import {
  headerValue,
  isUpstreamTimeout,
  readBody,
  UpstreamResponse,
} from '../upstream';
import type { Call, Failure, Pipeline } from './call';
import { meter, meterFailure } from './meter';
import type { GatewayReservation } from './ports';

/** A whole answer: an upstream failure, a rejection passed through, or a JSON completion. */
export async function relayAnswer<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  answer: UpstreamResponse,
) {
  const { service, res } = call;
  const status = answer.status;
  let raw: Buffer;
  try {
    raw = await readBody(answer.body);
  } catch (error) {
    const timeout = isUpstreamTimeout(error);
    let failure: Failure = 'upstream_error';
    if (call.clientGone) {
      failure = 'client_closed';
    } else if (timeout) {
      failure = 'timeout';
    }
    meterFailure(
      pipeline,
      call,
      failure,
      timeout ? 504 : 502,
      timeout ? 'upstream_timeout' : 'upstream_broken',
    );
    if (call.clientGone) {
      return;
    }
    throw attemptFailed(
      { kind: timeout ? 'timeout' : 'connection' },
      new GatewayError({
        status: timeout ? 504 : 502,
        message: `The upstream of ${service.name} ${
          timeout ? 'timed out' : 'broke off'
        } while answering. Nothing was charged.`,
        code: timeout ? 'upstream_timeout' : 'upstream_broken',
      }),
    );
  }
  const latency = Math.round(performance.now() - call.t0);
  if (status >= 500 || status < 200) {
    meterFailure(pipeline, call, 'upstream_error', 502, `upstream_${status}`);
    throw attemptFailed(
      { kind: 'status', status },
      new GatewayError({
        status: 502,
        message: `The upstream of ${service.name} failed (HTTP ${status}). Nothing was charged.`,
        code: 'upstream_error',
      }),
    );
  }
  if (status === 429 && call.attempt?.canFallBack) {
    // Through a route: the next member takes it (this attempt is free).
    meterFailure(pipeline, call, 'upstream_rejected', 429, 'upstream_429');
    throw attemptFailed(
      { kind: 'status', status },
      new GatewayError({
        status: 429,
        message: `The upstream of ${service.name} is rate limited. Nothing was charged.`,
        code: 'rate_limit_exceeded',
      }),
    );
  }
  if (status >= 300) {
    // The upstream rejected the request (4xx, JSON): pass its answer through, free.
    meterFailure(
      pipeline,
      call,
      'upstream_rejected',
      status,
      `upstream_${status}`,
    );
    res.statusCode = status >= 400 ? status : 502;
    res.setHeader('content-type', 'application/json');
    const retryAfter = headerValue(answer.headers['retry-after']);
    if (retryAfter || status === 429) {
      // Every 429 says when to retry.
      res.setHeader('retry-after', retryAfter ?? '1');
    }
    res.end(
      call.protocol.rejectionBody
        ? call.protocol.rejectionBody(raw, status)
        : raw,
    );
    return;
  }
  let read: ReturnType<ProtocolAdapter['readAnswer']>;
  try {
    read = call.protocol.readAnswer(raw, call.parsed);
  } catch {
    meterFailure(
      pipeline,
      call,
      'upstream_error',
      502,
      'upstream_invalid_json',
    );
    throw new GatewayError({
      status: 502,
      message: `The upstream of ${service.name} answered with invalid JSON. Nothing was charged.`,
      code: 'upstream_error',
    });
  }
  const { usage } = read;
  meter(pipeline, call, {
    status: 'ok',
    httpStatus: 200,
    promptTokens: usage ? usage.promptTokens : call.parsed.promptTokens,
    completionTokens: usage
      ? usage.completionTokens
      : countTextTokens(read.text),
    tokenSource: usage ? 'upstream' : 'tokenizer',
    cachedPromptTokens: usage?.cachedPromptTokens ?? null,
    charge: true,
    upstreamLatencyMs: latency,
    // Not streamed: the time to the answer's first byte.
    timeToFirstTokenMs: call.firstByteMs,
  });
  const out = call.attempt
    ? withModel(read.body, call.attempt.answerModel)
    : read.body;
  res.writeHead(200, {
    'content-type': 'application/json',
    'content-length': out.length,
  });
  res.end(out);
}

/** A JSON answer with its `model` set to the service that answered (routes). */
function withModel(raw: Buffer, model: string): Buffer {
  try {
    const parsed = JSON.parse(raw.toString('utf8'));
    if (parsed && typeof parsed === 'object' && 'model' in parsed) {
      return Buffer.from(JSON.stringify({ ...parsed, model }));
    }
  } catch {
    // Not JSON: unchanged.
  }
  return raw;
}
