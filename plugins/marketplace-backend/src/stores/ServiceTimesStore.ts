import type { ServiceTimes, TimedService } from './DatabaseServiceTimesStore';

/**
 * When each service was first seen and last changed.
 */
export interface ServiceTimesStore {
  /** The times last synced, if the service was seen. */
  get(ref: string): ServiceTimes | undefined;
  /** Records new services and spec changes as of `now`; answers every service's times. */
  sync(
    services: TimedService[],
    now: number,
  ): Promise<Map<string, ServiceTimes>>;
}

export * from './DatabaseServiceTimesStore';
