import { Knex } from 'knex';
import { SubscriptionRow } from '../SubscriptionStore';
import { ReservationOutcome, ReservationWrite } from './reservationSql';
import type { SettlementEntry } from './settlementWriter';
import { SqliteLedgerWriter } from './sqliteLedgerWriter';
import {
  CteReservationWriter,
  KnexReservationWriter,
} from './pgReservationWriter';

/*
 * Reservations of in-flight requests, written per database in the fastest safe
 * way: on SQLite the reservations of one turn of the event loop in one
 * transaction, with the settlements queued since the last write
 * (sqliteLedgerWriter.ts); on PostgreSQL one CTE statement per request, a knex
 * transaction elsewhere (pgReservationWriter.ts). The SQL they share:
 * reservationSql.ts. The settlements: settlementWriter.ts.
 */

/**
 * Holds budget for one request atomically: the update only applies while the
 * subscription is active, in the same month, the key is not revoked, the user not
 * suspended, and the trial / spend cap still cover the request; the user's and the
 * team's month counters take the request's cost only while their hard budgets
 * (spend + in-flight reservations + this cost) still cover it; the reservation row
 * is written in the same transaction. Returns the subscription as updated, or what
 * refused the request (then nothing was written).
 */
export interface ReservationWriter {
  reserve(write: ReservationWrite): Promise<ReservationOutcome>;
  /**
   * Where a writer that commits reservations in batches takes the queued
   * settlements from, to write them in the same transaction. Writers without
   * batches leave the settlements to their own writer.
   */
  carrySettlements?(source: SettlementSource): SettlementCarrier;
}

/** A writer that carries settlements in its reservation batches. */
export interface SettlementCarrier {
  /**
   * Writes a batch soon (with the reservations that arrive meanwhile, or
   * none), which takes the settlements that are due.
   */
  carry(): void;
}

/** Settlements waiting to be written, offered to the next reservation batch. */
export interface SettlementSource {
  /** Takes the settlements due to be written; undefined if none are due. */
  take(): CarriedSettlements | undefined;
}

/** Settlements taken into a reservation batch: exactly one of the two callbacks follows. */
export interface CarriedSettlements {
  entries: SettlementEntry[];
  /** Written and committed with the batch: the subscriptions as updated. */
  committed(updated: SubscriptionRow[]): void;
  /** Nothing of them was written: they must be written apart (as a failed batch is). */
  failed(error: Error): void;
}

export function createReservationWriter(knex: Knex): ReservationWriter {
  const client = String(knex.client.config.client);
  if (client === 'better-sqlite3') {
    return new SqliteLedgerWriter(knex);
  }
  if (client === 'pg' || client === 'postgres' || client === 'postgresql') {
    return new CteReservationWriter(knex);
  }
  return new KnexReservationWriter(knex);
}
