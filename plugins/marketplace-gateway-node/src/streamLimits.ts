import {
  createParser,
  EventSourceMessage,
  EventSourceParser,
} from 'eventsource-parser';
/** Caps of a relayed event stream, in bytes. */
export interface StreamLimits {
  /** The largest single server-sent event (what is buffered until its blank line). */
  maxEventBytes: number;
  /** The most a whole stream may send. */
  maxStreamBytes: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = {
  maxEventBytes: 1024 * 1024,
  maxStreamBytes: 32 * 1024 * 1024,
};

/** A stream went over one of its caps. */
export class StreamLimitError extends Error {
  constructor(
    readonly limit: 'event' | 'stream',
    readonly maxBytes: number,
    /** The whole events that came before the limit was reached. */
    readonly events: string[] = [],
  ) {
    super(
      limit === 'event'
        ? `An event of the stream is larger than ${maxBytes} bytes`
        : `The stream is larger than ${maxBytes} bytes`,
    );
    this.name = 'StreamLimitError';
  }
}

/** An event as text again (`event:`, `id:` and one `data:` line per line of its data). */
function eventText(message: EventSourceMessage): string {
  let text = '';
  if (message.event) {
    text += `event: ${message.event}\n`;
  }
  if (message.id) {
    text += `id: ${message.id}\n`;
  }
  return `${text}${message.data
    .split('\n')
    .map(line => `data: ${line}`)
    .join('\n')}`;
}

const BLANK_LINE = /(\r\n|\r|\n)(\r\n|\r|\n)/g;

/**
 * Splits a server-sent event stream into events with `eventsource-parser`
 * (the parser the Vercel AI SDK uses), within caps: at most `maxEventBytes`
 * of an unfinished event is ever buffered, and at most `maxStreamBytes` passes
 * in all. `push` throws StreamLimitError past either. Events come back as text
 * (`event:` and `data:` lines, without their blank line) for the protocol
 * adapters to meter, translate or pass on.
 */
export class SseEventSplitter {
  private readonly parser: EventSourceParser;
  private readonly completed: string[] = [];
  private pending = 0;
  private total = 0;

  constructor(private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS) {
    this.parser = createParser({
      onEvent: message => {
        this.completed.push(eventText(message));
      },
    });
  }

  /**
   * Takes the next piece of decoded text; returns the events it completed. Past
   * a cap it throws StreamLimitError, with the events completed before it.
   */
  push(text: string): string[] {
    const bytes = Buffer.byteLength(text, 'utf8');
    this.total += bytes;
    if (this.total > this.limits.maxStreamBytes) {
      throw new StreamLimitError('stream', this.limits.maxStreamBytes);
    }
    this.parser.feed(text);
    const events = this.completed.splice(0);
    if (events.length > 0) {
      // What follows the last blank line is the next event, still buffered.
      let end = -1;
      for (const match of text.matchAll(BLANK_LINE)) {
        end = match.index! + match[0].length;
      }
      this.pending =
        end >= 0 ? Buffer.byteLength(text.slice(end), 'utf8') : bytes;
    } else {
      this.pending += bytes;
    }
    if (this.pending > this.limits.maxEventBytes) {
      throw new StreamLimitError('event', this.limits.maxEventBytes, events);
    }
    return events;
  }

  /** What is left at the end of the stream (an event without its blank line). */
  rest(): string | undefined {
    // The end of the stream ends its last event.
    this.parser.feed('\n\n');
    this.parser.reset();
    this.pending = 0;
    const events = this.completed.splice(0);
    return events.length ? events.join('\n\n') : undefined;
  }
}
