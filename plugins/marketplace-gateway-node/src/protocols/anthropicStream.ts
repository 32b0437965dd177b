import { GatewayError } from '../errors';
import {
  anthropicErrorBody,
  anthropicUsage,
  finishReasonOf,
  STOP_REASONS,
  toAnthropicUsage,
} from './anthropicAnswer';
import { newId, StreamPart } from './canonical';
import { sseEvent, textBetween } from './sse';
import { TypedEventEncoder } from './typedEvents';

/**
 * Anthropic Messages event streams, both ways: decoded from an Anthropic
 * upstream, encoded for a Messages client.
 */

const TEXT_DELTA_PREFIX = '{"type":"content_block_delta","index":';
const TEXT_DELTA_FIELD = ',"delta":{"type":"text_delta","text":';

/** Decodes a Messages event stream (from an Anthropic upstream) into canonical parts. */
export class AnthropicStreamDecoder {
  private input: any;
  private readonly toolIndex = new Map<number, number>();

  /** The text of a text delta (the most of a stream), read without parsing the event; else undefined. */
  text(raw: string): string | undefined {
    if (!raw.startsWith(TEXT_DELTA_PREFIX)) {
      return undefined;
    }
    let at = TEXT_DELTA_PREFIX.length;
    while (raw.charCodeAt(at) >= 48 && raw.charCodeAt(at) <= 57) {
      at++;
    }
    return textBetween(raw, TEXT_DELTA_FIELD, at, '}}');
  }

  decode(raw: string): StreamPart[] {
    let data: any;
    try {
      data = JSON.parse(raw);
    } catch {
      return [];
    }
    switch (data?.type) {
      case 'message_start':
        this.input = data.message?.usage;
        return [
          { type: 'start', id: data.message?.id, model: data.message?.model },
        ];
      case 'content_block_start': {
        const b = data.content_block;
        if (b?.type === 'tool_use') {
          const index = this.toolIndex.size;
          this.toolIndex.set(data.index, index);
          const parts: StreamPart[] = [
            {
              type: 'tool_start',
              index,
              id: String(b.id ?? newId('toolu_')),
              name: String(b.name ?? ''),
            },
          ];
          if (b.input && Object.keys(b.input).length > 0) {
            parts.push({
              type: 'tool_args',
              index,
              args: JSON.stringify(b.input),
            });
          }
          return parts;
        }
        if (b?.type === 'text' && b.text) {
          return [{ type: 'text', text: String(b.text) }];
        }
        return [];
      }
      case 'content_block_delta': {
        const d = data.delta;
        if (d?.type === 'text_delta' && d.text) {
          return [{ type: 'text', text: String(d.text) }];
        }
        if (d?.type === 'input_json_delta' && d.partial_json) {
          return [
            {
              type: 'tool_args',
              index: this.toolIndex.get(data.index) ?? 0,
              args: String(d.partial_json),
            },
          ];
        }
        return [];
      }
      case 'message_delta': {
        const parts: StreamPart[] = [];
        if (data.delta?.stop_reason) {
          parts.push({
            type: 'finish',
            reason: finishReasonOf(data.delta.stop_reason),
          });
        }
        const usage = anthropicUsage({ ...this.input, ...data.usage });
        if (usage) {
          parts.push({ type: 'usage', usage });
        }
        return parts;
      }
      case 'message_stop':
        return [{ type: 'done' }];
      default:
        return [];
    }
  }
}

/** Encodes canonical stream parts as a Messages event stream. */
export class AnthropicStreamEncoder extends TypedEventEncoder {
  private block:
    | {
        index: number;
        kind: 'text' | 'tool';
        /** The fields of its text deltas before the text. */
        head: string;
      }
    | undefined;
  private blocks = 0;
  private readonly tools = new Map<number, number>();
  private opened = false;

  constructor(
    private readonly model: string,
    private readonly promptTokens: number,
  ) {
    super(false);
  }

  protected open(): string {
    if (this.opened) {
      return '';
    }
    this.opened = true;
    return this.events.event('message_start', {
      message: {
        id: newId('msg_'),
        type: 'message',
        role: 'assistant',
        model: this.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: this.promptTokens, output_tokens: 0 },
      },
    });
  }

  private closeBlock(): string {
    if (!this.block) {
      return '';
    }
    const out = this.events.event('content_block_stop', {
      index: this.block.index,
    });
    this.block = undefined;
    return out;
  }

  /** A piece of text: the hot path (one event per piece), written directly. */
  text(text: string): string {
    let out = this.open();
    if (this.block?.kind !== 'text') {
      out += this.closeBlock();
      const index = this.blocks++;
      this.block = {
        index,
        kind: 'text',
        head: `"index":${index},"delta":{"type":"text_delta",`,
      };
      out += this.events.event('content_block_start', {
        index: this.block.index,
        content_block: { type: 'text', text: '' },
      });
    }
    return (
      out +
      this.events.textEvent(
        'content_block_delta',
        this.block.head,
        'text',
        text,
        '}',
      )
    );
  }

  protected toolStart(part: Extract<StreamPart, { type: 'tool_start' }>) {
    const out = this.closeBlock();
    this.block = { index: this.blocks++, kind: 'tool', head: '' };
    this.tools.set(part.index, this.block.index);
    return (
      out +
      this.events.event('content_block_start', {
        index: this.block.index,
        content_block: {
          type: 'tool_use',
          id: part.id,
          name: part.name,
          input: {},
        },
      })
    );
  }

  protected toolArgs(part: Extract<StreamPart, { type: 'tool_args' }>) {
    return this.events.event('content_block_delta', {
      index: this.tools.get(part.index) ?? this.block?.index ?? 0,
      delta: { type: 'input_json_delta', partial_json: part.args },
    });
  }

  protected close(): string {
    return `${this.open()}${this.closeBlock()}${this.events.event(
      'message_delta',
      {
        delta: { stop_reason: STOP_REASONS[this.reason], stop_sequence: null },
        usage: toAnthropicUsage(
          this.usage ?? {
            promptTokens: this.promptTokens,
            completionTokens: 0,
          },
        ),
      },
    )}${this.events.event('message_stop', {})}`;
  }

  errorEvent(error: GatewayError): string {
    this.closed = true;
    return sseEvent('error', anthropicErrorBody(error));
  }
}
