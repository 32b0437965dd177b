import { Request } from 'express';

/**
 * When the gateway received each request (`performance.now()`), so that the
 * ledger row can record the wait before the request went upstream:
 * authentication, limits, the budget reservation and the upstream connection.
 */
const received = new WeakMap<Request, number>();

/** Notes that the gateway received `req` now (the first thing its route does). */
export function markReceived(req: Request): void {
  if (!received.has(req)) {
    received.set(req, performance.now());
  }
}

/** When the gateway received `req` (`performance.now()`), if it was marked. */
export function receivedAtOf(req: Request): number | undefined {
  return received.get(req);
}

/**
 * The wait of a request about to be sent upstream at `sentAt`: from when it was
 * received, whole ms; null when nobody marked it (not measured, never a guess).
 */
export function waitMsOf(req: Request, sentAt: number): number | null {
  const at = received.get(req);
  return at === undefined ? null : Math.max(0, Math.round(sentAt - at));
}
