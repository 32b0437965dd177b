import { InputError } from '@backstage/errors';
import { z } from 'zod';

function fieldPath(path: PropertyKey[]): string {
  return path
    .map(p => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`))
    .join('')
    .replace(/^\./, '');
}

/**
 * The path to the first string (value or key) holding a NUL character, which no
 * field accepts (PostgreSQL cannot store one in text); undefined when none does.
 */
function nulAt(
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

/** Parses with zod; a 400 names the field. */
export function parse<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
): T {
  const nul = nulAt(value);
  if (nul) {
    const field = fieldPath(nul);
    throw new InputError(
      `Invalid ${where}${
        field ? ` field '${field}'` : ''
      }: must not contain NUL characters`,
    );
  }
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const field = fieldPath(issue.path);
    throw new InputError(
      `Invalid ${where}${field ? ` field '${field}'` : ''}: ${issue.message}`,
    );
  }
  return result.data;
}

/** A service name in a path: the gateway's `model`. */
export const nameParam = z
  .string()
  .regex(/^[a-z0-9A-Z][a-z0-9A-Z._-]{0,62}$/, 'is not a service name');
