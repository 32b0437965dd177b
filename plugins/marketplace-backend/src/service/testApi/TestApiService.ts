import { GatewayError } from '@internal/plugin-marketplace-gateway-node';
import { Response } from 'express';
import { SubscriptionStore } from '../../stores/SubscriptionStore';
import { newRequestId } from '../../gateway/router';
import {
  TEST_PROTOCOLS,
  TestApiGateway,
  TestProtocol,
} from '../../gateway/TestApiGateway';
import { ApiRequest } from '../../schema/openapi';
import { Access } from '../access';
import { ServiceListing } from '../services/ServiceListing';

export interface TestApiServiceOptions {
  access: Access;
  subscriptions: Pick<SubscriptionStore, 'getActive' | 'listKeys'>;
  listing: Pick<ServiceListing, 'visible'>;
  /** The gateway's pipeline, as the Test API calls it. */
  gateway: TestApiGateway;
}

/**
 * The Test API (`POST /v1/services/{name}/test`): the portal's playground calls
 * the gateway on the signed-in user's own subscription (trial or paid), without
 * the user pasting a key. It runs the gateway pipeline directly
 * ({@link TestApiGateway}): same checks, same metering, the request lands in the
 * ledger like any other. Answers in the chosen protocol's shape (JSON or SSE),
 * errors in OpenAI's.
 */
export class TestApiService {
  constructor(private readonly options: TestApiServiceOptions) {}

  /** Answers one playground call; `name` is the service's, validated by the document. */
  async handle(req: ApiRequest, res: Response, name: string): Promise<void> {
    const { access, subscriptions, listing, gateway } = this.options;
    const receivedAt = performance.now(); // the wait before going upstream counts from here
    const me = await access.caller(req);
    const s = await listing.visible(name, me);
    const requestId = newRequestId();
    res.setHeader('x-request-id', requestId);
    try {
      const subscription = await subscriptions.getActive(me.userRef, s.ref);
      if (!subscription) {
        throw new GatewayError({
          status: 403,
          message: `You have no subscription to ${
            s.name
          }. Press Start Using to subscribe${
            s.entity.spec.trial ? ' and start the free trial' : ''
          }, then test it here.`,
          code: 'not_subscribed',
        });
      }
      const key = (
        await subscriptions.listKeys({
          userRef: me.userRef,
          subscriptionId: subscription.id,
        })
      ).find(k => k.revokedAt === null);
      if (!key) {
        throw new GatewayError({
          status: 403,
          message:
            'All API keys of this subscription are revoked. Create a new key (Create new key, here or in My subscriptions), then test again.',
          code: 'no_active_key',
        });
      }
      await gateway.completeChat({
        res,
        grant: {
          keyId: key.id,
          subscriptionId: subscription.id,
          userRef: me.userRef,
          teamRef: subscription.teamRef,
          serviceRef: s.ref,
          keyRevoked: false,
          subscriptionActive: true,
        },
        body: { ...(req.body ?? {}), model: s.name },
        protocol: protocolOf(req.query.protocol),
        requestId,
        receivedAt,
      });
    } catch (error) {
      gateway.sendError(res, error);
    }
  }
}

/**
 * The protocol the playground speaks (chat by default). Checked here, not by
 * the document: a bad value is answered in OpenAI's error shape, like every
 * error of this route.
 */
function protocolOf(raw: unknown): TestProtocol {
  const protocol = raw === undefined ? 'chat' : String(raw);
  if (!TEST_PROTOCOLS.includes(protocol as TestProtocol)) {
    throw new GatewayError({
      status: 400,
      message: `Invalid value for 'protocol': use one of ${TEST_PROTOCOLS.join(
        ', ',
      )}.`,
      param: 'protocol',
      code: 'invalid_value',
    });
  }
  return protocol as TestProtocol;
}
