import type { ServerResponse } from 'http';
import { EgressPolicy } from '../egress/EgressPolicy';
import { MemoryRateLimiter } from '../limits/MemoryRateLimiter';
import { RateLimitState } from '../limits/types';
import { INBOUND_PROTOCOLS, InboundProtocol } from '../protocols/all';
import { ParsedCall, ProtocolAdapter } from '../protocols/types';
import { RouteAttemptContext } from '../routing/attempts';
import { DEFAULT_STREAM_LIMITS } from '../streamLimits';
import { admit, setRateLimitHeaders } from './admit';
import { KeyAuthenticator } from './authenticate';
import { Call, CallOptions, GatewayOptions, Pipeline } from './call';
import { checkRelayable, forward, upstreamCallHeaders } from './forward';
import { meter } from './meter';
import {
  GatewayReservation,
  GatewayService,
  KeyGrant,
  Settlement,
} from './ports';
import { routeNotSubscribedError } from './rejections';
import { relayAnswer } from './relayAnswer';
import { relayStream } from './relayStream';
import { reserve } from './reserve';
import { authorizeModel, listModels, resolveService } from './resolveService';

/**
 * One client protocol's entry into the pipeline, named like the client SDKs'
 * calls (`gateway.chatCompletions.create(...)`, `gateway.messages.create(...)`):
 * what the portal's Test API calls for a grant it already holds.
 */
export interface InboundEntry {
  readonly protocol: ProtocolAdapter;
  /** Runs one call through the pipeline and answers it (see {@link Gateway.complete}). */
  create(
    res: ServerResponse,
    grant: KeyGrant,
    body: unknown,
    requestId: string,
    options?: CallOptions,
  ): Promise<void>;
}

/**
 * The metering gateway's pipeline, the same for every wire protocol: a
 * sequence of small named steps, each in its own file.
 *
 * 1. `authenticate` (authenticate.ts): the marketplace API key to a grant
 *    (cached briefly).
 * 2. `resolveService` (resolveService.ts): the model to a servable service the
 *    grant may call.
 * 3. `admit` (admit.ts): context window, completion budget, team membership,
 *    rate limits.
 * 4. `reserve` (reserve.ts): the worst-case cost against the trial and the
 *    hard budgets (subscription, user, team), in the ledger.
 * 5. `forward` (forward.ts): the upstream call with the provider's
 *    credential, where the egress policy allows it; only JSON and event
 *    streams are relayed (relayAnswer.ts; relayStream.ts, the SSE
 *    pass-through, streams within their caps).
 * 6. `meter` (meter.ts): the usage the upstream reported (or the tokenizer
 *    counted), settled into exactly one ledger row (with the wait and the time
 *    to first token).
 *
 * A route's model runs steps 2 to 6 once per member tried (GatewayRoutes).
 *
 * The protocol adapter parses and counts the request, builds the upstream
 * request and reads the usage from the answer.
 */
export class Gateway<R extends GatewayReservation = GatewayReservation> {
  private readonly pipeline: Pipeline<R>;
  private readonly keys: KeyAuthenticator;

  /** OpenAI Chat Completions (`POST /v1/chat/completions`). */
  readonly chatCompletions: InboundEntry;
  /** OpenAI Responses (`POST /v1/responses`). */
  readonly responses: InboundEntry;
  /** Anthropic Messages (`POST /v1/messages`). */
  readonly messages: InboundEntry;
  /** OpenAI legacy Completions (`POST /v1/completions`). */
  readonly completions: InboundEntry;
  /** OpenAI Embeddings (`POST /v1/embeddings`). */
  readonly embeddings: InboundEntry;

  constructor(options: GatewayOptions<R>) {
    this.pipeline = {
      options,
      logger: options.logger,
      limiter: options.rateLimiter ?? new MemoryRateLimiter(),
      timeoutMs: options.upstreamTimeoutMs ?? 120_000,
      maxRequestMs: options.maxRequestMs ?? 30 * 60_000,
      egress: options.egress ?? new EgressPolicy(),
      streamLimits: options.streamLimits ?? DEFAULT_STREAM_LIMITS,
    };
    this.keys = new KeyAuthenticator(options.grants);
    this.chatCompletions = this.entry('chat');
    this.responses = this.entry('responses');
    this.messages = this.entry('messages');
    this.completions = this.entry('completions');
    this.embeddings = this.entry('embeddings');
  }

  /** The entry of a client protocol by its short name (the Test API's `?protocol=`). */
  entry(name: InboundProtocol): InboundEntry {
    const protocol = INBOUND_PROTOCOLS[name];
    return {
      protocol,
      create: (res, grant, body, requestId, options) =>
        this.complete(protocol, res, grant, body, requestId, options),
    };
  }

  /** Forgets cached grants: all of them, or those of one key or subscription. */
  invalidateGrants(filter?: { keyId?: string; subscriptionId?: string }) {
    this.keys.invalidate(filter);
  }

  /** Step 1: the `Authorization: Bearer mk_...` header to a grant. */
  authenticate(authorization: string | undefined): Promise<KeyGrant> {
    return this.keys.authenticate(authorization);
  }

  /** `GET /v1/models`: the one model a key may call. */
  listModels(grant: KeyGrant) {
    return listModels(this.pipeline, grant);
  }

  /**
   * Whether a grant may use a model, for routes answered without forwarding
   * (token counting): the same 404/403/410 as step 2, nothing metered.
   */
  authorizeModel(model: string, grant: KeyGrant): Promise<void> {
    return authorizeModel(this.pipeline, model, grant);
  }

