import { GatewayError } from '../errors';
import { sseData } from './sse';
import type { StreamDecoder, StreamEncoder } from './translate';
import type { ReportedUsage, StreamMeter } from './types';

/**
 * Meters one upstream stream: decodes each event (a plain text delta without
 * parsing it), keeps what has started, the text so far and the usage, and
 * hands the text or the parts to `emit` (the client's encoder, or nothing when
 * passed through).
 */
export class UpstreamStreamMeter implements StreamMeter {
  started = false;
  usage: ReportedUsage | undefined;
  text = '';

  constructor(
    private readonly decoder: StreamDecoder,
    private readonly encoder: StreamEncoder,
    /** Translated: the client's events; passed through: the upstream's as they are. */
    private readonly translate: boolean,
  ) {}

  onEvent(event: string): string | null {
    const data = sseData(event);
    const text = this.decoder.text(data);
    if (text !== undefined) {
      if (!text) {
        return this.translate ? null : `${event}\n\n`;
      }
      this.started = true;
      this.text += text;
      return this.translate ? this.encoder.text(text) : `${event}\n\n`;
    }
    const parts = this.decoder.decode(data);
    let out = '';
    for (const part of parts) {
      if (part.type === 'text') {
        this.started = true;
        this.text += part.text;
      } else if (part.type === 'tool_start') {
        this.started = true;
        this.text += part.name;
      } else if (part.type === 'tool_args') {
        this.started = true;
        this.text += part.args;
      } else if (part.type === 'usage') {
        this.usage = part.usage;
      }
      if (this.translate) {
        out += this.encoder.encode(part);
      }
    }
    if (!this.translate) {
      return `${event}\n\n`;
    }
    return out || null;
  }

  end(): string | null {
    return this.translate ? this.encoder.finish() || null : null;
  }

  errorEvent(error: GatewayError): string {
    if (!this.translate) {
      this.encoder.continueFrom?.(this.decoder, this.text);
    }
    return this.encoder.errorEvent(error);
  }
}
