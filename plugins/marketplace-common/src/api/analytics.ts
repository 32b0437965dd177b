import type { components } from '../schema/openapi.generated';

type Schemas = components['schemas'];

/**
 * Time buckets of the analytics series (UTC).
 *
 * @public
 */
export const ANALYTICS_GRANULARITIES = ['hour', 'day', 'month'] as const;

/** @public */
export type AnalyticsGranularity = Schemas['AnalyticsGranularity'];

/**
 * Limits of an analytics range, enforced by the API (400 beyond them).
 *
 * @public
 */
export const ANALYTICS_LIMITS = {
  /** Longest range, in days (from and to inclusive). */
  maxRangeDays: 400,
  /** Longest range with hourly buckets, in days. */
  maxHourlyRangeDays: 31,
  /** Default range, in days, ending today. */
  defaultRangeDays: 30,
  /** Customers listed in each top-customers table. */
  topCustomers: 10,
} as const;

/**
 * The period an analytics answer covers: whole UTC days, `from` and `to`
 * inclusive, and the period of the same length just before it (for trends).
 *
 * @public
 */
export type AnalyticsRange = Schemas['AnalyticsRange'];

/**
 * Usage and money over a period. Money is integer micro-USD.
 *
 * @public
 */
export type AnalyticsTotals = Schemas['AnalyticsTotals'];

/**
 * One time bucket of a service's series.
 *
 * @public
 */
export type AnalyticsPoint = Schemas['AnalyticsPoint'];

/**
 * A service the answer covers.
 *
 * @public
 */
export type AnalyticsService = Schemas['AnalyticsService'];

/**
 * A customer (a user, or a team usage is charged to) of the selected services.
 *
 * @public
 */
export type TopCustomer = Schemas['TopCustomer'];

/**
 * Customers (users with at least one request) of the selected services in one
 * calendar month, against the month before.
 *
 * @public
 */
export type RetentionMonth = Schemas['RetentionMonth'];

/**
 * `GET /v1/provider/analytics`.
 *
 * @public
 */
export type ProviderAnalytics = Schemas['ProviderAnalytics'];

/**
 * The traffic of a period in one client protocol.
 *
 * @public
 */
export type ProtocolTraffic = Schemas['ProtocolTraffic'];

/**
 * Traffic a service received through one route in a period.
 *
 * @public
 */
export type RouteTraffic = Schemas['RouteTraffic'];

/**
 * A provider team the caller may see the numbers of.
 *
 * @public
 */
export type ProviderTeam = Schemas['ProviderTeam'];

/**
 * State of a monthly statement: `open` during the month, `closed` once it has
 * ended, `paid` when an admin marked the payout paid.
 *
 * @public
 */
export type StatementStatus = Schemas['StatementStatus'];

/**
 * One line of a statement: usage and money of one service (provider
 * statements), or of one service and payer (consumer statements).
 *
 * @public
 */
export type StatementLine = Schemas['StatementLine'];

/**
 * Sums of a statement: the sum of its lines.
 *
 * @public
 */
export type StatementTotals = Schemas['StatementTotals'];

/**
 * How a provider statement was paid.
 *
 * @public
 */
export type PayoutRecord = Schemas['PayoutRecord'];

/**
 * A monthly statement: a provider team's payout, or a user's or team's
 * chargeback.
 *
 * @public
 */
export type Statement = Schemas['Statement'];

/**
 * The tokens of one service billed at one price in a statement's month.
 *
 * @public
 */
export type StatementPriceLine = Schemas['StatementPriceLine'];

/**
 * One bucket of the caller's own usage.
 *
 * @public
 */
export type UsagePoint = Schemas['UsagePoint'];

/**
 * The caller's usage of one service or through one API key.
 *
 * @public
 */
export type UsageSeries = Schemas['UsageSeries'];

/**
 * `GET /v1/me/usage`: the caller's requests, tokens and spend per service and
 * per key over time.
 *
 * @public
 */
export type ConsumerUsage = Schemas['ConsumerUsage'];

/**
 * Whose usage an export covers: a user's own requests (`user`), the requests
 * billed to a team (`team`), or the traffic a provider team served, all its
 * services (`provider`) or one (`service`).
 *
 * @public
 */
export const USAGE_EXPORT_SCOPES = [
  'user',
  'team',
  'service',
  'provider',
] as const;

/** @public */
export type UsageExportScope = (typeof USAGE_EXPORT_SCOPES)[number];

/**
 * One row of a usage export: one UTC day and service (and, for the consumer
 * scopes, user and payer). Amounts in integer micro-USD.
 *
 * @public
 */
export type UsageExportRow = Schemas['UsageExportRow'];

/**
 * `GET /v1/exports/usage`: the usage of a period, from the same rollups as the
 * statements and dashboards, so its sums equal theirs to the micro-USD.
 *
 * @public
 */
export type UsageExport = Schemas['UsageExport'];

/**
 * The SLA credit of one service in a closed month: its measured uptime against
 * its commitment, and the part of the month's charges the credit table gives
 * back. On consumer statements `creditMicros` is credited to the payer; on the
 * provider's payout statement it is the matching deduction.
 *
 * @public
 */
export type StatementSlaCredit = Schemas['StatementSlaCredit'];
