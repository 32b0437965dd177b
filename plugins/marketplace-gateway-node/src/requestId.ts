import { randomBytes } from 'crypto';

/**
 * Request ids: a random per-process prefix (so ids never collide across
 * instances or restarts) and a counter; cheaper than random bytes per request.
 */
const REQUEST_ID_PREFIX = `req_${randomBytes(9).toString('base64url')}`;
let requestCounter = 0;

/** A new id for a request; it keys the request's ledger row. */
export function newRequestId(): string {
  requestCounter = (requestCounter + 1) % Number.MAX_SAFE_INTEGER;
  return `${REQUEST_ID_PREFIX}${requestCounter.toString(36)}`;
}
