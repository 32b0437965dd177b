import type { UpstreamProtocol } from '@internal/plugin-marketplace-common';
import { GatewayError } from '../errors';
import { answerText, ChatAnswer, ChatRequest, StreamPart } from './canonical';
import { UpstreamStreamMeter } from './streamMeter';
import type { ParsedCall, ProtocolAdapter } from './types';
import { UPSTREAM_CODECS, upstreamErrorMessage } from './upstreamCodecs';

/** A call whose request was also translated to the canonical (Chat) form. */
export interface TranslatableCall extends ParsedCall {
  chat: ChatRequest;
}

/** How the gateway speaks to an upstream of one protocol. */
export interface UpstreamCodec {
  readonly id: UpstreamProtocol;
  /** Appended to the service's base URL. */
  readonly path: string;
  /** The upstream body for a canonical request. */
  request(
    chat: ChatRequest,
    model: string,
    maxTokens: number | undefined,
  ): Record<string, unknown>;
  /** A successful answer in canonical form. */
  answer(parsed: unknown): ChatAnswer;
  decoder(): StreamDecoder;
  /** The message of an error answer, if it has one. */
  errorMessage(parsed: unknown): string | undefined;
  /** Fields a passed-through request always gets (e.g. Responses' `store: false`). */
  readonly passThroughFields?: Record<string, unknown>;
}

/** Decodes an upstream's stream into canonical parts. */
export interface StreamDecoder {
  /** The parts of one event's data. */
  decode(data: string): StreamPart[];
  /**
   * The hot path: the text of an event that is a plain text delta, read
   * without parsing it whole; undefined for any other event (then `decode`).
   */
  text(data: string): string | undefined;
  /** The upstream's response id and last event number, where its protocol numbers events (Responses). */
  readonly responseId?: string;
  readonly sequence?: number;
  /** The upstream's output item under way, if any. */
  readonly openItem?: { id: string; index: number; kind: string };
}

/** How a client protocol encodes canonical answers and streams. */
export interface InboundCodec {
  answer(answer: ChatAnswer, call: TranslatableCall): unknown;
  encoder(call: TranslatableCall): StreamEncoder;
  errorBody(error: GatewayError): unknown;
}

export interface StreamEncoder {
  encode(part: StreamPart): string;
  /** A piece of text (the same as encoding a text part, without one). */
  text(text: string): string;
  /** The closing events, once (when the upstream's stream ended). */
  finish(): string;
  errorEvent(error: GatewayError): string;
  /**
   * Continues a stream passed through from an upstream of the same protocol
   * (its response id and event numbers), for the error event that ends it.
   */
  continueFrom?(decoder: StreamDecoder, text: string): void;
}

/**
 * A client protocol served by an upstream of another: the request goes
 * through the canonical form to the upstream's, and the answer (whole or
 * streamed) back to the client's.
 */
export function translatedAdapter(
  inbound: ProtocolAdapter & InboundCodec,
  upstream: UpstreamCodec,
): ProtocolAdapter {
  return {
    id: `${inbound.id}->${upstream.id}`,
    path: inbound.path,
    protocol: inbound.protocol,
    parse: inbound.parse,
    rateLimitHeaders: inbound.rateLimitHeaders,
    upstreamRequest(
      call,
      { upstreamModel, maxCompletionTokens, defaultMaxTokens },
    ) {
      const { chat } = call as TranslatableCall;
      const body = upstream.request(
        chat,
        upstreamModel,
        maxCompletionTokens ?? chat.max_tokens ?? defaultMaxTokens,
      );
      return {
        path: upstream.path,
        body: JSON.stringify(body),
        accept: call.stream ? 'text/event-stream' : 'application/json',
      };
    },
    readAnswer(raw, call) {
      const answer = upstream.answer(JSON.parse(raw.toString('utf8')));
      return {
        usage: answer.usage,
        text: answer.usage ? '' : answerText(answer),
        body: Buffer.from(
          JSON.stringify(inbound.answer(answer, call as TranslatableCall)),
        ),
      };
    },
    streamMeter: call =>
      new UpstreamStreamMeter(
        upstream.decoder(),
        inbound.encoder(call as TranslatableCall),
        true,
      ),
    errorBody: inbound.errorBody,
    rejectionBody(raw, status) {
      return Buffer.from(
        JSON.stringify(
          inbound.errorBody(
            new GatewayError({
              status,
              message: upstreamErrorMessage(upstream, raw, status),
            }),
          ),
        ),
      );
    },
  };
}