  /** Step 2 (resolveService.ts): the model a call names to a servable service the grant may call. */
  resolveService(
    model: string,
    grant: KeyGrant,
    res?: ServerResponse,
    attempt?: RouteAttemptContext,
  ): Promise<GatewayService> {
    return resolveService(this.pipeline, model, grant, res, attempt);
  }

  /** Step 3 (admit.ts): whether the call may go ahead; returns the completion budget. */
  admit(
    grant: KeyGrant,
    service: GatewayService,
    parsed: ParsedCall,
    onLimits?: (state: RateLimitState) => void,
  ): Promise<number> {
    return admit(this.pipeline, grant, service, parsed, onLimits);
  }

  /** Step 4 (reserve.ts): holds the call's worst-case cost in the ledger. */
  reserve(
    requestId: string,
    grant: KeyGrant,
    service: GatewayService,
    parsed: ParsedCall,
    maxCompletion: number,
    protocol: Pick<ProtocolAdapter, 'protocol'> = {},
  ): Promise<R> {
    return reserve(
      this.pipeline,
      requestId,
      grant,
      service,
      parsed,
      maxCompletion,
      protocol,
    );
  }

  /** Step 6 (meter.ts): settles a call into exactly one ledger row. */
  meter(call: Call<R>, settlement: Omit<Settlement, 'finishedAt'>) {
    meter(this.pipeline, call, settlement);
  }

  /**
   * Runs one call of a protocol for a grant through the pipeline and answers
   * it (JSON or a stream). Throws GatewayErrors for the caller to answer in the
   * protocol's shape. Used by the key-authenticated routes and by the portal's
   * Test API (acting for the signed-in user on their own subscription).
   */
  async complete(
    protocol: ProtocolAdapter,
    res: ServerResponse,
    grant: KeyGrant,
    body: unknown,
    requestId: string,
    options: CallOptions = {},
  ): Promise<void> {
    const { attempt } = options;
    // Watch for the client leaving from the start: a request whose client is
    // gone by the time its budget is reserved is not forwarded (nor charged).
    const abort = new AbortController();
    const state = { clientGone: false };
    res.on('close', () => {
      if (!res.writableFinished) {
        state.clientGone = true;
        abort.abort();
      }
    });

    const parsed = protocol.parse(body);
    // A route's model: its members are tried in turn, with fallback.
    const routes = this.pipeline.options.routes;
    const route = attempt ? undefined : routes?.get(parsed.model);
    if (routes && route) {
      if (grant.serviceRef !== `route:default/${route.name}`) {
        throw routeNotSubscribedError(grant, route.name);
      }
      await routes.forward({
        model: parsed.model,
        grant,
        requestId,
        res,
        attempt: a =>
          this.complete(protocol, res, a.grant, body, a.requestId, {
            ...options,
            attempt: a,
          }),
      });
      return;
    }
    const service = await this.resolveService(
      parsed.model,
      grant,
      res,
      attempt,
    );
    const spec = service.entity.spec;
    // The client's protocol, passed through or translated to the upstream's.
    const adapter = protocol.forUpstream
      ? protocol.forUpstream(
          spec.endpoint.protocol ?? 'openai-chat',
          service.name,
        )
      : protocol;
    const maxCompletion = await this.admit(grant, service, parsed, limits =>
      setRateLimitHeaders(res, limits, protocol),
    );
    const upstream = adapter.upstreamRequest(parsed, {
      upstreamModel:
        spec.endpoint.upstreamModel ?? spec.baseModel ?? service.name,
      maxCompletionTokens: undefined,
      defaultMaxTokens: maxCompletion,
    });
    const upstreamHeaders = await upstreamCallHeaders(
      this.pipeline,
      service,
      requestId,
      upstream.accept,
    );
    const reservation = await this.reserve(
      requestId,
      grant,
      service,
      parsed,
      maxCompletion,
      protocol,
    );
    // From here on, every outcome is settled into exactly one ledger row.
    const t0 = performance.now();
    const call: Call<R> = {
      requestId,
      protocol: adapter,
      res,
      grant,
      parsed,
      service,
      maxCompletion,
      upstreamHeaders,
      reservation,
      abort,
      get clientGone() {
        return state.clientGone;
      },
      t0,
      firstByteMs: null,
      // Quality measures: the wait before going upstream; null when the
      // caller did not say when it received the request (not measured).
      waitMs:
        options.receivedAt === undefined
          ? null
          : Math.max(0, Math.round(t0 - options.receivedAt)),
      attempt,
    };
    if (state.clientGone) {
      this.meter(call, {
        status: 'client_closed',
        httpStatus: 499,
        errorCode: 'client_closed_before_forwarding',
        promptTokens: 0,
        completionTokens: 0,
        tokenSource: 'tokenizer',
        charge: false,
      });
      return;
    }
    const request =
      reservation.maxCompletionTokens < maxCompletion
        ? adapter.upstreamRequest(parsed, {
            upstreamModel:
              spec.endpoint.upstreamModel ?? spec.baseModel ?? service.name,
            maxCompletionTokens: reservation.maxCompletionTokens,
            defaultMaxTokens: reservation.maxCompletionTokens,
          })
        : upstream;
    const answer = await forward(
      this.pipeline,
      call,
      request.path,
      request.body,
    );
    if (!answer) {
      return;
    }
    checkRelayable(this.pipeline, call, answer);
    if (answer.status < 200 || answer.status >= 300 || !parsed.stream) {
      await relayAnswer(this.pipeline, call, answer);
    } else {
      await relayStream(this.pipeline, call, answer);
    }
  }
}
