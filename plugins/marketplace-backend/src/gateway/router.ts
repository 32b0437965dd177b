import { LoggerService } from '@backstage/backend-plugin-api';
import { randomBytes } from 'crypto';
import express, { ErrorRequestHandler, Request, Response } from 'express';
import Router from 'express-promise-router';
import { IncomingMessage } from 'http';
import {
  boundUsage,
  Reservation,
  ReserveRejection,
  UsageLedger,
} from '../database/UsageLedger';
import {
  KeyGrant,
  SubscriptionStore,
  hashApiKey,
} from '../database/SubscriptionStore';
import { GatewayError, sendGatewayError } from './errors';
import { lifecycleHeaders } from './lifecycle';
import { RateLimiter } from './rateLimiter';
import { ChatCompletionRequest, parseChatCompletionRequest } from './request';
import { SecretResolver } from './secrets';
import { TeamMembership } from './TeamMembership';
import {
  DirectoryService,
  isServable,
  isSunset,
  successorOf,
  ServiceDirectory,
} from './ServiceDirectory';
import { ChatRequestLike, countPromptTokens, countTextTokens } from './tokens';
import { postUpstream, readBody, UpstreamTimeoutError } from './upstream';
import { EgressDeniedError, EgressPolicy } from '../egress/EgressPolicy';
import { BoundedCache } from './BoundedCache';
import {
  DEFAULT_STREAM_LIMITS,
  SseEventSplitter,
  StreamLimitError,
  StreamLimits,
} from './streamLimits';
import { UpstreamCredentialError, upstreamAuthHeaders } from './upstreamAuth';
import { markReceived, waitMsOf } from './timing';
import { RouteDirectory } from '../routing/RouteDirectory';
import {
  attemptFailed,
  forwardThroughRoute,
  RouteAttemptContext,
} from '../routing/routeGateway';

/** The gateway's router, plus its pipeline for callers that already hold a grant. */
export type GatewayRouter = express.Router & {
  completeChat(
    req: Request,
    res: Response,
    grant: KeyGrant,
    attempt?: RouteAttemptContext,
  ): Promise<void>;
  sendError: ErrorRequestHandler;
};

export interface GatewayRouterOptions {
  logger: LoggerService;
  subscriptions: SubscriptionStore;
  ledger: UsageLedger;
  directory: ServiceDirectory;
  secrets: SecretResolver;
  rateLimiter?: RateLimiter;
  /** Max wait for the upstream's headers, and for each silence while streaming. */
  upstreamTimeoutMs?: number;
  /** The longest a forwarded request may take, a stream included. */
  maxRequestMs?: number;
  /** Team memberships: a team-billed subscription bills the team only while its user is a member. */
  teamMembership?: TeamMembership;
  /** The portal's base URL (`app.baseUrl`): where a successor's page is linked from lifecycle headers. */
  portalBaseUrl?: string;
  /** Where upstreams may be (marketplace.egress); by default public addresses only. */
  egress?: EgressPolicy;
  /** Caps of relayed event streams (marketplace.gateway.maxStream*Bytes). */
  streamLimits?: StreamLimits;
  /** Routes: one `model` in front of several services, with fallback. */
  routes?: RouteDirectory;
}

const GRANT_CACHE_MS = 10_000;
/** How long an unknown key is answered 401 without asking the database again. */
const MISS_CACHE_MS = 5_000;
const TOUCH_EVERY_MS = 60_000;
const MAX_CACHED_KEYS = 50_000;

/**
 * Request ids: a random per-process prefix (so ids never collide across
 * instances or restarts) and a counter; cheaper than random bytes per request.
 */
