import type { GatewayError } from '../errors';

/** Token counts an upstream reported. */
export interface ReportedUsage {
  promptTokens: number;
  completionTokens: number;
}

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
  /**
   * Validates and counts a request body; throws a 400 GatewayError naming the
   * first bad field.
   */
  parse(body: unknown): ParsedCall;
  /** The upstream request: the service's model and the completion budget the reservation allows. */
  upstreamRequest(
    call: ParsedCall,
    target: { upstreamModel: string; maxCompletionTokens: number | undefined },
  ): UpstreamRequest;
  /**
   * Reads a successful non-streamed answer: the usage it reports, the text (for
   * the tokenizer) and the body for the client. Throws on invalid JSON.
   */
  readAnswer(raw: Buffer): {
    usage: ReportedUsage | undefined;
    text: string;
    body: Buffer;
  };
  /** A meter for one streamed answer. */
  streamMeter(call: ParsedCall): StreamMeter;
  /** The error body in this protocol's shape. */
  errorBody(error: GatewayError): unknown;
}
