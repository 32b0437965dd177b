import type { GatewayError } from '../errors';
import { countPromptTokens, ChatRequestLike } from '../tokens';
import {
  chatDeltaText,
  ChatRequest,
  FinishReason,
  newId,
  nowSeconds,
  StreamPart,
  toChatAnswer,
} from './canonical';
import { ChunkWriter, openaiErrorBody, sseData } from './sse';
import { parseChatCompletionRequest } from './openaiChatRequest';
import {
  adapterFor,
  InboundCodec,
  StreamEncoder,
  TranslatableCall,
} from './translate';
import { ProtocolAdapter, ReportedUsage, StreamMeter } from './types';

function reported(usage: any): ReportedUsage | undefined {
  return Number.isInteger(usage?.prompt_tokens) &&
    Number.isInteger(usage?.completion_tokens)
    ? {
        promptTokens: usage.prompt_tokens,
        completionTokens: usage.completion_tokens,
      }
    : undefined;
}

class ChatStreamMeter implements StreamMeter {
  started = false;
  usage: ReportedUsage | undefined;
  text = '';
  sawUsage = false;

  constructor(private readonly clientWantsUsage: boolean) {}

  onEvent(event: string): string | null {
    const data = sseData(event);
    // The hot path: a plain text delta, read without parsing the chunk.
    const text = chatDeltaText(data);
    if (text !== undefined) {
      if (text) {
        this.started = true;
        this.text += text;
      }
      return `${event}\n\n`;
    }
    if (!data || data === '[DONE]') {
      return `${event}\n\n`;
    }
    let chunk: any;
    try {
      chunk = JSON.parse(data);
    } catch {
      return `${event}\n\n`; // Not JSON: pass it on untouched.
    }
    let forward = true;
    if (chunk?.usage) {
      this.sawUsage = true;
      this.usage = reported(chunk.usage);
      if (
        !this.clientWantsUsage &&
        Array.isArray(chunk.choices) &&
        chunk.choices.length === 0
      ) {
        forward = false; // the usage chunk we asked for on the client's behalf
      }
    }
    const choices = chunk?.choices;
    if (Array.isArray(choices)) {
      for (const choice of choices) {
        const delta = choice?.delta;
        const content = delta?.content;
        let piece = typeof content === 'string' ? content : '';
        if (delta?.tool_calls) {
          piece += JSON.stringify(delta.tool_calls);
        }
        if (piece) {
          this.started = true;
          this.text += piece;
        }
      }
    }
    return forward ? `${event}\n\n` : null;
  }

  errorEvent(error: GatewayError): string {
    return `data: ${JSON.stringify(openaiErrorBody(error))}\n\n`;
  }
}

/** Encodes canonical stream parts as Chat Completions chunks. */
export class ChatStreamEncoder implements StreamEncoder {
  private readonly chunks: ChunkWriter;
  private opened = false;
  private closed = false;
  private finished = false;
  private usage: ReportedUsage | undefined;

  constructor(model: string, private readonly includeUsage: boolean) {
    this.chunks = new ChunkWriter('chat.completion.chunk', {
      id: newId('chatcmpl-'),
      created: nowSeconds(),
      model,
    });
  }

  private chunk(delta: object, finish: FinishReason | null = null): string {
    return this.chunks.chunk({
      index: 0,
      delta,
      logprobs: null,
      finish_reason: finish,
    });
  }

  private open(): string {
    if (this.opened) {
      return '';
    }
    this.opened = true;
    return this.chunk({ role: 'assistant', content: '' });
  }

  /** A piece of text: the hot path (one chunk per piece), written directly. */
  text(text: string): string {
    return (
      this.open() +
      this.chunks.textChunk(
        '"index":0,"delta":{',
        'content',
        text,
        '},"logprobs":null,"finish_reason":null',
      )
    );
  }

