import { createHash } from 'crypto';
import { Router } from 'express';
import { z } from 'zod';
import { OpenAiError } from './errors';
import { countTextTokens } from './tokens';

/** The length of a vector unless the request asks for `dimensions`. */
export const DEFAULT_DIMENSIONS = 256;
const MAX_DIMENSIONS = 3072;

const embeddingsRequest = z.object({
  model: z.string().min(1),
  input: z.union([
    z.string(),
    z.array(z.string()).min(1).max(2048),
    z.array(z.number().int().nonnegative()).min(1),
    z.array(z.array(z.number().int().nonnegative()).min(1)).min(1).max(2048),
  ]),
  encoding_format: z.enum(['float', 'base64']).optional(),
  dimensions: z.number().int().min(1).max(MAX_DIMENSIONS).optional(),
});

/**
 * A deterministic unit vector for a text: the same text always gives the same
 * vector (SHA-256 in counter mode, mapped to [-1, 1], normalised).
 */
export function embed(text: string, dimensions: number): number[] {
  const values: number[] = [];
  for (let block = 0; values.length < dimensions; block++) {
    const digest = createHash('sha256').update(`${block}:${text}`).digest();
    for (
      let i = 0;
      i + 2 <= digest.length && values.length < dimensions;
      i += 2
    ) {
      values.push(digest.readUInt16LE(i) / 32767.5 - 1);
    }
  }
  const norm = Math.sqrt(values.reduce((sum, v) => sum + v * v, 0)) || 1;
  return values.map(v => v / norm);
}

function asBase64(vector: number[]): string {
  const buffer = Buffer.alloc(vector.length * 4);
  vector.forEach((v, i) => buffer.writeFloatLE(v, i * 4));
  return buffer.toString('base64');
}

/** `POST /v1/embeddings`: deterministic vectors and real token counts. */
export function registerEmbeddingsRoute(
  router: Router,
  deps: { models: Map<string, unknown> },
) {
  router.post('/v1/embeddings', (req, res) => {
    const parsed = embeddingsRequest.safeParse(req.body);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      const param = issue.path.join('.') || null;
      throw new OpenAiError({
        status: 400,
        message: `Invalid value for '${param}': ${issue.message}`,
        param,
        code: 'invalid_value',
      });
    }
    const request = parsed.data;
    if (!deps.models.has(request.model)) {
      throw new OpenAiError({
        status: 404,
        message: `The model \`${request.model}\` does not exist or you do not have access to it.`,
        param: 'model',
        code: 'model_not_found',
      });
    }
    let inputs: Array<string | number[]>;
    if (typeof request.input === 'string') {
      inputs = [request.input];
    } else if (typeof request.input[0] === 'number') {
      inputs = [request.input as number[]];
    } else {
      inputs = request.input as Array<string | number[]>;
    }
    let promptTokens = 0;
    const data = inputs.map((input, index) => {
      const text = typeof input === 'string' ? input : input.join(',');
      promptTokens +=
        typeof input === 'string' ? countTextTokens(input) : input.length;
      const vector = embed(text, request.dimensions ?? DEFAULT_DIMENSIONS);
      return {
        object: 'embedding',
        index,
        embedding:
          request.encoding_format === 'base64' ? asBase64(vector) : vector,
      };
    });
    res.json({
      object: 'list',
      data,
      model: request.model,
      usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
    });
  });
}
