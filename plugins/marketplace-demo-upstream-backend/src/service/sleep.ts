import { Response } from 'express';
import { setTimeout as delay } from 'timers/promises';

/**
 * Waits `ms` milliseconds, resolving early when `signal` aborts.
 *
 * @public
 */
export type SleepFunction = (ms: number, signal?: AbortSignal) => Promise<void>;

/** Waits on a timer; an abort ends the wait early. */
export const defaultSleep: SleepFunction = async (ms, signal) => {
  if (ms <= 0 || signal?.aborted) {
    return;
  }
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    // An abort just ends the wait early.
    if (!signal?.aborted) {
      throw error;
    }
  }
};

/** Sends what is written so far (streamed answers). */
export function flush(res: Response) {
  // The compression middleware of the Backstage root router buffers output
  // unless it is told to flush.
  (res as Response & { flush?: () => void }).flush?.();
}
