import http from 'node:http';
import { AddressInfo } from 'node:net';
import { EgressPolicy } from '../egress/EgressPolicy';
import { createGatewayHttpHandler } from '../http/handler';
import { openaiChatAdapter } from '../protocols/openaiChat';
import { Gateway } from './Gateway';

/*
 * Issue 16, item 6: a client that stops reading must not make the gateway
 * buffer what a fast upstream streams. The gateway pauses its read of the
 * upstream until its answer to the client drains; without that, everything
 * the upstream sends piles up in the gateway's memory.
 *
 * Both the embedded gateway (the backend's router) and the standalone one
 * (packages/gateway) serve through createGatewayHttpHandler and this Gateway:
 * the test drives that shared code over real sockets.
 */

jest.setTimeout(60_000);

/** Far more than the kernel's socket buffers of both connections can hold. */
const EVENTS = 3000;
const EVENT_CONTENT = 'z'.repeat(8 * 1024);
/** The most the gateway may hold in its answer's buffer (its high-water mark is 16 KiB). */
const MAX_BUFFERED = 1024 * 1024;

let upstreamFinished: () => void;
let upstreamBytes = 0;
const upstream = http.createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'text/event-stream' });
    let sent = 0;
    // As fast as the connection takes it: the upstream honours its own drain.
    const more = () => {
      while (sent < EVENTS) {
        const event = `data: ${JSON.stringify({
          choices: [{ index: 0, delta: { content: EVENT_CONTENT } }],
        })}\n\n`;
        sent++;
        upstreamBytes += event.length;
        if (!res.write(event)) {
          res.once('drain', more);
          return;
        }
      }
      // Its usage: the gateway needs no tokenizer for this much text.
      res.write(
        `data: ${JSON.stringify({
          choices: [],
          usage: { prompt_tokens: 3, completion_tokens: EVENTS },
        })}\n\n`,
      );
      res.end('data: [DONE]\n\n', () => upstreamFinished());
    };
    more();
  });
});

/** What the test sees of the gateway's answer to the client. */
interface Watch {
  /** The most bytes the answer held buffered (not yet taken by the socket) after a write. */
  maxBuffered: number;
  /** Resolves once the gateway waits for its answer to drain. */
  waiting: Promise<void>;
}
let watch: Watch | undefined;

let gatewayServer: http.Server;
let gatewayBase: string;

