/**
 * Time buckets of the analytics series (UTC).
 *
 * @public
 */
export const ANALYTICS_GRANULARITIES = ['hour', 'day', 'month'] as const;

/** @public */
export type AnalyticsGranularity = 'hour' | 'day' | 'month';

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
export interface AnalyticsRange {
  /** First day, `YYYY-MM-DD`. */
  from: string;
  /** Last day, `YYYY-MM-DD` (inclusive). */
  to: string;
  granularity: AnalyticsGranularity;
  /** Number of days. */
  days: number;
  /** First day of the previous period of the same length. */
  previousFrom: string;
  /** Last day of the previous period. */
  previousTo: string;
}

/**
 * Usage and money over a period. Money is integer micro-USD.
 *
 * @public
 */
export interface AnalyticsTotals {
  /** Every forwarded request (each has one ledger row). */
  requests: number;
  /** Answered successfully (`status: ok`). */
  okRequests: number;
  /** Failed at the service: `upstream_error` or `timeout`. */
  errorRequests: number;
  /** Refused by the upstream with a 4xx (`upstream_rejected`). */
  rejectedRequests: number;
  promptTokens: number;
  completionTokens: number;
  /** Tokens paid by trials (not charged). */
  trialTokens: number;
  /** What subscribers were charged (the ledger's `costMicros`). */
  grossMicros: number;
  /** The platform's share of the gross. */
  platformFeeMicros: number;
  /** Gross minus the platform fee: the provider's revenue. */
  netMicros: number;
  /** `errorRequests / requests`; null without requests. */
  errorRate: number | null;
  /** Mean upstream latency of successful requests; null without any. */
  averageLatencyMs: number | null;
  /** 95th percentile of that latency, estimated from a histogram (see the docs); null without any. */
  p95LatencyMs: number | null;
  /** Mean star rating of the visible reviews written up to the end of the period; null without reviews. */
  averageRating: number | null;
  /** Number of those reviews. */
  ratingCount: number;
}

/**
 * One time bucket of a service's series.
 *
 * @public
 */
export interface AnalyticsPoint {
  /** Start of the bucket (ISO 8601, UTC). */
  start: string;
  requests: number;
  okRequests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  grossMicros: number;
  netMicros: number;
  /** Null when no successful request had a latency in the bucket. */
  averageLatencyMs: number | null;
  p95LatencyMs: number | null;
  /** Mean rating of the visible reviews written up to the end of the bucket; null before the first. */
  ratingAverage: number | null;
  /** Number of those reviews. */
  ratingCount: number;
}

/**
 * A service the answer covers.
 *
 * @public
 */
export interface AnalyticsService {
  /** Entity ref of the ModelService. */
  ref: string;
  name: string;
  title: string;
  /** Entity ref of the owning group. */
  owner: string;
}

/**
 * The time series of one service, one point per bucket of the range.
 *
 * @public
 */
export interface AnalyticsServiceSeries {
  serviceRef: string;
  totals: AnalyticsTotals;
  points: AnalyticsPoint[];
}

/**
 * A customer (a user, or a team usage is charged to) of the selected services.
 *
 * @public
 */
export interface TopCustomer {
  /** Entity ref of the user or the group. */
  ref: string;
  requests: number;
  tokens: number;
  grossMicros: number;
  /** Share of the period's gross (0..1); null when the gross is 0. */
  revenueShare: number | null;
  previousRequests: number;
  previousGrossMicros: number;
  /** Relative change of the gross against the previous period (0.25 = +25 %); null when the previous gross was 0. */
  grossTrend: number | null;
  /** Relative change of the requests; null when there were none before. */
  requestsTrend: number | null;
}

/**
 * Customers (users with at least one request) of the selected services in one
 * calendar month, against the month before.
 *
 * @public
 */
export interface RetentionMonth {
  /** `YYYY-MM`. */
  month: string;
  /** Users with a request this month. */
  active: number;
  /** Active this month and the month before. */
  retained: number;
  /** First request ever (to these services) this month. */
  new: number;
  /** Active before, but not the month before. */
  returning: number;
  /** Active the month before, not this month. */
  churned: number;
  /** `retained / active the month before`; null when nobody was. */
  retentionRate: number | null;
}

