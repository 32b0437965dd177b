import type { PlatformSettings } from '@internal/plugin-marketplace-common';

/**
 * Settings the admins change at run time (the platform fee), read by every instance.
 */
export interface PlatformSettingsStore {
  /** The platform fee for new requests, in basis points (synchronous: the hot path). */
  feeBasisPoints(): number;
  /** Reads the stored settings. */
  refresh(): Promise<void>;
  /** Reads now and then every `refreshMs` (default 5 s). */
  start(): Promise<void>;
  stop(): void;
  get(): Promise<PlatformSettings>;
  /** Stores a new platform fee (basis points), audited; applies to new requests. */
  setFee(basisPoints: number, actor: string): Promise<PlatformSettings>;
}

export * from './DatabasePlatformSettingsStore';
