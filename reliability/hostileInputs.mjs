// Oversized and slow inputs: bodies over the limits, slow and never-ending
// requests, against the gateway and the REST API.
import fs from 'node:fs';
import net from 'node:net';
import { call, expect, json, sleep } from './lib.mjs';
import { GW, subscribe } from './gateway.mjs';

// --- oversized and slow inputs -------------------------------------------------

function rawRequest(port, writer, { timeoutMs = 30_000 } = {}) {
  return new Promise(resolve => {
    const started = Date.now();
    const socket = net.connect(port, '127.0.0.1');
    let received = '';
    let done = false;
    const finish = how => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ how, received, ms: Date.now() - started });
    };
    const timer = setTimeout(() => finish('still open'), timeoutMs);
    socket.on('data', d => (received += d.toString('latin1')));
    socket.on('close', () => finish('closed'));
    socket.on('error', () => finish('closed'));
    socket.on('connect', () => writer(socket, () => done));
  });
}

export async function oversizedAndSlow({ portal, checker, keys, pid }) {
  const out = {};
  // A body over the gateway's 4 MB limit: 413 in OpenAI's shape.
  const big = JSON.stringify({
    model: 'northwind-gpt-4o-mini',
    messages: [{ role: 'user', content: 'x'.repeat(5 * 1024 * 1024) }],
  });
  const r413 = await call(`${portal.base}${GW}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys['northwind-gpt-4o-mini']}`,
      'content-type': 'application/json',
    },
    body: big,
  });
  const b413 = json(r413.text);
  expect(
    checker,
    r413.status === 413 &&
      b413?.error?.code === 'request_too_large' &&
      b413?.error?.type,
    'gateway: oversized body not 413 in OpenAI shape',
    {
      status: r413.status,
      body: r413.text.slice(0, 200),
    },
  );
  checker.check('gateway oversized', r413.status, r413.text);
  // The same on a REST route: 413 with a message.
  const rest413 = await call(
    `${portal.base}/api/marketplace/v1/services/northwind-gpt-4o/subscribe`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${portal.tokens.consumer}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ teamRef: 'x'.repeat(5 * 1024 * 1024) }),
    },
  );
  expect(checker, rest413.status === 413, 'REST: oversized body not 413', {
    status: rest413.status,
    body: rest413.text.slice(0, 200),
  });
  checker.check('REST oversized', rest413.status, rest413.text);
  // A prompt with a base64 image of 3 MB, within the limit, works.
  const image = Buffer.alloc(3 * 1024 * 1024 * 0.75, 7).toString('base64');
  const withImage = await call(`${portal.base}${GW}`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${keys['northwind-gpt-4o-mini']}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: 'northwind-gpt-4o-mini',
      max_tokens: 16,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this picture?' },
            {
              type: 'image_url',
              image_url: { url: `data:image/png;base64,${image}` },
            },
          ],
        },
      ],
    }),
  });
  checker.check('gateway 3 MB image', withImage.status, withImage.text);
  expect(
    checker,
    withImage.status === 200,
    'gateway: a 3 MB image prompt within the limit failed',
    {
      status: withImage.status,
      body: withImage.text.slice(0, 300),
    },
  );
  out.limits = {
    gateway: r413.status,
    rest: rest413.status,
    image3MB: withImage.status,
  };

  // Slow loris: headers one byte a second, and a body one byte a second, are cut
  // off (backend.server.headersTimeout / requestTimeout; Node checks them every
  // 30 s at most).
  const headers = `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\nX-Slow: ${'a'.repeat(
    80,
  )}\r\n`;
  const dripHeaders = (socket, isDone) => {
    let i = 0;
    const tick = () => {
      if (isDone() || i >= headers.length) return;
      socket.write(headers[i++]);
      setTimeout(tick, 1_000);
    };
    tick();
  };
  const dripBody = (socket, isDone) => {
    socket.write(
      `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${keys['northwind-gpt-4o-mini']}\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n`,
    );
    const tick = () => {
      if (isDone()) return;
      socket.write('{');
      setTimeout(tick, 1_000);
    };
    tick();
  };
  const [loris, slowBody] = await Promise.all([
    rawRequest(portal.port, dripHeaders, { timeoutMs: 50_000 }),
    rawRequest(portal.port, dripBody, { timeoutMs: 50_000 }),
  ]);
  const cutOff = x => x.how === 'closed' || /^HTTP\/1.1 408/.test(x.received);
  expect(
    checker,
    cutOff(loris) && loris.ms < 45_000,
    'slow loris (headers): connection not cut off',
    { how: loris.how, ms: loris.ms },
  );
  expect(
    checker,
    cutOff(slowBody) && slowBody.ms < 45_000,
    'slow body: connection not cut off',
    { how: slowBody.how, ms: slowBody.ms },
  );
  for (const x of [loris, slowBody]) {
    const [head, body = ''] = x.received.split('\r\n\r\n');
    if (head) checker.check('slow client', Number(head.split(' ')[1]), body);
  }
  out.slowLoris = {
    headersCutAfterMs: loris.ms,
    headersAnswer: loris.received.split('\r\n')[0],
    bodyCutAfterMs: slowBody.ms,
    bodyAnswer: slowBody.received.split('\r\n')[0],
  };

  // Clients that never read a stream do not pin memory: 20 of them, each asking
  // for a long answer; the backend's memory stays bounded and it keeps answering.
  const rss = () => {
    try {
      return (
        Number(
          /VmRSS:\s+(\d+)/.exec(
            fs.readFileSync(`/proc/${pid}/status`, 'utf8'),
          )[1],
        ) * 1024
      );
    } catch {
      return NaN;
    }
  };
  const before = rss();
  const sockets = [];
  const body = JSON.stringify({
    model: 'northwind-gpt-4o-mini',
    stream: true,
    max_tokens: 16_000,
    messages: [{ role: 'user', content: 'Write a very long story.' }],
  });
  for (let i = 0; i < 20; i++) {
    const socket = net.connect(portal.port, '127.0.0.1');
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(
        `POST ${GW} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer ${
          keys['northwind-gpt-4o-mini']
        }\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(
          body,
        )}\r\n\r\n${body}`,
      );
      socket.pause(); // never read
    });
    sockets.push(socket);
  }
  await sleep(8_000);
  const during = rss();
  const started = Date.now();
  const health = await call(`${portal.base}/.backstage/health/v1/liveness`, {
    timeoutMs: 10_000,
  }).catch(() => ({ status: 0 }));
  const healthMs = Date.now() - started;
  for (const s of sockets) s.destroy();
  const grewMb = (during - before) / 1024 / 1024;
  expect(
    checker,
    health.status === 200 && healthMs < 5_000,
    'never-reading stream clients: backend unresponsive',
    { healthMs },
  );
  expect(
    checker,
    !(grewMb > 200),
    'never-reading stream clients: memory grew by more than 200 MB',
    { grewMb },
  );
  out.neverReading = {
    clients: 20,
    rssGrowthMb: Math.round(grewMb),
    livenessMs: healthMs,
  };
  return out;
}
