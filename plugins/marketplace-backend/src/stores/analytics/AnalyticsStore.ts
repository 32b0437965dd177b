import type {
  AnalyticsService,
  ConsumerUsage,
  ProviderAnalytics,
} from '@internal/plugin-marketplace-common';
import type { Period } from '../../lib/periods';
import type { Measures } from '../ledger/rollup';
import type { ServiceScope } from './customerAnalytics';

/** Whose usage a customer query sums: a user's, a team's, or every customer of some services. */
export interface CustomerSumsQuery {
  userRef?: string;
  teamRef?: string;
  /** Only these services (every customer of them). */
  services?: readonly string[];
  from: number;
  to: number;
}

/** Usage sums of one service and customer (the user and the team billed, if any). */
export interface CustomerSums {
  serviceRef: string;
  userRef: string;
  teamRef: string | null;
  sums: Measures;
}

/**
 * Provider dashboards and consumer usage, read from the usage rollups.
 */
export interface AnalyticsStore {
  /** The provider dashboard for a set of services over a period. */
  providerAnalytics(options: {
    services: AnalyticsService[];
    scope: ServiceScope;
    teams: string[];
    period: Period;
    now: number;
  }): Promise<ProviderAnalytics>;
  /** The caller's own usage per service and per key over a period. */
  consumerUsage(options: {
    userRef: string;
    serviceRef?: string;
    period: Period;
    keyPrefixes: Map<string, string>;
    now: number;
  }): Promise<ConsumerUsage>;
  /**
   * Service sums per UTC day of [from, to) from the hourly rollup, for
   * statements (the rows of a month: days x services).
   */
  serviceDays(
    services: ServiceScope,
    from: number,
    to: number,
  ): Promise<
    Array<{
      serviceRef: string;
      day: number;
      sums: Measures;
    }>
  >;
  /**
   * Customer sums of [from, to) for a user or a team, per UTC day, service,
   * user and payer (the rows of statements and usage exports).
   */
  customerDays(
    options: CustomerSumsQuery,
  ): Promise<Array<CustomerSums & { day: number }>>;
  /** {@link AnalyticsStore.customerDays} with the month of each day. */
  customerMonths(
    options: CustomerSumsQuery,
  ): Promise<Array<CustomerSums & { month: string }>>;
  /** The first UTC day with usage of the services, if any. */
  firstDay(services: ServiceScope): Promise<number | null>;
}

export * from './DatabaseAnalyticsStore';
