/**
 * The marketplace's metering gateway as a data plane: the request pipeline
 * (authenticate, admit, reserve, forward, meter), the wire protocols as
 * adapters, rate limits in memory or Redis, and a node:http handler.
 *
 * @packageDocumentation
 */

export { GatewayError, sendGatewayError, sendJson } from './errors';
export { newRequestId } from './requestId';
export { countPromptTokens, countTextTokens } from './tokens';
export type { ChatMessageLike, ChatRequestLike } from './tokens';
export { Gateway } from './pipeline/Gateway';
export type { InboundEntry } from './pipeline/Gateway';
export type { CallOptions, GatewayOptions } from './pipeline/call';
export { suspendedError } from './pipeline/rejections';
export { isServable, isSunset } from './pipeline/resolveService';
export { budgetExceededError } from './pipeline/budgets';
export { lifecycleHeaders, successorName } from './pipeline/lifecycle';
export { attemptFailed, failureOf } from './routing/attempts';
export type {
  AttemptFailure,
  GatewayRoutes,
  RouteAttemptContext,
} from './routing/attempts';
export {
  EgressDeniedError,
  EgressPolicy,
  isDeniedAddress,
  upstreamUrlProblem,
} from './egress/EgressPolicy';
export {
  DEFAULT_STREAM_LIMITS,
  SseEventSplitter,
  StreamLimitError,
} from './streamLimits';
export type { StreamLimits } from './streamLimits';
export { BoundedCache } from './BoundedCache';
export type * from './pipeline/ports';
export type * from './protocols/types';
export { openaiChatAdapter } from './protocols/openaiChat';
export { anthropicMessagesAdapter } from './protocols/anthropicMessages';
export { openaiResponsesAdapter } from './protocols/openaiResponses';
export {
  openaiCompletionsAdapter,
  openaiEmbeddingsAdapter,
} from './protocols/openaiLegacy';
export { anthropicErrorBody } from './protocols/anthropicAnswer';

export { ALL_PROTOCOLS, INBOUND_PROTOCOLS } from './protocols/all';
export type { InboundProtocol } from './protocols/all';
export {
  chatCompletionRequest,
  parseChatCompletionRequest,
} from './protocols/openaiChatRequest';
export type { ChatCompletionRequest } from './protocols/openaiChatRequest';
export { MemoryRateLimiter } from './limits/MemoryRateLimiter';
export type { Admission, RateLimiter, RateLimits } from './limits/types';
export {
  createGatewayHttpHandler,
  authorizationOf,
  MAX_BODY_BYTES,
  readJsonBody,
} from './http/handler';
export type {
  GatewayHttpHandler,
  GatewayHttpHandlerOptions,
} from './http/handler';
export { embeddedGatewayLane, GatewayLane } from './http/lane';
export { UpstreamConnectionError, UpstreamTimeoutError } from './upstream';
export { RedisRateLimiter } from './limits/RedisRateLimiter';
export { MemoryEventBus } from './events/MemoryEventBus';
export { RedisEventBus } from './events/RedisEventBus';
export type { GatewayEvent, GatewayEventBus } from './events/types';
export { createRedisConnection, redisReady } from './redis';
export type { GatewayRedisConfig } from './redis';
export {
  createGatewayCoordination,
  readGatewayRedisConfig,
} from './coordination';
export type { GatewayCoordination } from './coordination';
