import { ComplianceCertification, GeoRegion } from '../kinds/constants';

/**
 * How a route picks among its healthy members: the lowest blended price, the
 * lowest measured p95 time to first token, the highest measured throughput, or
 * the declared order.
 *
 * @public
 */
export const ROUTE_POLICIES = [
  'price',
  'latency',
  'throughput',
  'order',
] as const;
/** @public */
export type RoutePolicy = (typeof ROUTE_POLICIES)[number];

/**
 * What every member of a route must satisfy.
 *
 * @public
 */
export interface RouteConstraints {
  /** Regions a member may run in (any of them). */
  regions?: GeoRegion[];
  /** Certifications a member must all hold. */
  compliance?: ComplianceCertification[];
  /** Highest blended price per 1K tokens (micro-USD) a member may charge. */
  maxBlendedPer1kMicros?: number;
}

/**
 * A route: one model name in front of several services serving the same base
 * model. Declared by a platform team (`marketplace.routes` in app-config) or
 * derived from the services' `baseModel`.
 *
 * @public
 */
export interface RouteDefinition {
  /** The gateway's `model` for the route; never a service's name. */
  name: string;
  title: string;
  description?: string;
  /** Members: the live services of this base model (when `members` is not set). */
  baseModel?: string;
  /** Members by service name, in order (the `order` policy follows it). */
  members?: string[];
  policy: RoutePolicy;
  constraints: RouteConstraints;
  source: 'config' | 'derived';
}

/** Entity-ref-like key of a route in subscriptions and the ledger. */
export function routeRefOf(name: string): string {
  return `route:default/${name}`;
}

/** Whether a subscription's or ledger row's ref names a route. */
export function isRouteRef(ref: string): boolean {
  return ref.startsWith('route:');
}

/**
 * One member of a route as the API shows it, with what was measured.
 *
 * @public
 */
export interface RouteMember {
  name: string;
  ref: string;
  title: string;
  providerName: string;
  region: GeoRegion;
  blendedPer1kMicros: number;
  promptPer1kMicros: number;
  completionPer1kMicros: number;
  /** Measured; null until measured. */
  timeToFirstTokenP95Ms: number | null;
  tokensPerSecond: number | null;
  uptime30d: number | null;
  /** False while recent probes or requests failed. */
  healthy: boolean;
}

/**
 * A route with its members, best first under its policy right now.
 *
 * @public
 */
export interface RouteSummary {
  name: string;
  ref: string;
  title: string;
  description: string | null;
  baseModel: string | null;
  policy: RoutePolicy;
  constraints: RouteConstraints;
  source: 'config' | 'derived';
  members: RouteMember[];
  /** Services of the base model left out, and why. */
  excluded: { name: string; reason: string }[];
}
