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

/**
 * Splits a server-sent event stream into events (separated by a blank line)
 * within caps: at most `maxEventBytes` is ever buffered, and at most
 * `maxStreamBytes` passes in all. `push` throws StreamLimitError past either.
 */
export class SseEventSplitter {
  private pending = '';
  private total = 0;

  constructor(private readonly limits: StreamLimits = DEFAULT_STREAM_LIMITS) {}

  /**
   * Takes the next piece of decoded text; returns the events it completed. Past
   * a cap it throws StreamLimitError, with the events completed before it.
   */
  push(text: string): string[] {
    this.total += Buffer.byteLength(text, 'utf8');
    if (this.total > this.limits.maxStreamBytes) {
      throw new StreamLimitError('stream', this.limits.maxStreamBytes);
    }
    this.pending += text.replace(/\r\n/g, '\n');
    const events: string[] = [];
    let index = this.pending.indexOf('\n\n');
    while (index >= 0) {
      const event = this.pending.slice(0, index);
      this.pending = this.pending.slice(index + 2);
      if (event.trim()) {
        events.push(event);
      }
      index = this.pending.indexOf('\n\n');
    }
    if (Buffer.byteLength(this.pending, 'utf8') > this.limits.maxEventBytes) {
      throw new StreamLimitError('event', this.limits.maxEventBytes, events);
    }
    return events;
  }

  /** What is left at the end of the stream (an event without its blank line). */
  rest(): string | undefined {
    const rest = this.pending;
    this.pending = '';
    return rest.trim() ? rest : undefined;
  }
}
