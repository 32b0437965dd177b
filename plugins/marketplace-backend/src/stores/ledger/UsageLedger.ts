import type {
  Reservation,
  ReserveRequest,
  ReserveResult,
  Settlement,
} from './ledgerTypes';
import type { UsageRecord } from '@internal/plugin-marketplace-common';

/**
 * The usage ledger: budget reserved before a request is forwarded, settled into one ledger row after it.
 */
export interface UsageLedger {
  reserve(request: ReserveRequest): Promise<ReserveResult>;
  /** Queues the settlement of a reservation; it is written with the next batch. */
  settle(reservation: Reservation, settlement: Settlement): Promise<void>;
  /** Writes every queued settlement now (in batches of at most MAX_BATCH). */
  flush(): Promise<void>;
  /** Stops retrying: what is still queued stays unwritten (reconciled later). */
  stop(): void;
  /**
   * Settles reservations whose request can no longer finish: any older than
   * `maxAgeMs` (longer than any request may take, from any instance) and, with
   * `ownLeftovers` (at startup), those this instance id left behind before a
   * restart. Requests this process still has in flight are never touched. They
   * become `abandoned` ledger rows that cost nothing, and their budget is
   * released. Returns how many were reconciled.
   */
  reconcile(options: {
    maxAgeMs: number;
    ownLeftovers?: boolean;
  }): Promise<number>;
  getUsage(requestId: string): Promise<UsageRecord | undefined>;
  listUsage(filter: {
    subscriptionId?: string;
    userRef?: string;
    limit: number;
  }): Promise<UsageRecord[]>;
  countReservations(): Promise<number>;
}

export * from './DatabaseUsageLedger';