beforeAll(async () => {
  await new Promise<void>(r => upstream.listen(0, '127.0.0.1', () => r()));
  const upstreamBase = `http://127.0.0.1:${
    (upstream.address() as AddressInfo).port
  }/v1`;
  const service = {
    name: 'firehose',
    ref: 'modelservice:default/firehose',
    providerRef: 'provider:default/p',
    status: 'approved',
    entity: {
      metadata: { name: 'firehose' },
      spec: {
        lifecycle: 'active',
        contextWindow: 100_000,
        maxOutputTokens: 100_000,
        pricing: {
          currency: 'USD',
          promptPer1kMicros: 1,
          completionPer1kMicros: 1,
        },
        endpoint: {
          baseUrl: upstreamBase,
          upstreamModel: 'firehose-v1',
          auth: { type: 'none' },
        },
        sla: {
          rateLimits: { requestsPerMinute: 100, tokensPerMinute: 10_000_000 },
        },
      },
    } as any,
  };
  const logger = { error: jest.fn(), warn: jest.fn(), info: jest.fn() };
  const gateway = new Gateway({
    logger,
    egress: new EgressPolicy({ allowedHosts: ['127.0.0.1'] }),
    // The stream caps are not what this test is about: far above its stream.
    streamLimits: {
      maxEventBytes: 1024 * 1024,
      maxStreamBytes: 1024 * 1024 * 1024,
    },
    upstreamTimeoutMs: 30_000,
    maxRequestMs: 60_000,
    grants: {
      findGrant: async secret =>
        secret === 'mk_good'
          ? {
              keyId: 'k',
              subscriptionId: 's',
              userRef: 'user:default/u',
              teamRef: null,
              serviceRef: service.ref,
              keyRevoked: false,
              subscriptionActive: true,
            }
          : undefined,
      touchKey: async () => undefined,
      getSuspension: async () => undefined,
    },
    ledger: {
      reserve: async request => ({
        ok: true,
        reservation: {
          requestId: request.requestId,
          maxCompletionTokens: request.maxCompletionTokens,
        },
      }),
      settle: async () => undefined,
    },
    services: {
      get: async name => (name === service.name ? service : undefined),
      getByRef: ref => (ref === service.ref ? service : undefined),
    },
    credentials: async () => ({ ok: true, headers: {} }),
  });
  const handler = createGatewayHttpHandler({
    gateway,
    protocols: [openaiChatAdapter],
    logger,
  });
  gatewayServer = http.createServer((req, res) => {
    // Watches the answer as the socket sees it: its buffered bytes after each
    // write, and whether the gateway waits for it to drain.
    const w: Watch = { maxBuffered: 0, waiting: Promise.resolve() };
    let waitingNow: () => void = () => undefined;
    w.waiting = new Promise<void>(r => {
      waitingNow = r;
    });
    const write = res.write.bind(res) as (...args: any[]) => boolean;
    res.write = ((...args: any[]) => {
      const ok = write(...args);
      w.maxBuffered = Math.max(w.maxBuffered, res.writableLength);
      return ok;
    }) as typeof res.write;
    const on = res.on.bind(res);
    res.on = ((event: string, listener: (...args: any[]) => void) => {
      if (event === 'drain') {
        waitingNow();
      }
      return on(event, listener);
    }) as typeof res.on;
    watch = w;
    handler(req, res);
  });
  await new Promise<void>(r => gatewayServer.listen(0, '127.0.0.1', () => r()));
  gatewayBase = `http://127.0.0.1:${
    (gatewayServer.address() as AddressInfo).port
  }`;
});

afterAll(async () => {
  gatewayServer.closeAllConnections();
  upstream.closeAllConnections();
  await new Promise(r => gatewayServer.close(r));
  await new Promise(r => upstream.close(r));
});

describe('backpressure of streamed answers', () => {
  it('stops reading a fast upstream while the client does not read, and relays everything once it does', async () => {
    const finished = new Promise<'upstream finished'>(r => {
      upstreamFinished = () => r('upstream finished');
    });
    const answer = await new Promise<http.IncomingMessage>(
      (resolve, reject) => {
        const req = http.request(`${gatewayBase}/v1/chat/completions`, {
          method: 'POST',
          headers: {
            authorization: 'Bearer mk_good',
            'content-type': 'application/json',
          },
        });
        req.on('response', resolve);
        req.on('error', reject);
        req.end(
          JSON.stringify({
            model: 'firehose',
            stream: true,
            messages: [{ role: 'user', content: 'everything, fast' }],
          }),
        );
      },
    );
    expect(answer.statusCode).toBe(200);
    // The client reads nothing (the answer stays paused): its socket fills,
    // then the gateway's. Either the gateway waits for its answer to drain, or
    // it takes the whole stream from the upstream into its own memory.
    const first = await Promise.race([
      watch!.waiting.then(() => 'gateway waits for drain' as const),
      finished,
    ]);
    expect(first).toBe('gateway waits for drain');

    const chunks: Buffer[] = [];
    for await (const chunk of answer) {
      chunks.push(chunk);
    }
    const text = Buffer.concat(chunks).toString('utf8');
    expect(await finished).toBe('upstream finished');
    // Everything arrived, in order, with nothing lost to the pauses.
    expect(text.split(EVENT_CONTENT).length - 1).toBe(EVENTS);
    expect(text.endsWith('data: [DONE]\n\n')).toBe(true);
    expect(upstreamBytes).toBeGreaterThan(20 * MAX_BUFFERED);
    // And the gateway never held more than a bounded amount of it.
    expect(watch!.maxBuffered).toBeLessThan(MAX_BUFFERED);
  });
});
