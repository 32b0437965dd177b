import { Knex } from 'knex';
import { num } from '../../lib/numbers';
import { isUniqueViolation } from '../SubscriptionStore';
import { monthEnd, monthStart, DAY_MS } from '../../lib/periods';

/**
 * One row of the credit table: when the measured uptime of a month is below
 * `below` (a percent, or the service's own commitment), `percent` of that
 * month's charges for the service are credited. The highest matching row wins.
 */
export interface SlaCreditTier {
  below: 'committed' | number;
  percent: number;
}

/** 10 % below the commitment, 25 % below 99 %. */
export const DEFAULT_SLA_CREDIT_TIERS: SlaCreditTier[] = [
  { below: 'committed', percent: 10 },
  { below: 99, percent: 25 },
];

/** Fewer counted checks than this in a month: uptime is not measured, no credit. */
export const DEFAULT_MINIMUM_PROBES = 60;

/** The credit percent of a measured uptime against a commitment (0: none). */
export function creditPercentFor(
  measured: number | null,
  committed: number,
  tiers: readonly SlaCreditTier[],
): number {
  if (measured === null) {
    return 0;
  }
  let percent = 0;
  for (const tier of tiers) {
    const threshold = tier.below === 'committed' ? committed : tier.below;
    if (measured < threshold) {
      percent = Math.max(percent, tier.percent);
    }
  }
  return percent;
}

/** A charge's credit: whole micro-USD, rounded down (never more than charged). */
export function creditMicrosOf(grossMicros: number, percent: number): number {
  return Math.floor((grossMicros * percent) / 100);
}

/** How a service did in a closed month, as assessed once. */
export interface SlaMonth {
  serviceRef: string;
  month: string;
  committedUptimePercent: number;
  measuredUptimePercent: number | null;
  upProbes: number;
  downProbes: number;
  coverageDays: number;
  daysInMonth: number;
  creditPercent: number;
}

interface SlaCreditRow {
  service_ref: string;
  month: string;
  committed_uptime: number | string;
  measured_uptime: number | string | null;
  up_probes: number | string;
  down_probes: number | string;
  coverage_days: number | string;
  credit_percent: number | string;
  computed_at: number | string;
}

function toSlaMonth(row: SlaCreditRow): SlaMonth {
  return {
    serviceRef: row.service_ref,
    month: row.month,
    committedUptimePercent: Number(row.committed_uptime),
    measuredUptimePercent:
      row.measured_uptime === null ? null : Number(row.measured_uptime),
    upProbes: num(row.up_probes),
    downProbes: num(row.down_probes),
    coverageDays: num(row.coverage_days),
    daysInMonth: Math.round(
      (monthEnd(row.month) - monthStart(row.month)) / DAY_MS,
    ),
    creditPercent: num(row.credit_percent),
  };
}

/**
 * SLA credits from measured data only: the prober's checks of a closed month
 * (up / (up + down); maintenance and off-hours checks do not count) against the
 * service's committed uptime, through the credit table. Each service and month
 * is assessed once, at the first statement read after the month ended, and
 * kept (`sla_credits`), so statements do not change when old checks are
 * deleted or the commitment changes later.
 */
export class SlaCredits {
  constructor(
    private readonly db: Knex,
    private readonly options: {
      tiers: readonly SlaCreditTier[];
      minimumProbes: number;
      /** The committed uptime of a service now; undefined for an unknown one. */
      committedUptime: (serviceRef: string) => number | undefined;
    },
  ) {}

  /**
   * The assessments of the services in a month; none before the month ended.
   * Services without a known commitment are left out.
   */
  async forMonth(
    month: string,
    serviceRefs: readonly string[],
    now: number,
  ): Promise<Map<string, SlaMonth>> {
    const result = new Map<string, SlaMonth>();
    if (monthEnd(month) > now || serviceRefs.length === 0) {
      return result;
    }
    const refs = [...new Set(serviceRefs)];
    const stored = await this.db<SlaCreditRow>('sla_credits')
      .where({ month })
      .whereIn('service_ref', refs);
    for (const row of stored) {
      result.set(row.service_ref, toSlaMonth(row));
    }
    const missing = refs.filter(
      ref =>
        !result.has(ref) && this.options.committedUptime(ref) !== undefined,
    );
    if (missing.length === 0) {
      return result;
    }
    const counts = await this.db('service_probes')
      .select('service_ref')
      .sum({
        up: this.db.raw("CASE WHEN outcome = 'up' THEN 1 ELSE 0 END"),
        down: this.db.raw("CASE WHEN outcome = 'down' THEN 1 ELSE 0 END"),
      })
      .select(
        this.db.raw(
          'COUNT(DISTINCT (probed_at - (probed_at % 86400000))) AS days',
        ),
      )
      .where('probed_at', '>=', monthStart(month))
      .andWhere('probed_at', '<', monthEnd(month))
      .whereIn('service_ref', missing)
      .groupBy('service_ref');
    const byRef = new Map(counts.map((c: any) => [String(c.service_ref), c]));
    for (const ref of missing) {
      const c = byRef.get(ref);
      const up = num(c?.up ?? 0);
      const down = num(c?.down ?? 0);
      const committed = this.options.committedUptime(ref)!;
      const measured =
        up + down >= this.options.minimumProbes
          ? Math.round((up * 1_000_000) / (up + down)) / 10_000
          : null;
      const row: SlaCreditRow = {
        service_ref: ref,
        month,
        committed_uptime: committed,
        measured_uptime: measured,
        up_probes: up,
        down_probes: down,
        coverage_days: num(c?.days ?? 0),
        credit_percent: creditPercentFor(
          measured,
          committed,
          this.options.tiers,
        ),
        computed_at: now,
      };
      try {
        await this.db('sla_credits').insert(row);
        result.set(ref, toSlaMonth(row));
      } catch (e) {
        if (!isUniqueViolation(e)) {
          throw e;
        }
        // Assessed by a concurrent read: that one stands.
        const [kept] = await this.db<SlaCreditRow>('sla_credits').where({
          service_ref: ref,
          month,
        });
        result.set(ref, toSlaMonth(kept));
      }
    }
    return result;
  }
}
