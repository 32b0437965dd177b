import { z } from 'zod';
import { GatewayError } from '../errors';
import { countPromptTokens, countTextTokens } from '../tokens';
import { parseWith } from './validation';
import {
  ChatRequest,
  FinishReason,
  newId,
  nowSeconds,
  StreamPart,
  toChatUsage,
} from './canonical';
import { ChunkWriter, openaiErrorBody } from './sse';
import {
  adapterFor,
  boundThroughForUpstream,
  InboundCodec,
  StreamEncoder,
  TranslatableCall,
} from './translate';
import type { ProtocolAdapter, ReportedUsage } from './types';

/** OpenAI's default completion budget of a legacy completion. */
const LEGACY_DEFAULT_MAX_TOKENS = 16;

export const completionRequest = z
  .object({
    model: z.string().min(1),
    prompt: z.union([
      z.string(),
      z.array(z.string()).length(1, 'only one prompt per request is supported'),
    ]),
    max_tokens: z.number().int().positive().nullable().optional(),
    stream: z.boolean().nullable().optional(),
    stream_options: z
      .object({ include_usage: z.boolean().nullable().optional() })
      .passthrough()
      .nullable()
      .optional(),
    temperature: z.number().min(0).max(2).nullable().optional(),
    top_p: z.number().min(0).max(1).nullable().optional(),
    stop: z
      .union([z.string(), z.array(z.string())])
      .nullable()
      .optional(),
    n: z
      .number()
      .int()
      .min(1)
      .max(1, 'only n=1 is supported')
      .nullable()
      .optional(),
    echo: z.literal(false, 'echo is not supported').nullable().optional(),
    suffix: z.null('suffix is not supported').optional(),
  })
  .passthrough();

type CompletionRequest = z.infer<typeof completionRequest>;

function completionChunk(
  id: string,
  created: number,
  model: string,
  text: string,
  finish: FinishReason | null,
) {
  return {
    id,
    object: 'text_completion',
    created,
    model,
    choices: [{ text, index: 0, logprobs: null, finish_reason: finish }],
  };
}

class CompletionStreamEncoder implements StreamEncoder {
  private readonly chunks: ChunkWriter;
  private closed = false;
  private reason: FinishReason = 'stop';
  private usage: ReportedUsage | undefined;

  constructor(model: string, private readonly includeUsage: boolean) {
    this.chunks = new ChunkWriter('text_completion', {
      id: newId('cmpl-'),
      created: nowSeconds(),
      model,
    });
  }

  /** A piece of text: the hot path (one chunk per piece), written directly. */
  text(text: string): string {
    return this.chunks.textChunk(
      '',
      'text',
      text,
      ',"index":0,"logprobs":null,"finish_reason":null',
    );
  }

  encode(part: StreamPart): string {
    if (part.type === 'text') {
      return this.text(part.text);
    }
    if (part.type === 'finish') {
      this.reason = part.reason === 'length' ? 'length' : 'stop';
    } else if (part.type === 'usage') {
      this.usage = part.usage;
    } else if (part.type === 'done') {
      return this.finish();
    }
    return '';
  }

  finish(): string {
    if (this.closed) {
      return '';
    }
    this.closed = true;
    return `${this.chunks.chunk({
      text: '',
      index: 0,
      logprobs: null,
      finish_reason: this.reason,
    })}${this.chunks.close(this.includeUsage ? this.usage : undefined)}`;
  }

  errorEvent(error: GatewayError): string {
    this.closed = true;
    return this.chunks.error(error);
  }
}

