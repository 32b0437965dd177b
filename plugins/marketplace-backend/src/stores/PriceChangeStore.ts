import type {
  ModelServicePricing,
  PriceChange,
} from '@internal/plugin-marketplace-common';
import type { PriceSchedule, ScheduledPrice } from './ledger/ledgerTypes';

/**
 * Announced price changes of services, and the one in force at an instant.
 */
export interface PriceChangeStore extends PriceSchedule {
  now(): number;
  /** The change in force for a service at an instant, if any. */
  at(serviceRef: string, now: number): ScheduledPrice | undefined;
  refresh(): Promise<void>;
  start(): Promise<void>;
  stop(): void;
  /** The change announced and not in force yet, if any. */
  pending(serviceRef: string, now: number): ScheduledPrice | undefined;
  /** A service's announced changes, oldest first. */
  list(serviceRef: string): Promise<PriceChange[]>;
  /** Records an announcement (audited); the caller checked the rules. */
  announce(options: {
    serviceRef: string;
    pricing: ModelServicePricing;
    previousPricing: ModelServicePricing;
    /** The entity's own prices now. */
    entityPricing: ModelServicePricing;
    effectiveAt: number;
    actor: string;
  }): Promise<PriceChange>;
}

export * from './DatabasePriceChangeStore';
