import { z } from 'zod';
import { parseWith } from './validation';

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

/** Validates a request body; a 400 in OpenAI's shape names the first bad field. */
export function parseChatCompletionRequest(
  body: unknown,
): ChatCompletionRequest {
  return parseWith(chatCompletionRequest, body);
}