/**
 * `GET /v1/provider/analytics`.
 *
 * @public
 */
export interface ProviderAnalytics {
  range: AnalyticsRange;
  /** Entity refs of the provider teams whose services are included. */
  teams: string[];
  services: AnalyticsService[];
  /** Start of every bucket of the range (ISO 8601). */
  buckets: string[];
  totals: AnalyticsTotals;
  previousTotals: AnalyticsTotals;
  series: AnalyticsServiceSeries[];
  topUsers: TopCustomer[];
  topTeams: TopCustomer[];
  retention: RetentionMonth[];
  /**
   * Requests of the period whose upstream reported usage outside what the
   * request could produce; they were billed at the bounded counts.
   */
  usageDiscrepancies: number;
  /**
   * Requests of the period that reached the services through routes, per
   * route and service: all attempts, the answered ones, and what they earned.
   */
  routeTraffic: RouteTraffic[];
  /**
   * Requests of the period per protocol the clients spoke (Chat Completions,
   * Responses, Messages, ...; `unknown` for requests that never finished).
   */
  protocolTraffic?: ProtocolTraffic[];
  generatedAt: string;
}

/**
 * The traffic of a period in one client protocol.
 *
 * @public
 */
export interface ProtocolTraffic {
  /** `openai-chat`, `openai-responses`, `openai-completions`, `openai-embeddings`, `anthropic-messages` or `unknown`. */
  protocol: string;
  requests: number;
  okRequests: number;
  promptTokens: number;
  completionTokens: number;
  grossMicros: number;
}

/**
 * Traffic a service received through one route in a period.
 *
 * @public
 */
export interface RouteTraffic {
  /** `route:default/<name>` */
  routeRef: string;
  serviceRef: string;
  /** Every attempt, fallbacks from this service included. */
  requests: number;
  /** Attempts this service answered. */
  okRequests: number;
  grossMicros: number;
}

/**
 * A provider team the caller may see the numbers of.
 *
 * @public
 */
export interface ProviderTeam {
  /** Entity ref of the group. */
  ref: string;
  /** Its services the marketplace knows (every state). */
  serviceCount: number;
}

/**
 * State of a monthly statement: `open` during the month, `closed` once it has
 * ended, `paid` when an admin marked the payout paid.
 *
 * @public
 */
export type StatementStatus = 'open' | 'closed' | 'paid';

/**
 * One line of a statement: usage and money of one service (provider
 * statements), or of one service and payer (consumer statements).
 *
 * @public
 */
export interface StatementLine {
  serviceRef: string;
  /** The user who made the requests (consumer statements); null on provider statements. */
  userRef: string | null;
  /** The group charged, null for personal usage (consumer statements); null on provider statements. */
  teamRef: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  trialTokens: number;
  grossMicros: number;
  platformFeeMicros: number;
  netMicros: number;
}

/**
 * Sums of a statement: the sum of its lines.
 *
 * @public
 */
export interface StatementTotals {
  requests: number;
  promptTokens: number;
  completionTokens: number;
  trialTokens: number;
  grossMicros: number;
  platformFeeMicros: number;
  netMicros: number;
}

/**
 * How a provider statement was paid.
 *
 * @public
 */
export interface PayoutRecord {
  paidAt: string;
  /** Entity ref of the admin who marked it paid. */
  paidBy: string;
  reference: string | null;
  /** The net amount paid (the statement's net at that moment). */
  netMicros: number;
  grossMicros: number;
  platformFeeMicros: number;
}

/**
 * A monthly statement: a provider team's payout, or a user's or team's
 * chargeback.
 *
 * @public
 */
