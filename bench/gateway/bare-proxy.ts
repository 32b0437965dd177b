/*
 * The floor for a Node hop: a minimal node:http + undici pass-through, with no
 * auth, metering or parsing. Forwards every request to the next of its targets
 * (round robin), path below `/v1` mapped to the target's base URL.
 *
 * Run by side-by-side.ts as a child process: BARE_PROXY='{"targets":[...]}'.
 */
import http from 'node:http';
import { AddressInfo } from 'node:net';
import { Agent } from 'undici';

const { targets } = JSON.parse(process.env.BARE_PROXY ?? '{}') as {
  /** Base URLs; a request for `/x/v1/chat/completions` goes to `<base>/chat/completions` when the base ends in /v1, else to `<base><path>`. */
  targets: string[];
};
const agent = new Agent({ keepAliveTimeout: 30_000, connections: 512 });
let next = 0;

const server = http.createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', c => chunks.push(c));
  req.on('end', () => {
    const base = targets[next++ % targets.length];
    const url = req.url ?? '/';
    const at = url.indexOf('/v1/');
    const target = new URL(
      base.endsWith('/v1') && at >= 0
        ? `${base}${url.slice(at + 3)}`
        : `${base}${url}`,
    );
    const headers: Record<string, string> = {};
    for (const [name, value] of Object.entries(req.headers)) {
      if (
        typeof value === 'string' &&
        name !== 'host' &&
        name !== 'connection'
      ) {
        headers[name] = value;
      }
    }
    agent
      .request({
        origin: target.origin,
        path: `${target.pathname}${target.search}`,
        method: (req.method ?? 'GET') as 'POST',
        headers,
        body: chunks.length ? Buffer.concat(chunks) : undefined,
      })
      .then(
        answer => {
          const out: Record<string, string> = {};
          for (const [name, value] of Object.entries(answer.headers)) {
            if (
              typeof value === 'string' &&
              name !== 'connection' &&
              name !== 'keep-alive' &&
              name !== 'transfer-encoding'
            ) {
              out[name] = value;
            }
          }
          res.writeHead(answer.statusCode, out);
          answer.body.on('data', (c: Buffer) => res.write(c));
          answer.body.on('end', () => res.end());
          answer.body.on('error', () => res.destroy());
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
  });
});
server.keepAliveTimeout = 65_000;
server.listen({ port: 0, host: '127.0.0.1', backlog: 2048 }, () => {
  const { port } = server.address() as AddressInfo;
  process.send?.({
    type: 'ready',
    url: `http://127.0.0.1:${port}`,
    pid: process.pid,
  });
});
process.on('message', (m: { type?: string }) => {
  if (m?.type === 'stop') {
    process.exit(0);
  }
});
process.on('disconnect', () => process.exit(0));
