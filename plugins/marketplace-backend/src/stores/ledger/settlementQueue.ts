import { SubscriptionRow } from '../SubscriptionStore';
import { MAX_BATCH, Reservation, Settlement } from './ledgerTypes';
import type {
  CarriedSettlements,
  SettlementCarrier,
  SettlementSource,
} from './reservationWriter';
import { SettlementEntry, SettlementWriter } from './settlementWriter';

/*
 * The settlements a ledger has queued and not written yet: written in batches
 * after a short delay (group commit). Where the reservation writer batches
 * (SQLite), a batch that is due is handed to the writer's next batch and
 * written in the transaction of that turn's reservations: the delay
 * still decides the size of a settlement batch (a settlement batch per turn of
 * the event loop measured about twice the CPU per request in ledger-micro: its
 * ledger, index and rollup pages written to the WAL at every commit). A batch
 * that fails is written again one by one, and what still fails stays queued
 * and is retried a second later: a settlement is never dropped while the
 * process runs.
 */

/** A reservation's settlement, to be written. */
export interface SettlementItem {
  reservation: Reservation;
  settlement: Settlement;
}

interface Queued extends SettlementItem {
  done: () => void;
}

export class SettlementQueue implements SettlementSource {
  private queue: Queued[] = [];
  private flushing: Promise<void> | undefined;
  private flushTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  /** The queued settlements have waited their delay: the next reservation batch takes them. */
  private due = false;
  private carrier: SettlementCarrier | undefined;

  constructor(
    private readonly options: {
      writer: SettlementWriter;
      /** What the writer applies for one settlement. */
      entryOf: (item: SettlementItem) => SettlementEntry;
      /** After a batch was written: the items and the subscriptions as updated. */
      written: (items: SettlementItem[], updated: SubscriptionRow[]) => void;
      /** How long settlements may wait to be batched. */
      batchDelayMs?: number;
      onError?: (error: Error) => void;
    },
  ) {}

  /** From now on, due settlements ride in the carrier's reservation batches. */
  carriedBy(carrier: SettlementCarrier) {
    this.carrier = carrier;
  }

  /** Queues a settlement; resolves once it is written. */
  push(reservation: Reservation, settlement: Settlement): Promise<void> {
    return new Promise<void>(resolve => {
      this.queue.push({ reservation, settlement, done: resolve });
      this.schedule();
    });
  }

  private schedule() {
    if (!this.flushTimer && !this.flushing && this.queue.length > 0) {
      this.flushTimer = setTimeout(
        this.onDelay,
        this.options.batchDelayMs ?? 2,
      );
    }
  }

  private readonly onDelay = () => {
    this.flushTimer = undefined;
    if (this.carrier && !this.stopped) {
      // The carrier's next batch takes them (with the reservations of its
      // turn, if any); written apart if none could (no connection).
      this.due = true;
      this.carrier.carry();
      this.flushTimer = setTimeout(this.onRetry, 1000);
      return;
    }
    void this.flush();
  };

  private readonly onRetry = () => {
    this.flushTimer = undefined;
    void this.flush();
  };

  /** Writes every queued settlement now (in batches of at most MAX_BATCH). */
  async flush(): Promise<void> {
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
    while (this.flushing) {
      await this.flushing;
    }
    while (this.queue.length > 0 && !this.stopped) {
      const batch = this.queue.splice(0, MAX_BATCH);
      this.due = this.due && this.queue.length > 0;
      let failed: Queued[] = [];
      this.flushing = this.writeOrSplit(batch)
        .then(left => {
          failed = left;
        })
        .finally(() => {
          this.flushing = undefined;
        });
      await this.flushing;
      if (failed.length > 0) {
        this.retryLater(failed);
        return;
      }
    }
  }

  /**
   * The settlements that are due (or a full batch of them), for the
   * reservation batch being written (none while a batch of them is being
   * written apart). Until the batch says how it went, `flush` waits for them
   * as for its own batch.
   */
  take(): CarriedSettlements | undefined {
    if (
      this.flushing ||
      this.stopped ||
      this.queue.length === 0 ||
      !(this.due || this.queue.length >= MAX_BATCH)
    ) {
      return undefined;
    }
    const batch = this.queue.slice(0, MAX_BATCH);
    let entries: SettlementEntry[];
    try {
      entries = batch.map(this.options.entryOf);
    } catch {
      return undefined; // left to the queue's own write, which reports it
    }
    this.queue.splice(0, batch.length);
    if (this.queue.length === 0) {
      this.due = false;
      if (this.flushTimer) {
        clearTimeout(this.flushTimer);
        this.flushTimer = undefined;
      }
    }
    let release!: () => void;
    this.flushing = new Promise<void>(resolve => {
      release = () => {
        this.flushing = undefined;
        resolve();
        this.schedule();
      };
    });
    return {
      entries,
      committed: updated => {
        try {
          this.options.written(batch, updated);
        } catch (error) {
          this.options.onError?.(error as Error);
        }
        batch.forEach(b => b.done());
        release();
      },
      failed: error => {
        this.options.onError?.(error);
        // As a failed batch of its own: the batch again, then one by one.
        void this.writeOrSplit(batch)
          .then(left => {
            if (left.length > 0) {
              this.retryLater(left);
            }
          })
          .finally(release);
      },
    };
  }

  /** Puts back what could not be written, so nothing is lost; retried a second later. */
  private retryLater(failed: Queued[]) {
    this.queue.unshift(...failed);
    if (!this.flushTimer && !this.stopped) {
      this.flushTimer = setTimeout(this.onRetry, 1000);
    }
  }

  /**
   * Writes a batch; if that fails, writes its settlements one by one, so that one
   * row the database refuses never holds back the others. Returns the ones that
   * could not be written.
   */
  private async writeOrSplit(batch: Queued[]): Promise<Queued[]> {
    try {
      await this.write(batch);
      batch.forEach(b => b.done());
      return [];
    } catch (error) {
      this.options.onError?.(error as Error);
      if (batch.length === 1) {
        return batch;
      }
    }
    const failed: Queued[] = [];
    for (const entry of batch) {
      try {
        await this.write([entry]);
        entry.done();
      } catch (error) {
        this.options.onError?.(
          new Error(
            `Could not settle request ${entry.reservation.requestId}: ${error}`,
          ),
        );
        failed.push(entry);
      }
    }
    return failed;
  }

  /** Writes settlements now, in one transaction, outside the queue. */
  async write(items: SettlementItem[]): Promise<void> {
    const updated = await this.options.writer.write(
      items.map(this.options.entryOf),
    );
    this.options.written(items, updated);
  }

  /** Stops retrying: what is still queued stays unwritten (reconciled later). */
  stop() {
    this.stopped = true;
    if (this.flushTimer) {
      clearTimeout(this.flushTimer);
      this.flushTimer = undefined;
    }
  }
}
