// Helpers of the reliability suite: processes, ports, HTTP with the suite's
// invariants (no 5xx from input, no stack trace, no secret outside its reveal),
// and a seeded random source.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
export const ROOT = path.resolve(
  path.dirname(new URL(import.meta.url).pathname),
  '..',
);
export const NODE_TRANSFORM = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
  { paths: [ROOT] },
);

export const say = (...a) => console.log('[reliability]', ...a);
export const sleep = ms => new Promise(r => setTimeout(r, ms));

/** A seeded PRNG (mulberry32): the same seed gives the same inputs. */
export function rng(seed) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (lo, hi) => lo + Math.floor(next() * (hi - lo + 1)),
    pick: arr => arr[Math.floor(next() * arr.length)],
    chance: p => next() < p,
  };
}

export async function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

/** Starts a process in its own group, output to a log file. */
export function startProcess(name, command, args, { cwd, env, log }) {
  const out = fs.openSync(log, 'a');
  const child = spawn(command, args, {
    cwd,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.name = name;
  child.log = log;
  child.exited = new Promise(resolve => child.once('exit', resolve));
  return child;
}

export async function stopProcess(child, signal = 'SIGTERM') {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      /* gone */
    }
  }, 15_000);
  await child.exited;
  clearTimeout(timer);
}

export async function waitFor(what, fn, { timeoutMs = 300_000, child } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const v = await fn();
      if (v) return v;
    } catch {
      /* not yet */
    }
    if (child && (child.exitCode !== null || child.signalCode !== null)) {
      const tail = fs
        .readFileSync(child.log, 'utf8')
        .split('\n')
        .slice(-40)
        .join('\n');
      throw new Error(
        `${child.name} exited while waiting for ${what}:\n${tail}`,
      );
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(1000);
  }
}

/** A stack trace in an answer: "at fn (file.ts:12:3)" lines or a `stack` field. */
export function stackTraceIn(text) {
  return (
    /\n\s+at [^\n]+:\d+:\d+/.test(text) ||
    /"stack"\s*:/.test(text) ||
    /at [\w.<>]+ \((?:\/|file:)[^)]+:\d+:\d+\)/.test(text)
  );
}

/**
 * What the suite checks on every answer it gets: the findings go to `failures`
 * (each with the request that caused it, so a seed reproduces it).
 */
export class Checker {
  constructor() {
    this.failures = [];
    this.secrets = new Set();
    this.answers = 0;
  }
  addSecret(s) {
    if (s) this.secrets.add(s);
  }
  fail(kind, detail) {
    if (this.failures.filter(f => f.kind === kind).length < 20) {
      this.failures.push({ kind, ...detail });
    }
    this.failures.count = (this.failures.count ?? 0) + 1;
  }
  /** Checks one answer; `reveal` marks the one answer allowed to carry a secret. */
  check(req, status, text, { reveal = false, allow5xx = false } = {}) {
    this.answers++;
    if (status >= 500 && !allow5xx) {
      this.fail('5xx', { req, status, body: text.slice(0, 300) });
    }
    if (stackTraceIn(text)) {
      this.fail('stack trace in answer', {
        req,
        status,
        body: text.slice(0, 300),
      });
    }
    if (!reveal) {
      for (const s of this.secrets) {
        if (text.includes(s)) {
          this.fail('secret in answer', {
            req,
            status,
            secret: `${s.slice(0, 6)}…`,
          });
        }
      }
    }
    if (status >= 400 && status < 500) {
      let message;
      try {
        const body = JSON.parse(text);
        message = body?.error?.message;
      } catch {
        /* not JSON */
      }
      if (typeof message !== 'string' || message.trim().length < 8) {
        this.fail('4xx without a message naming the problem', {
          req,
          status,
          body: text.slice(0, 200),
        });
      }
    }
  }
}

/** fetch with a timeout; never throws for HTTP statuses. */
export async function call(
  url,
  { method = 'GET', headers = {}, body, timeoutMs = 60_000 } = {},
) {
  const res = await fetch(url, {
    method,
    headers,
    body,
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, text, headers: res.headers };
}

export function json(text) {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Fails `kind` with `detail` on the checker unless `ok`; returns `ok`. */
export function expect(checker, ok, kind, detail) {
  if (!ok) checker.fail(kind, detail);
  return ok;
}
