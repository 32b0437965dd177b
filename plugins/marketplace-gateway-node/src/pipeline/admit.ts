import type { ServerResponse } from 'http';
import { GatewayError } from '../errors';
import type { RateLimitState } from '../limits/types';
import type { ParsedCall, ProtocolAdapter } from '../protocols/types';
import { attemptFailed } from '../routing/attempts';
import type { Pipeline } from './call';
import type { GatewayReservation, GatewayService, KeyGrant } from './ports';

/**
 * Step 3: whether the call may go ahead: its prompt fits the context window,
 * a team-billed subscription's user is still a member, and the rate limits
 * allow it. Returns the completion budget.
 */
export async function admit<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
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
  const team = pipeline.options.teamMembership;
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
  const admitted = await pipeline.limiter.admit(
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

/**
 * OpenAI's rate limit headers on every admitted answer (the `-tokens` ones
 * too: every service has a tokens-per-minute limit), and the protocol's own.
 */
export function setRateLimitHeaders(
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
