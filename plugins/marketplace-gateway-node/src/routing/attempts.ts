import type { ServerResponse } from 'http';
import type { GatewayService, KeyGrant } from '../pipeline/ports';

/** Why one member of a route failed: whether the route may fall back from it. */
export type AttemptFailure =
  | { kind: 'connection' }
  | { kind: 'timeout' }
  | { kind: 'status'; status: number }
  /** The gateway could not call the member at all (no credential, context too small). */
  | { kind: 'unavailable' };

const failures = new WeakMap<object, AttemptFailure>();

/**
 * Marks a gateway error as a member's failure a route may fall back from (the
 * route loop decides whether it does). Returns the error, to be thrown.
 */
export function attemptFailed<E extends Error>(
  failure: AttemptFailure,
  error: E,
): E {
  failures.set(error, failure);
  return error;
}

/** The failure an error was marked with by {@link attemptFailed}, if any. */
export function failureOf(error: unknown): AttemptFailure | undefined {
  return error && typeof error === 'object' ? failures.get(error) : undefined;
}

/** One attempt of a route's request: one member, with the attempt's grant. */
export interface RouteAttemptContext<
  S extends GatewayService = GatewayService,
  G extends KeyGrant = KeyGrant,
> {
  service: S;
  /** The subscription's grant with the member as service and the route and attempt. */
  grant: G;
  /** The attempt's ledger row id (also the answer's `x-request-id`). */
  requestId: string;
  /** The name the answer's `model` carries: the member that answered. */
  answerModel: string;
  /** False for the last member: its failure is the client's answer. */
  canFallBack: boolean;
}

/**
 * Routes: one `model` in front of several services, with fallback. The
 * marketplace backend implements it (route selection by measured health); the
 * pipeline runs each attempt.
 */
export interface GatewayRoutes {
  /** The route a model names, if it is one. */
  get(model: string): { name: string } | undefined;
  /** The route a subscription is for (its ref, `route:default/<name>`), if any. */
  getByRef(ref: string): { name: string } | undefined;
  /**
   * Serves one request through a route: runs `attempt` for one member after
   * another until one answers or the route may not fall back.
   */
  forward(options: {
    model: string;
    grant: KeyGrant;
    requestId: string;
    res: ServerResponse;
    attempt: (attempt: RouteAttemptContext) => Promise<void>;
  }): Promise<void>;
}
