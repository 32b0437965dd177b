import { InputError } from '@backstage/errors';
import { z } from 'zod';
import { fieldPath, nulAt, nulMessage } from '../schema/openapi/nul';

/** Parses with zod; a 400 names the field. */
export function parse<T>(
  schema: z.ZodType<T>,
  value: unknown,
  where: string,
): T {
  const nul = nulAt(value);
  if (nul) {
    throw new InputError(nulMessage(where, nul));
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
