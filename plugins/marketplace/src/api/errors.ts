import { ResponseError } from '@backstage/errors';

/**
 * The message to show for a failed call: the server's own message for a
 * Backstage JSON error (it names the bad field of a 400), else the error's.
 */
export function errorMessage(error: unknown): string {
  if (error instanceof ResponseError) {
    return error.cause?.message || error.message;
  }
  if (error instanceof Error) {
    return error.message;
  }
  return String(error);
}

/** The HTTP status of a failed call, if it was one. */
export function errorStatus(error: unknown): number | undefined {
  if (error instanceof ResponseError) {
    return error.statusCode;
  }
  const status = (error as { statusCode?: unknown } | undefined)?.statusCode;
  return typeof status === 'number' ? status : undefined;
}
