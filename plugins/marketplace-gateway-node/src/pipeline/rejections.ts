import { GatewayError } from '../errors';
import type { KeyGrant, ReserveRejection } from './ports';

/** The errors of a refused call: a key, a subscription, a user, a budget. */
export const REJECTIONS: Record<ReserveRejection, GatewayError> = {
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

export const NO_KEY = new GatewayError({
  status: 401,
  message:
    "You didn't provide an API key. Send your marketplace key as 'Authorization: Bearer mk_...'.",
  code: 'invalid_api_key',
});

export const WRONG_KEY = new GatewayError({
  status: 401,
  message: 'Incorrect API key provided. Copy your key from the marketplace.',
  code: 'invalid_api_key',
});

/**
 * The ledger could not hold the request's budget (its database write failed):
 * the request is not forwarded, nothing is charged, and the client is told to
 * retry, never shown an internal error.
 */
export const LEDGER_UNAVAILABLE = new GatewayError({
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

/** 403 `model_not_subscribed`: a key used for a route it does not belong to. */
export function routeNotSubscribedError(
  grant: KeyGrant,
  routeName: string,
): GatewayError {
  return new GatewayError({
    status: 403,
    message: `This API key belongs to your subscription to '${grant.serviceRef.slice(
      grant.serviceRef.indexOf('/') + 1,
    )}', not the route '${routeName}'. Subscribe to '${routeName}' and use its key.`,
    param: 'model',
    code: 'model_not_subscribed',
  });
}
