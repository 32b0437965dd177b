import type { ProbeOutcome } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import type { HourAggregate, HourEntry, HourGrid } from './hourAggregates';
import type {
  BreachRecord,
  IncidentRecord,
  MonitoringStore,
  ProbeRecord,
  UsageStats,
} from './MonitoringStore';
import {
  inFlightNow,
  lastProbe,
  lastProbeOutcomes,
  listIncidents,
  recordProbes,
} from './probeQueries';
import {
  computeHours,
  deleteOlderThan,
  hoursOf,
  rolledUpSince,
  rollup,
} from './rollupQueries';
import { listBreaches, recordBreach, unclaimBreach } from './slaBreachQueries';
import { providerActiveUsers, usageStats } from './usageStatsQueries';

/**
 * The monitoring tables: probes and incidents (written by the prober), hourly
 * rollups of probes and gateway ledger rows (maintained by {@link rollup}), and
 * SLA breaches. The ledger is only read here, never changed. The queries are in
 * probeQueries.ts, usageStatsQueries.ts, rollupQueries.ts and
 * slaBreachQueries.ts; each method is documented on {@link MonitoringStore}.
 */
export class DatabaseMonitoringStore implements MonitoringStore {
  constructor(private readonly db: Knex) {}

  // --- Probes and incidents -------------------------------------------------

  recordProbes(probes: ProbeRecord[]): Promise<void> {
    return recordProbes(this.db, probes);
  }

  listIncidents(
    serviceRef: string,
    since: number,
    limit = 50,
  ): Promise<IncidentRecord[]> {
    return listIncidents(this.db, serviceRef, since, limit);
  }

  lastProbe(serviceRef: string): Promise<ProbeRecord | undefined> {
    return lastProbe(this.db, serviceRef);
  }

  lastProbeOutcomes(since: number): Promise<Map<string, ProbeOutcome>> {
    return lastProbeOutcomes(this.db, since);
  }

  inFlightNow(serviceRefs?: string[]): Promise<Map<string, number>> {
    return inFlightNow(this.db, serviceRefs);
  }

  // --- Usage ----------------------------------------------------------------

  usageStats(
    now: number,
    serviceRef?: string,
  ): Promise<Map<string, UsageStats>> {
    return usageStats(this.db, now, serviceRef);
  }

  providerActiveUsers(providerRef: string, now: number): Promise<number> {
    return providerActiveUsers(this.db, providerRef, now);
  }

  // --- Aggregation, rollup and retention ------------------------------------

  computeHours(
    range: { from: number; to: number },
    serviceRefs?: string[],
  ): Promise<HourGrid> {
    return computeHours(this.db, range, serviceRefs);
  }

  hoursOf(serviceRef: string, from: number, to: number): Promise<HourEntry[]> {
    return hoursOf(this.db, serviceRef, from, to);
  }

  rolledUpSince(
    since: number,
    options: { histograms: boolean },
  ): Promise<Map<string, HourAggregate>> {
    return rolledUpSince(this.db, since, options);
  }

  rollup(options: {
    now: number;
    retentionMs: number;
    lagMs: number;
  }): Promise<{ hours: number }> {
    return rollup(this.db, options);
  }

  deleteOlderThan(cutoff: number): Promise<void> {
    return deleteOlderThan(this.db, cutoff);
  }

  // --- SLA breaches ---------------------------------------------------------

  recordBreach(breach: Omit<BreachRecord, 'notifiedAt'>): Promise<boolean> {
    return recordBreach(this.db, breach);
  }

  unclaimBreach(
    breach: Pick<BreachRecord, 'serviceRef' | 'metric' | 'windowStart'>,
  ): Promise<void> {
    return unclaimBreach(this.db, breach);
  }

  listBreaches(serviceRef: string, limit = 20): Promise<BreachRecord[]> {
    return listBreaches(this.db, serviceRef, limit);
  }
}
