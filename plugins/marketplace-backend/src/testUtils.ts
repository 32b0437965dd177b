/**
 * For benchmarks and tools outside the plugin (`bench/`): the marketplace's
 * database set up as the plugin sets it up, and its stores. Import from
 * `@internal/plugin-marketplace-backend/testUtils`, never from `src/`. The
 * stores are their database implementations, under the stores' names.
 *
 * @packageDocumentation
 */
export { connectDatabase } from './stores/migrate';
export { DatabaseSubscriptionStore as SubscriptionStore } from './stores/SubscriptionStore';
export type { KeyGrant } from './stores/SubscriptionStore';
export { DatabaseUsageLedger as UsageLedger } from './stores/ledger/UsageLedger';
export { createSettlementWriter } from './stores/ledger/settlementWriter';
export { DatabaseAnalyticsStore as AnalyticsStore } from './stores/analytics/AnalyticsStore';
export { DatabaseStatementStore as StatementStore } from './stores/analytics/StatementStore';
export {
  addMonths,
  monthEnd,
  monthsOf,
  monthStart,
  resolvePeriod,
} from './lib/periods';
export type { Period } from './lib/periods';
