import type { Statement } from '@internal/plugin-marketplace-common';

/**
 * Monthly statements of providers and consumers, and payouts.
 */
export interface StatementStore {
  /** A provider team's statements, newest first, without lines. */
  listProvider(
    teamRef: string,
    services: readonly string[],
    now: number,
  ): Promise<Statement[]>;
  /** One provider statement with its lines. */
  getProvider(
    teamRef: string,
    services: readonly string[],
    month: string,
    now: number,
  ): Promise<Statement>;
  /**
   * Records that a closed statement was paid, with its amounts now. 409 when the
   * month is not over or it is already paid.
   */
  markPaid(options: {
    teamRef: string;
    services: readonly string[];
    month: string;
    paidBy: string;
    reference: string | null;
    now: number;
  }): Promise<Statement>;
  /** A user's or team's chargeback statements, newest first, without lines. */
  listConsumer(
    kind: 'user' | 'team',
    ref: string,
    now: number,
  ): Promise<Statement[]>;
  /** One chargeback statement with its lines (per service and payer). */
  getConsumer(
    kind: 'user' | 'team',
    ref: string,
    month: string,
    now: number,
  ): Promise<Statement>;
}

export * from './DatabaseStatementStore';
