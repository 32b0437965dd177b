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

/**
 * The wait of a request about to be sent upstream at `sentAt`: from when it was
 * received (or `sentAt` when nobody marked it), whole ms.
 */
export function waitMsOf(req: Request, sentAt: number): number {
  return Math.max(0, Math.round(sentAt - (received.get(req) ?? sentAt)));
}