export interface Statement {
  /** `YYYY-MM` (UTC). */
  month: string;
  /** `provider` (payout to the team), `user` or `team` (chargeback). */
  kind: 'provider' | 'user' | 'team';
  /** The team or user the statement is for. */
  ownerRef: string;
  status: StatementStatus;
  /** First and last day of the month. */
  periodStart: string;
  periodEnd: string;
  totals: StatementTotals;
  /** Present on `GET .../{month}`; empty on lists. */
  lines: StatementLine[];
  /** Provider statements marked paid. */
  payout: PayoutRecord | null;
  /** Net that reached the ledger after the payout was recorded (late requests); 0 when none. */
  unpaidNetMicros: number;
  /**
   * SLA credits of the month's services that missed their committed uptime
   * (closed months only; empty otherwise). Lists carry only the sum.
   */
  slaCredits: StatementSlaCredit[];
  /**
   * Their sum: credited to the payer (consumer statements), deducted from the
   * net payout (provider statements).
   */
  slaCreditMicros: number;
  /**
   * Chargeback statements (`GET .../{month}`): which price applied to which
   * tokens, per service and price (announced price changes).
   */
  priceLines?: StatementPriceLine[];
}

/**
 * The tokens of one service billed at one price in a statement's month.
 *
 * @public
 */
export interface StatementPriceLine {
  serviceRef: string;
  /** The price per 1K tokens the rows were billed at (null: rows from before prices were recorded). */
  promptPer1kMicros: number | null;
  completionPer1kMicros: number | null;
  /** The announced price change in force, if any. */
  priceChangeId: string | null;
  requests: number;
  promptTokens: number;
  completionTokens: number;
  grossMicros: number;
}

/**
 * One bucket of the caller's own usage.
 *
 * @public
 */
export interface UsagePoint {
  start: string;
  requests: number;
  okRequests: number;
  errorRequests: number;
  promptTokens: number;
  completionTokens: number;
  trialTokens: number;
  costMicros: number;
}

/**
 * The caller's usage of one service or through one API key.
 *
 * @public
 */
export interface UsageSeries {
  serviceRef: string;
  /** Set on per-key series. */
  keyId: string | null;
  /** The key's visible prefix, on per-key series. */
  keyPrefix: string | null;
  /** The group charged, null for personal usage. */
  teamRef: string | null;
  totals: UsagePoint;
  points: UsagePoint[];
}

/**
 * `GET /v1/me/usage`: the caller's requests, tokens and spend per service and
 * per key over time.
 *
 * @public
 */
export interface ConsumerUsage {
  range: AnalyticsRange;
  buckets: string[];
  totals: UsagePoint;
  services: UsageSeries[];
  keys: UsageSeries[];
  generatedAt: string;
}

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
export interface UsageExportRow extends StatementTotals {
  /** `YYYY-MM-DD` (UTC). */
  day: string;
  serviceRef: string;
  serviceTitle: string | null;
  /** Who made the requests (consumer scopes; null for provider scopes). */
  userRef: string | null;
  /** The team billed, `personal` for the user themselves; null for provider scopes. */
  billedTo: string | null;
  okRequests: number;
  errorRequests: number;
}

/**
 * `GET /v1/exports/usage`: the usage of a period, from the same rollups as the
 * statements and dashboards, so its sums equal theirs to the micro-USD.
 *
 * @public
 */
export interface UsageExport {
  scope: UsageExportScope;
  /** The user, team or service the export is of. */
  ownerRef: string;
  /** First and last UTC day, inclusive. */
  from: string;
  to: string;
  generatedAt: string;
  rows: UsageExportRow[];
  totals: StatementTotals & { okRequests: number; errorRequests: number };
}

/**
 * The SLA credit of one service in a closed month: its measured uptime against
 * its commitment, and the part of the month's charges the credit table gives
 * back. On consumer statements `creditMicros` is credited to the payer; on the
 * provider's payout statement it is the matching deduction.
 *
 * @public
 */
export interface StatementSlaCredit {
  serviceRef: string;
  committedUptimePercent: number;
  /** Null when too few checks were counted to measure it (no credit then). */
  measuredUptimePercent: number | null;
  upProbes: number;
  downProbes: number;
  /** UTC days of the month with checks, of `daysInMonth`. */
  coverageDays: number;
  daysInMonth: number;
  creditPercent: number;
  creditMicros: number;
}
