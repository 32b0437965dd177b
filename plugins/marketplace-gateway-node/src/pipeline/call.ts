import type { ServerResponse } from 'http';
import type { EgressPolicy } from '../egress/EgressPolicy';
import type { RateLimiter } from '../limits/types';
import type { ParsedCall, ProtocolAdapter } from '../protocols/types';
import type { GatewayRoutes, RouteAttemptContext } from '../routing/attempts';
import type { StreamLimits } from '../streamLimits';
import type {
  GatewayLedger,
  GatewayLogger,
  GatewayReservation,
  GatewayService,
  GrantStore,
  KeyGrant,
  ServiceLookup,
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

/**
 * What every step of the pipeline reads: the gateway's options with their
 * defaults applied.
 */
export interface Pipeline<R extends GatewayReservation> {
  readonly options: GatewayOptions<R>;
  readonly logger: GatewayLogger;
  readonly limiter: RateLimiter;
  /** Max wait for the upstream's headers, and for each silence while streaming. */
  readonly timeoutMs: number;
  /** The longest a forwarded request may take, a stream included. */
  readonly maxRequestMs: number;
  readonly egress: EgressPolicy;
  readonly streamLimits: StreamLimits;
}

/** Why a forwarded call failed, as its ledger row says. */
export type Failure =
  | 'upstream_error'
  | 'upstream_rejected'
  | 'timeout'
  | 'client_closed';

/** One request on its way through the pipeline. */
export interface Call<R extends GatewayReservation> {
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
