import {
  AuditAction,
  AuditEntry,
  AuditTargetType,
} from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { num } from '../lib/numbers';
import type { AuditLog } from './AuditLog';

interface AuditRow {
  id: number | string;
  at: number | string;
  actor_ref: string;
  action: string;
  target_type: string;
  target: string;
  before_json: string | null;
  after_json: string | null;
}

/** One admin action to record. */
export interface AuditRecord {
  actor: string;
  action: AuditAction;
  targetType: AuditTargetType;
  target: string;
  before: Record<string, unknown> | null;
  after: Record<string, unknown> | null;
}

function parseJson(text: string | null): Record<string, unknown> | null {
  if (text === null) {
    return null;
  }
  try {
    return JSON.parse(text);
  } catch {
    return { unreadable: text };
  }
}

function toEntry(row: AuditRow): AuditEntry {
  return {
    id: String(row.id),
    at: new Date(num(row.at)).toISOString(),
    actor: row.actor_ref,
    action: row.action as AuditAction,
    targetType: row.target_type as AuditTargetType,
    target: row.target,
    before: parseJson(row.before_json),
    after: parseJson(row.after_json),
  };
}

/**
 * The audit log of admin actions: append-only, written in the same transaction
 * as the change it records (pass the transaction), read newest first.
 */
export class DatabaseAuditLog implements AuditLog {
  constructor(
    private readonly db: Knex,
    private readonly clock: () => number = Date.now,
  ) {}

  async record(entry: AuditRecord, tx: Knex | Knex.Transaction = this.db) {
    await tx('audit_log').insert({
      at: this.clock(),
      actor_ref: entry.actor,
      action: entry.action,
      target_type: entry.targetType,
      target: entry.target,
      before_json: entry.before === null ? null : JSON.stringify(entry.before),
      after_json: entry.after === null ? null : JSON.stringify(entry.after),
    });
  }

  async list(filter: {
    action?: AuditAction[];
    actor?: string;
    /**
     * Entries whose target contains `text` (case-insensitive), or is one of
     * `refs` (the users whose names match it).
     */
    target?: { text: string; refs: string[] };
    offset: number;
    limit: number;
  }): Promise<{ items: AuditEntry[]; total: number }> {
    const where = (q: Knex.QueryBuilder) => {
      if (filter.action?.length) {
        q.whereIn('action', filter.action);
      }
      if (filter.actor) {
        q.where('actor_ref', filter.actor);
      }
      const target = filter.target;
      if (target) {
        const pattern = `%${target.text
          .toLocaleLowerCase('en-US')
          .replace(/[\\%_]/g, c => `\\${c}`)}%`;
        q.where(b => {
          b.whereRaw("lower(target) like ? escape '\\'", [pattern]);
          if (target.refs.length) {
            b.orWhereIn('target', target.refs);
          }
        });
      }
      return q;
    };
    const [{ count }] = await where(this.db('audit_log')).count({
      count: '*',
    });
    const rows: AuditRow[] = await where(this.db('audit_log'))
      .orderBy([
        { column: 'at', order: 'desc' },
        { column: 'id', order: 'desc' },
      ])
      .offset(filter.offset)
      .limit(filter.limit);
    return { items: rows.map(toEntry), total: num(count) };
  }
}
