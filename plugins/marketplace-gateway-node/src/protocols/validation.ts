import { z } from 'zod';
import { GatewayError } from '../errors';

/** The dotted path of a zod issue: `messages[0].content`. */
function pathOf(path: PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`,
    )
    .join('');
}

/** Validates a body with a zod schema; a 400 names the first bad field. */
export function parseWith<T>(schema: z.ZodType<T>, body: unknown): T {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError({
      status: 400,
      message: 'The request body must be a JSON object',
      code: 'invalid_request',
    });
  }
  const result = schema.safeParse(body);
  if (result.success) {
    return result.data;
  }
  const issue = result.error.issues[0];
  const param = pathOf(issue.path) || null;
  const missing =
    issue.code === 'invalid_type' &&
    issue.path.length === 1 &&
    (body as any)[String(issue.path[0])] === undefined;
  throw new GatewayError({
    status: 400,
    message: missing
      ? `Missing required parameter: '${param}'.`
      : `Invalid value for '${param}': ${issue.message}`,
    param,
    code: missing ? 'missing_required_parameter' : 'invalid_value',
  });
}
