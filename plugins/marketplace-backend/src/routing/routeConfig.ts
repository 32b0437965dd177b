import { Config } from '@backstage/config';
import {
  COMPLIANCE_CERTIFICATIONS,
  GEO_REGIONS,
  ROUTE_POLICIES,
  RouteDefinition,
} from '@internal/plugin-marketplace-common';
import { z } from 'zod';

/** A route's name: the gateway's `model`, like a service name. */
export const ROUTE_NAME = /^[a-z0-9][a-z0-9._-]{0,62}$/;

const routeSchema = z
  .object({
    name: z
      .string()
      .regex(ROUTE_NAME, 'must be lowercase letters, digits, dots, dashes'),
    title: z.string().min(1).max(200).optional(),
    description: z.string().max(2000).optional(),
    baseModel: z.string().min(1).max(200).optional(),
    members: z.array(z.string().min(1)).min(1).optional(),
    policy: z.enum(ROUTE_POLICIES).default('price'),
    constraints: z
      .object({
        regions: z.array(z.enum(GEO_REGIONS)).optional(),
        compliance: z.array(z.enum(COMPLIANCE_CERTIFICATIONS)).optional(),
        maxBlendedPer1kMicros: z.number().int().min(0).optional(),
      })
      .strict()
      .default({}),
  })
  .strict()
  .refine(r => r.baseModel !== undefined || r.members !== undefined, {
    message: 'needs baseModel or members',
  });

export interface RoutingConfig {
  routes: RouteDefinition[];
  /** Routes for every base model that two or more live services serve. */
  deriveFromBaseModel: boolean;
}

/**
 * Reads `marketplace.routes` (routes a platform team declares) and
 * `marketplace.routing.deriveFromBaseModel` (default true). An invalid route
 * stops the start with an error naming the route and the field.
 */
export function readRoutingConfig(config: Config): RoutingConfig {
  const raw =
    (config.getOptional('marketplace.routes') as unknown[] | undefined) ?? [];
  if (!Array.isArray(raw)) {
    throw new Error('marketplace.routes must be a list of routes');
  }
  const seen = new Set<string>();
  const routes = raw.map((entry, index) => {
    const result = routeSchema.safeParse(entry);
    if (!result.success) {
      const issue = result.error.issues[0];
      const field = issue.path.join('.');
      throw new Error(
        `marketplace.routes[${index}]${field ? `.${field}` : ''} ${
          issue.message
        }`,
      );
    }
    const r = result.data;
    if (seen.has(r.name)) {
      throw new Error(
        `marketplace.routes[${index}].name '${r.name}' is declared twice`,
      );
    }
    seen.add(r.name);
    const route: RouteDefinition = {
      name: r.name,
      title: r.title ?? r.name,
      policy: r.policy,
      constraints: r.constraints,
      source: 'config',
    };
    if (r.description !== undefined) route.description = r.description;
    if (r.baseModel !== undefined) route.baseModel = r.baseModel;
    if (r.members !== undefined) route.members = r.members;
    return route;
  });
  return {
    routes,
    deriveFromBaseModel:
      config.getOptionalBoolean('marketplace.routing.deriveFromBaseModel') ??
      true,
  };
}
