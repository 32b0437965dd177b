import type { GatewayError } from '../errors';
import type { ReportedUsage } from './types';

/**
 * The server-sent events every protocol reads and writes: the data of an
 * upstream's event, a cheap read of a plain text delta, and the two writers of
 * client streams (typed events for Messages and Responses, `data:` chunks for
 * Chat and legacy Completions). A translated stream's text deltas (most of its
 * events) are read and written without building any object: the text is found
 * in the upstream's JSON and written into the client's directly.
 */

/** The data of one server-sent event (without its blank line). */
export function sseData(raw: string): string {
  const newline = raw.indexOf('\n');
  if (newline < 0) {
    // `data: {...}`: Chat and Completions.
    return raw.startsWith('data:') ? raw.slice(raw[5] === ' ' ? 6 : 5) : '';
  }
  if (
    raw.startsWith('event:') &&
    raw.startsWith('data:', newline + 1) &&
    raw.indexOf('\n', newline + 1) < 0
  ) {
    // `event: name` then `data: {...}`: Messages and Responses.
    const start = newline + (raw[newline + 6] === ' ' ? 7 : 6);
    return raw.slice(start);
  }
  const data: string[] = [];
  for (const line of raw.split('\n')) {
    if (line.startsWith('data:')) {
      data.push(line.slice(line[5] === ' ' ? 6 : 5));
    }
  }
  return data.join('\n');
}

/**
 * The text of a JSON object that is exactly `prefix` (from `from`), one JSON
 * string, then `suffix`, e.g. an Anthropic text delta; undefined when the data
 * has any other shape (then the caller parses it whole). Strings without
 * escapes are taken as they are; others are decoded by JSON.parse.
 */
export function textBetween(
  data: string,
  prefix: string,
  from: number,
  suffix: string,
): string | undefined {
  if (!data.startsWith(prefix, from) || !data.endsWith(suffix)) {
    return undefined;
  }
  const start = from + prefix.length;
  const end = data.length - suffix.length - 1;
  if (end <= start || data[start] !== '"' || data[end] !== '"') {
    return undefined;
  }
  const quote = data.indexOf('"', start + 1);
  if (quote === end && data.indexOf('\\', start) < 0) {
    return data.slice(start + 1, end);
  }
  // Escapes (or a quote inside): only a single valid string literal will do.
  try {
    const text: unknown = JSON.parse(data.slice(start, end + 1));
    return typeof text === 'string' ? text : undefined;
  } catch {
    return undefined;
  }
}

/** A named server-sent event with JSON data, with its blank line. */
export function sseEvent(name: string | undefined, data: unknown): string {
  return `${name ? `event: ${name}\n` : ''}data: ${JSON.stringify(data)}\n\n`;
}

/**
 * Writes a protocol's typed events: `event: <type>` and `data: {"type":
 * <type>, ...}`, numbered with `sequence_number` where the protocol numbers
 * them (Responses), not where it does not (Messages).
 */
export class TypedEventWriter {
  /** The number of the next event (numbered protocols only). */
  sequence = 0;
  // The text event's fixed parts, kept while its type, head and key stay the same.
  private textType = '';
  private textHead = '';
  private textKey = '';
  private beforeNumber = '';
  private beforeText = '';

  constructor(private readonly numbered: boolean) {}

  /** An event whose fields (after type and number) are already JSON, e.g. one object sent in two events. */
  jsonEvent(type: string, fieldsJson: string): string {
    return `event: ${type}\ndata: {"type":"${type}"${
      this.numbered ? `,"sequence_number":${this.sequence++}` : ''
    },${fieldsJson}}\n\n`;
  }

  event(type: string, fields: object): string {
    return sseEvent(
      type,
      this.numbered
        ? { type, sequence_number: this.sequence++, ...fields }
        : { type, ...fields },
    );
  }

  /**
   * The hot path: an event of a piece of text written directly. `head` is the
   * JSON of the fields before the text (each followed by a comma), `tail`
   * what follows it up to the closing brace, e.g. `,"logprobs":[]` or `}`.
   */
  textEvent(
    type: string,
    head: string,
    key: string,
    text: string,
    tail: string,
  ): string {
    if (
      type !== this.textType ||
      head !== this.textHead ||
      key !== this.textKey
    ) {
      this.textType = type;
      this.textHead = head;
      this.textKey = key;
      this.beforeNumber = `event: ${type}\ndata: {"type":"${type}","sequence_number":`;
      this.beforeText = this.numbered
        ? `,${head}"${key}":`
        : `event: ${type}\ndata: {"type":"${type}",${head}"${key}":`;
    }
    return this.numbered
      ? `${this.beforeNumber}${this.sequence++}${
          this.beforeText
        }${JSON.stringify(text)}${tail}}\n\n`
      : `${this.beforeText}${JSON.stringify(text)}${tail}}\n\n`;
  }
}

/** OpenAI's error body (Chat, Completions, Responses, Embeddings). */
export function openaiErrorBody(error: GatewayError) {
  return {
    error: {
      message: error.message,
      type: error.type,
      param: error.param,
      code: error.code,
    },
  };
}

/** Usage in Chat Completions' (and legacy Completions') shape. */
export function toChatUsage(usage: ReportedUsage) {
  return {
    prompt_tokens: usage.promptTokens,
    completion_tokens: usage.completionTokens,
    total_tokens: usage.promptTokens + usage.completionTokens,
    ...(usage.cachedPromptTokens !== undefined
      ? { prompt_tokens_details: { cached_tokens: usage.cachedPromptTokens } }
      : {}),
  };
}

/**
 * Writes OpenAI's `data:` chunks of one answer (Chat Completions and legacy
 * Completions): every chunk carries the answer's id, object, created and
 * model; the usage chunk has no choices; `[DONE]` ends the stream.
 */
export class ChunkWriter {
  private readonly head: string;
  // The text chunk's fixed part, kept while its head and key stay the same.
  private textHead: string | undefined;
  private textKey = '';
  private beforeText = '';

  constructor(
    object: 'chat.completion.chunk' | 'text_completion',
    fields: {
      id: string;
      created: number;
      model: string;
    },
  ) {
    this.head = `data: {"id":${JSON.stringify(
      fields.id,
    )},"object":"${object}","created":${
      fields.created
    },"model":${JSON.stringify(fields.model)},"choices":[`;
  }

  /** A chunk with one choice (its JSON). */
  chunk(choice: object): string {
    return `${this.head}${JSON.stringify(choice)}]}\n\n`;
  }

  /** The hot path: a choice with a piece of text, written directly (`{head"key":text tail}`). */
  textChunk(head: string, key: string, text: string, tail: string): string {
    if (head !== this.textHead || key !== this.textKey) {
      this.textHead = head;
      this.textKey = key;
      this.beforeText = `${this.head}{${head}"${key}":`;
    }
    return `${this.beforeText}${JSON.stringify(text)}${tail}}]}\n\n`;
  }

  /** The closing chunks: the usage (when the client asked for it) and `[DONE]`. */
  close(usage: ReportedUsage | undefined): string {
    return `${
      usage
        ? `${this.head}],"usage":${JSON.stringify(toChatUsage(usage))}}\n\n`
        : ''
    }data: [DONE]\n\n`;
  }

  /** The event that ends a broken stream. */
  error(error: GatewayError): string {
    return `data: ${JSON.stringify(openaiErrorBody(error))}\n\n`;
  }
}
