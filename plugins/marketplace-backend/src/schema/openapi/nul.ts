import { InputError } from '@backstage/errors';
import express from 'express';

/** `thresholds[0]`, `pricing.promptPer1kMicros`: a field as the API's messages name it. */
export function fieldPath(path: PropertyKey[]): string {
  return path
    .map(p => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * The path to the first string (value or key) holding a NUL character;
 * undefined when none does.
 */
export function nulAt(
  value: unknown,
  path: PropertyKey[] = [],
): PropertyKey[] | undefined {
  if (typeof value === 'string') {
    return value.includes('\u0000') ? path : undefined;
  }
  if (value && typeof value === 'object' && path.length < 32) {
    for (const [key, child] of Object.entries(value)) {
      const at = key.includes('\u0000')
        ? [...path, key.replaceAll('\u0000', '\\0')]
        : nulAt(child, [...path, Array.isArray(value) ? Number(key) : key]);
      if (at) {
        return at;
      }
    }
  }
  return undefined;
}

/** `Invalid body field 'tags[1]': must not contain NUL characters`. */
export function nulMessage(where: string, path: PropertyKey[]): string {
  const field = fieldPath(path);
  return `Invalid ${where}${
    field ? ` field '${field}'` : ''
  }: must not contain NUL characters`;
}

/**
 * Refuses a NUL character anywhere in the path, the query or the body: no
 * field accepts one, and PostgreSQL cannot store it in text (without this such
 * input became a 500 there; found by the reliability suite's fuzzer).
 */
export function refuseNulCharacters(): express.RequestHandler {
  return (req, _res, next) => {
    let path = req.path;
    try {
      path = decodeURIComponent(req.path);
    } catch {
      // Not valid percent-encoding: the validator answers for it.
    }
    if (path.includes('\u0000')) {
      throw new InputError(nulMessage('path parameter', []));
    }
    for (const [where, value] of [
      ['query', req.query],
      ['body', req.body],
    ] as const) {
      const at = nulAt(value);
      if (at) {
        throw new InputError(nulMessage(where, at));
      }
    }
    next();
  };
}
