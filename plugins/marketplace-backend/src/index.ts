/**
 * The LLM marketplace backend: REST API and the OpenAI-compatible metering gateway.
 *
 * @packageDocumentation
 */
export { marketplacePlugin as default } from './plugin';
export { createStandaloneGateway, GATEWAY_BASE_PATH } from './standalone';
export type { StandaloneGateway } from './standalone';
// What a standalone gateway's tests (and tools) write as the portal would.
export { ServiceSnapshotWriter } from './gateway/ServiceSnapshot';
export { SubscriptionStore } from './database/SubscriptionStore';
export {
  ledgerInvariantViolations,
  readLedgerBalances,
} from './database/ledgerInvariants';
export type { LedgerBalance } from './database/ledgerInvariants';
// The embedded gateway's fast lane, which the backend puts in front of its
// express stack (packages/backend, the root HTTP router).
export { embeddedGatewayLane } from '@internal/plugin-marketplace-gateway-node';
