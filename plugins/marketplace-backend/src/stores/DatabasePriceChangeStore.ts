import { LoggerService } from '@backstage/backend-plugin-api';
import {
  ModelServicePricing,
  PriceChange,
  pricesAt,
} from '@internal/plugin-marketplace-common';
import { randomUUID } from 'crypto';
import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { isoOrNull, num } from '../lib/numbers';
import { ScheduledPrice } from './ledger/ledgerTypes';
import { DAY_MS } from '../lib/periods';
import type { PriceChangeStore } from './PriceChangeStore';

interface PriceChangeRow {
  id: string;
  service_ref: string;
  pricing_json: string;
  previous_pricing_json: string;
  entity_pricing_json: string;
  effective_at: number | string;
  announced_at: number | string;
  announced_by: string;
  withdrawn_at: number | string | null;
}

function statusOf(
  row: PriceChangeRow,
  effectiveAt: number,
  now: number,
): PriceChange['status'] {
  if (isoOrNull(row.withdrawn_at) !== null) {
    return 'withdrawn';
  }
  return effectiveAt <= now ? 'effective' : 'scheduled';
}

/**
 * Whether any price of `next` is above `previous` at any month volume (the
 * base prices and every tier's start).
 */
export function isIncrease(
  previous: ModelServicePricing,
  next: ModelServicePricing,
): boolean {
  const volumes = new Set<number>([0]);
  for (const t of [...(previous.tiers ?? []), ...(next.tiers ?? [])]) {
    volumes.add(t.fromMonthlyTokens);
  }
  return [...volumes].some(v => {
    const a = pricesAt(previous, v);
    const b = pricesAt(next, v);
    return (
      b.promptPer1kMicros > a.promptPer1kMicros ||
      b.completionPer1kMicros > a.completionPer1kMicros
    );
  });
}

/** The first instant an increase announced at `now` may take effect. */
export function earliestIncrease(now: number, noticeDays: number): number {
  return now + noticeDays * DAY_MS;
}

function toScheduled(row: PriceChangeRow): ScheduledPrice {
  return {
    id: row.id,
    pricing: JSON.parse(row.pricing_json),
    entityPricing: JSON.parse(row.entity_pricing_json),
    effectiveAt: num(row.effective_at),
  };
}

/**
 * Announced price changes, and the schedule the gateway prices requests by:
 * every instance keeps all changes in memory (a few per service) and reloads
 * them every `refreshMs`, so the switch happens at the effective instant
 * exactly, on every instance (an increase is known at least the notice period
 * before; a decrease applying at once reaches other instances within
 * `refreshMs`).
 */
export class DatabasePriceChangeStore implements PriceChangeStore {
  private byService = new Map<string, ScheduledPrice[]>();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Knex,
    private readonly options: {
      audit?: AuditLog;
      clock?: () => number;
      logger?: LoggerService;
      refreshMs?: number;
    } = {},
  ) {}

  now() {
    return (this.options.clock ?? Date.now)();
  }

  /** The change in force for a service at an instant, if any. */
  at(serviceRef: string, now: number): ScheduledPrice | undefined {
    if (this.byService.size === 0) {
      return undefined; // the usual case, asked on every request
    }
    const changes = this.byService.get(serviceRef.toLocaleLowerCase('en-US'));
    if (!changes) {
      return undefined;
    }
    let found: ScheduledPrice | undefined;
    for (const c of changes) {
      if (c.effectiveAt <= now) {
        found = c;
      }
    }
    return found;
  }

  async refresh(): Promise<void> {
    const rows: PriceChangeRow[] = await this.db('price_changes')
      .whereNull('withdrawn_at')
      .orderBy([
        { column: 'effective_at', order: 'asc' },
        { column: 'announced_at', order: 'asc' },
      ]);
    const next = new Map<string, ScheduledPrice[]>();
    for (const row of rows) {
      const list = next.get(row.service_ref) ?? [];
      list.push(toScheduled(row));
      next.set(row.service_ref, list);
    }
    this.byService = next;
  }

  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(e =>
        this.options.logger?.warn(`Could not reload price changes: ${e}`),
      );
    }, this.options.refreshMs ?? 30_000);
    this.timer.unref?.();
  }

  stop() {
    if (this.timer) {
      clearInterval(this.timer);
    }
  }

  private toPriceChange(row: PriceChangeRow, now: number): PriceChange {
    const effectiveAt = num(row.effective_at);
    return {
      id: row.id,
      serviceRef: row.service_ref,
      pricing: JSON.parse(row.pricing_json),
      previousPricing: JSON.parse(row.previous_pricing_json),
      effectiveAt: new Date(effectiveAt).toISOString(),
      announcedAt: new Date(num(row.announced_at)).toISOString(),
      announcedBy: row.announced_by,
      status: statusOf(row, effectiveAt, now),
    };
  }

  /** The change announced and not in force yet, if any. */
  pending(serviceRef: string, now: number): ScheduledPrice | undefined {
    return this.byService
      .get(serviceRef.toLocaleLowerCase('en-US'))
      ?.find(c => c.effectiveAt > now);
  }

  /** A service's announced changes, oldest first. */
  async list(serviceRef: string): Promise<PriceChange[]> {
    const rows: PriceChangeRow[] = await this.db('price_changes')
      .where({ service_ref: serviceRef.toLocaleLowerCase('en-US') })
      .orderBy('effective_at', 'asc');
    const now = this.now();
    return rows.map(r => this.toPriceChange(r, now));
  }

  /** Records an announcement (audited); the caller checked the rules. */
  async announce(options: {
    serviceRef: string;
    pricing: ModelServicePricing;
    previousPricing: ModelServicePricing;
    /** The entity's own prices now. */
    entityPricing: ModelServicePricing;
    effectiveAt: number;
    actor: string;
  }): Promise<PriceChange> {
    const now = this.now();
    const row: PriceChangeRow = {
      id: randomUUID(),
      service_ref: options.serviceRef.toLocaleLowerCase('en-US'),
      pricing_json: JSON.stringify(options.pricing),
      previous_pricing_json: JSON.stringify(options.previousPricing),
      entity_pricing_json: JSON.stringify(options.entityPricing),
      effective_at: options.effectiveAt,
      announced_at: now,
      announced_by: options.actor,
      withdrawn_at: null,
    };
    await this.db.transaction(async tx => {
      await tx('price_changes').insert(row);
      await this.options.audit?.record(
        {
          actor: options.actor,
          action: 'price.announced',
          targetType: 'service',
          target: row.service_ref,
          before: { pricing: options.previousPricing },
          after: {
            pricing: options.pricing,
            effectiveAt: new Date(options.effectiveAt).toISOString(),
          },
        },
        tx,
      );
    });
    await this.refresh();
    return this.toPriceChange(row, now);
  }
}
