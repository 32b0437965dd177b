import { z } from 'zod';
import { GatewayError } from '../errors';

const contentPart = z.object({ type: z.string() }).passthrough();

const message = z
  .object({
    role: z.enum([
      'system',
      'developer',
      'user',
      'assistant',
      'tool',
      'function',
    ]),
    content: z.union([z.string(), z.array(contentPart), z.null()]).optional(),
    name: z.string().nullable().optional(),
  })
  .passthrough();

const positiveInt = z.number().int().positive();

/**
 * The fields the gateway reads. Everything else (tools, response_format, seed,
 * temperature, ...) is passed to the upstream untouched.
 */
export const chatCompletionRequest = z
  .object({
    model: z.string().min(1),
    messages: z.array(message).min(1),
    stream: z.boolean().nullable().optional(),
    stream_options: z
      .object({ include_usage: z.boolean().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
    max_tokens: positiveInt.nullable().optional(),
    max_completion_tokens: positiveInt.nullable().optional(),
    n: z
      .number()
      .int()
      .min(1)
      .max(1, 'only n=1 is supported')
      .nullable()
      .optional(),
    tools: z
      .array(z.object({ type: z.string() }).passthrough())
      .nullable()
      .optional(),
  })
  .passthrough();

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

function pathOf(path: PropertyKey[]): string {
  return path
    .map((p, i) =>
      typeof p === 'number' ? `[${p}]` : `${i ? '.' : ''}${String(p)}`,
    )
    .join('');
}

/** Validates a request body; a 400 in OpenAI's shape names the first bad field. */
export function parseChatCompletionRequest(
  body: unknown,
): ChatCompletionRequest {
  if (!body || typeof body !== 'object' || Array.isArray(body)) {
    throw new GatewayError({
      status: 400,
      message: 'The request body must be a JSON object',
      code: 'invalid_request',
    });
  }
  const result = chatCompletionRequest.safeParse(body);
  if (!result.success) {
    const issue = result.error.issues[0];
    const param = pathOf(issue.path) || null;
    const missing =
      issue.code === 'invalid_type' &&
      (body as any)[String(issue.path[0])] === undefined &&
      issue.path.length === 1;
    throw new GatewayError({
      status: 400,
      message: missing
        ? `Missing required parameter: '${param}'.`
        : `Invalid value for '${param}': ${issue.message}`,
      param,
      code: missing ? 'missing_required_parameter' : 'invalid_value',
    });
  }
  return result.data;
}
