/**
 * For benchmarks and tools outside the plugin (`bench/`): the marketplace's
 * database set up as the plugin sets it up, and its stores. Import from
 * `@internal/plugin-marketplace-backend/testUtils`, never from `src/`.
 *
 * @packageDocumentation
 */
export { connectDatabase } from './stores/migrate';
export { SubscriptionStore } from './stores/SubscriptionStore';
export type { KeyGrant } from './stores/SubscriptionStore';
export { UsageLedger } from './stores/ledger/UsageLedger';
export { createSettlementWriter } from './stores/ledger/settlementWriter';
export { AnalyticsStore } from './stores/analytics/AnalyticsStore';
export { StatementStore } from './stores/analytics/StatementStore';
export {
  addMonths,
  monthEnd,
  monthsOf,
  monthStart,
  resolvePeriod,
} from './lib/periods';
export type { Period } from './lib/periods';
