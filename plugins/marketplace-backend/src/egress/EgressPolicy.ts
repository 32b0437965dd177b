/**
 * The egress policy of upstream and probe traffic lives with the gateway's
 * data plane (`@internal/plugin-marketplace-gateway-node`), which the
 * standalone gateway shares; the prober uses the same.
 */
export {
  EgressDeniedError,
  EgressPolicy,
  isDeniedAddress,
  upstreamUrlProblem,
} from '@internal/plugin-marketplace-gateway-node';
