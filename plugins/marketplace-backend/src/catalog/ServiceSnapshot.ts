import {
  GatewayEventBus,
  GatewayLogger,
  GatewayService,
  ServiceLookup,
} from '@internal/plugin-marketplace-gateway-node';
import { Knex } from 'knex';
import { num } from '../lib/numbers';
import { DirectoryService } from './directoryService';

interface ServiceRow {
  name: string;
  service_ref: string;
  revision: number | string;
  removed: boolean | number;
  service_json: string;
  updated_at: number | string;
}

/** What the gateway needs of a service, without the portal's review records. */
function gatewayServiceOf(s: DirectoryService): GatewayService {
  return {
    name: s.name,
    ref: s.ref,
    providerRef: s.providerRef,
    entity: s.entity,
    ...(s.provider ? { provider: s.provider } : {}),
    status: s.status,
    ...(s.unpublication
      ? {
          unpublication: {
            sunsetAt: s.unpublication.sunsetAt,
            // The lifecycle headers: Deprecation and the successor's Link.
            unpublishedAt: s.unpublication.unpublishedAt,
            ...(s.unpublication.successorRef
              ? { successorRef: s.unpublication.successorRef }
              : {}),
          },
        }
      : {}),
  };
}

/**
 * Writes the services as the gateway serves them to `gateway_services`, for
 * standalone gateways: only the services that changed since the last write,
 * under one new revision. The portal backend's ServiceDirectory calls it after
 * every load that changed something, then announces the change.
 */
export class ServiceSnapshotWriter {
  private written: Map<string, string> | undefined;
  private writing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Knex,
    private readonly options: {
      clock?: () => number;
    } = {},
  ) {}

  /** Writes the changes of a full list of services (one write at a time). */
  write(services: DirectoryService[]): Promise<void> {
    this.writing = this.writing
      .catch(() => undefined)
      .then(() => this.writeNow(services));
    return this.writing;
  }

  private async writeNow(services: DirectoryService[]) {
    if (!this.written) {
      const rows = await this.db<ServiceRow>('gateway_services').select(
        'name',
        'removed',
        'service_json',
      );
      this.written = new Map(
        rows.filter(r => !r.removed).map(r => [r.name, r.service_json]),
      );
    }
    const written = this.written;
    const current = new Map(
      services.map(s => [s.name, JSON.stringify(gatewayServiceOf(s))]),
    );
    const changed = [...current].filter(
      ([name, json]) => written.get(name) !== json,
    );
    const removed = [...written.keys()].filter(name => !current.has(name));
    if (changed.length === 0 && removed.length === 0) {
      return;
    }
    const now = (this.options.clock ?? Date.now)();
    await this.db.transaction(async trx => {
      // Taking the revision locks its row: writes commit in revision order, so
      // a reader past revision R has seen every write up to R.
      await trx('gateway_snapshot_state')
        .where({ id: 1 })
        .increment('revision', 1);
      const { revision } = await trx('gateway_snapshot_state')
        .where({ id: 1 })
        .first('revision');
      for (const [name, json] of changed) {
        await trx('gateway_services')
          .insert({
            name,
            service_ref: (JSON.parse(json) as GatewayService).ref,
            revision: num(revision),
            removed: false,
            service_json: json,
            updated_at: now,
          })
          .onConflict('name')
          .merge();
      }
      if (removed.length > 0) {
        await trx('gateway_services')
          .whereIn('name', removed)
          .update({ removed: true, revision: num(revision), updated_at: now });
      }
    });
    for (const [name, json] of changed) {
      written.set(name, json);
    }
    for (const name of removed) {
      written.delete(name);
    }
  }
}

/**
 * The services of a standalone gateway: `gateway_services` loaded once, then
 * only the rows past the revision held, when another instance announces a
 * change (and, as a backstop for a missed announcement, every
 * `checkEveryMs`: one indexed read of the current revision). Never reads the
 * catalog, so it keeps serving while the portal backend is down.
 */
export class ServiceSnapshotReader implements ServiceLookup {
  private byName = new Map<string, GatewayService>();
  private revision = 0;
  private loading: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private unsubscribe: (() => void) | undefined;
  private lastMissCheck = 0;

  constructor(
    private readonly db: Knex,
    private readonly options: {
      logger: GatewayLogger;
      events?: GatewayEventBus;
      checkEveryMs?: number;
    },
  ) {}

  /** Loads the snapshot, then follows its changes. */
  async start(): Promise<void> {
    await this.refresh();
    this.unsubscribe = this.options.events?.subscribe(event => {
      if (event.type === 'services.changed') {
        this.refresh().catch(e =>
          this.options.logger.warn(`Could not reload services: ${e}`),
        );
      }
    });
    this.timer = setInterval(() => {
      this.checkRevision().catch(e =>
        this.options.logger.warn(`Could not check for service changes: ${e}`),
      );
    }, this.options.checkEveryMs ?? 5_000);
    this.timer.unref?.();
  }

  stop() {
    clearInterval(this.timer);
    this.unsubscribe?.();
  }

  /** How many services it holds, and at which revision. */
  state() {
    return { services: this.byName.size, revision: this.revision };
  }

  private async checkRevision() {
    const row = await this.db('gateway_snapshot_state')
      .where({ id: 1 })
      .first('revision');
    if (row && num(row.revision) > this.revision) {
      await this.refresh();
    }
  }

  /** Applies the rows written since the revision held (shared by concurrent calls). */
  refresh(): Promise<void> {
    this.loading ??= this.load().finally(() => {
      this.loading = undefined;
    });
    return this.loading;
  }

  private async load() {
    const rows = await this.db<ServiceRow>('gateway_services')
      .where('revision', '>', this.revision)
      .orderBy('revision', 'asc');
    for (const row of rows) {
      if (row.removed) {
        this.byName.delete(row.name);
      } else {
        this.byName.set(row.name, JSON.parse(row.service_json));
      }
      this.revision = Math.max(this.revision, num(row.revision));
    }
  }

  async get(name: string): Promise<GatewayService | undefined> {
    const hit = this.byName.get(name);
    // A service published a moment ago is callable without waiting.
    if (!hit && Date.now() - this.lastMissCheck > 1_000) {
      this.lastMissCheck = Date.now();
      await this.checkRevision().catch(() => undefined);
      return this.byName.get(name);
    }
    return hit;
  }

  /** Every service held (for resolving routes). */
  list(): GatewayService[] {
    return [...this.byName.values()];
  }

  getByRef(ref: string): GatewayService | undefined {
    const hit = this.byName.get(ref.slice(ref.indexOf('/') + 1));
    return hit?.ref === ref.toLocaleLowerCase('en-US') || hit?.ref === ref
      ? hit
      : undefined;
  }
}
