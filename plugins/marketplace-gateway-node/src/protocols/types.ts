import type { UpstreamProtocol } from '@internal/plugin-marketplace-common';
import type { GatewayError } from '../errors';
import type { RateLimitState } from '../limits/types';

/** What the rate limit headers say: all of it when admitted, part of it on a 429. */
export type RateLimitHeaderState = Pick<
  RateLimitState,
  'requestsPerMinute' | 'tokensPerMinute'
> &
  Partial<RateLimitState>;

/** Token counts an upstream reported. */
export interface ReportedUsage {
  /** All input tokens, cached ones included. */
  promptTokens: number;
  completionTokens: number;
  /** Of the input tokens, those the upstream read from its cache, where reported. */
  cachedPromptTokens?: number;
}

/** The client protocols the gateway serves, as the ledger records them. */
export type InboundProtocolId =
  | 'openai-chat'
  | 'openai-responses'
  | 'openai-completions'
  | 'openai-embeddings'
  | 'anthropic-messages';

/** A client request, validated and counted by its protocol adapter. */
export interface ParsedCall {
  /** The marketplace model (service name) the client asked for. */
  model: string;
  stream: boolean;
  /** Prompt tokens counted before forwarding: the reservation is based on it. */
  promptTokens: number;
  /** The completion budget the client asked for, if it named one. */
  requestedMaxTokens: number | undefined;
  /** The validated body, as the client sent it. */
  body: Record<string, unknown>;
  /** The request field that names the completion budget, for errors (`max_tokens`, ...). */
  maxTokensParam?: string;
  /** The request field that holds the prompt, for errors (`messages`, `input`, ...). */
  promptParam?: string;
  /** An embeddings request: no completion. */
  embeddings?: boolean;
}

/** What to send upstream for a call. */
export interface UpstreamRequest {
  /** Appended to the service's `spec.endpoint.baseUrl`. */
  path: string;
  body: string;
  accept: string;
}

/**
 * Meters one streamed answer, event by event, and says what to pass to the
 * client (the adapter may translate or drop events).
 */
export interface StreamMeter {
  /** One server-sent event (without its blank-line terminator): what to send the client, or null to drop it. */
  onEvent(event: string): string | null;
  /** Whether a piece of the answer (text or a tool call) has arrived. */
  readonly started: boolean;
  /** The usage the upstream reported, once it did. */
  readonly usage: ReportedUsage | undefined;
  /** The answer's text so far, for the tokenizer when the upstream reports no usage. */
  readonly text: string;
  /** An event that tells the client the stream broke off. */
  errorEvent(error: GatewayError): string;
  /** What to send once the upstream's stream ended (closing events of a translation). */
  end?(): string | null;
}

/**
 * A wire protocol the gateway speaks to clients (OpenAI Chat Completions today;
 * Responses and Anthropic Messages next). The pipeline (authenticate, admit,
 * reserve, forward, meter) is the same for all; an adapter parses and counts
 * the request, builds the upstream request, reads usage from the answer and
 * shapes errors.
 */
export interface ProtocolAdapter {
  /** For logs and metrics, e.g. `openai.chat`. */
  readonly id: string;
  /** The route it serves, below the gateway's base path, e.g. `/v1/chat/completions`. */
  readonly path: string;
  /** What the ledger records as the request's protocol. */
  readonly protocol?: InboundProtocolId;
  /** Further routes it serves (`/v1/messages/count_tokens`): answered without forwarding. */
  readonly extraRoutes?: Record<string, ExtraRoute>;
  /**
   * The adapter for a service whose upstream speaks `upstream`: itself when it
   * is the client's protocol (passed through), a translation otherwise. Throws
   * a 400 GatewayError when the service cannot serve this protocol.
   */
  forUpstream?(
    upstream: UpstreamProtocol,
    serviceName: string,
  ): ProtocolAdapter;
  /**
   * Headers of this protocol's own about the rate limits (besides
   * `x-ratelimit-*`), on admitted answers and on the gateway's own 429 (where
   * only the limits and the exhausted one's remaining and reset are known).
   */
  rateLimitHeaders?(state: RateLimitHeaderState): Record<string, string>;
  /** A rejection of the upstream (4xx JSON) in this protocol's error shape. */
  rejectionBody?(raw: Buffer, status: number): Buffer;
  /**
   * Validates and counts a request body; throws a 400 GatewayError naming the
   * first bad field.
   */
  parse(body: unknown): ParsedCall;
  /** The upstream request: the service's model and the completion budget the reservation allows. */
  upstreamRequest(
    call: ParsedCall,
    target: {
      upstreamModel: string;
      /** The budget the trial or spend cap allows, when lower than asked. */
      maxCompletionTokens: number | undefined;
      /** The completion budget admitted (for upstreams that require one). */
      defaultMaxTokens?: number;
    },
  ): UpstreamRequest;
  /**
   * Reads a successful non-streamed answer: the usage it reports, the text (for
   * the tokenizer) and the body for the client. Throws on invalid JSON.
   */
  readAnswer(
    raw: Buffer,
    call: ParsedCall,
  ): {
    usage: ReportedUsage | undefined;
    text: string;
    body: Buffer;
  };
  /** A meter for one streamed answer. */
  streamMeter(call: ParsedCall): StreamMeter;
  /** The error body in this protocol's shape. */
  errorBody(error: GatewayError): unknown;
}

/**
 * A route answered by the adapter alone (after authentication), e.g. token
 * counting. It validates the body, then asks `authorize` whether the key may
 * use the model the body names (the same check as a forwarded call: a 404 for
 * an unknown model, a 403 for another subscription's) before answering.
 */
export type ExtraRoute = (
  body: unknown,
  authorize: (model: string) => Promise<void>,
) => Promise<unknown>;
