import { Response } from 'express';
import { CompletionChunk, SimulatedCompletion } from './generator';
import { ChatCompletionRequest } from './request';
import type { SleepFunction } from './sleep';
import { flush } from './sleep';
import { SimulatedToolCall } from './tools';

/**
 * The simulator's answer to one chat request (simulation.ts): every native
 * protocol (Responses, Messages) translates its request to this form and
 * writes the answer in its own shape.
 */
export type Simulate = (request: ChatCompletionRequest) => {
  model: { id: string; timeToFirstTokenMs: number; tokensPerSecond: number };
  promptTokens: number;
  toolCall: SimulatedToolCall | undefined;
  completion: SimulatedCompletion;
  completionTokens: number;
};

/** A signal aborted when the client leaves before its answer is finished. */
export function disconnectSignal(res: Response): AbortSignal {
  const disconnected = new AbortController();
  res.on('close', () => {
    if (!res.writableFinished) {
      disconnected.abort();
    }
  });
  return disconnected.signal;
}

/**
 * An event stream of typed events, as Responses and Messages send them:
 * `event: <type>` with `data: {"type": <type>, ...}`, numbered with
 * `sequence_number` where the protocol numbers them (Responses).
 */
export class TypedEventStream {
  private sequence = 0;

  constructor(
    private readonly res: Response,
    private readonly options: { sequenceNumbers?: boolean } = {},
  ) {}

  /** Sends the stream's headers. */
  open() {
    this.res.status(200);
    this.res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
    this.res.setHeader('Cache-Control', 'no-cache');
    this.res.flushHeaders();
  }

  send(type: string, data: object) {
    this.res.write(
      `event: ${type}\ndata: ${JSON.stringify({
        type,
        ...(this.options.sequenceNumbers
          ? { sequence_number: this.sequence++ }
          : {}),
        ...data,
      })}\n\n`,
    );
    flush(this.res);
  }
}

/** How the simulated deltas are paced: the model's speed, until the client leaves. */
export interface Pace {
  msPerToken: number;
  sleep: SleepFunction;
  signal: AbortSignal;
}

/**
 * A tool call's arguments in four deltas, each followed by its share of the
 * call's tokens. False when the client left meanwhile.
 */
export async function sendToolArguments(
  toolCall: SimulatedToolCall,
  pace: Pace,
  sendDelta: (slice: string) => void,
): Promise<boolean> {
  const step = Math.max(1, Math.ceil(toolCall.arguments.length / 4));
  for (let i = 0; i < toolCall.arguments.length; i += step) {
    sendDelta(toolCall.arguments.slice(i, i + step));
    await pace.sleep(
      (toolCall.completionTokens / 4) * pace.msPerToken,
      pace.signal,
    );
    if (pace.signal.aborted) {
      return false;
    }
  }
  return true;
}

/** A completion's text deltas, each followed by its tokens' time. False when the client left meanwhile. */
export async function sendTextDeltas(
  chunks: CompletionChunk[],
  pace: Pace,
  sendDelta: (text: string) => void,
): Promise<boolean> {
  for (const delta of chunks) {
    sendDelta(delta.text);
    await pace.sleep(delta.tokens * pace.msPerToken, pace.signal);
    if (pace.signal.aborted) {
      return false;
    }
  }
  return true;
}
