import type { GatewayError } from '../errors';
import { countPromptTokens, ChatRequestLike } from '../tokens';
import { parseChatCompletionRequest } from './openaiChatRequest';
import {
  ParsedCall,
  ProtocolAdapter,
  ReportedUsage,
  StreamMeter,
} from './types';

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
    let data = '';
    // Most events are one `data:` line.
    if (event.startsWith('data:') && event.indexOf('\n') < 0) {
      data = event.slice(5).trimStart();
    } else {
      data = event
        .split('\n')
        .filter(l => l.startsWith('data:'))
        .map(l => l.slice(5).trimStart())
        .join('\n');
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
    return `data: ${JSON.stringify(chatErrorBody(error))}\n\n`;
  }
}

function chatErrorBody(error: GatewayError) {
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
    },
  };
}

/** OpenAI Chat Completions (`POST /v1/chat/completions`), JSON and SSE. */
export const openaiChatAdapter: ProtocolAdapter = {
  id: 'openai.chat',
  path: '/v1/chat/completions',

  parse(raw: unknown): ParsedCall {
    const body = parseChatCompletionRequest(raw);
    return {
      model: body.model,
      stream: body.stream === true,
      promptTokens: countPromptTokens(body as ChatRequestLike),
      requestedMaxTokens:
        body.max_completion_tokens ?? body.max_tokens ?? undefined,
      body: body as Record<string, unknown>,
    };
  },

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

  errorBody: chatErrorBody,
};
