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
 * Probe counts, request outcomes and uptime of one UTC day.
 *
 * @public
 */
export interface UptimeDay {
  /** `YYYY-MM-DD` (UTC). */
  date: string;
  upProbes: number;
  downProbes: number;
  maintenanceProbes: number;
  /** Successful real requests. */
  okRequests: number;
  /** Real requests the service failed (upstream 5xx, timeouts). */
  failedRequests: number;
  /**
   * (up probes + ok requests) / (probes + counted requests); maintenance
   * checks and client errors do not count.
   */
  uptimePercent: number | null;
}

/**
 * Availability over a period, from the probes and the real requests, with the
 * data behind it: `days` is how much of the period has data (a service
 * approved yesterday has about 1 day, never "30 days").
 *
 * @public
 */
export interface AvailabilityFigure {
  /** Successful checks / all checks (probes and requests); null below the minimum. */
  percent: number | null;
  /** Days of data behind the figure, one decimal (at most the period). */
  days: number;
  /** The period asked for, in days. */
  periodDays: number;
  /** Probes counted (up + down). */
  probes: number;
  /** Requests counted (ok + failed by the service). */
  requests: number;
  /** Probes alone: up / (up + down). */
  probePercent: number | null;
  /** Real traffic alone: ok / (ok + failed). */
  trafficPercent: number | null;
}

/** @public */
export interface UptimeMetrics {
  last7d: AvailabilityFigure;
  last30d: AvailabilityFigure;
  /** The last 30 UTC days, oldest first (today so far last). */
  daily: UptimeDay[];
  /**
   * Available now: active, inside its schedule, outside maintenance, and the
   * last probe was not down.
   */
  availableNow: boolean;
}

/**
 * In-flight requests and the load the service actually served.
 *
 * @public
 */
export interface CapacityMetrics {
  /** Requests forwarded and not answered yet, now (all gateway instances). */
  inFlightNow: number;
  /** Most requests in flight at once during the busiest hour of the window. */
  peakInFlight: number;
  /** Successful requests started in the busiest minute of the last 30 days. */
  peakRequestsPerMinute: number;
  /** What the provider commits to, per minute (requests per second x 60). */
  committedRequestsPerMinute: number;
  /** Per hour of the window (hours with requests): peaks in flight and per minute. */
  hourly: CapacityHour[];
}

/**
 * The peaks of one hour.
 *
 * @public
 */
export interface CapacityHour {
  start: string;
  peakInFlight: number;
  peakRequestsPerMinute: number;
}

/**
 * What a service served (successful requests).
 *
 * @public
 */
export interface ServiceUsageStats {
  /** Prompt + completion tokens of all charged requests since it went live. */
  totalTokens: number;
  /** Distinct users with a request in the last 30 days. */
  activeUsers30d: number;
  /** Requests in the last 30 days. */
  requests30d: number;
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
  /**
   * Latency = time to first token: from the gateway sending the request
   * upstream to the first token (streamed) or the answer's first byte (not
   * streamed), percentiles of the successful requests.
   */
  latencyP50Ms: number | null;
  latencyP95Ms: number | null;
  latencyP99Ms: number | null;
  /** Total duration: upstream send to the answer's last byte. */
  durationP50Ms: number | null;
  durationP95Ms: number | null;
  /**
   * Output tokens per second per request (after the first token when
   * streamed, over the whole duration when not).
   */
  tokensPerSecondP50: number | null;
  tokensPerSecondP95: number | null;
  /** Mean output tokens per second of generation (completion tokens / generation time). */
  tokensPerSecond: number | null;
  /** Wait: from the gateway receiving a request to sending it upstream. */
  waitP50Ms: number | null;
  waitP95Ms: number | null;
  /** Requests per second over the window. */
  requestsPerSecond: number;
}

/**
 * A point of the latency (time to first token) history chart: one hour (1h, 24h windows) or one UTC
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
  /** Checks (uptime: probes + requests) or successful requests (latency) behind the value. */
  samples: number;
  windowDays: number;
  /** Days of data behind the value (at most `windowDays`). */
  coverageDays: number;
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
  capacity: CapacityMetrics;
  usage: ServiceUsageStats;
  /** When the marketplace first ingested or published the service (null: not seen yet). */
  createdAt: string | null;
  /** The last change of its spec. */
  updatedAt: string | null;
  latencyHistory: LatencyPoint[];
  sla: SlaAssessment[];
  incidents: ServiceIncident[];
  breaches: SlaBreach[];
  lastProbe: ServiceProbe | null;
}
