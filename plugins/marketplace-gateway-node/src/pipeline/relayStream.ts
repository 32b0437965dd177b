import type { ServerResponse } from 'http';
import type { Readable } from 'stream';
import { StringDecoder } from 'string_decoder';
import { GatewayError } from '../errors';
import { SseEventSplitter, StreamLimitError } from '../streamLimits';
import { countTextTokens } from '../tokens';
import { isUpstreamTimeout, UpstreamResponse } from '../upstream';
import type { Call, Pipeline } from './call';
import { meter } from './meter';
import type { GatewayReservation } from './ports';

const OUTCOME_HTTP_STATUS = {
  ok: 200,
  client_closed: 499,
  timeout: 504,
  upstream_error: 502,
} as const;

type StreamOutcome = keyof typeof OUTCOME_HTTP_STATUS;

/**
 * The SSE pass-through: a streamed answer, its events passed through as they
 * come (or translated by the protocol's stream meter), metered on the way.
 * A slow client pauses the upstream (backpressure).
 */
export function relayStream<R extends GatewayReservation>(
  pipeline: Pipeline<R>,
  call: Call<R>,
  answer: UpstreamResponse,
): Promise<void> {
  const { res, service, attempt } = call;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.flushHeaders();
  // Compression middleware (embedded mode) buffers unless flushed.
  const flushable = res as ServerResponse & { flush?: () => void };
  const streamMeter = call.protocol.streamMeter(call.parsed);
  const splitter = new SseEventSplitter(pipeline.streamLimits);
  let ttft: number | null = null;
  const handleEvent = (event: string) => {
    const out = streamMeter.onEvent(event);
    if (ttft === null && streamMeter.started) {
      ttft = Math.round(performance.now() - call.t0);
    }
    if (out !== null) {
      // Through a route, the answer names the member that answered.
      res.write(attempt ? withModelEvent(out, attempt.answerModel) : out);
    }
  };
  const writeError = (error: GatewayError) =>
    res.write(streamMeter.errorEvent(error));
  const body: Readable = answer.body;

  return new Promise<void>(resolve => {
    let done = false;
    const end = (outcome: StreamOutcome) => {
      if (done) {
        return;
      }
      done = true;
      const usage = streamMeter.usage;
      meter(pipeline, call, {
        status: outcome,
        httpStatus: OUTCOME_HTTP_STATUS[outcome],
        errorCode: outcome === 'ok' ? null : outcome,
        promptTokens: usage ? usage.promptTokens : call.parsed.promptTokens,
        completionTokens: usage
          ? usage.completionTokens
          : countTextTokens(streamMeter.text),
        tokenSource: usage ? 'upstream' : 'tokenizer',
        cachedPromptTokens: usage?.cachedPromptTokens ?? null,
        charge: outcome === 'ok' || outcome === 'client_closed',
        upstreamLatencyMs: Math.round(performance.now() - call.t0),
        timeToFirstTokenMs: ttft,
      });
      resolve();
    };
    // Chunks may split a character: decoded across them.
    const decoder = new StringDecoder('utf8');
    body.on('data', (chunk: Buffer | string) => {
      if (done) {
        return;
      }
      let events: string[];
      try {
        events = splitter.push(
          typeof chunk === 'string' ? chunk : decoder.write(chunk),
        );
      } catch (error) {
        if (!(error instanceof StreamLimitError)) {
          throw error;
        }
        for (const event of error.events) {
          handleEvent(event);
        }
        // Nothing more is buffered or relayed: the stream ends with an error event.
        writeError(
          new GatewayError({
            status: 502,
            type: 'api_error',
            message: `The upstream of ${service.name} sent ${
              error.limit === 'event' ? 'an event' : 'a stream'
            } larger than the gateway relays (${
              error.maxBytes
            } bytes). Nothing was charged.`,
            code: 'upstream_stream_too_large',
          }),
        );
        res.end();
        end('upstream_error');
        body.destroy();
        return;
      }
      for (const event of events) {
        handleEvent(event);
      }
      flushable.flush?.();
      // Backpressure: a slow client pauses the upstream instead of filling memory.
      if (res.writableNeedDrain && !body.isPaused()) {
        body.pause();
        res.once('drain', () => body.resume());
      }
    });
    body.on('end', () => {
      if (done) {
        return;
      }
      const rest = splitter.rest();
      if (rest) {
        handleEvent(rest);
      }
      // A translation's closing events (the upstream's own stream ended).
      const tail = streamMeter.end?.();
      if (tail) {
        res.write(tail);
      }
      res.end();
      end('ok');
    });
    body.on('error', error => {
      if (done) {
        return;
      }
      if (call.clientGone) {
        end('client_closed');
        return;
      }
      const timeout = isUpstreamTimeout(error);
      writeError(
        new GatewayError({
          status: timeout ? 504 : 502,
          message: timeout
            ? `The upstream of ${service.name} stopped sending. Nothing was charged.`
            : `The upstream of ${service.name} broke off the stream. Nothing was charged.`,
          type: 'api_error',
          code: timeout ? 'upstream_timeout' : 'upstream_broken',
        }),
      );
      res.end();
      end(timeout ? 'timeout' : 'upstream_error');
    });
    res.on('close', () => {
      if (call.clientGone) {
        body.destroy();
        end('client_closed');
      }
    });
  });
}

/** An SSE event (with its blank line) whose JSON data has its `model` set (routes). */
function withModelEvent(event: string, model: string): string {
  const lines = event.split('\n');
  const data = lines.filter(l => l.startsWith('data:'));
  if (data.length !== 1) {
    return event;
  }
  const index = lines.indexOf(data[0]);
  const value = data[0].slice(5).trimStart();
  if (value === '[DONE]') {
    return event;
  }
  try {
    const chunk = JSON.parse(value);
    if (chunk && typeof chunk === 'object' && 'model' in chunk) {
      lines[index] = `data: ${JSON.stringify({ ...chunk, model })}`;
      return lines.join('\n');
    }
  } catch {
    // Not JSON: unchanged.
  }
  return event;
}
