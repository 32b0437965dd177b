import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

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
export type MetricsWindow = Schemas['MetricsWindow'];

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
export type SlaStatus = Schemas['SlaStatus'];

/** @public */
export type SlaMetric = Schemas['SlaMetric'];

/** @public */
export type ProbeOutcome = Schemas['ProbeOutcome'];

/** @public */
export type ProbeErrorKind = Schemas['ProbeErrorKind'];

/**
 * Probe counts, request outcomes and uptime of one UTC day.
 *
 * @public
 */
export type UptimeDay = Schemas['UptimeDay'];

/**
 * Availability over a period, from the probes and the real requests, with the
 * data behind it: `days` is how much of the period has data (a service
 * approved yesterday has about 1 day, never "30 days").
 *
 * @public
 */
export type AvailabilityFigure = Schemas['AvailabilityFigure'];

/**
 * Gateway traffic over the chosen window.
 *
 * @public
 */
export type TrafficMetrics = Schemas['TrafficMetrics'];

/**
 * A point of the latency (time to first token) history chart: one hour (1h, 24h windows) or one UTC
 * day (7d, 30d).
 *
 * @public
 */
export type LatencyPoint = Schemas['LatencyPoint'];

/**
 * A committed value beside the measured one over the SLA window.
 *
 * @public
 */
export type SlaAssessment = Schemas['SlaAssessment'];

/**
 * A down period: consecutive down checks, from the first down check to the next
 * up check (`endedAt` null while ongoing).
 *
 * @public
 */
export type ServiceIncident = Schemas['ServiceIncident'];

/**
 * `GET /marketplace/services/{name}/metrics`.
 *
 * @public
 */
export type ServiceQualityMetrics = Schemas['ServiceQualityMetrics'];