/**
 * The same protocol on both sides: the body is passed through (with the
 * upstream's model and the allowed budget), and answers are read only to meter
 * them.
 */
export function passThroughAdapter(
  inbound: ProtocolAdapter & InboundCodec,
  upstream: UpstreamCodec,
): ProtocolAdapter {
  return {
    id: inbound.id,
    path: inbound.path,
    protocol: inbound.protocol,
    parse: inbound.parse,
    rateLimitHeaders: inbound.rateLimitHeaders,
    upstreamRequest(call, { upstreamModel, maxCompletionTokens }) {
      const body: Record<string, unknown> = {
        ...call.body,
        ...upstream.passThroughFields,
        model: upstreamModel,
      };
      if (maxCompletionTokens !== undefined && call.maxTokensParam) {
        body[call.maxTokensParam] = maxCompletionTokens;
      }
      return {
        path: upstream.path,
        body: JSON.stringify(body),
        accept: call.stream ? 'text/event-stream' : 'application/json',
      };
    },
    readAnswer(raw) {
      const answer = upstream.answer(JSON.parse(raw.toString('utf8')));
      return {
        usage: answer.usage,
        text: answer.usage ? '' : answerText(answer),
        body: raw,
      };
    },
    streamMeter: call =>
      new UpstreamStreamMeter(
        upstream.decoder(),
        inbound.encoder(call as TranslatableCall),
        false,
      ),
    errorBody: inbound.errorBody,
  };
}

/**
 * The steps of a client protocol's adapter that serves only through
 * `forUpstream` (the pipeline binds it to the service's upstream first).
 */
export function boundThroughForUpstream(
  name: string,
): Pick<ProtocolAdapter, 'upstreamRequest' | 'readAnswer' | 'streamMeter'> {
  const unbound = () => {
    throw new Error(`${name} is bound with forUpstream`);
  };
  return {
    upstreamRequest: unbound,
    readAnswer: unbound,
    streamMeter: unbound,
  };
}

/**
 * The adapters built so far, by client protocol and upstream codec: they hold
 * no state of a call, so each pair is built once instead of once per request.
 */
const ADAPTERS = new WeakMap<
  ProtocolAdapter,
  Map<UpstreamCodec, ProtocolAdapter>
>();

/**
 * The adapter of a client protocol for a service whose upstream speaks
 * `upstream`: passed through when it is the same protocol, translated when
 * the gateway can, else a 400 naming the model.
 */
export function adapterFor(
  inbound: ProtocolAdapter & InboundCodec,
  native: UpstreamProtocol | undefined,
  upstream: UpstreamProtocol,
  serviceName: string,
): ProtocolAdapter {
  const codec = UPSTREAM_CODECS[upstream];
  if (!codec) {
    throw new GatewayError({
      status: 400,
      message:
        upstream === 'openai-embeddings'
          ? `'${serviceName}' is an embedding model: call it with POST /v1/embeddings.`
          : `'${serviceName}' cannot be called through ${inbound.path}.`,
      param: 'model',
      code: 'model_not_supported',
    });
  }
  let byCodec = ADAPTERS.get(inbound);
  if (!byCodec) {
    byCodec = new Map();
    ADAPTERS.set(inbound, byCodec);
  }
  let adapter = byCodec.get(codec);
  if (!adapter) {
    adapter =
      native === upstream
        ? passThroughAdapter(inbound, codec)
        : translatedAdapter(inbound, codec);
    byCodec.set(codec, adapter);
  }
  return adapter;
}
