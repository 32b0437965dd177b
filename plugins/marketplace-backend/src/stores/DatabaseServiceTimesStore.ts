import { createHash } from 'node:crypto';
import { Knex } from 'knex';
import { ModelServiceEntityV1alpha1 } from '@internal/plugin-marketplace-common';
import { num, numOrNull } from '../lib/numbers';
import type { ServiceTimesStore } from './ServiceTimesStore';

/** When a service was created and last changed (epoch ms). */
export interface ServiceTimes {
  /** First ingested from the catalog or published through the portal. */
  createdAt: number;
  /** The last change of its spec (or title, description) the marketplace saw. */
  updatedAt: number;
}

/** A service of the catalog view, as far as its times go. */
export interface TimedService {
  ref: string;
  entity: Pick<ModelServiceEntityV1alpha1, 'spec' | 'metadata'>;
  /** Set for services published through the portal. */
  published?: { createdAt: number; updatedAt: number };
}

/** What counts as a change of a service: its spec, title and description. */
export function specHashOf(s: TimedService): string {
  const { spec, metadata } = s.entity;
  return createHash('sha256')
    .update(
      JSON.stringify({
        spec,
        title: metadata.title ?? null,
        description: metadata.description ?? null,
      }),
    )
    .digest('hex');
}

/**
 * `createdAt` / `updatedAt` of every service, catalog YAML ones included: kept
 * in `service_first_seen` (first time seen, last spec change and a hash of the
 * spec to notice changes). Portal-published services use their publication's
 * times when those are earlier (created) or later (updated).
 */
export class DatabaseServiceTimesStore implements ServiceTimesStore {
  private known = new Map<string, ServiceTimes>();

  constructor(private readonly db: Knex) {}

  /** The times last synced, if the service was seen. */
  get(ref: string): ServiceTimes | undefined {
    return this.known.get(ref);
  }

  /** Records new services and spec changes as of `now`; answers every service's times. */
  async sync(
    services: TimedService[],
    now: number,
  ): Promise<Map<string, ServiceTimes>> {
    const rows = new Map<
      string,
      { first: number; updated: number | null; hash: string | null }
    >();
    const refs = services.map(s => s.ref);
    for (let i = 0; i < refs.length; i += 500) {
      const part = await this.db('service_first_seen').whereIn(
        'service_ref',
        refs.slice(i, i + 500),
      );
      for (const row of part) {
        rows.set(row.service_ref, {
          first: num(row.first_seen_at),
          updated: numOrNull(row.updated_at),
          hash: row.spec_hash ?? null,
        });
      }
    }
    const inserts: Record<string, unknown>[] = [];
    const out = new Map<string, ServiceTimes>();
    for (const s of services) {
      const hash = specHashOf(s);
      const row = rows.get(s.ref);
      let createdAt: number;
      let updatedAt: number;
      if (!row) {
        createdAt = s.published?.createdAt ?? now;
        updatedAt = s.published?.updatedAt ?? createdAt;
        inserts.push({
          service_ref: s.ref,
          first_seen_at: createdAt,
          updated_at: updatedAt,
          spec_hash: hash,
        });
      } else {
        createdAt = row.first;
        updatedAt = row.updated ?? row.first;
        if (row.hash !== hash) {
          // A row from before hashes were kept: take the hash, not a change.
          if (row.hash !== null) {
            updatedAt = now;
          }
          await this.db('service_first_seen')
            .where({ service_ref: s.ref })
            .update({ spec_hash: hash, updated_at: updatedAt });
        }
        if (s.published) {
          createdAt = Math.min(createdAt, s.published.createdAt);
          updatedAt = Math.max(updatedAt, s.published.updatedAt);
        }
      }
      out.set(s.ref, { createdAt, updatedAt: Math.max(updatedAt, createdAt) });
    }
    for (let i = 0; i < inserts.length; i += 100) {
      await this.db('service_first_seen')
        .insert(inserts.slice(i, i + 100))
        .onConflict('service_ref')
        .ignore();
    }
    this.known = out;
    return out;
  }
}
