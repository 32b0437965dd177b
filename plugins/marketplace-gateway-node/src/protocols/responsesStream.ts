import { GatewayError } from '../errors';
import { newId, nowSeconds, StreamPart } from './canonical';
import {
  functionCallItem,
  messageItem,
  responseObject,
} from './responsesAnswer';
import type { StreamDecoder, TranslatableCall } from './translate';
import { TypedEventEncoder } from './typedEvents';

/**
 * OpenAI Responses event streams for a Responses client: the typed events
 * `response.created` … `response.output_text.delta` … `response.completed`.
 */

type OpenItem =
  | {
      kind: 'message';
      id: string;
      index: number;
      text: string;
      /** The fields of its text deltas before the text. */
      head?: string;
    }
  | {
      kind: 'function_call';
      id: string;
      index: number;
      call: { id: string; name: string; arguments: string };
    };

/** Encodes canonical stream parts as Responses' typed events. */
export class ResponsesStreamEncoder extends TypedEventEncoder {
  private id = newId('resp_');
  private readonly createdAt = nowSeconds();
  private opened = false;
  private current: OpenItem | undefined;
  private readonly output: unknown[] = [];
  private readonly tools = new Map<number, OpenItem>();

  constructor(private readonly call: TranslatableCall) {
    super(true);
  }

  private response(
    status: 'in_progress' | 'completed' | 'incomplete' | 'failed',
  ) {
    return responseObject(this.call, {
      id: this.id,
      createdAt: this.createdAt,
      model: this.call.model,
      status,
      output: status === 'in_progress' ? [] : this.output,
      usage: status === 'in_progress' ? undefined : this.usage,
    });
  }

  protected open(): string {
    if (this.opened) {
      return '';
    }
    this.opened = true;
    // The same response in both events: serialised once.
    const response = `"response":${JSON.stringify(
      this.response('in_progress'),
    )}`;
    return (
      this.events.jsonEvent('response.created', response) +
      this.events.jsonEvent('response.in_progress', response)
    );
  }

  private closeItem(): string {
    const item = this.current;
    if (!item) {
      return '';
    }
    this.current = undefined;
    if (item.kind === 'message') {
      const done = messageItem(item.id, item.text, 'completed');
      this.output.push(done);
      const part = { type: 'output_text', text: item.text, annotations: [] };
      return (
        this.events.event('response.output_text.done', {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          text: item.text,
          logprobs: [],
        }) +
        this.events.event('response.content_part.done', {
          item_id: item.id,
          output_index: item.index,
          content_index: 0,
          part,
        }) +
        this.events.event('response.output_item.done', {
          output_index: item.index,
          item: done,
        })
      );
    }
    const done = functionCallItem(item.id, item.call, 'completed');
    this.output.push(done);
    return (
      this.events.event('response.function_call_arguments.done', {
        item_id: item.id,
        output_index: item.index,
        name: item.call.name,
        arguments: item.call.arguments,
      }) +
      this.events.event('response.output_item.done', {
        output_index: item.index,
        item: done,
      })
    );
  }

  /** A piece of text: the hot path (one event per piece), written directly. */
  text(text: string): string {
    let out = this.open();
    if (this.current?.kind !== 'message') {
      out += this.closeItem();
      const added: OpenItem = {
        kind: 'message',
        id: newId('msg_'),
        index: this.output.length,
        text: '',
      };
      this.current = added;
      out +=
        this.events.event('response.output_item.added', {
          output_index: added.index,
          item: messageItem(added.id, '', 'in_progress'),
        }) +
        this.events.event('response.content_part.added', {
          item_id: added.id,
          output_index: added.index,
          content_index: 0,
          part: { type: 'output_text', text: '', annotations: [] },
        });
    }
    const item = this.current as Extract<OpenItem, { kind: 'message' }>;
    item.text += text;
    return (
      out +
      this.events.textEvent(
        'response.output_text.delta',
        (item.head ??= `"item_id":${JSON.stringify(item.id)},"output_index":${
          item.index
        },"content_index":0,`),
        'delta',
        text,
        ',"logprobs":[]',
      )
    );
  }

  protected toolStart(part: Extract<StreamPart, { type: 'tool_start' }>) {
    const out = this.closeItem();
    const item: OpenItem = {
      kind: 'function_call',
      id: newId('fc_'),
      index: this.output.length,
      call: { id: part.id, name: part.name, arguments: '' },
    };
    this.current = item;
    this.tools.set(part.index, item);
    return (
      out +
      this.events.event('response.output_item.added', {
        output_index: item.index,
        item: functionCallItem(item.id, item.call, 'in_progress'),
      })
    );
  }

  protected toolArgs(part: Extract<StreamPart, { type: 'tool_args' }>) {
    const item = this.tools.get(part.index);
    if (!item || item.kind !== 'function_call') {
      return '';
    }
    item.call.arguments += part.args;
    return this.events.event('response.function_call_arguments.delta', {
      item_id: item.id,
      output_index: item.index,
      delta: part.args,
    });
  }

  protected close(): string {
    let out = this.open() + this.closeItem();
    if (this.output.length === 0) {
      // An answer without content still has its (empty) message.
      this.output.push(messageItem(newId('msg_'), '', 'completed'));
    }
    const status = this.reason === 'length' ? 'incomplete' : 'completed';
    out += this.events.event(`response.${status}`, {
      response: this.response(status),
    });
    return out;
  }

  continueFrom(decoder: StreamDecoder, text: string) {
    if (decoder.responseId) {
      this.id = decoder.responseId;
      // The upstream's events opened the response already.
      this.opened = true;
    }
    if (decoder.sequence !== undefined) {
      this.events.sequence = decoder.sequence + 1;
    }
    const open = decoder.openItem;
    if (open?.kind === 'message') {
      // The message under way, with the text relayed so far.
      this.current = { kind: 'message', id: open.id, index: open.index, text };
    }
  }

  /**
   * A stream that broke off ends as Responses does: `response.failed`, whose
   * response carries the error and the output delivered so far (an open item
   * stays `in_progress`), and no usage (the gateway charges nothing for it).
   */
  errorEvent(error: GatewayError): string {
    this.closed = true;
    const item = this.current;
    if (item) {
      this.output.push(
        item.kind === 'message'
          ? {
              ...messageItem(item.id, item.text, 'in_progress'),
              content: [
                { type: 'output_text', text: item.text, annotations: [] },
              ],
            }
          : functionCallItem(item.id, item.call, 'in_progress'),
      );
      this.current = undefined;
    }
    this.usage = undefined;
    const response = {
      ...this.response('failed'),
      error: { code: error.code, message: error.message },
    };
    return this.open() + this.events.event('response.failed', { response });
  }
}
