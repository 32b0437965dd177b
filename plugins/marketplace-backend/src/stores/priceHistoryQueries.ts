import { ModelServicePricing } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import {
  priceKey,
  PricePoint,
  pricePointOf,
  PriceRow,
  PublishingDb,
  toPricePoint,
} from './publishingRecords';

/*
 * The price history of services (`service_price_history`): the first price
 * seen and every change. Used by DatabasePublishingStore.
 */

/** The current (latest) price of every service that has one. */
export async function latestPrices(
  s: PublishingDb,
): Promise<Map<string, PricePoint>> {
  const rows = await s.db<PriceRow>('service_price_history').orderBy([
    { column: 'effective_from', order: 'asc' },
    { column: 'id', order: 'asc' },
  ]);
  const latest = new Map<string, PricePoint>();
  for (const row of rows) {
    latest.set(row.service_ref, toPricePoint(row));
  }
  return latest;
}

export async function priceHistory(
  s: PublishingDb,
  serviceRef: string,
): Promise<PricePoint[]> {
  const rows = await s
    .db<PriceRow>('service_price_history')
    .where({ service_ref: serviceRef })
    .orderBy([
      { column: 'effective_from', order: 'asc' },
      { column: 'id', order: 'asc' },
    ]);
  return rows.map(toPricePoint);
}

/**
 * Records the service's price if it differs from the latest one recorded (or
 * none is). Returns whether it did.
 */
export async function recordPrice(
  s: PublishingDb,
  serviceRef: string,
  pricing: ModelServicePricing,
): Promise<boolean> {
  return s.db.transaction(tx =>
    recordPriceIn(tx, serviceRef, pricing, s.clock()),
  );
}

export async function recordPriceIn(
  tx: Knex.Transaction,
  serviceRef: string,
  pricing: ModelServicePricing,
  now: number,
): Promise<boolean> {
  const latest = await tx<PriceRow>('service_price_history')
    .where({ service_ref: serviceRef })
    .orderBy([
      { column: 'effective_from', order: 'desc' },
      { column: 'id', order: 'desc' },
    ])
    .first();
  if (
    latest &&
    priceKey(toPricePoint(latest)) === priceKey(pricePointOf(pricing))
  ) {
    return false;
  }
  await insertPrice(tx, serviceRef, pricing, now);
  return true;
}

export async function insertPrice(
  tx: Knex | Knex.Transaction,
  serviceRef: string,
  pricing: ModelServicePricing,
  now: number,
) {
  await tx('service_price_history').insert({
    service_ref: serviceRef,
    prompt_per_1k_micros: pricing.promptPer1kMicros,
    completion_per_1k_micros: pricing.completionPer1kMicros,
    tiers_json: JSON.stringify(pricing.tiers ?? []),
    effective_from: now,
  });
}
