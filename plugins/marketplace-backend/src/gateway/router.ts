import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ALL_PROTOCOLS,
  anthropicMessagesAdapter,
  createGatewayHttpHandler,
  EgressPolicy,
  Gateway,
  GatewayError,
  openaiChatAdapter,
  openaiCompletionsAdapter,
  openaiEmbeddingsAdapter,
  openaiResponsesAdapter,
  ProtocolAdapter,
  RateLimiter,
  sendGatewayError,
  StreamLimits,
  UpstreamCredentials,
} from '@internal/plugin-marketplace-gateway-node';
import {
  ErrorRequestHandler,
  Request,
  RequestHandler,
  Response,
} from 'express';
import { UsageLedger } from '../stores/ledger/UsageLedger';
import { Reservation } from '../stores/ledger/ledgerTypes';
import { KeyGrant, SubscriptionStore } from '../stores/SubscriptionStore';
import { SecretResolver } from './secrets';
import { TeamMembership } from './TeamMembership';
import { receivedAtOf } from './timing';
import { ServiceDirectory } from '../catalog/ServiceDirectory';
import { RouteDirectory } from '../routing/RouteDirectory';
import { gatewayRoutes, RouteAttemptContext } from '../routing/routeGateway';
import { UpstreamCredentialError, upstreamAuthHeaders } from './upstreamAuth';

export {
  newRequestId,
  suspendedError,
} from '@internal/plugin-marketplace-gateway-node';

/** The protocols the Test API playground can send through (`?protocol=`). */
export const TEST_PROTOCOLS = [
  'chat',
  'responses',
  'messages',
  'completions',
  'embeddings',
] as const;
export type TestProtocol = (typeof TEST_PROTOCOLS)[number];

const TEST_ADAPTERS: Record<TestProtocol, ProtocolAdapter> = {
  chat: openaiChatAdapter,
  responses: openaiResponsesAdapter,
  messages: anthropicMessagesAdapter,
  completions: openaiCompletionsAdapter,
  embeddings: openaiEmbeddingsAdapter,
};

/** The gateway as an express handler, plus its pipeline for callers that already hold a grant. */
export type GatewayRouter = RequestHandler & {
  completeChat(
    req: Request,
    res: Response,
    grant: KeyGrant,
    attempt?: RouteAttemptContext,
    protocol?: TestProtocol,
  ): Promise<void>;
  sendError: ErrorRequestHandler;
  /** The pipeline, for invalidations. */
  gateway: Gateway<Reservation>;
};

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

/**
 * The OpenAI-compatible gateway embedded in the marketplace backend (mounted
 * at /api/marketplace/gateway): the pipeline of
 * `@internal/plugin-marketplace-gateway-node` on the backend's stores.
 */
export function createGatewayRouter(
  options: GatewayRouterOptions,
): GatewayRouter {
  const { logger } = options;
  const gateway = new Gateway<Reservation>({
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
    gateway,
    protocols: ALL_PROTOCOLS,
    logger,
  });

  const sendError: ErrorRequestHandler = (error, _req, res, _next) => {
    if (error instanceof GatewayError) {
      sendGatewayError(res, error);
      return;
    }
    logger.error(`Gateway error: ${(error as Error)?.stack ?? error}`);
    sendGatewayError(
      res,
      new GatewayError({
        status: 500,
        message: 'The gateway failed to handle the request.',
        code: 'internal_error',
      }),
    );
  };

  const router: RequestHandler = (req, res) => handler(req, res);
  return Object.assign(router, {
    completeChat: (
      req: Request,
      res: Response,
      grant: KeyGrant,
      attempt?: RouteAttemptContext,
      protocol: TestProtocol = 'chat',
    ) =>
      gateway.complete(
        TEST_ADAPTERS[protocol],
        res,
        grant,
        req.body,
        attempt?.requestId ?? String(res.getHeader('x-request-id')),
        // The Test API marks when it received the request: its wait is measured.
        { attempt, receivedAt: receivedAtOf(req) },
      ),
    sendError,
    gateway,
  });
}
