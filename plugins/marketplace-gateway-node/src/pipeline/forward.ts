import { EgressDeniedError } from '../egress/EgressPolicy';
import { GatewayError } from '../errors';
import { attemptFailed } from '../routing/attempts';
import {
  headerValue,
  isUpstreamTimeout,
  postUpstream,
  UpstreamResponse,
} from '../upstream';
import type { Call, Pipeline } from './call';
import { meterFailure } from './meter';
import type { GatewayReservation, GatewayService } from './ports';

/** The headers of the upstream call: the provider's credential, checked on every call. */
export async function upstreamCallHeaders<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  service: GatewayService,
  requestId: string,
  accept: string,
): Promise<Record<string, string>> {
  const credentials = await pipeline.options.credentials(service);
  if (!credentials.ok) {
    // Nothing is sent upstream: the credential is missing or belongs to
    // another provider (a service must only use its own provider's).
    pipeline.logger.error(
      `Refused to call the upstream of ${service.ref}: ${credentials.message}`,
    );
    // Through a route, another member may be callable.
    if (credentials.reason === 'missing') {
      throw attemptFailed(
        { kind: 'unavailable' },
        new GatewayError({
          status: 502,
          message: `The gateway has no credential for the upstream of ${service.name}. ${credentials.message} Nothing was charged.`,
          code: 'upstream_credentials_missing',
        }),
      );
    }
    throw attemptFailed(
      { kind: 'unavailable' },
      new GatewayError({
        status: 502,
        message: `The gateway refused to call the upstream of ${service.name}: ${credentials.message} Nothing was charged.`,
        code: 'upstream_credential_not_allowed',
      }),
    );
  }
  return { 'x-request-id': requestId, accept, ...credentials.headers };
}

/**
 * Step 5: the upstream call. Resolves once the headers arrived (undefined
 * when the client left meanwhile), with a deadline on the whole request.
 */
export async function forward<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  path: string,
  body: string,
): Promise<UpstreamResponse | undefined> {
  const { service } = call;
  let answer: UpstreamResponse;
  try {
    answer = await postUpstream({
      url: new URL(
        `${service.entity.spec.endpoint.baseUrl.replace(/\/+$/, '')}${path}`,
      ),
      headers: call.upstreamHeaders,
      body,
      timeoutMs: pipeline.timeoutMs,
      signal: call.abort.signal,
      egress: pipeline.egress,
    });
    call.firstByteMs = Math.round(performance.now() - call.t0);
  } catch (error) {
    if (call.clientGone) {
      meterFailure(pipeline, call, 'client_closed', 499, 'client_closed');
      return undefined;
    }
    if (error instanceof EgressDeniedError) {
      meterFailure(
        pipeline,
        call,
        'upstream_error',
        502,
        'upstream_not_allowed',
      );
      pipeline.logger.warn(
        `Refused to call the upstream of ${service.ref}: ${error}`,
      );
      throw new GatewayError({
        status: 502,
        message: `The gateway does not call the upstream of ${service.name}: ${error.message}. Nothing was charged.`,
        code: 'upstream_not_allowed',
      });
    }
    const timeout = isUpstreamTimeout(error);
    meterFailure(
      pipeline,
      call,
      timeout ? 'timeout' : 'upstream_error',
      timeout ? 504 : 502,
      timeout ? 'upstream_timeout' : 'upstream_unreachable',
    );
    throw attemptFailed(
      { kind: timeout ? 'timeout' : 'connection' },
      new GatewayError({
        status: timeout ? 504 : 502,
        message: timeout
          ? `The upstream of ${service.name} did not answer within ${Math.round(
              pipeline.timeoutMs / 1000,
            )}s. Nothing was charged.`
          : `The upstream of ${service.name} could not be reached. Nothing was charged.`,
        code: timeout ? 'upstream_timeout' : 'upstream_unreachable',
      }),
    );
  }
  // No request outlives its reservation's age limit: the reservation sweep
  // settles only older ones, so it never touches a request in flight.
  const deadline = setTimeout(
    () =>
      answer.body.destroy(
        Object.assign(new Error('The request took longer than allowed'), {
          code: 'UND_ERR_BODY_TIMEOUT',
        }),
      ),
    Math.max(0, pipeline.maxRequestMs - (performance.now() - call.t0)),
  );
  answer.body.once('close', () => clearTimeout(deadline));
  return answer;
}

/**
 * Only answers in the protocol's shape are relayed: JSON, or an event stream
 * when streaming. Anything else (a redirect, an HTML page, a text body)
 * becomes the gateway's own error, so an upstream URL cannot be used to read
 * other services through the gateway or the Test API. A streaming request
 * answered without an event stream is an uncharged 502.
 */
export function checkRelayable<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  answer: UpstreamResponse,
) {
  const { service } = call;
  const { status } = answer;
  const stream = call.parsed.stream;
  const contentType = headerValue(answer.headers['content-type']);
  const relayable = relayableType(contentType);
  if (
    (status >= 300 && status < 400) ||
    (status >= 400 && status < 500 && relayable !== 'json') ||
    (status >= 200 && status < 300 && relayable !== (stream ? 'sse' : 'json'))
  ) {
    // Not read: dropped (its abort is no error of the call).
    answer.body.on('error', () => undefined);
    answer.body.destroy();
    const redirect = status >= 300 && status < 400;
    const rejected = status >= 400 && status < 500;
    meterFailure(
      pipeline,
      call,
      rejected ? 'upstream_rejected' : 'upstream_error',
      rejected ? status : 502,
      redirect ? 'upstream_redirect' : 'upstream_invalid_response',
    );
    throw new GatewayError({
      status: rejected ? status : 502,
      type: 'api_error',
      message: redirect
        ? `The upstream of ${service.name} answered with a redirect (HTTP ${status}), which the gateway does not follow. Nothing was charged.`
        : `The upstream of ${service.name} answered HTTP ${status} with ${
            contentType
              ? `content of type ${contentType.split(';')[0]}`
              : 'no content type'
          }, not ${
            stream && status < 300 ? 'text/event-stream' : 'application/json'
          }. Nothing was charged.`,
      code: redirect ? 'upstream_redirect' : 'upstream_invalid_response',
    });
  }
}

/** Which relayable kind of answer a content type is, if any. */
function relayableType(
  contentType: string | undefined,
): 'json' | 'sse' | undefined {
  if (!contentType) {
    return undefined;
  }
  const semicolon = contentType.indexOf(';');
  // ASCII only (media types are): no locale-aware lowering on the hot path.
  const type = (semicolon < 0 ? contentType : contentType.slice(0, semicolon))
    .trim()
    .toLowerCase();
  if (type === 'application/json') {
    return 'json';
  }
  if (type === 'text/event-stream') {
    return 'sse';
  }
  return undefined;
}
