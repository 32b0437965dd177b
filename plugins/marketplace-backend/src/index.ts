/**
 * The LLM marketplace backend: REST API and the OpenAI-compatible metering gateway.
 *
 * @packageDocumentation
 */
export { marketplacePlugin as default } from './plugin';
export { createStandaloneGateway, GATEWAY_BASE_PATH } from './standalone';
export type { StandaloneGateway } from './standalone';
// What a standalone gateway's tests (and tools) write as the portal would.
export { ServiceSnapshotWriter } from './catalog/ServiceSnapshot';
// The store's database implementation, under the name tools have used.
export { DatabaseSubscriptionStore as SubscriptionStore } from './stores/SubscriptionStore';
export {
  ledgerInvariantViolations,
  readLedgerBalances,
} from './stores/ledger/ledgerInvariants';
export type { LedgerBalance } from './stores/ledger/ledgerInvariants';
// The embedded gateway's fast lane, which the backend puts in front of its
// express stack (packages/backend, the root HTTP router).
export { embeddedGatewayLane } from '@internal/plugin-marketplace-gateway-node';
