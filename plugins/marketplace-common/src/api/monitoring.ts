/**
 * Types of the monitoring API: `GET /marketplace/services/{name}/metrics`.
 * Every measured value comes from the marketplace's probes and the gateway's
 * ledger; `null` means nothing was measured.
 */

/**
 * The window of the traffic metrics (`?window=`).
 *
 * @public
 */
export type MetricsWindow = '1h' | '24h' | '7d' | '30d';

/** @public */
export const METRICS_WINDOWS: readonly MetricsWindow[] = [
  '1h',
  '24h',
  '7d',
  '30d',
];

/**
 * How a measured value stands against the provider's commitment over the SLA
 * window: `at_risk` is within 10% of the target (for uptime: more than 90% of
 * the allowed downtime used); `no_data` when there are too few measurements.
 *
 * @public
 */
export type SlaStatus = 'met' | 'at_risk' | 'breached' | 'no_data';

/** @public */
export type SlaMetric = 'uptime' | 'latencyP50' | 'latencyP95' | 'latencyP99';

/** @public */
export type ProbeOutcome = 'up' | 'down' | 'maintenance';

/** @public */
export type ProbeErrorKind =
  | 'timeout'
  | 'connection'
  | 'bad_status'
  | 'bad_response'
  | 'credentials_missing';

/**
 * One health check of the service's upstream.
 *
 * @public
 */
export interface ServiceProbe {
  probedAt: string;
  outcome: ProbeOutcome;
  httpStatus: number | null;
  errorKind: ProbeErrorKind | null;
  latencyMs: number | null;
}

/**
 * Probe counts and uptime of one UTC day.
 *
 * @public
 */
export interface UptimeDay {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  upProbes: number;
  downProbes: number;
  maintenanceProbes: number;
  /** up / (up + down); maintenance checks do not count. */
  uptimePercent: number | null;
}

/** @public */
export interface UptimeMetrics {
  uptime7dPercent: number | null;
  uptime30dPercent: number | null;
  /** The last 30 UTC days, oldest first (today so far last). */
  daily: UptimeDay[];
}

/**
 * Gateway traffic over the chosen window.
 *
 * @public
 */
export interface TrafficMetrics {
  /** Ledger rows (forwarded requests) in the window. */
  requests: number;
  /** Of those, failures of the upstream (errors and timeouts). */
  errors: number;
  errorRatePercent: number | null;
  /** Latency percentiles of the successful requests. */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Time to first token of the successful streamed requests. */
  timeToFirstTokenP50Ms: number | null;
  timeToFirstTokenP95Ms: number | null;
  /** Output tokens per second of generation (completion tokens / generation time). */
  tokensPerSecond: number | null;
  /** Requests per second over the window. */
  requestsPerSecond: number;
}

/**
 * A latency point of the history chart: one hour (1h, 24h windows) or one UTC
 * day (7d, 30d).
 *
 * @public
 */
export interface LatencyPoint {
  start: string;
  requests: number;
  p50Ms: number | null;
  p95Ms: number | null;
  p99Ms: number | null;
}

/**
 * A committed value beside the measured one over the SLA window.
 *
 * @public
 */
export interface SlaAssessment {
  metric: SlaMetric;
  unit: 'percent' | 'ms';
  committed: number;
  measured: number | null;
  status: SlaStatus;
  /** Probes (uptime) or successful requests (latency) behind the value. */
  samples: number;
  windowDays: number;
}

/**
 * A down period: consecutive down checks, from the first down check to the next
 * up check (`endedAt` null while ongoing).
 *
 * @public
 */
export interface ServiceIncident {
  startedAt: string;
  endedAt: string | null;
  downProbes: number;
  lastErrorKind: ProbeErrorKind | null;
  lastHttpStatus: number | null;
}

/**
 * A recorded SLA breach (one per service, metric and 30-day window).
 *
 * @public
 */
export interface SlaBreach {
  metric: SlaMetric;
  measured: number;
  committed: number;
  windowStart: string;
  windowEnd: string;
  detectedAt: string;
}

/**
 * What the provider commits to (from the entity's `spec.sla`).
 *
 * @public
 */
export interface CommittedSla {
  latencyP50Ms: number;
  latencyP95Ms: number;
  latencyP99Ms: number;
  uptimePercent: number;
  requestsPerSecond: number;
  tokensPerSecond: number;
}

/**
 * `GET /marketplace/services/{name}/metrics`.
 *
 * @public
 */
export interface ServiceQualityMetrics {
  serviceRef: string;
  generatedAt: string;
  window: MetricsWindow;
  windowStart: string;
  committed: CommittedSla;
  uptime: UptimeMetrics;
  traffic: TrafficMetrics;
  latencyHistory: LatencyPoint[];
  sla: SlaAssessment[];
  incidents: ServiceIncident[];
  breaches: SlaBreach[];
  lastProbe: ServiceProbe | null;
}
