import type {
  ProbeErrorKind,
  ProbeOutcome,
} from '@internal/plugin-marketplace-common';
import type { HourAggregate, HourEntry, HourGrid } from './hourAggregates';

/** What a service served (from the analytics rollups). */
export interface UsageStats {
  totalTokens: number;
  requests30d: number;
  tokens30d: number;
  activeUsers30d: number;
}

/** One check of a service's upstream. */
export interface ProbeRecord {
  serviceRef: string;
  probedAt: number;
  outcome: ProbeOutcome;
  httpStatus: number | null;
  errorKind: ProbeErrorKind | null;
  latencyMs: number | null;
}

export interface IncidentRecord {
  serviceRef: string;
  startedAt: number;
  endedAt: number | null;
  lastDownAt: number;
  downProbes: number;
  lastErrorKind: ProbeErrorKind | null;
  lastHttpStatus: number | null;
}

export interface BreachRecord {
  serviceRef: string;
  metric: string;
  windowStart: number;
  measured: number;
  committed: number;
  detectedAt: number;
  notifiedAt: number | null;
}

/**
 * The monitoring tables: probes, incidents, hourly rollups and SLA breaches.
 */
export interface MonitoringStore {
  /**
   * Stores checks and folds them into incidents: a down check opens an incident
   * (or extends the open one), an up check closes it; maintenance checks leave
   * incidents as they are.
   */
  recordProbes(probes: ProbeRecord[]): Promise<void>;
  /** Incidents of a service that were open at some point since `since`, newest first. */
  listIncidents(
    serviceRef: string,
    since: number,
    limit?: number,
  ): Promise<IncidentRecord[]>;
  lastProbe(serviceRef: string): Promise<ProbeRecord | undefined>;
  /** The outcome of the last probe of every service probed since `since`. */
  lastProbeOutcomes(since: number): Promise<Map<string, ProbeOutcome>>;
  /** Requests forwarded and not settled yet (all gateway instances), per service. */
  inFlightNow(serviceRefs?: string[]): Promise<Map<string, number>>;
  /**
   * Usage per service from the analytics rollups (kept equal to the ledger on
   * write): tokens served since the start, requests and distinct users over the
   * 30 days before `now` (whole UTC days for the users).
   */
  usageStats(
    now: number,
    serviceRef?: string,
  ): Promise<Map<string, UsageStats>>;
  /** Distinct users of any service of a provider in the 30 days before `now`. */
  providerActiveUsers(providerRef: string, now: number): Promise<number>;
  /**
   * Aggregates the raw rows (probes and ledger rows) that started in
   * [from, to), per service and UTC hour, in SQL (histograms included). Used by
   * the rollup for whole hours and by reads for the partial hours at the edges of
   * a window.
   */
  computeHours(
    range: {
      from: number;
      to: number;
    },
    serviceRefs?: string[],
  ): Promise<HourGrid>;
  /**
   * The hours of one service in [from, to), exactly: whole hours from the
   * rollups, the partial hours at either edge from the raw rows. Oldest first.
   */
  hoursOf(serviceRef: string, from: number, to: number): Promise<HourEntry[]>;
  /**
   * Sums of the rolled-up hours since `since` for every service (whole hours, as
   * rolled up; the background tasks' view): used by browse and breach detection.
   */
  rolledUpSince(
    since: number,
    options: {
      histograms: boolean;
    },
  ): Promise<Map<string, HourAggregate>>;
  /**
   * Brings the hourly rollups up to date, incrementally: finds the (service,
   * hour) pairs that got rows since the last run (ledger rows by when they were
   * written, `finished_at`, probes by `probed_at`, each looked at from `lagMs`
   * before the watermark so rows written a little late are not missed), and
   * recomputes those hours from the raw rows. Recomputing (instead of adding)
   * makes a second run over the same rows change nothing, and a row that lands
   * in an hour already rolled up (a late ledger row) is counted when that hour
   * is recomputed.
   */
  rollup(options: {
    now: number;
    /** Rows older than this are not rolled up (they are about to be deleted). */
    retentionMs: number;
    lagMs: number;
  }): Promise<{
    hours: number;
  }>;
  /**
   * Deletes probes, rollups and closed incidents older than the retention. The
   * usage ledger is billing data and is never deleted here.
   */
  deleteOlderThan(cutoff: number): Promise<void>;
  /**
   * Records a breach unless one is recorded for the service, metric and window.
   * Returns whether this call is the one that should notify (exactly one caller
   * gets true per breach, across instances).
   */
  recordBreach(breach: Omit<BreachRecord, 'notifiedAt'>): Promise<boolean>;
  /** Lets the next run notify again (the notification could not be sent). */
  unclaimBreach(
    breach: Pick<BreachRecord, 'serviceRef' | 'metric' | 'windowStart'>,
  ): Promise<void>;
  listBreaches(serviceRef: string, limit?: number): Promise<BreachRecord[]>;
}

export * from './DatabaseMonitoringStore';
