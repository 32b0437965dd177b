import type { GatewayError } from '../errors';
import type { FinishReason, StreamPart } from './canonical';
import { TypedEventWriter } from './sse';
import type { StreamDecoder, StreamEncoder } from './translate';
import type { ReportedUsage } from './types';

/**
 * The skeleton shared by the encoders of typed-event protocols (Anthropic
 * Messages, OpenAI Responses): the answer opens once before its first piece,
 * pieces of text and tool calls become the protocol's events, the stop reason
 * and usage are kept for the closing events, which are written once.
 */
export abstract class TypedEventEncoder implements StreamEncoder {
  protected reason: FinishReason = 'stop';
  protected usage: ReportedUsage | undefined;
  protected closed = false;
  protected readonly events: TypedEventWriter;

  constructor(numbered: boolean) {
    this.events = new TypedEventWriter(numbered);
  }

  /** The events that open the answer, once (empty after that). */
  protected abstract open(): string;
  /** The events of a new tool call. */
  protected abstract toolStart(
    part: Extract<StreamPart, { type: 'tool_start' }>,
  ): string;
  /** The events of a piece of a tool call's arguments. */
  protected abstract toolArgs(
    part: Extract<StreamPart, { type: 'tool_args' }>,
  ): string;
  /** The closing events (called once). */
  protected abstract close(): string;
  /** A piece of text: the hot path (one event per piece). */
  abstract text(text: string): string;
  abstract errorEvent(error: GatewayError): string;
  continueFrom?(decoder: StreamDecoder, text: string): void;

  encode(part: StreamPart): string {
    switch (part.type) {
      case 'text':
        return this.text(part.text);
      case 'tool_start':
        return this.open() + this.toolStart(part);
      case 'tool_args':
        return this.open() + this.toolArgs(part);
      case 'finish':
        this.reason = part.reason;
        return this.open();
      case 'usage':
        this.usage = part.usage;
        return this.open();
      case 'done':
        return this.open() + this.finish();
      default:
        return this.open();
    }
  }

  /** The closing events, once (when the upstream's stream ended). */
  finish(): string {
    if (this.closed) {
      return '';
    }
    this.closed = true;
    return this.close();
  }
}
