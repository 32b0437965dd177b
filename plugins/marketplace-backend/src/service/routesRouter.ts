import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError, NotFoundError } from '@backstage/errors';
import { routeRefOf } from '@internal/plugin-marketplace-common';
import express from 'express';
import { createApiRouter } from '../schema/openapi';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { RouteDirectory, ServiceRoute } from '../routing/RouteDirectory';
import { Access } from './access';

export interface RoutesRouterOptions {
  access: Access;
  routes: RouteDirectory;
  subscriptions: SubscriptionStore;
  gatewayBaseUrl: () => Promise<string>;
}

/**
 * Routes: one model name in front of several services of one base model. A
 * user subscribes to a route like to a service and gets one key; the gateway
 * picks the member per request and bills the member that answered.
 */
export function createRoutesRouter(
  options: RoutesRouterOptions,
): express.Router {
  const { access, routes, subscriptions } = options;
  const router = createApiRouter();
  function route(name: string): ServiceRoute {
    const found = routes.get(name);
    if (!found) {
      throw new NotFoundError(`No route named '${name}'`);
    }
    return found;
  }

  router.get('/v1/routes', async (req, res) => {
    const me = await access.caller(req);
    const active = new Set(
      (await subscriptions.listForUser(me.userRef, { status: 'active' })).map(
        s => s.serviceRef,
      ),
    );
    res.json({
      routes: routes.list().map(r => ({
        ...routes.summary(r),
        subscribed: active.has(routeRefOf(r.definition.name)),
      })),
    });
  });

  router.get('/v1/routes/:name', async (req, res) => {
    const me = await access.caller(req);
    const r = route(req.params.name);
    const ref = routeRefOf(r.definition.name);
    const subscription =
      (await subscriptions.getActive(me.userRef, ref)) ?? null;
    res.json({
      route: routes.summary(r),
      subscription,
      endpoint: {
        baseUrl: await options.gatewayBaseUrl(),
        model: r.definition.name,
      },
      keys: subscription
        ? await subscriptions.listKeys({
            userRef: me.userRef,
            subscriptionId: subscription.id,
          })
        : [],
    });
  });

  router.post('/v1/routes/:name/subscribe', async (req, res) => {
    const me = await access.caller(req);
    const r = route(req.params.name);
    const body = req.body ?? {};
    const suspension = await subscriptions.getSuspension(me.userRef);
    if (suspension) {
      throw new NotAllowedError(
        `Your marketplace account is suspended${
          suspension.reason ? `: ${suspension.reason}` : ''
        }. Contact the platform admins.`,
      );
    }
    let teamRef: string | null = null;
    if (body.teamRef) {
      let parsed;
      try {
        parsed = parseEntityRef(body.teamRef, {
          defaultKind: 'group',
          defaultNamespace: 'default',
        });
      } catch (error) {
        throw new InputError(
          `Invalid body field 'teamRef': ${(error as Error).message}`,
        );
      }
      teamRef = stringifyEntityRef(parsed).toLocaleLowerCase('en-US');
      if (!teamRef.startsWith('group:') || !me.ownership.includes(teamRef)) {
        throw new NotAllowedError(
          `Invalid body field 'teamRef': you can only bill groups you are a member of`,
        );
      }
    }
    // No trial and no price snapshot: each request pays the price of the
    // member that answered it.
    const { subscription, apiKey } = await subscriptions.create({
      serviceRef: routeRefOf(r.definition.name),
      userRef: me.userRef,
      teamRef,
      spendCapMicros: body.spendCapMicros ?? null,
      trialTokens: 0,
    });
    res.status(201).json({
      subscription,
      apiKey,
      endpoint: {
        baseUrl: await options.gatewayBaseUrl(),
        model: r.definition.name,
      },
    });
  });

  router.delete('/v1/routes/:name/subscribe', async (req, res) => {
    const me = await access.caller(req);
    const { name } = req.params;
    // Works also for a route that no longer exists.
    const subscription = await subscriptions.cancel(
      me.userRef,
      routeRefOf(name),
    );
    res.json({ subscription });
  });

  return router;
}