  encode(part: StreamPart): string {
    switch (part.type) {
      case 'start':
        return this.open();
      case 'text':
        return this.text(part.text);
      case 'tool_start':
        return (
          this.open() +
          this.chunk({
            tool_calls: [
              {
                index: part.index,
                id: part.id,
                type: 'function',
                function: { name: part.name, arguments: '' },
              },
            ],
          })
        );
      case 'tool_args':
        return this.chunk({
          tool_calls: [
            { index: part.index, function: { arguments: part.args } },
          ],
        });
      case 'finish':
        this.finished = true;
        return this.open() + this.chunk({}, part.reason);
      case 'usage':
        this.usage = part.usage;
        return '';
      case 'done':
        return this.finish();
      default:
        return '';
    }
  }

  finish(): string {
    if (this.closed) {
      return '';
    }
    this.closed = true;
    return `${this.open()}${
      this.finished ? '' : this.chunk({}, 'stop')
    }${this.chunks.close(this.includeUsage ? this.usage : undefined)}`;
  }

  errorEvent(error: GatewayError): string {
    this.closed = true;
    return this.chunks.error(error);
  }
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`), JSON and SSE. */
export const openaiChatAdapter: ProtocolAdapter & InboundCodec = {
  id: 'openai.chat',
  path: '/v1/chat/completions',
  protocol: 'openai-chat',

  parse(raw: unknown): TranslatableCall {
    const body = parseChatCompletionRequest(raw);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(body as ChatRequestLike),
      requestedMaxTokens:
        body.max_completion_tokens ?? body.max_tokens ?? undefined,
      maxTokensParam:
        body.max_completion_tokens !== undefined &&
        body.max_completion_tokens !== null
          ? 'max_completion_tokens'
          : 'max_tokens',
      body: body as Record<string, unknown>,
      chat: body as unknown as ChatRequest,
    };
  },

  forUpstream(upstream, serviceName) {
    // The same protocol: this adapter as it is (the fastest path).
    return upstream === 'openai-chat'
      ? openaiChatAdapter
      : adapterFor(openaiChatAdapter, 'openai-chat', upstream, serviceName);
  },

  answer: (answer, call) => toChatAnswer(answer, answer.model || call.model),
  encoder: call =>
    new ChatStreamEncoder(
      call.model,
      (call.body.stream_options as any)?.include_usage === true,
    ),

  upstreamRequest(call, { upstreamModel, maxCompletionTokens }) {
    const upstreamBody: Record<string, unknown> = {
      ...call.body,
      model: upstreamModel,
    };
    if (maxCompletionTokens !== undefined) {
      // The trial or the spend cap only allows this many completion tokens.
      if (
        call.body.max_completion_tokens !== undefined &&
        call.body.max_completion_tokens !== null
      ) {
        upstreamBody.max_completion_tokens = maxCompletionTokens;
      } else {
        upstreamBody.max_tokens = maxCompletionTokens;
      }
    }
    if (call.stream) {
      upstreamBody.stream_options = {
        ...((call.body.stream_options as object | null) ?? {}),
        include_usage: true,
      };
    }
    return {
      path: '/chat/completions',
      body: JSON.stringify(upstreamBody),
      accept: call.stream ? 'text/event-stream' : 'application/json',
    };
  },

  readAnswer(raw) {
    const parsed = JSON.parse(raw.toString('utf8'));
    const usage = reported(parsed?.usage);
    let text = '';
    if (!parsed?.usage) {
      text = (parsed?.choices ?? [])
        .map(
          (c: any) =>
            `${c?.message?.content ?? ''}${
              c?.message?.tool_calls ? JSON.stringify(c.message.tool_calls) : ''
            }`,
        )
        .join('');
    }
    return { usage, text, body: raw };
  },

  streamMeter(call) {
    const options = call.body.stream_options as
      | { include_usage?: boolean | null }
      | null
      | undefined;
    return new ChatStreamMeter(options?.include_usage === true);
  },

  errorBody: openaiErrorBody,
};
