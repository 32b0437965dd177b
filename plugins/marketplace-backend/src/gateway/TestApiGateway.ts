import { LoggerService } from '@backstage/backend-plugin-api';
import {
  Gateway,
  GatewayError,
  INBOUND_PROTOCOLS,
  InboundProtocol,
  sendGatewayError,
} from '@internal/plugin-marketplace-gateway-node';
import { Response } from 'express';
import { KeyGrant } from '../stores/SubscriptionStore';
import { Reservation } from '../stores/ledger/ledgerTypes';

/** The protocols the Test API playground can send through (`?protocol=`). */
export const TEST_PROTOCOLS = Object.keys(
  INBOUND_PROTOCOLS,
) as readonly InboundProtocol[];
export type TestProtocol = InboundProtocol;

/** One call of the portal's Test API playground. */
export interface TestApiCall {
  res: Response;
  /** The signed-in user's grant on their own subscription. */
  grant: KeyGrant;
  /** The request body, its `model` set to the service tested. */
  body: unknown;
  protocol: TestProtocol;
  /** The answer's `x-request-id`: the ledger row's id. */
  requestId: string;
  /** When the Test API received the request (`performance.now()`): the ledger row's wait. */
  receivedAt: number;
}

/**
 * The Test API's entry into the gateway: the playground's calls run through
 * the same pipeline as key-authenticated ones (same checks, same metering,
 * one ledger row each), for a grant the portal holds.
 */
export class TestApiGateway {
  constructor(
    private readonly gateway: Gateway<Reservation>,
    private readonly logger: LoggerService,
  ) {}

  /**
   * Runs one playground call through the pipeline and answers it (JSON or
   * SSE), in the protocol asked for (Chat Completions by default).
   */
  completeChat(call: TestApiCall): Promise<void> {
    return this.gateway
      .entry(call.protocol)
      .create(call.res, call.grant, call.body, call.requestId, {
        receivedAt: call.receivedAt,
      });
  }

  /** Answers a failed Test API call in OpenAI's error shape; anything unexpected is a logged 500. */
  sendError(res: Response, error: unknown) {
    if (error instanceof GatewayError) {
      sendGatewayError(res, error);
      return;
    }
    this.logger.error(`Gateway error: ${(error as Error)?.stack ?? error}`);
    sendGatewayError(
      res,
      new GatewayError({
        status: 500,
        message: 'The gateway failed to handle the request.',
        code: 'internal_error',
      }),
    );
  }
}