/** Legacy OpenAI Completions (`POST /v1/completions`): the prompt as one user message. */
export const openaiCompletionsAdapter: ProtocolAdapter & InboundCodec = {
  id: 'openai.completions',
  path: '/v1/completions',
  protocol: 'openai-completions',

  parse(raw): TranslatableCall {
    const body: CompletionRequest = parseWith(completionRequest, raw);
    const prompt =
      typeof body.prompt === 'string' ? body.prompt : body.prompt[0];
    const maxTokens = body.max_tokens ?? LEGACY_DEFAULT_MAX_TOKENS;
    const chat: ChatRequest = {
      model: body.model,
      messages: [{ role: 'user', content: prompt }],
      max_tokens: maxTokens,
    };
    if (body.stream) {
      chat.stream = true;
    }
    for (const field of ['temperature', 'top_p', 'stop'] as const) {
      if (body[field] !== undefined && body[field] !== null) {
        chat[field] = body[field];
      }
    }
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(chat),
      requestedMaxTokens: maxTokens,
      maxTokensParam: 'max_tokens',
      promptParam: 'prompt',
      body: body as Record<string, unknown>,
      chat,
    };
  },

  forUpstream(upstream, serviceName) {
    return adapterFor(
      openaiCompletionsAdapter,
      undefined,
      upstream,
      serviceName,
    );
  },

  answer: (answer, call) => ({
    ...completionChunk(
      newId('cmpl-'),
      answer.created,
      answer.model || call.model,
      answer.text,
      answer.finishReason === 'length' ? 'length' : 'stop',
    ),
    ...(answer.usage ? { usage: toChatUsage(answer.usage) } : {}),
  }),
  encoder: call =>
    new CompletionStreamEncoder(
      call.model,
      (call.body.stream_options as any)?.include_usage === true,
    ),
  errorBody: openaiErrorBody,

  ...boundThroughForUpstream('openaiCompletionsAdapter'),
};

/** The most inputs one embeddings request may hold (as OpenAI). */
const MAX_EMBEDDING_INPUTS = 2048;

export const embeddingsRequest = z
  .object({
    model: z.string().min(1),
    input: z.union([
      z.string().min(1),
      z.array(z.string().min(1)).min(1).max(MAX_EMBEDDING_INPUTS),
      z.array(z.number().int().nonnegative()).min(1),
      z
        .array(z.array(z.number().int().nonnegative()).min(1))
        .min(1)
        .max(MAX_EMBEDDING_INPUTS),
    ]),
    encoding_format: z.enum(['float', 'base64']).optional(),
    dimensions: z.number().int().positive().optional(),
    user: z.string().optional(),
  })
  .passthrough();

function embeddingInputTokens(input: unknown): number {
  if (typeof input === 'string') {
    return countTextTokens(input);
  }
  if (Array.isArray(input) && input.length > 0) {
    if (typeof input[0] === 'number') {
      return input.length;
    }
    return input.reduce(
      (sum: number, one) => sum + embeddingInputTokens(one),
      0,
    );
  }
  return 0;
}

/** OpenAI Embeddings (`POST /v1/embeddings`): only to embedding upstreams, passed through. */
export const openaiEmbeddingsAdapter: ProtocolAdapter = {
  id: 'openai.embeddings',
  path: '/v1/embeddings',
  protocol: 'openai-embeddings',

  parse(raw) {
    const body = parseWith(embeddingsRequest, raw);
    return {
      model: body.model,
      stream: false,
      promptTokens: embeddingInputTokens(body.input),
      requestedMaxTokens: 0,
      promptParam: 'input',
      embeddings: true,
      body: body as Record<string, unknown>,
    };
  },

  forUpstream(upstream, serviceName) {
    if (upstream !== 'openai-embeddings') {
      throw new GatewayError({
        status: 400,
        message: `'${serviceName}' is not an embedding model: POST /v1/embeddings serves embedding services only.`,
        param: 'model',
        code: 'model_not_supported',
      });
    }
    return openaiEmbeddingsAdapter;
  },

  upstreamRequest(call, { upstreamModel }) {
    return {
      path: '/embeddings',
      body: JSON.stringify({ ...call.body, model: upstreamModel }),
      accept: 'application/json',
    };
  },

  readAnswer(raw) {
    const parsed = JSON.parse(raw.toString('utf8'));
    const prompt = parsed?.usage?.prompt_tokens;
    return {
      usage: Number.isInteger(prompt)
        ? { promptTokens: prompt, completionTokens: 0 }
        : undefined,
      text: '',
      body: raw,
    };
  },

  streamMeter() {
    throw new Error('Embeddings are not streamed');
  },

  errorBody: openaiErrorBody,
};