const REQUEST_ID_PREFIX = `req_${randomBytes(9).toString('base64url')}`;
let requestCounter = 0;
export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${REQUEST_ID_PREFIX}${requestCounter.toString(36)}`;
}

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
    status: 429,
    type: 'insufficient_quota',
    message:
      "This subscription's monthly spend cap is reached. Raise the cap in the marketplace or wait for next month.",
    code: 'spend_cap_reached',
  }),
};

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

/** An SSE event whose JSON data has its `model` set (routes). */
function withModelEvent(event: string, model: string): string {
  const lines = event.split('\n');
  const index = lines.findIndex(l => l.startsWith('data:'));
  if (index < 0 || lines.filter(l => l.startsWith('data:')).length !== 1) {
    return event;
  }
  try {
    const chunk = JSON.parse(lines[index].slice(5).trimStart());
    if (chunk && typeof chunk === 'object' && 'model' in chunk) {
      lines[index] = `data: ${JSON.stringify({ ...chunk, model })}`;
      return lines.join('\n');
    }
  } catch {
    // Not JSON: unchanged.
  }
  return event;
}

const OUTCOME_HTTP_STATUS = {
  ok: 200,
  client_closed: 499,
  timeout: 504,
  upstream_error: 502,
} as const;

/**
 * The OpenAI-compatible gateway: authenticates the marketplace API key, checks the
 * subscription, budget and limits, reserves budget, forwards to the service's
 * upstream with the provider's credential, streams the answer back and meters it.
 */
export function createGatewayRouter(
  options: GatewayRouterOptions,
): GatewayRouter {
  const { logger, subscriptions, ledger, directory, secrets } = options;
  const limiter = options.rateLimiter ?? new RateLimiter();
  const timeoutMs = options.upstreamTimeoutMs ?? 120_000;
  const maxRequestMs = options.maxRequestMs ?? 30 * 60_000;
  const egress = options.egress ?? new EgressPolicy();
  const streamLimits = options.streamLimits ?? DEFAULT_STREAM_LIMITS;
  // Per-key state is bounded (least recently used first) and ages out.
  const grants = new BoundedCache<string, KeyGrant | null>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: GRANT_CACHE_MS,
  });
  const touched = new BoundedCache<string, true>({
    maxEntries: MAX_CACHED_KEYS,
    ttlMs: TOUCH_EVERY_MS,
  });

  async function authenticate(req: Request): Promise<KeyGrant> {
    const header = req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match) {
      throw new GatewayError({
        status: 401,
        message:
          "You didn't provide an API key. Send your marketplace key as 'Authorization: Bearer mk_...'.",
        code: 'invalid_api_key',
      });
    }
    const secret = match[1];
    const cacheKey = hashApiKey(secret);
    const now = Date.now();
    let grant = grants.get(cacheKey);
    if (grant === undefined) {
      grant = (await subscriptions.findGrant(secret)) ?? null;
      // An unknown key is remembered briefly, so repeating it does not reach the database.
      grants.set(cacheKey, grant, grant ? GRANT_CACHE_MS : MISS_CACHE_MS);
    }
    if (!grant) {
      throw new GatewayError({
        status: 401,
        message:
          'Incorrect API key provided. Copy your key from the marketplace.',
        code: 'invalid_api_key',
      });
    }
    if (grant.keyRevoked) {
      throw REJECTIONS.key_revoked;
    }
    if (!grant.subscriptionActive) {
      throw REJECTIONS.subscription_inactive;
    }
    if (!touched.get(grant.keyId)) {
      touched.set(grant.keyId, true);
      subscriptions.touchKey(grant.keyId, now).catch(() => undefined);
    }
    return grant;
  }

  function checkLive(service: DirectoryService) {
    const { lifecycle } = service.entity.spec;
    if (lifecycle === 'maintenance') {
      throw new GatewayError({
        status: 503,
        message: `${service.name} is in maintenance. Try again later.`,
        code: 'service_in_maintenance',
        headers: { 'retry-after': '300' },
      });
    }
    if (lifecycle === 'deprecated') {
      throw new GatewayError({
        status: 403,
        message: `${service.name} is deprecated and no longer accepts requests.`,
        code: 'service_deprecated',
      });
    }
  }

  async function upstreamHeaders(
    service: DirectoryService,
    requestId: string,
    stream: boolean,
  ) {
    const headers: Record<string, string> = {
      'x-request-id': requestId,
      accept: stream ? 'text/event-stream' : 'application/json',
    };
    try {
      Object.assign(
        headers,
        await upstreamAuthHeaders(
          service.entity.spec.endpoint,
          service.providerRef,
          secrets,
        ),
      );
    } catch (error) {
      if (!(error instanceof UpstreamCredentialError)) {
        throw error;
      }
      // Nothing is sent upstream: the credential is missing or belongs to
      // another provider (a service must only use its own provider's).
      logger.error(
        `Refused to call the upstream of ${service.ref}: ${error.message}`,
      );
      // Through a route, another member may be callable.
      if (error.reason === 'missing') {
        throw attemptFailed(
          { kind: 'unavailable' },
          new GatewayError({
            status: 502,
            message: `The gateway has no credential for the upstream of ${service.name}. ${error.message} Nothing was charged.`,
            code: 'upstream_credentials_missing',
          }),
        );
      }
      throw attemptFailed(
        { kind: 'unavailable' },
        new GatewayError({
          status: 502,
          message: `The gateway refused to call the upstream of ${service.name}: ${error.message} Nothing was charged.`,
          code: 'upstream_credential_not_allowed',
        }),
      );
    }
    return headers;
  }

  const router = Router();
  // Every answer carries a request id; for forwarded requests it keys the ledger row.
  router.use((_req, res, next) => {
    res.setHeader('x-request-id', newRequestId());
    next();
  });
  router.use(express.json({ limit: '4mb' }));

  router.get('/v1/models', async (req, res) => {
    const grant = await authenticate(req);
    // Chat completions check suspensions while reserving budget; this read has
    // no reservation, so it asks.
    const suspension = await subscriptions.getSuspension(grant.userRef);
    if (suspension) {
      throw suspendedError(suspension.reason);
    }
    const service = directory.getByRef(grant.serviceRef);
    // ---- issue 24: a route subscription lists its route ----
    const route = options.routes?.getByRef(grant.serviceRef);
    if (route) {
      res.json({
        object: 'list',
        data: [
          {
            id: route.definition.name,
            object: 'model',
            created: 0,
            owned_by: 'marketplace-route',
          },
        ],
      });
      return;
    }
    // ---- end issue 24 ----
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
    res.json({ object: 'list', data });
  });

  /**
   * Checks, reserves, forwards and meters one chat completion for a grant. Used by
   * the key-authenticated route and by the portal's Test API (acting for the
   * signed-in user on their own subscription).
   */
  const completeChat = async (
    req: Request,
    res: Response,
    grant: KeyGrant,
    /** Set for one attempt of a route's request (issue 24). */
    attempt?: RouteAttemptContext,
  ): Promise<void> => {
    const requestId = String(res.getHeader('x-request-id'));
    // Watch for the client leaving from the start: a request whose client is gone
    // by the time its budget is reserved is not forwarded (and not charged).
    const abort = new AbortController();
    let clientGone = false;
    res.on('close', () => {
      if (!res.writableFinished) {
        clientGone = true;
        abort.abort();
      }
    });

    const body = parseChatCompletionRequest(req.body);
    // ---- issue 24: a route's model: try its members, with fallback ----
    const route = attempt ? undefined : options.routes?.get(body.model);
    if (route) {
      if (grant.serviceRef !== `route:default/${body.model}`) {
        throw new GatewayError({
          status: 403,
          message: `This API key belongs to your subscription to '${grant.serviceRef.slice(
            grant.serviceRef.indexOf('/') + 1,
          )}', not the route '${body.model}'. Subscribe to '${
            body.model
          }' and use its key.`,
          param: 'model',
          code: 'model_not_subscribed',
        });
      }
      await forwardThroughRoute({
        route,
        routes: options.routes!,
        grant,
        requestId,
        res,
        attempt: a => completeChat(req, res, a.grant, a),
      });
      return;
    }
    // ---- end issue 24 ----
    const service = attempt?.service ?? (await directory.get(body.model));
    // Services waiting for review (or rejected) do not exist for callers.
    if (!service || service.status !== 'approved') {
      throw new GatewayError({
        status: 404,
        message: `The model '${body.model}' does not exist in the marketplace.`,
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
    for (const [name, value] of Object.entries(
      lifecycleHeaders(service, options.portalBaseUrl),
    )) {
      res.setHeader(name, value);
    }
    if (isSunset(service)) {
      const successor = successorOf(service);
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
      });
    }
    checkLive(service);
    const spec = service.entity.spec;
    const stream = body.stream === true;

    const promptTokens = countPromptTokens(body as ChatRequestLike);
    if (promptTokens >= spec.contextWindow) {
      // Through a route, a member with a larger context may take it.
      throw attemptFailed(
        { kind: 'unavailable' },
        new GatewayError({
          status: 400,
          message: `This model's maximum context length is ${spec.contextWindow} tokens, but the messages have ${promptTokens} tokens.`,
          param: 'messages',
          code: 'context_length_exceeded',
        }),
      );
    }
    const requested =
      body.max_completion_tokens ?? body.max_tokens ?? undefined;
    const maxCompletion = Math.min(
      requested ?? spec.maxOutputTokens,
      spec.maxOutputTokens,
      spec.contextWindow - promptTokens,
    );

    if (
      grant.teamRef &&
      options.teamMembership &&
      !(await options.teamMembership.isMember(grant.userRef, grant.teamRef))
    ) {
      // Team billing ends with the membership: the team is never billed again.
      void options.teamMembership.notifyEnded(grant, service.name);
      throw new GatewayError({
        status: 403,
        message: `This subscription bills ${grant.teamRef}, and you are no longer a member of it, so its team billing ended. Unsubscribe and subscribe again, billed to yourself or to a team you belong to.`,
        code: 'team_membership_ended',
      });
    }

    const admitted = limiter.admit(
      grant.subscriptionId,
      spec.sla.rateLimits,
      promptTokens,
    );
    if (!admitted.ok) {
      throw new GatewayError({
        status: 429,
        message:
          admitted.limit === 'requests'
            ? `Rate limit reached: ${spec.sla.rateLimits.requestsPerMinute} requests per minute for this subscription. Retry in ${admitted.retryAfterSeconds}s.`
            : `Rate limit reached: ${spec.sla.rateLimits.tokensPerMinute} tokens per minute for this subscription. Retry in ${admitted.retryAfterSeconds}s.`,
        code: 'rate_limit_exceeded',
        headers: { 'retry-after': String(admitted.retryAfterSeconds) },
      });
    }

    const headers = await upstreamHeaders(service, requestId, stream);
    const reserved = await ledger.reserve({
      requestId,
      grant,
      providerRef: service.providerRef,
      model: service.name,
      stream,
      pricing: spec.pricing,
      promptTokens,
      maxCompletionTokens: maxCompletion,
    });
    if (!reserved.ok) {
      throw reserved.reason === 'user_suspended'
        ? suspendedError(reserved.suspensionReason)
        : REJECTIONS[reserved.reason];
    }
    const reservation = reserved.reservation;

    // From here on, every outcome is settled into exactly one ledger row.
    const upstreamBody: Record<string, unknown> = {
      ...(req.body as Record<string, unknown>),
      model: spec.endpoint.upstreamModel ?? spec.baseModel ?? service.name,
    };
    if (reservation.maxCompletionTokens < maxCompletion) {
      // The trial or the spend cap only allows this many completion tokens.
      if (
        body.max_completion_tokens !== undefined &&
        body.max_completion_tokens !== null
      ) {
        upstreamBody.max_completion_tokens = reservation.maxCompletionTokens;
      } else {
        upstreamBody.max_tokens = reservation.maxCompletionTokens;
      }
    }
    const clientWantsUsage = body.stream_options?.include_usage === true;
    if (stream) {
      upstreamBody.stream_options = {
        ...(body.stream_options ?? {}),
        include_usage: true,
      };
    }

    const t0 = performance.now();
    // Quality measures (issue 21): the wait before going upstream, and the time
    // to the first token (streamed) or the answer's first byte (not streamed).
    const waitMs = waitMsOf(req, t0);
    let firstByteMs: number | null = null;
    const settle = (
      s: Omit<Parameters<UsageLedger['settle']>[1], 'finishedAt'>,
    ) => {
      limiter.record(
        grant.subscriptionId,
        s.charge ? boundUsage(reservation, s).completionTokens : 0,
      );
      ledger
        .settle(reservation, { ...s, waitMs, finishedAt: Date.now() })
        .catch(e =>
          logger.error(`Could not write the ledger row of ${requestId}: ${e}`),
        );
    };
    /** A request that failed: one ledger row, nothing charged. */
    if (clientGone) {
      settle({
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
    const settleFailure = (
      status:
        | 'upstream_error'
        | 'upstream_rejected'
        | 'timeout'
        | 'client_closed',
      httpStatus: number,
      errorCode: string,
    ) =>
      settle({
        status,
        httpStatus,
        errorCode,
        promptTokens: 0,
        completionTokens: 0,
        tokenSource: 'tokenizer',
        charge: false,
        upstreamLatencyMs: Math.round(performance.now() - t0),
      });

    let upstream: IncomingMessage;
    try {
      upstream = await postUpstream({
        url: new URL(
          `${spec.endpoint.baseUrl.replace(/\/+$/, '')}/chat/completions`,
        ),
        headers,
        body: Buffer.from(JSON.stringify(upstreamBody)),
        timeoutMs,
        signal: abort.signal,
        egress,
      });
      firstByteMs = Math.round(performance.now() - t0);
    } catch (error) {
      if (clientGone) {
        settleFailure('client_closed', 499, 'client_closed');
        return;
      }
      if (error instanceof EgressDeniedError) {
        settleFailure('upstream_error', 502, 'upstream_not_allowed');
        logger.warn(`Refused to call the upstream of ${service.ref}: ${error}`);
        throw new GatewayError({
          status: 502,
          message: `The gateway does not call the upstream of ${service.name}: ${error.message}. Nothing was charged.`,
          code: 'upstream_not_allowed',
        });
      }
      const timeout = error instanceof UpstreamTimeoutError;
      settleFailure(
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
                timeoutMs / 1000,
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
        upstream.destroy(
          new UpstreamTimeoutError('The request took longer than allowed'),
        ),
      Math.max(0, maxRequestMs - (performance.now() - t0)),
    );
    upstream.once('close', () => clearTimeout(deadline));

    const status = upstream.statusCode ?? 502;
    // Only OpenAI-shaped answers are relayed: JSON, or an event stream when
    // streaming. Anything else (a redirect, an HTML page, a text body) becomes
    // the gateway's own error, so an upstream URL cannot be used to read other
    // services through the gateway or the Test API.
    const relayable = relayableType(upstream.headers['content-type']);
    if (
      (status >= 300 && status < 400) ||
      (status >= 400 && status < 500 && relayable !== 'json') ||
      (status >= 200 && status < 300 && relayable !== (stream ? 'sse' : 'json'))
    ) {
      upstream.destroy();
      const redirect = status >= 300 && status < 400;
      settleFailure(
        status >= 400 && status < 500 ? 'upstream_rejected' : 'upstream_error',
        status >= 400 && status < 500 ? status : 502,
        redirect ? 'upstream_redirect' : 'upstream_invalid_response',
      );
      throw new GatewayError({
        status: status >= 400 && status < 500 ? status : 502,
        message: redirect
          ? `The upstream of ${service.name} answered with a redirect (HTTP ${status}), which the gateway does not follow. Nothing was charged.`
          : `The upstream of ${service.name} answered HTTP ${status} with ${
              upstream.headers['content-type']
                ? `content of type ${
                    String(upstream.headers['content-type']).split(';')[0]
                  }`
                : 'no content type'
            }, not ${
              stream && status < 300 ? 'text/event-stream' : 'application/json'
            }. Nothing was charged.`,
        code: redirect ? 'upstream_redirect' : 'upstream_invalid_response',
      });
    }
    if (status < 200 || status >= 300 || !stream) {
      let raw: Buffer;
      try {
        raw = await readBody(upstream);
      } catch (error) {
        const timeout = error instanceof UpstreamTimeoutError;
        let failure: 'client_closed' | 'timeout' | 'upstream_error' =
          'upstream_error';
        if (clientGone) {
          failure = 'client_closed';
        } else if (timeout) {
          failure = 'timeout';
        }
        settleFailure(
          failure,
          timeout ? 504 : 502,
          timeout ? 'upstream_timeout' : 'upstream_broken',
        );
        if (clientGone) {
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
      const latency = Math.round(performance.now() - t0);
      if (status >= 500 || status < 200) {
        settleFailure('upstream_error', 502, `upstream_${status}`);
        throw attemptFailed(
          { kind: 'status', status },
          new GatewayError({
            status: 502,
            message: `The upstream of ${service.name} failed (HTTP ${status}). Nothing was charged.`,
            code: 'upstream_error',
          }),
        );
      }
      if (status === 429 && attempt?.canFallBack) {
        // Through a route: the next member takes it (this attempt is free).
        settleFailure('upstream_rejected', 429, 'upstream_429');
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
        settleFailure('upstream_rejected', status, `upstream_${status}`);
        res.status(status);
        res.setHeader('content-type', 'application/json');
        if (upstream.headers['retry-after']) {
          res.setHeader('retry-after', upstream.headers['retry-after']);
        }
        res.end(raw);
        return;
      }
      let usage:
        | { prompt_tokens?: number; completion_tokens?: number }
        | undefined;
      let completionText = '';
      try {
        const parsed = JSON.parse(raw.toString('utf8'));
        usage = parsed?.usage;
        if (!usage) {
          completionText = (parsed?.choices ?? [])
            .map(
              (c: any) =>
                `${c?.message?.content ?? ''}${
                  c?.message?.tool_calls
                    ? JSON.stringify(c.message.tool_calls)
                    : ''
                }`,
            )
            .join('');
        }
      } catch {
        settleFailure('upstream_error', 502, 'upstream_invalid_json');
        throw new GatewayError({
          status: 502,
          message: `The upstream of ${service.name} answered with invalid JSON. Nothing was charged.`,
          code: 'upstream_error',
        });
      }
      const fromUpstream =
        Number.isInteger(usage?.prompt_tokens) &&
        Number.isInteger(usage?.completion_tokens);
      settle({
        status: 'ok',
        httpStatus: 200,
        promptTokens: fromUpstream ? usage!.prompt_tokens! : promptTokens,
        completionTokens: fromUpstream
          ? usage!.completion_tokens!
          : countTextTokens(completionText),
        tokenSource: fromUpstream ? 'upstream' : 'tokenizer',
        charge: true,
        upstreamLatencyMs: latency,
        timeToFirstTokenMs: firstByteMs,
      });
      res.status(200);
      res.setHeader('content-type', 'application/json');
      res.end(attempt ? withModel(raw, attempt.answerModel) : raw);
      return;
    }

    // Streaming: pass events through as they come, flushed one by one.
    res.status(200);
    res.setHeader('content-type', 'text/event-stream; charset=utf-8');
    res.setHeader('cache-control', 'no-cache, no-transform');
    res.setHeader('connection', 'keep-alive');
    res.setHeader('x-accel-buffering', 'no');
    res.flushHeaders();
    const flush = () => (res as Response & { flush?: () => void }).flush?.();

    const splitter = new SseEventSplitter(streamLimits);
    let ttft: number | null = null;
    let usage:
      | { prompt_tokens?: number; completion_tokens?: number }
      | undefined;
    let streamedText = '';
    const handleEvent = (event: string) => {
      const data = event
        .split('\n')
        .filter(l => l.startsWith('data:'))
        .map(l => l.slice(5).trimStart())
        .join('\n');
      let forward = true;
      if (data && data !== '[DONE]') {
        try {
          const chunk = JSON.parse(data);
          if (chunk?.usage) {
            usage = chunk.usage;
            if (
              !clientWantsUsage &&
              Array.isArray(chunk.choices) &&
              chunk.choices.length === 0
            ) {
              forward = false; // the usage chunk we asked for on the client's behalf
            }
          }
          for (const choice of chunk?.choices ?? []) {
            const delta = choice?.delta;
            const piece = `${delta?.content ?? ''}${
              delta?.tool_calls ? JSON.stringify(delta.tool_calls) : ''
            }`;
            if (piece) {
              if (ttft === null) {
                ttft = Math.round(performance.now() - t0);
              }
              streamedText += piece;
            }
          }
        } catch {
          // Not JSON: pass it on untouched.
        }
      }
      if (forward) {
        res.write(
          `${
            attempt && data && data !== '[DONE]'
              ? withModelEvent(event, attempt.answerModel)
              : event
          }\n\n`,
        );
      }
    };
    const writeStreamError = ({ message, code }: GatewayErrorBody) =>
      res.write(
        `data: ${JSON.stringify({
          error: { message, type: 'api_error', param: null, code },
        })}\n\n`,
      );

    const finish = (
      outcome: 'ok' | 'upstream_error' | 'timeout' | 'client_closed',
    ) => {
      const fromUpstream =
        Number.isInteger(usage?.prompt_tokens) &&
        Number.isInteger(usage?.completion_tokens);
      const charge = outcome === 'ok' || outcome === 'client_closed';
      settle({
        status: outcome,
        httpStatus: OUTCOME_HTTP_STATUS[outcome],
        errorCode: outcome === 'ok' ? null : outcome,
        promptTokens: fromUpstream ? usage!.prompt_tokens! : promptTokens,
        completionTokens: fromUpstream
          ? usage!.completion_tokens!
          : countTextTokens(streamedText),
        tokenSource: fromUpstream ? 'upstream' : 'tokenizer',
        charge,
        upstreamLatencyMs: Math.round(performance.now() - t0),
        timeToFirstTokenMs: ttft,
      });
    };

    await new Promise<void>(resolve => {
      let done = false;
      const end = (
        outcome: 'ok' | 'upstream_error' | 'timeout' | 'client_closed',
      ) => {
        if (done) {
          return;
        }
        done = true;
        finish(outcome);
        resolve();
      };
      upstream.setEncoding('utf8');
      upstream.on('data', (text: string) => {
        if (done) {
          return;
        }
        let events: string[];
        try {
          events = splitter.push(text);
        } catch (error) {
          if (!(error instanceof StreamLimitError)) {
            throw error;
          }
          for (const event of error.events) {
            handleEvent(event);
          }
          // Nothing more is buffered or relayed: the stream ends with an error event.
          writeStreamError({
            message: `The upstream of ${service.name} sent ${
              error.limit === 'event' ? 'an event' : 'a stream'
            } larger than the gateway relays (${
              error.maxBytes
            } bytes). Nothing was charged.`,
            code: 'upstream_stream_too_large',
          });
          res.end();
          end('upstream_error');
          upstream.destroy();
          return;
        }
        for (const event of events) {
          handleEvent(event);
        }
        flush();
        // Backpressure: a slow client pauses the upstream instead of filling memory.
        if (res.writableNeedDrain && !upstream.isPaused()) {
          upstream.pause();
          res.once('drain', () => upstream.resume());
        }
      });
      upstream.on('end', () => {
        if (done) {
          return;
        }
        const rest = splitter.rest();
        if (rest) {
          handleEvent(rest);
        }
        res.end();
        end('ok');
      });
      upstream.on('error', error => {
        if (done) {
          return;
        }
        if (clientGone) {
          end('client_closed');
          return;
        }
        const timeout = error instanceof UpstreamTimeoutError;
        const message = timeout
          ? `The upstream of ${service.name} stopped sending. Nothing was charged.`
          : `The upstream of ${service.name} broke off the stream. Nothing was charged.`;
        writeStreamError({
          message,
          code: timeout ? 'upstream_timeout' : 'upstream_broken',
        });
        res.end();
        end(timeout ? 'timeout' : 'upstream_error');
      });
      upstream.on('aborted', () => {
        if (clientGone) {
          end('client_closed');
        }
      });
      res.on('close', () => {
        if (clientGone) {
          upstream.destroy();
          end('client_closed');
        }
      });
    });
  };

  router.post('/v1/chat/completions', async (req, res) => {
    markReceived(req);
    await completeChat(req, res, await authenticate(req));
  });

  router.use((_req, res) => {
    sendGatewayError(
      res,
      new GatewayError({
        status: 404,
        message:
          'Unknown gateway route. The gateway serves GET /v1/models and POST /v1/chat/completions.',
        code: 'unknown_route',
      }),
    );
  });

  const errorHandler: ErrorRequestHandler = (error, _req, res, _next) => {
    if (error instanceof GatewayError) {
      sendGatewayError(res, error);
      return;
    }
    const bodyError = error as { type?: string; status?: number };
    if (bodyError.type === 'entity.parse.failed') {
      sendGatewayError(
        res,
        new GatewayError({
          status: 400,
          message: 'We could not parse the JSON body of your request.',
          code: 'invalid_json',
        }),
      );
      return;
    }
    if (bodyError.type === 'entity.too.large') {
      sendGatewayError(
        res,
        new GatewayError({
          status: 413,
          message: 'The request body is larger than 4 MB.',
          code: 'request_too_large',
        }),
      );
      return;
    }
    if (bodyError.status && bodyError.status >= 400 && bodyError.status < 500) {
      sendGatewayError(
        res,
        new GatewayError({
          status: bodyError.status,
          message: String((error as Error).message),
          code: 'invalid_request',
        }),
      );
      return;
    }
    logger.error(`Gateway error: ${(error as Error)?.stack ?? error}`);
    sendGatewayError(
      res,
      new GatewayError({
        status: 500,
        message: 'The gateway failed to handle the request.',
        code: 'internal_error',
      }),
    );
  };
  router.use(errorHandler);
  return Object.assign(router, { completeChat, sendError: errorHandler });
}

interface GatewayErrorBody {
  message: string;
  code: string;
}

/** Which relayable kind of answer a content type is, if any. */
function relayableType(
  contentType: string | undefined,
): 'json' | 'sse' | undefined {
  const type = contentType?.split(';')[0].trim().toLocaleLowerCase('en-US');
  if (type === 'application/json') {
    return 'json';
  }
  if (type === 'text/event-stream') {
    return 'sse';
  }
  return undefined;
}

export type { ChatCompletionRequest, Reservation };
