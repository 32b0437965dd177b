import type { IncomingMessage, Server, ServerResponse } from 'node:http';

type Handle = (req: IncomingMessage, res: ServerResponse) => unknown;

/**
 * The embedded gateway's fast lane: requests for the gateway's mount path go
 * straight to its `node:http` handler, ahead of the host backend's express
 * stack (helmet, CORS, compression, the request log line, Backstage's root and
 * plugin routers). That stack costs a gateway call about as much CPU as the
 * gateway's own work; the standalone gateway (`packages/gateway`) never had it.
 *
 * What stays on the express path: every other path, and gateway requests that
 * carry an `Origin` header (a browser calling the gateway from a page), so that
 * Backstage's CORS answers them (including preflights) exactly as before. The
 * server's own settings (`backend.server` timeouts, TLS) apply to both.
 *
 * The backend attaches the lane to its HTTP server when it creates it
 * (packages/backend, the root HTTP router's `configure`); the marketplace
 * backend plugin opens it once its gateway is ready, and closes it on shutdown.
 * Until then, and without a backend that attaches it, the express path serves
 * the gateway as it always did.
 */
export class GatewayLane {
  private open?: { prefix: string; handle: Handle };

  /**
   * Serves requests under `prefix` (for example `/api/marketplace/gateway`)
   * with `handle`, which sees the URL without the prefix (as under express's
   * `router.use(prefix, ...)`). Returns the function that closes the lane.
   */
  register(prefix: string, handle: Handle): () => void {
    const lane = { prefix: prefix.replace(/\/+$/, ''), handle };
    this.open = lane;
    return () => {
      if (this.open === lane) {
        this.open = undefined;
      }
    };
  }

  /** Serves the request if it is the lane's; false when it is not. */
  dispatch(req: IncomingMessage, res: ServerResponse): boolean {
    const lane = this.open;
    const url = req.url;
    if (!lane || !url || !url.startsWith(lane.prefix)) {
      return false;
    }
    const next = url.charCodeAt(lane.prefix.length);
    // `/`, `?` or the end: the prefix is a whole path segment.
    if (!(next === 47 || next === 63 || Number.isNaN(next))) {
      return false;
    }
    if (req.headers.origin !== undefined) {
      return false;
    }
    const rest = url.slice(lane.prefix.length);
    req.url = rest === '' || rest[0] === '?' ? `/${rest}` : rest;
    lane.handle(req, res);
    return true;
  }

  /**
   * Puts the lane in front of the server's `request` listeners (the host's
   * express app): a request the lane does not take goes to them unchanged.
   */
  attach(server: Server): void {
    const listeners = server.listeners('request') as Handle[];
    server.removeAllListeners('request');
    server.on('request', (req: IncomingMessage, res: ServerResponse) => {
      if (this.dispatch(req, res)) {
        return;
      }
      for (const listener of listeners) {
        listener.call(server, req, res);
      }
    });
  }
}

/**
 * The one lane of this process: the backend attaches it to its server, the
 * marketplace plugin registers its embedded gateway on it.
 */
export const embeddedGatewayLane = new GatewayLane();
