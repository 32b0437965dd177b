import type {
  AuditAction,
  AuditEntry,
} from '@internal/plugin-marketplace-common';
import type { Knex } from 'knex';
import type { AuditRecord } from './DatabaseAuditLog';

/**
 * The audit log of admin and provider actions: appended to, never changed.
 */
export interface AuditLog {
  record(entry: AuditRecord, tx?: Knex | Knex.Transaction): Promise<void>;
  list(filter: {
    action?: AuditAction[];
    actor?: string;
    /**
     * Entries whose target contains `text` (case-insensitive), or is one of
     * `refs` (the users whose names match it).
     */
    target?: {
      text: string;
      refs: string[];
    };
    offset: number;
    limit: number;
  }): Promise<{
    items: AuditEntry[];
    total: number;
  }>;
}

export * from './DatabaseAuditLog';
