import {
  attemptFailed,
  failureOf,
  GatewayError,
  GatewayRoutes,
  RouteAttemptContext as PipelineAttempt,
} from '@internal/plugin-marketplace-gateway-node';
import type { ServerResponse } from 'http';
import { KeyGrant } from '../stores/SubscriptionStore';
import { DirectoryService } from '../catalog/directoryService';
import { RouteDirectory, ServiceRoute } from './RouteDirectory';
import { shouldFallBack } from './selection';

export { attemptFailed, failureOf };

/** One attempt of a route's request: one member, with the attempt's grant. */
export type RouteAttemptContext = PipelineAttempt<DirectoryService, KeyGrant>;

/** Forwards the request to one member (the gateway's pipeline). */
export type RouteAttempt = (attempt: RouteAttemptContext) => Promise<void>;

/**
 * Serves one request through a route: tries the members in the order the
 * route's policy and their measured health give, and falls back to the next on
 * a connection error, a timeout, a 5xx or a 429 before any byte of an answer
 * was sent. Each attempt reserves and settles its own ledger row (service =
 * the member, route = the subscription's route, attempt number); failed
 * attempts are never charged. The answer says which member answered
 * (`x-marketplace-service`, and `x-request-id` names its ledger row).
 */
export async function forwardThroughRoute(options: {
  route: ServiceRoute;
  routes: RouteDirectory;
  grant: KeyGrant;
  requestId: string;
  res: ServerResponse;
  attempt: RouteAttempt;
}): Promise<void> {
  const { route, routes, grant, requestId, res, attempt } = options;
  const plan = routes.plan(route);
  if (plan.length === 0) {
    throw new GatewayError({
      status: 503,
      message: `No service of the route '${route.definition.name}' can take requests right now. Nothing was charged.`,
      code: 'route_unavailable',
      headers: { 'retry-after': '60' },
    });
  }
  res.setHeader('x-marketplace-route', route.definition.name);
  for (let i = 0; i < plan.length; i++) {
    const service = plan[i];
    const attemptId = i === 0 ? requestId : `${requestId}.${i + 1}`;
    res.setHeader('x-request-id', attemptId);
    res.setHeader('x-marketplace-service', service.name);
    res.setHeader('x-marketplace-attempts', String(i + 1));
    try {
      await attempt({
        service,
        grant: {
          ...grant,
          serviceRef: service.ref,
          routeRef: grant.serviceRef,
          routeAttempt: i + 1,
        },
        requestId: attemptId,
        answerModel: service.name,
        canFallBack: i < plan.length - 1,
      });
      routes.health.recordSuccess(service.ref);
      return;
    } catch (error) {
      const failure = failureOf(error);
      if (!failure) {
        throw error;
      }
      if (failure.kind !== 'unavailable') {
        routes.health.recordFailure(service.ref);
      }
      if (i < plan.length - 1 && shouldFallBack(failure, res.headersSent)) {
        continue;
      }
      throw error;
    }
  }
}

/** The routes as the gateway's pipeline sees them. */
export function gatewayRoutes(routes: RouteDirectory): GatewayRoutes {
  const named = (route: ServiceRoute | undefined) =>
    route ? { name: route.definition.name } : undefined;
  return {
    get: model => named(routes.get(model)),
    getByRef: ref => named(routes.getByRef(ref)),
    forward: async ({ model, grant, requestId, res, attempt }) => {
      const route = routes.get(model);
      if (!route) {
        throw new GatewayError({
          status: 404,
          message: `The model '${model}' does not exist in the marketplace.`,
          param: 'model',
          code: 'model_not_found',
        });
      }
      await forwardThroughRoute({
        route,
        routes,
        grant,
        requestId,
        res,
        attempt: a => attempt(a),
      });
    },
  };
}
