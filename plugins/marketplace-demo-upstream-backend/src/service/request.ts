import { z } from 'zod';
import { OpenAiError } from './errors';

const textPartSchema = z.object({
  type: z.literal('text'),
  text: z.string(),
});

const imagePartSchema = z.object({
  type: z.literal('image_url'),
  image_url: z.object({
    url: z.string(),
    detail: z.enum(['auto', 'low', 'high']).optional(),
  }),
});

const contentPartSchema = z.discriminatedUnion('type', [
  textPartSchema,
  imagePartSchema,
]);

const messageSchema = z
  .object({
    role: z.enum(['system', 'user', 'assistant', 'tool', 'developer']),
    // Assistant turns that only carry tool calls have `content: null`.
    content: z.union([z.string(), z.array(contentPartSchema)]).nullish(),
    // As in the OpenAI API; this also keeps special tokens out of the name,
    // which the tokenizer's chat encoder does not accept.
    name: z
      .string()
      .regex(/^[a-zA-Z0-9_-]{1,64}$/, {
        error: 'must be 1 to 64 letters, digits, underscores or dashes',
      })
      .optional(),
  })
  .superRefine((message, ctx) => {
    if (
      (message.content === null || message.content === undefined) &&
      message.role !== 'assistant'
    ) {
      ctx.addIssue({
        code: 'custom',
        path: ['content'],
        message: `content is required for ${message.role} messages`,
        input: message.content,
      });
    }
  });

const stopSchema = z.union([z.string(), z.array(z.string()).max(4)]);

/**
 * The `POST /v1/chat/completions` body that the simulator accepts. Fields it
 * cannot simulate (tools, tool_choice, user, ...) are validated loosely and
 * ignored; unknown fields are dropped.
 */
export const chatCompletionRequestSchema = z.object({
  model: z.string().min(1),
  messages: z.array(messageSchema).min(1),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  n: z.number().int().positive().nullish(),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
  stop: stopSchema.nullish(),
  user: z.string().nullish(),
  seed: z.number().int().nullish(),
  response_format: z
    .object({ type: z.enum(['text', 'json_object', 'json_schema']) })
    .nullish(),
  tools: z.array(z.record(z.string(), z.unknown())).nullish(),
  tool_choice: z
    .union([z.string(), z.record(z.string(), z.unknown())])
    .nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequestSchema>;
export type ChatMessageInput = ChatCompletionRequest['messages'][number];

type Issue = z.core.$ZodIssue;

function formatParam(path: ReadonlyArray<PropertyKey>): string {
  return path.reduce<string>((acc, segment) => {
    if (typeof segment === 'number') {
      return `${acc}[${segment}]`;
    }
    return acc ? `${acc}.${String(segment)}` : String(segment);
  }, '');
}

/**
 * Unions report a single "Invalid input" issue; dig into the branch that got
 * furthest so that the message names the actual offending field.
 */
function mostSpecificIssue(issue: Issue): {
  issue: Issue;
  path: PropertyKey[];
} {
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    let best: { issue: Issue; path: PropertyKey[] } | undefined;
    for (const branch of issue.errors) {
      for (const nested of branch) {
        const candidate = mostSpecificIssue(nested);
        if (!best || candidate.path.length > best.path.length) {
          best = candidate;
        }
      }
    }
    if (best && best.path.length > 0) {
      return { issue: best.issue, path: [...issue.path, ...best.path] };
    }
  }
  return { issue, path: [...issue.path] };
}

function valueAt(body: unknown, path: ReadonlyArray<PropertyKey>): unknown {
  let current: unknown = body;
  for (const segment of path) {
    if (current === null || typeof current !== 'object') {
      return undefined;
    }
    current = (current as Record<PropertyKey, unknown>)[segment];
  }
  return current;
}

/**
 * Validates a chat completion body, throwing a 400 {@link OpenAiError} whose
 * `param` and message name the first offending field.
 */
export function parseChatCompletionRequest(
  body: unknown,
): ChatCompletionRequest {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw new OpenAiError({
      status: 400,
      message: 'The request body must be a JSON object.',
      code: 'invalid_request_body',
    });
  }

  const result = chatCompletionRequestSchema.safeParse(body);
  if (result.success) {
    return result.data;
  }

  const { issue, path } = mostSpecificIssue(result.error.issues[0]);
  const param = formatParam(path);
  if (valueAt(body, path) === undefined && issue.code === 'invalid_type') {
    throw new OpenAiError({
      status: 400,
      message: `Missing required parameter: '${param}'.`,
      param,
      code: 'missing_required_parameter',
    });
  }
  throw new OpenAiError({
    status: 400,
    message: `Invalid value for '${param}': ${issue.message}`,
    param,
    code: issue.code === 'invalid_type' ? 'invalid_type' : 'invalid_value',
  });
}
