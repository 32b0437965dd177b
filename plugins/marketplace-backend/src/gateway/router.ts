import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ALL_PROTOCOLS,
  createGatewayHttpHandler,
  GatewayHttpHandler,
  EgressPolicy,
  Gateway,
  RateLimiter,
  StreamLimits,
  UpstreamCredentials,
} from '@internal/plugin-marketplace-gateway-node';
import { RequestHandler } from 'express';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { Reservation } from '../stores/ledger/ledgerTypes';
import { SubscriptionStore } from '../stores/SubscriptionStore';
import { SecretResolver } from './secrets';
import { TeamMembership } from './TeamMembership';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { RouteDirectory } from '../routing/RouteDirectory';
import { gatewayRoutes } from '../routing/routeGateway';
import { TestApiGateway } from './TestApiGateway';
import { UpstreamCredentialError, upstreamAuthHeaders } from './upstreamAuth';

export { newRequestId } from '@internal/plugin-marketplace-gateway-node';

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

/**
 * The headers that authenticate a service's upstream calls, with the
 * provider's credential (never another provider's).
 */
export function upstreamCredentials(
  secrets: SecretResolver,
): UpstreamCredentials {
  return async service => {
    try {
      return {
        ok: true,
        headers: await upstreamAuthHeaders(
          service.entity.spec.endpoint,
          service.providerRef,
          secrets,
        ),
      };
    } catch (error) {
      if (!(error instanceof UpstreamCredentialError)) {
        throw error;
      }
      return { ok: false, reason: error.reason, message: error.message };
    }
  };
}

/** The metering gateway embedded in the marketplace backend. */
export interface EmbeddedGateway {
  /** The pipeline of `@internal/plugin-marketplace-gateway-node` on the backend's stores. */
  pipeline: Gateway<Reservation>;
  /**
   * Its routes (mounted at /api/marketplace/gateway): `GET /v1/models` and one
   * POST route per client protocol.
   */
  router: RequestHandler;
  /** The same routes as a plain `node:http` handler, for the backend's fast lane. */
  handleHttp: GatewayHttpHandler;
  /** The Test API's entry: playground calls straight into the pipeline. */
  testApi: TestApiGateway;
}

/** The gateway embedded in the backend: its pipeline, routes and Test API entry. */
export function createEmbeddedGateway(
  options: GatewayRouterOptions,
): EmbeddedGateway {
  const { logger } = options;
  const pipeline = new Gateway<Reservation>({
    logger,
    grants: options.subscriptions,
    ledger: options.ledger,
    services: options.directory,
    credentials: upstreamCredentials(options.secrets),
    rateLimiter: options.rateLimiter,
    upstreamTimeoutMs: options.upstreamTimeoutMs,
    maxRequestMs: options.maxRequestMs,
    teamMembership: options.teamMembership,
    portalBaseUrl: options.portalBaseUrl,
    egress: options.egress,
    streamLimits: options.streamLimits,
    routes: options.routes ? gatewayRoutes(options.routes) : undefined,
  });
  const handler = createGatewayHttpHandler({
    gateway: pipeline,
    protocols: ALL_PROTOCOLS,
    logger,
  });
  return {
    pipeline,
    router: (req, res) => handler(req, res),
    handleHttp: handler,
    testApi: new TestApiGateway(pipeline, logger),
  };
}

/** The embedded gateway's routes alone, as one express handler. */
export function createGatewayRouter(
  options: GatewayRouterOptions,
): RequestHandler {
  return createEmbeddedGateway(options).router;
}
