import type { ServerResponse } from 'http';
import { GatewayError } from '../errors';
import type { RouteAttemptContext } from '../routing/attempts';
import type { Pipeline } from './call';
import { lifecycleHeaders, successorName } from './lifecycle';
import type { GatewayReservation, GatewayService, KeyGrant } from './ports';
import { routeNotSubscribedError, suspendedError } from './rejections';

/**
 * Step 2: the model a call names to a servable service the grant may call.
 * With a response, sets the lifecycle headers of a retiring service on it
 * (on every answer, an error too).
 */
export async function resolveService<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  model: string,
  grant: KeyGrant,
  res?: ServerResponse,
  attempt?: RouteAttemptContext,
): Promise<GatewayService> {
  const service =
    attempt?.service ?? (await pipeline.options.services.get(model));
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
  const lifecycle = lifecycleHeaders(service, pipeline.options.portalBaseUrl);
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
 * Whether a grant may use a model, for routes answered without forwarding
 * (token counting): the same 404/403/410 as step 2, nothing metered.
 */
export async function authorizeModel<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  model: string,
  grant: KeyGrant,
): Promise<void> {
  const route = pipeline.options.routes?.get(model);
  if (route) {
    if (grant.serviceRef !== `route:default/${route.name}`) {
      throw routeNotSubscribedError(grant, route.name);
    }
    return;
  }
  await resolveService(pipeline, model, grant);
}

/** `GET /v1/models`: the one model a key may call. */
export async function listModels<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  grant: KeyGrant,
) {
  // Completions check suspensions while reserving budget; this read has no
  // reservation, so it asks.
  const suspension = await pipeline.options.grants.getSuspension(grant.userRef);
  if (suspension) {
    throw suspendedError(suspension.reason);
  }
  // A route subscription lists its route.
  const route = pipeline.options.routes?.getByRef(grant.serviceRef);
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
  const service = pipeline.options.services.getByRef(grant.serviceRef);
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
            owned_by: service.provider?.spec.displayName ?? service.providerRef,
          },
        ]
      : [];
  return { object: 'list', data };
}

/** The sunset of an unpublished service has passed: the gateway answers 410. */
export function isSunset(s: GatewayService, now = Date.now()): boolean {
  return !!s.unpublication && s.unpublication.sunsetAt <= now;
}

/** The gateway serves it: approved and not past its sunset. */
export function isServable(s: GatewayService, now = Date.now()): boolean {
  return s.status === 'approved' && !isSunset(s, now);
}
