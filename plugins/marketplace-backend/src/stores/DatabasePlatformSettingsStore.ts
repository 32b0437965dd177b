import { LoggerService } from '@backstage/backend-plugin-api';
import { PlatformSettings } from '@internal/plugin-marketplace-common';
import { Knex } from 'knex';
import { AuditLog } from './AuditLog';
import { num } from '../lib/numbers';
import type { PlatformSettingsStore } from './PlatformSettingsStore';

const FEE_KEY = 'platformFeeBasisPoints';

interface SettingRow {
  key: string;
  value: string;
  updated_by: string;
  updated_at: number | string;
}

function toPercent(basisPoints: number): number {
  return basisPoints / 100;
}

/**
 * Platform settings admins change at runtime. The platform fee starts as
 * `marketplace.platformFeePercent` from config; once an admin sets it, the
 * stored value wins. The gateway reads the fee for every request from memory
 * ({@link PlatformSettingsStore.feeBasisPoints}): a change applies at once on
 * the instance that made it, and within `refreshMs` on the others.
 */
export class DatabasePlatformSettingsStore implements PlatformSettingsStore {
  private fee: { basisPoints: number; row?: SettingRow };
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly db: Knex,
    private readonly audit: AuditLog,
    private readonly options: {
      configFeeBasisPoints: number;
      logger?: LoggerService;
      refreshMs?: number;
      clock?: () => number;
    },
  ) {
    this.fee = { basisPoints: options.configFeeBasisPoints };
  }

  private now() {
    return (this.options.clock ?? Date.now)();
  }

  /** The platform fee for new requests, in basis points (synchronous: the hot path). */
  feeBasisPoints(): number {
    return this.fee.basisPoints;
  }

  /** Reads the stored settings. */
  async refresh(): Promise<void> {
    const row = await this.db<SettingRow>('platform_settings')
      .where({ key: FEE_KEY })
      .first();
    const value = row ? Number(JSON.parse(row.value)) : NaN;
    this.fee =
      row && Number.isInteger(value) && value >= 0 && value <= 10_000
        ? { basisPoints: value, row }
        : { basisPoints: this.options.configFeeBasisPoints };
  }

  /** Reads now and then every `refreshMs` (default 5 s). */
  async start(): Promise<void> {
    await this.refresh();
    this.timer = setInterval(() => {
      this.refresh().catch(e =>
        this.options.logger?.warn(`Could not read the platform settings: ${e}`),
      );
    }, this.options.refreshMs ?? 5_000);
    this.timer.unref();
  }

  stop() {
    if (this.timer) {
      clearInterval(this.timer);
      this.timer = undefined;
    }
  }

  async get(): Promise<PlatformSettings> {
    await this.refresh();
    const { basisPoints, row } = this.fee;
    return {
      platformFeePercent: toPercent(basisPoints),
      platformFeeBasisPoints: basisPoints,
      platformFeeSource: row ? 'admin' : 'config',
      updatedBy: row?.updated_by ?? null,
      updatedAt: row ? new Date(num(row.updated_at)).toISOString() : null,
    };
  }

  /** Stores a new platform fee (basis points), audited; applies to new requests. */
  async setFee(basisPoints: number, actor: string): Promise<PlatformSettings> {
    const now = this.now();
    await this.db.transaction(async tx => {
      const row = await tx<SettingRow>('platform_settings')
        .where({ key: FEE_KEY })
        .first();
      const before = row
        ? Number(JSON.parse(row.value))
        : this.options.configFeeBasisPoints;
      await tx('platform_settings')
        .insert({
          key: FEE_KEY,
          value: JSON.stringify(basisPoints),
          updated_by: actor,
          updated_at: now,
        })
        .onConflict('key')
        .merge();
      await this.audit.record(
        {
          actor,
          action: 'platform.fee.changed',
          targetType: 'platform',
          target: 'platform-fee',
          before: {
            platformFeePercent: toPercent(before),
            source: row ? 'admin' : 'config',
          },
          after: {
            platformFeePercent: toPercent(basisPoints),
            source: 'admin',
          },
        },
        tx,
      );
    });
    return this.get();
  }
}
