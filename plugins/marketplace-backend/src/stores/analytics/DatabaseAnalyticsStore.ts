import {
  AnalyticsService,
  ConsumerUsage,
  ProviderAnalytics,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { Period } from '../../lib/periods';
import { Measures } from '../ledger/rollup';
import type {
  AnalyticsStore,
  CustomerSums,
  CustomerSumsQuery,
} from './AnalyticsStore';
import { consumerUsage } from './consumerUsage';
import { ServiceScope } from './customerAnalytics';
import {
  customerDays,
  customerMonths,
  firstDay,
  serviceDays,
} from './dailySums';
import { providerAnalytics } from './providerAnalytics';

export type { ServiceScope };

/**
 * Sums of the usage rollups (src/stores/ledger/rollup.ts) for a period, shaped for
 * the provider dashboard and the consumer usage page. Every query reads the
 * rollups only, never the ledger rows, so its cost depends on the number of
 * hours x services (and days x API keys) of the period, not on the number of
 * requests. The queries: providerAnalytics.ts, consumerUsage.ts, dailySums.ts;
 * each method is documented on {@link AnalyticsStore}.
 */
export class DatabaseAnalyticsStore implements AnalyticsStore {
  constructor(private readonly db: Knex) {}

  providerAnalytics(options: {
    services: AnalyticsService[];
    scope: ServiceScope;
    teams: string[];
    period: Period;
    now: number;
  }): Promise<ProviderAnalytics> {
    return providerAnalytics(this.db, options);
  }

  consumerUsage(options: {
    userRef: string;
    serviceRef?: string;
    period: Period;
    keyPrefixes: Map<string, string>;
    now: number;
  }): Promise<ConsumerUsage> {
    return consumerUsage(this.db, options);
  }

  serviceDays(
    services: ServiceScope,
    from: number,
    to: number,
  ): Promise<Array<{ serviceRef: string; day: number; sums: Measures }>> {
    return serviceDays(this.db, services, from, to);
  }

  customerDays(
    options: CustomerSumsQuery,
  ): Promise<Array<CustomerSums & { day: number }>> {
    return customerDays(this.db, options);
  }

  customerMonths(
    options: CustomerSumsQuery,
  ): Promise<Array<CustomerSums & { month: string }>> {
    return customerMonths(this.db, options);
  }

  firstDay(services: ServiceScope): Promise<number | null> {
    return firstDay(this.db, services);
  }
}
