import { createHash } from 'crypto';
import type { ServerResponse } from 'http';
import type { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { BoundedCache } from '../BoundedCache';
import { EgressDeniedError, EgressPolicy } from '../egress/EgressPolicy';
import { GatewayError } from '../errors';
import { MemoryRateLimiter } from '../limits/MemoryRateLimiter';
import { RateLimiter, RateLimitState } from '../limits/types';
import { ParsedCall, ProtocolAdapter } from '../protocols/types';
import {
  attemptFailed,
  GatewayRoutes,
  RouteAttemptContext,
} from '../routing/attempts';
import {
  DEFAULT_STREAM_LIMITS,
  SseEventSplitter,
  StreamLimitError,
  StreamLimits,
} from '../streamLimits';
import { countTextTokens } from '../tokens';
import {
  headerValue,
  isUpstreamTimeout,
  postUpstream,
  readBody,
  UpstreamResponse,
} from '../upstream';
import { budgetExceededError } from './budgets';
import { lifecycleHeaders, successorName } from './lifecycle';
import {
  GatewayLedger,
  GatewayLogger,
  GatewayReservation,
  GatewayService,
  GrantStore,
  KeyGrant,
  ReserveRejection,
  ServiceLookup,
  Settlement,
  TeamMembershipCheck,
  UpstreamCredentials,
} from './ports';

export interface GatewayOptions<R extends GatewayReservation> {
  logger: GatewayLogger;
  grants: GrantStore;
  ledger: GatewayLedger<R>;
  services: ServiceLookup;
  credentials: UpstreamCredentials;
  /** Defaults to limits in memory (one instance). */
  rateLimiter?: RateLimiter;
  /** Max wait for the upstream's headers, and for each silence while streaming. */
  upstreamTimeoutMs?: number;
  /** The longest a forwarded request may take, a stream included. */
  maxRequestMs?: number;
  /** Team memberships: a team-billed subscription bills the team only while its user is a member. */
  teamMembership?: TeamMembershipCheck;
  /** Where upstreams may be (marketplace.egress); by default public addresses only. */
  egress?: EgressPolicy;
  /** Caps of relayed event streams (marketplace.gateway.maxStream*Bytes). */
  streamLimits?: StreamLimits;
  /** The portal's base URL (`app.baseUrl`): where a successor's page is linked from lifecycle headers. */
  portalBaseUrl?: string;
  /** Routes: one `model` in front of several services, with fallback. */
  routes?: GatewayRoutes;
}

/** How one call goes through the pipeline, besides its body. */
export interface CallOptions {
  /** When the gateway received the request (`performance.now()`): the ledger row's wait. */
  receivedAt?: number;
  /** Set for one attempt of a route's request. */
  attempt?: RouteAttemptContext;
}

const GRANT_CACHE_MS = 10_000;
/** How long an unknown key is answered 401 without asking the database again. */
const MISS_CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED_KEYS = 50_000;

const REJECTIONS: Record<ReserveRejection, GatewayError> = {
  subscription_inactive: new GatewayError({
    status: 403,
    message:
      'The subscription of this API key has ended. Subscribe again in the marketplace.',
    code: 'subscription_inactive',
  }),
  key_revoked: new GatewayError({
    status: 403,
    message: 'This API key has been revoked.',
    code: 'key_revoked',
  }),
  user_suspended: new GatewayError({
    status: 403,
    message:
      'Your marketplace account is suspended. Contact the platform admins.',
    code: 'user_suspended',
  }),
  trial_exhausted: new GatewayError({
    status: 429,
    type: 'insufficient_quota',
    message:
      'Your free trial tokens for this service are used up and the subscription does not allow paid usage (spend cap 0). Raise the spend cap in the marketplace to continue.',
    code: 'trial_exhausted',
  }),
  spend_cap_reached: new GatewayError({
    status: 402,
    type: 'insufficient_quota',
    message:
      "This subscription's monthly budget is used up. Raise it in the marketplace or wait for next month.",
    code: 'budget_exceeded',
  }),
  budget_exceeded: new GatewayError({
    status: 402,
    type: 'insufficient_quota',
    message:
      'A monthly budget is used up. Raise it in the marketplace or wait for next month.',
    code: 'budget_exceeded',
  }),
};

const NO_KEY = new GatewayError({
  status: 401,
  message:
    "You didn't provide an API key. Send your marketplace key as 'Authorization: Bearer mk_...'.",
  code: 'invalid_api_key',
});

const WRONG_KEY = new GatewayError({
  status: 401,
  message: 'Incorrect API key provided. Copy your key from the marketplace.',
  code: 'invalid_api_key',
});

/**
 * The ledger could not hold the request's budget (its database write failed):
 * the request is not forwarded, nothing is charged, and the client is told to
 * retry, never shown an internal error.
 */
const LEDGER_UNAVAILABLE = new GatewayError({
  status: 503,
  message:
    'The gateway could not record this request in its usage ledger, so it did not forward it. Nothing was charged. Retry in a moment.',
  code: 'ledger_unavailable',
  headers: { 'retry-after': '1' },
});

/** 403 `user_suspended`, telling the user the admin's reason. */
export function suspendedError(reason: string | null | undefined) {
  return reason
    ? new GatewayError({
        status: 403,
        message: `Your marketplace account is suspended: ${reason}. Contact the platform admins.`,
        code: 'user_suspended',
      })
    : REJECTIONS.user_suspended;
}

const OUTCOME_HTTP_STATUS = {
  ok: 200,
  client_closed: 499,
  timeout: 504,
  upstream_error: 502,
} as const;

type StreamOutcome = keyof typeof OUTCOME_HTTP_STATUS;

type Failure =
  | 'upstream_error'
  | 'upstream_rejected'
  | 'timeout'
  | 'client_closed';

/** One request on its way through the pipeline. */
interface Call<R extends GatewayReservation> {
  requestId: string;
  protocol: ProtocolAdapter;
  res: ServerResponse;
  grant: KeyGrant;
  parsed: ParsedCall;
  service: GatewayService;
  /** The completion budget before the trial or spend cap is applied. */
  maxCompletion: number;
  upstreamHeaders: Record<string, string>;
  reservation: R;
  abort: AbortController;
  clientGone: boolean;
  /** When the request was forwarded (performance.now()). */
  t0: number;
  /** When the upstream's answer began (its headers), ms after t0. */
  firstByteMs: number | null;
  /** From receiving the request to forwarding it; null when not measured. */
  waitMs: number | null;
  /** Set for one attempt of a route's request. */
  attempt?: RouteAttemptContext;
}

/**
 * The metering gateway's pipeline, the same for every wire protocol: a
 * sequence of small named steps.
 *
 * 1. `authenticate`: the marketplace API key to a grant (cached briefly).
 * 2. `resolveService`: the model to a servable service the grant may call.
 * 3. `admit`: context window, completion budget, team membership, rate limits.
 * 4. `reserve`: the worst-case cost against the trial and the hard budgets
 *    (subscription, user, team), in the ledger.
 * 5. `forward`: the upstream call with the provider's credential, where the
 *    egress policy allows it; only JSON and event streams are relayed, streams
 *    within their caps.
 * 6. `meter`: the usage the upstream reported (or the tokenizer counted),
 *    settled into exactly one ledger row (with the wait and the time to first
 *    token).
 *
 * A route's model runs steps 2 to 6 once per member tried (GatewayRoutes).
 *
 * The protocol adapter parses and counts the request, builds the upstream
 * request and reads the usage from the answer.
 */
export class Gateway<R extends GatewayReservation = GatewayReservation> {
  private readonly logger: GatewayLogger;
  private readonly limiter: RateLimiter;
  private readonly timeoutMs: number;
  private readonly maxRequestMs: number;
  private readonly egress: EgressPolicy;
  private readonly streamLimits: StreamLimits;
  // Per-key state is bounded (least recently used first) and ages out.
  private readonly grants = new BoundedCache<string, KeyGrant | null>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: GRANT_CACHE_MS,
  });
  private readonly touched = new BoundedCache<string, true>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: TOUCH_EVERY_MS,
  });

  constructor(private readonly options: GatewayOptions<R>) {
    this.logger = options.logger;
    this.limiter = options.rateLimiter ?? new MemoryRateLimiter();
    this.timeoutMs = options.upstreamTimeoutMs ?? 120_000;
    this.maxRequestMs = options.maxRequestMs ?? 30 * 60_000;
    this.egress = options.egress ?? new EgressPolicy();
    this.streamLimits = options.streamLimits ?? DEFAULT_STREAM_LIMITS;
  }

  /** Forgets cached grants: all of them, or those of one key or subscription. */
  invalidateGrants(filter?: { keyId?: string; subscriptionId?: string }) {
    if (!filter) {
      this.grants.clear();
      return;
    }
    this.grants.deleteWhere(
      grant =>
        !!grant &&
        (grant.keyId === filter.keyId ||
          grant.subscriptionId === filter.subscriptionId),
    );
  }

  /** Step 1: the `Authorization: Bearer mk_...` header to a grant. */
  async authenticate(authorization: string | undefined): Promise<KeyGrant> {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
    if (!match) {
      throw NO_KEY;
    }
    const secret = match[1];
    const cacheKey = createHash('sha256').update(secret, 'utf8').digest('hex');
    const now = Date.now();
    let grant = this.grants.get(cacheKey);
    if (grant === undefined) {
      grant = (await this.options.grants.findGrant(secret)) ?? null;
      // An unknown key is remembered briefly, so repeating it does not reach the database.
      this.grants.set(cacheKey, grant, grant ? GRANT_CACHE_MS : MISS_CACHE_MS);
    }
    if (!grant) {
      throw WRONG_KEY;
    }
    if (grant.keyRevoked) {
      throw REJECTIONS.key_revoked;
    }
    if (!grant.subscriptionActive) {
      throw REJECTIONS.subscription_inactive;
    }
    if (!this.touched.get(grant.keyId)) {
      this.touched.set(grant.keyId, true);
      this.options.grants.touchKey(grant.keyId, now).catch(() => undefined);
    }
    return grant;
  }

  /** `GET /v1/models`: the one model a key may call. */
  async listModels(grant: KeyGrant) {
    // Completions check suspensions while reserving budget; this read has no
    // reservation, so it asks.
    const suspension = await this.options.grants.getSuspension(grant.userRef);
    if (suspension) {
      throw suspendedError(suspension.reason);
    }
    // A route subscription lists its route.
    const route = this.options.routes?.getByRef(grant.serviceRef);
    if (route) {
      return {
        object: 'list',
        data: [
          {
            id: route.name,
            object: 'model',
            created: 0,
            owned_by: 'marketplace-route',
          },
        ],
      };
    }
    const service = this.options.services.getByRef(grant.serviceRef);
    const data =
      service && isServable(service)
        ? [
            {
              id: service.name,
              object: 'model',
              created:
                Math.floor(
                  Date.parse(
                    service.entity.metadata.annotations?.[
                      'backstage.io/created-at'
                    ] ?? '',
                  ) / 1000,
                ) || 0,
              owned_by:
                service.provider?.spec.displayName ?? service.providerRef,
            },
          ]
        : [];
    return { object: 'list', data };
  }

  /**
   * Whether a grant may use a model, for routes answered without forwarding
   * (token counting): the same 404/403/410 as step 2, nothing metered.
   */
  async authorizeModel(model: string, grant: KeyGrant): Promise<void> {
    const route = this.options.routes?.get(model);
    if (route) {
      if (grant.serviceRef !== `route:default/${route.name}`) {
        throw new GatewayError({
          status: 403,
          message: `This API key belongs to your subscription to '${grant.serviceRef.slice(
            grant.serviceRef.indexOf('/') + 1,
          )}', not the route '${route.name}'. Subscribe to '${
            route.name
          }' and use its key.`,
          param: 'model',
          code: 'model_not_subscribed',
        });
      }
      return;
    }
    await this.resolveService(model, grant);
  }

  /**
   * Step 2: the model a call names to a servable service the grant may call.
   * With a response, sets the lifecycle headers of a retiring service on it
   * (on every answer, an error too).
   */
  async resolveService(
    model: string,
    grant: KeyGrant,
    res?: ServerResponse,
    attempt?: RouteAttemptContext,
  ): Promise<GatewayService> {
    const service =
      attempt?.service ?? (await this.options.services.get(model));
    // Services waiting for review (or rejected) do not exist for callers.
    if (!service || service.status !== 'approved') {
      throw new GatewayError({
        status: 404,
        message: `The model '${model}' does not exist in the marketplace.`,
        param: 'model',
        code: 'model_not_found',
      });
    }
    if (service.ref !== grant.serviceRef) {
      throw new GatewayError({
        status: 403,
        message: `This API key belongs to your subscription to '${grant.serviceRef.slice(
          grant.serviceRef.indexOf('/') + 1,
        )}', not '${service.name}'. Subscribe to '${
          service.name
        }' and use its key.`,
        param: 'model',
        code: 'model_not_subscribed',
      });
    }
    // Deprecation, Sunset and the successor's Link on every answer (RFC 9745, 8594).
    const lifecycle = lifecycleHeaders(service, this.options.portalBaseUrl);
    if (res) {
      for (const name of Object.keys(lifecycle)) {
        res.setHeader(name, lifecycle[name]);
      }
    }
    if (isSunset(service)) {
      const successor = successorName(service);
      throw new GatewayError({
        status: 410,
        message: `${
          service.name
        } was unpublished by its provider and reached its sunset on ${new Date(
          service.unpublication!.sunsetAt,
        ).toISOString()}. ${
          successor
            ? `Its successor is '${successor}': subscribe to it in the marketplace and use its key.`
            : 'Choose another model in the marketplace.'
        }`,
        param: 'model',
        code: 'model_sunset',
        headers: lifecycle,
      });
    }
    const state = service.entity.spec.lifecycle;
    if (state === 'maintenance') {
      throw new GatewayError({
        status: 503,
        message: `${service.name} is in maintenance. Try again later.`,
        code: 'service_in_maintenance',
        headers: { 'retry-after': '300' },
      });
    }
    if (state === 'deprecated') {
      throw new GatewayError({
        status: 403,
        message: `${service.name} is deprecated and no longer accepts requests.`,
        code: 'service_deprecated',
      });
    }
    return service;
  }

  /**
   * Step 3: whether the call may go ahead: its prompt fits the context window,
   * a team-billed subscription's user is still a member, and the rate limits
   * allow it. Returns the completion budget.
   */
  async admit(
    grant: KeyGrant,
    service: GatewayService,
    parsed: ParsedCall,
    onLimits?: (state: RateLimitState) => void,
  ): Promise<number> {
    const spec = service.entity.spec;
    const { promptTokens, requestedMaxTokens } = parsed;
    const promptParam = parsed.promptParam ?? 'messages';
    if (promptTokens >= spec.contextWindow) {
      // Through a route, a member with a larger context may take it.
      throw attemptFailed(
        { kind: 'unavailable' },
        new GatewayError({
          status: 400,
          message: `This model's maximum context length is ${spec.contextWindow} tokens, but the ${promptParam} have ${promptTokens} tokens.`,
          param: promptParam,
          code: 'context_length_exceeded',
        }),
      );
    }
    if (requestedMaxTokens !== undefined && !parsed.embeddings) {
      const maxParam = parsed.maxTokensParam ?? 'max_tokens';
      if (requestedMaxTokens > spec.maxOutputTokens) {
        throw attemptFailed(
          { kind: 'unavailable' },
          new GatewayError({
            status: 400,
            message: `Invalid value for '${maxParam}': ${requestedMaxTokens} is more than this model's maximum of ${spec.maxOutputTokens} output tokens.`,
            param: maxParam,
            code: 'invalid_value',
          }),
        );
      }
      if (promptTokens + requestedMaxTokens > spec.contextWindow) {
        throw attemptFailed(
          { kind: 'unavailable' },
          new GatewayError({
            status: 400,
            message: `This model's maximum context length is ${
              spec.contextWindow
            } tokens. However, you requested ${
              promptTokens + requestedMaxTokens
            } tokens (${promptTokens} in the ${promptParam}, ${requestedMaxTokens} in '${maxParam}'). Reduce the ${promptParam} or '${maxParam}'.`,
            param: maxParam,
            code: 'context_length_exceeded',
          }),
        );
      }
    }
    const maxCompletion = Math.min(
      parsed.requestedMaxTokens ?? spec.maxOutputTokens,
      spec.maxOutputTokens,
      spec.contextWindow - promptTokens,
    );
    const team = this.options.teamMembership;
    if (
      grant.teamRef &&
      team &&
      !(await team.isMember(grant.userRef, grant.teamRef))
    ) {
      // Team billing ends with the membership: the team is never billed again.
      void team.notifyEnded(grant, service.name);
      throw new GatewayError({
        status: 403,
        message: `This subscription bills ${grant.teamRef}, and you are no longer a member of it, so its team billing ended. Unsubscribe and subscribe again, billed to yourself or to a team you belong to.`,
        code: 'team_membership_ended',
      });
    }
    const limits = spec.sla.rateLimits;
    const admitted = await this.limiter.admit(
      grant.subscriptionId,
      limits,
      promptTokens,
    );
    if (!admitted.ok) {
      const reset = `${admitted.retryAfterSeconds}s`;
      throw new GatewayError({
        status: 429,
        message:
          admitted.limit === 'requests'
            ? `Rate limit reached: ${limits.requestsPerMinute} requests per minute for this subscription. Retry in ${admitted.retryAfterSeconds}s.`
            : `Rate limit reached: ${limits.tokensPerMinute} tokens per minute for this subscription. Retry in ${admitted.retryAfterSeconds}s.`,
        code: 'rate_limit_exceeded',
        rateLimit: {
          requestsPerMinute: limits.requestsPerMinute,
          tokensPerMinute: limits.tokensPerMinute,
          ...(admitted.limit === 'requests'
            ? {
                remainingRequests: 0,
                resetRequestsSeconds: admitted.retryAfterSeconds,
              }
            : {
                remainingTokens: 0,
                resetTokensSeconds: admitted.retryAfterSeconds,
              }),
        },
        headers: {
          'retry-after': String(admitted.retryAfterSeconds),
          'x-ratelimit-limit-requests': String(limits.requestsPerMinute),
          'x-ratelimit-limit-tokens': String(limits.tokensPerMinute),
          ...(admitted.limit === 'requests'
            ? {
                'x-ratelimit-remaining-requests': '0',
                'x-ratelimit-reset-requests': reset,
              }
            : {
                'x-ratelimit-remaining-tokens': '0',
                'x-ratelimit-reset-tokens': reset,
              }),
        },
      });
    }
    if (onLimits && admitted.remainingRequests !== undefined) {
      onLimits({
        requestsPerMinute: limits.requestsPerMinute,
        tokensPerMinute: limits.tokensPerMinute,
        remainingRequests: admitted.remainingRequests,
        remainingTokens: admitted.remainingTokens ?? limits.tokensPerMinute,
        resetRequestsSeconds: admitted.resetRequestsSeconds ?? 60,
        resetTokensSeconds: admitted.resetTokensSeconds ?? 60,
      });
    }
    return maxCompletion;
  }

  /** The headers of the upstream call: the provider's credential, checked on every call. */
  private async upstreamHeaders(
    service: GatewayService,
    requestId: string,
    accept: string,
  ): Promise<Record<string, string>> {
    const credentials = await this.options.credentials(service);
    if (!credentials.ok) {
      // Nothing is sent upstream: the credential is missing or belongs to
      // another provider (a service must only use its own provider's).
      this.logger.error(
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

  /** Step 4: holds the call's worst-case cost in the ledger. */
  async reserve(
    requestId: string,
    grant: KeyGrant,
    service: GatewayService,
    parsed: ParsedCall,
    maxCompletion: number,
    protocol: Pick<ProtocolAdapter, 'protocol'> = {},
  ): Promise<R> {
    let reserved: Awaited<ReturnType<GatewayLedger<R>['reserve']>>;
    try {
      reserved = await this.options.ledger.reserve({
        requestId,
        grant,
        providerRef: service.providerRef,
        model: service.name,
        stream: parsed.stream,
        pricing: service.entity.spec.pricing,
        promptTokens: parsed.promptTokens,
        maxCompletionTokens: maxCompletion,
        protocol: protocol.protocol ?? 'openai-chat',
      });
    } catch (error) {
      if (error instanceof GatewayError) {
        throw error;
      }
      this.logger.error(
        `Could not reserve budget for request ${requestId}: ${error}`,
      );
      throw LEDGER_UNAVAILABLE;
    }
    if (!reserved.ok) {
      if (reserved.budget) {
        throw budgetExceededError(reserved.budget, service.name);
      }
      throw reserved.reason === 'user_suspended'
        ? suspendedError(reserved.suspensionReason)
        : REJECTIONS[reserved.reason];
    }
    return reserved.reservation;
  }

  /**
   * Step 6: settles a call into exactly one ledger row, and counts its
   * completion tokens against the tokens-per-minute limit.
   */
  meter(call: Call<R>, settlement: Omit<Settlement, 'finishedAt'>) {
    const { reservation, requestId } = call;
    // What the ledger bills at most (boundUsage): the rate limit counts the same.
    const completion = settlement.charge
      ? Math.min(
          Math.max(0, settlement.completionTokens),
          Math.max(0, reservation.maxCompletionTokens),
        )
      : 0;
    this.limiter.record(call.grant.subscriptionId, completion);
    this.options.ledger
      .settle(reservation, {
        ...settlement,
        waitMs: call.waitMs,
        finishedAt: Date.now(),
      })
      .catch(e =>
        this.logger.error(
          `Could not write the ledger row of ${requestId}: ${e}`,
        ),
      );
  }

  /** A call that failed: one ledger row, nothing charged. */
  private meterFailure(
    call: Call<R>,
    status: Failure,
    httpStatus: number,
    errorCode: string,
  ) {
    this.meter(call, {
      status,
      httpStatus,
      errorCode,
      promptTokens: 0,
      completionTokens: 0,
      tokenSource: 'tokenizer',
      charge: false,
      upstreamLatencyMs: Math.round(performance.now() - call.t0),
    });
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
    const routes = this.options.routes;
    const route = attempt ? undefined : routes?.get(parsed.model);
    if (routes && route) {
      if (grant.serviceRef !== `route:default/${route.name}`) {
        throw new GatewayError({
          status: 403,
          message: `This API key belongs to your subscription to '${grant.serviceRef.slice(
            grant.serviceRef.indexOf('/') + 1,
          )}', not the route '${route.name}'. Subscribe to '${
            route.name
          }' and use its key.`,
          param: 'model',
          code: 'model_not_subscribed',
        });
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
    const upstreamHeaders = await this.upstreamHeaders(
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
    const answer = await this.forward(call, request.path, request.body);
    if (!answer) {
      return;
    }
    this.checkRelayable(call, answer);
    if (answer.status < 200 || answer.status >= 300 || !parsed.stream) {
      await this.relayAnswer(call, answer);
    } else {
      await this.relayStream(call, answer);
    }
  }

  /**
   * Step 5: the upstream call. Resolves once the headers arrived (undefined
   * when the client left meanwhile), with a deadline on the whole request.
   */
  private async forward(
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
        timeoutMs: this.timeoutMs,
        signal: call.abort.signal,
        egress: this.egress,
      });
      call.firstByteMs = Math.round(performance.now() - call.t0);
    } catch (error) {
      if (call.clientGone) {
        this.meterFailure(call, 'client_closed', 499, 'client_closed');
        return undefined;
      }
      if (error instanceof EgressDeniedError) {
        this.meterFailure(call, 'upstream_error', 502, 'upstream_not_allowed');
        this.logger.warn(
          `Refused to call the upstream of ${service.ref}: ${error}`,
        );
        throw new GatewayError({
          status: 502,
          message: `The gateway does not call the upstream of ${service.name}: ${error.message}. Nothing was charged.`,
          code: 'upstream_not_allowed',
        });
      }
      const timeout = isUpstreamTimeout(error);
      this.meterFailure(
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
            ? `The upstream of ${
                service.name
              } did not answer within ${Math.round(
                this.timeoutMs / 1000,
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
      Math.max(0, this.maxRequestMs - (performance.now() - call.t0)),
    );
    answer.body.once('close', () => clearTimeout(deadline));
    return answer;
  }

  /** A whole answer: an upstream failure, a rejection passed through, or a JSON completion. */
  private async relayAnswer(call: Call<R>, answer: UpstreamResponse) {
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
      this.meterFailure(
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
      this.meterFailure(call, 'upstream_error', 502, `upstream_${status}`);
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
      this.meterFailure(call, 'upstream_rejected', 429, 'upstream_429');
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
      this.meterFailure(
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
      this.meterFailure(call, 'upstream_error', 502, 'upstream_invalid_json');
      throw new GatewayError({
        status: 502,
        message: `The upstream of ${service.name} answered with invalid JSON. Nothing was charged.`,
        code: 'upstream_error',
      });
    }
    const { usage } = read;
    this.meter(call, {
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

  /**
   * Only answers in the protocol's shape are relayed: JSON, or an event stream
   * when streaming. Anything else (a redirect, an HTML page, a text body)
   * becomes the gateway's own error, so an upstream URL cannot be used to read
   * other services through the gateway or the Test API. A streaming request
   * answered without an event stream is an uncharged 502.
   */
  private checkRelayable(call: Call<R>, answer: UpstreamResponse) {
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
      this.meterFailure(
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

  /** A streamed answer: events passed through as they come, metered on the way. */
  private relayStream(call: Call<R>, answer: UpstreamResponse): Promise<void> {
    const { res, service, attempt } = call;
    res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    res.flushHeaders();
    // Compression middleware (embedded mode) buffers unless flushed.
    const flushable = res as ServerResponse & { flush?: () => void };
    const meter = call.protocol.streamMeter(call.parsed);
    const splitter = new SseEventSplitter(this.streamLimits);
    let ttft: number | null = null;
    const handleEvent = (event: string) => {
      const out = meter.onEvent(event);
      if (ttft === null && meter.started) {
        ttft = Math.round(performance.now() - call.t0);
      }
      if (out !== null) {
        // Through a route, the answer names the member that answered.
        res.write(attempt ? withModelEvent(out, attempt.answerModel) : out);
      }
    };
    const writeError = (error: GatewayError) =>
      res.write(meter.errorEvent(error));
    const body: Readable = answer.body;

    return new Promise<void>(resolve => {
      let done = false;
      const end = (outcome: StreamOutcome) => {
        if (done) {
          return;
        }
        done = true;
        const usage = meter.usage;
        this.meter(call, {
          status: outcome,
          httpStatus: OUTCOME_HTTP_STATUS[outcome],
          errorCode: outcome === 'ok' ? null : outcome,
          promptTokens: usage ? usage.promptTokens : call.parsed.promptTokens,
          completionTokens: usage
            ? usage.completionTokens
            : countTextTokens(meter.text),
          tokenSource: usage ? 'upstream' : 'tokenizer',
          cachedPromptTokens: usage?.cachedPromptTokens ?? null,
          charge: outcome === 'ok' || outcome === 'client_closed',
          upstreamLatencyMs: Math.round(performance.now() - call.t0),
          timeToFirstTokenMs: ttft,
        });
        resolve();
      };
      // Chunks may split a character: decoded across them.
      const decoder = new StringDecoder('utf8');
      body.on('data', (chunk: Buffer | string) => {
        if (done) {
          return;
        }
        let events: string[];
        try {
          events = splitter.push(
            typeof chunk === 'string' ? chunk : decoder.write(chunk),
          );
        } catch (error) {
          if (!(error instanceof StreamLimitError)) {
            throw error;
          }
          for (const event of error.events) {
            handleEvent(event);
          }
          // Nothing more is buffered or relayed: the stream ends with an error event.
          writeError(
            new GatewayError({
              status: 502,
              type: 'api_error',
              message: `The upstream of ${service.name} sent ${
                error.limit === 'event' ? 'an event' : 'a stream'
              } larger than the gateway relays (${
                error.maxBytes
              } bytes). Nothing was charged.`,
              code: 'upstream_stream_too_large',
            }),
          );
          res.end();
          end('upstream_error');
          body.destroy();
          return;
        }
        for (const event of events) {
          handleEvent(event);
        }
        flushable.flush?.();
        // Backpressure: a slow client pauses the upstream instead of filling memory.
        if (res.writableNeedDrain && !body.isPaused()) {
          body.pause();
          res.once('drain', () => body.resume());
        }
      });
      body.on('end', () => {
        if (done) {
          return;
        }
        const rest = splitter.rest();
        if (rest) {
          handleEvent(rest);
        }
        // A translation's closing events (the upstream's own stream ended).
        const tail = meter.end?.();
        if (tail) {
          res.write(tail);
        }
        res.end();
        end('ok');
      });
      body.on('error', error => {
        if (done) {
          return;
        }
        if (call.clientGone) {
          end('client_closed');
          return;
        }
        const timeout = isUpstreamTimeout(error);
        writeError(
          new GatewayError({
            status: timeout ? 504 : 502,
            message: timeout
              ? `The upstream of ${service.name} stopped sending. Nothing was charged.`
              : `The upstream of ${service.name} broke off the stream. Nothing was charged.`,
            type: 'api_error',
            code: timeout ? 'upstream_timeout' : 'upstream_broken',
          }),
        );
        res.end();
        end(timeout ? 'timeout' : 'upstream_error');
      });
      res.on('close', () => {
        if (call.clientGone) {
          body.destroy();
          end('client_closed');
        }
      });
    });
  }
}

/**
 * OpenAI's rate limit headers on every admitted answer (the `-tokens` ones
 * too: every service has a tokens-per-minute limit), and the protocol's own.
 */
function setRateLimitHeaders(
  res: ServerResponse,
  state: RateLimitState,
  protocol: ProtocolAdapter,
) {
  if (res.headersSent) {
    return;
  }
  res.setHeader('x-ratelimit-limit-requests', String(state.requestsPerMinute));
  res.setHeader(
    'x-ratelimit-remaining-requests',
    String(state.remainingRequests),
  );
  res.setHeader('x-ratelimit-reset-requests', `${state.resetRequestsSeconds}s`);
  res.setHeader('x-ratelimit-limit-tokens', String(state.tokensPerMinute));
  res.setHeader('x-ratelimit-remaining-tokens', String(state.remainingTokens));
  res.setHeader('x-ratelimit-reset-tokens', `${state.resetTokensSeconds}s`);
  const own = protocol.rateLimitHeaders?.(state);
  if (own) {
    for (const name of Object.keys(own)) {
      res.setHeader(name, own[name]);
    }
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

/** An SSE event (with its blank line) whose JSON data has its `model` set (routes). */
function withModelEvent(event: string, model: string): string {
  const lines = event.split('\n');
  const data = lines.filter(l => l.startsWith('data:'));
  if (data.length !== 1) {
    return event;
  }
  const index = lines.indexOf(data[0]);
  const value = data[0].slice(5).trimStart();
  if (value === '[DONE]') {
    return event;
  }
  try {
    const chunk = JSON.parse(value);
    if (chunk && typeof chunk === 'object' && 'model' in chunk) {
      lines[index] = `data: ${JSON.stringify({ ...chunk, model })}`;
      return lines.join('\n');
    }
  } catch {
    // Not JSON: unchanged.
  }
  return event;
}

/** The sunset of an unpublished service has passed: the gateway answers 410. */
export function isSunset(s: GatewayService, now = Date.now()): boolean {
  return !!s.unpublication && s.unpublication.sunsetAt <= now;
}

/** The gateway serves it: approved and not past its sunset. */
export function isServable(s: GatewayService, now = Date.now()): boolean {
  return s.status === 'approved' && !isSunset(s, now);
}
