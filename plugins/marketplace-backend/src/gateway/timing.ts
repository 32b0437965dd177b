import { Request } from 'express';

/**
 * When the gateway received each request (`performance.now()`), so that the
 * ledger row can record the wait before the request went upstream:
 * authentication, limits, the budget reservation and the upstream connection.
 * The gateway's own routes measure it in its node:http handler; express routes
 * that run the pipeline (the Test API) mark their requests here, and the
 * pipeline computes the wait (null for an unmarked request).
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
