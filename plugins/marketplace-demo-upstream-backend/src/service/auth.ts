import { createHash, timingSafeEqual } from 'crypto';
import { RequestHandler } from 'express';
import { OpenAiError, sendOpenAiError } from './errors';

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/** Extracts the token of an `Authorization: Bearer <token>` header. */
export function readBearerToken(
  header: string | undefined,
): string | undefined {
  const match = header?.match(/^Bearer\s+(\S.*)$/i);
  return match ? match[1].trim() : undefined;
}

/**
 * Compares two secrets in constant time. Hashing first makes both buffers
 * the same length, so neither the content nor the length of the expected
 * key leaks through timing.
 */
export function secretsMatch(provided: string, expected: string): boolean {
  return timingSafeEqual(digest(provided), digest(expected));
}

/**
 * Requires `Authorization: Bearer <apiKey>`, answering 401 in the OpenAI
 * error shape otherwise.
 */
export function requireApiKey(apiKey: string): RequestHandler {
  return (req, res, next) => {
    // Bearer, or Anthropic's x-api-key (the Messages route's clients send it).
    const apiKeyHeader = req.headers['x-api-key'];
    const token =
      readBearerToken(req.headers.authorization) ??
      (typeof apiKeyHeader === 'string' && apiKeyHeader
        ? apiKeyHeader
        : undefined);
    if (token === undefined) {
      sendOpenAiError(
        res,
        new OpenAiError({
          status: 401,
          message:
            "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY).",
          code: 'invalid_api_key',
        }),
      );
      return;
    }
    if (!secretsMatch(token, apiKey)) {
      sendOpenAiError(
        res,
        new OpenAiError({
          status: 401,
          message: 'Incorrect API key provided.',
          code: 'invalid_api_key',
        }),
      );
      return;
    }
    next();
  };
}
