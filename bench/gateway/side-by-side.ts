/*
 * Long on purpose (over ~400 lines): one script run by hand and read top to
 * bottom, starting every target and reporting them side by side.
 *
 * The gateway side by side with its floor and a peer, in one run (issue 19):
 *
 *   direct      the demo upstream, called directly
 *   bare        a minimal node:http + undici pass-through (bare-proxy.ts): the floor for a Node hop
 *   embedded    our gateway in the portal backend (/api/marketplace/gateway)
 *   standalone  our gateway as its own process (packages/gateway)
 *   portkey     Portkey's open-source gateway (@portkey-ai/gateway), no auth or metering
 *
 * Closed loop at c=1 and c=16; open loop (Poisson arrivals) at 25/50/75 % of
 * the bare proxy's c=16 throughput measured in the same run; streaming time to
 * first token; CPU per request of each process from /proc; the ledger check of
 * every request our gateways answered; with --pg and --redis also two
 * standalone instances behind one port on PostgreSQL + Redis.
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs bench/gateway/side-by-side.ts \
 *     [--duration 6] [--pg <conn>] [--redis <url>] [--json <file>]
 *     [--baseline <checkout>] [--targets direct,bare,...] [--scenarios closed,open,stream]
 *
 * --baseline adds `baseline` (and on SQLite `baseline-embedded`, its portal
 * backend): the standalone gateway of another checkout (for
 * example `git worktree add --detach <dir> main`), on the same database, so
 * that a change is compared with the code before it in the same run. The
 * checkout needs only `node_modules/@internal/*` linking its own workspace
 * packages (as yarn links them); every other dependency comes from this
 * checkout (NODE_PATH), so the two must not differ in dependencies.
 */
import { ChildProcess, fork, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import knexFactory from 'knex';
import { Pool } from 'undici';
import type { ServerMessage } from './server';

const args = process.argv.slice(2);
const arg = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const DURATION_S = Number(arg('--duration') ?? 6);
const PG = arg('--pg');
const REDIS = arg('--redis');
const JSON_OUT = arg('--json');
const STREAM_REQUESTS = Number(arg('--stream-requests') ?? 150);
const BASELINE = arg('--baseline');
const TARGETS = arg('--targets')?.split(',');
const SCENARIOS = (arg('--scenarios') ?? 'closed,open,stream').split(',');
const TRANSFORM = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);

type TargetName =
  | 'direct'
  | 'bare'
  | 'embedded'
  | 'standalone'
  | 'baseline'
  | 'baseline-embedded'
  | 'portkey'
  | 'two-instances';
interface Target {
  name: TargetName;
  url: string;
  headers: Record<string, string>;
  model: string;
  /** The processes that do this target's work besides the upstream. */
  pids: number[];
  metered: boolean;
}

// --- child processes -----------------------------------------------------------

const children: ChildProcess[] = [];

function forkChild<T>(
  file: string,
  env: Record<string, string>,
  /** Another checkout to run the file from (its bench/gateway). */
  checkout?: string,
): Promise<T & { child: ChildProcess }> {
  // BENCH_PROFILE_DIR: CPU profiles of the standalone gateway (node --cpu-prof).
  const profile =
    file === 'standalone.ts' && process.env.BENCH_PROFILE_DIR
      ? [
          '--cpu-prof',
          `--cpu-prof-dir=${path.join(
            process.env.BENCH_PROFILE_DIR,
            checkout ? 'baseline' : 'standalone',
          )}`,
        ]
      : [];
  const dir = checkout ? path.resolve(checkout, 'bench', 'gateway') : __dirname;
  const child = fork(path.join(dir, file), [], {
    cwd: checkout ? path.resolve(checkout) : undefined,
    execArgv: ['--require', TRANSFORM, ...profile],
    env: {
      ...process.env,
      NODE_ENV: 'production',
      // The other checkout's own workspace packages (its node_modules/@internal
      // links), every other dependency from this checkout's node_modules.
      ...(checkout
        ? { NODE_PATH: path.resolve(__dirname, '..', '..', 'node_modules') }
        : {}),
      ...env,
    },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  children.push(child);
  return new Promise((resolve, reject) => {
    child.once('exit', code => reject(new Error(`${file} exited (${code})`)));
    child.on('message', (m: any) => {
      if (m?.type === 'ready') {
        resolve({ ...m, child });
      } else if (m?.type === 'error') {
        reject(new Error(`${file}: ${m.message}`));
      }
    });
  });
}

function freePort(): Promise<number> {
  return new Promise(resolve => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

async function waitForPort(port: number, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    const ok = await new Promise<boolean>(resolve => {
      const socket = net.connect(port, '127.0.0.1');
      socket.on('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.on('error', () => resolve(false));
    });
    if (ok) {
      return;
    }
    await new Promise(r => setTimeout(r, 200));
  }
  throw new Error(`Nothing listens on ${port}`);
}

async function stopAll() {
  for (const child of children.reverse()) {
    if (child.exitCode === null) {
      const exited = new Promise(r => child.once('exit', r));
      if (child.connected) {
        child.send({ type: 'stop' });
      } else {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

// --- CPU from /proc --------------------------------------------------------------

function ticks(pid: number): number {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return Number(f[11]) + Number(f[12]);
  } catch {
    return NaN;
  }
}
function machineBusy(): number {
  const v = fs
    .readFileSync('/proc/stat', 'utf8')
    .split('\n')[0]
    .trim()
    .split(/\s+/)
    .slice(1)
    .map(Number);
  return v[0] + v[1] + v[2] + v[5] + v[6];
}

// --- load ------------------------------------------------------------------------

interface Run {
  target: TargetName;
  scenario: string;
  ok: number;
  failed: number;
  seconds: number;
  rps: number;
  p50: number;
  p99: number;
  /** CPU µs per 200 response: the target's own process(es), the upstream. */
  cpuUsPerReq: number;
  upstreamCpuUsPerReq: number;
  otherCpuPct: number;
}

const okIds = new Map<TargetName, string[]>();

function pct(sorted: number[], p: number) {
  if (!sorted.length) {
    return NaN;
  }
  return sorted[
    Math.min(
      sorted.length - 1,
      Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
    )
  ];
}

function body(model: string, stream = false) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Hello' }],
    max_tokens: 16,
    ...(stream ? { stream: true } : {}),
  });
}

async function one(pool: Pool, target: Target, payload: string) {
  const u = new URL(target.url);
  const res = await pool.request({
    path: u.pathname,
    method: 'POST',
    headers: { 'content-type': 'application/json', ...target.headers },
    body: payload,
  });
  await res.body.dump({ limit: 1 << 20 }).catch(() => res.body.text());
  if (res.statusCode === 200 && target.metered) {
    const id = res.headers['x-request-id'];
    if (typeof id === 'string') {
      okIds.get(target.name)!.push(id);
    }
  }
  return res.statusCode;
}

let upstreamPid = 0;

async function measure(
  target: Target,
  scenario: string,
  drive: (
    pool: Pool,
    record: (ms: number, status: number) => void,
  ) => Promise<number>,
  connections: number,
): Promise<Run> {
  const pool = new Pool(new URL(target.url).origin, {
    connections,
    pipelining: 1,
  });
  const latencies: number[] = [];
  let failed = 0;
  const before = {
    t: target.pids.map(ticks),
    u: ticks(upstreamPid),
    m: machineBusy(),
    me: ticks(process.pid),
  };
  const seconds = await drive(pool, (ms, status) => {
    if (status === 200) {
      latencies.push(ms);
    } else {
      failed++;
    }
  });
  const after = {
    t: target.pids.map(ticks),
    u: ticks(upstreamPid),
    m: machineBusy(),
    me: ticks(process.pid),
  };
  await pool.close();
  latencies.sort((a, b) => a - b);
  const ok = latencies.length;
  const tCpu = after.t.reduce((a, b, i) => a + b - before.t[i], 0);
  const uCpu = after.u - before.u;
  const other =
    after.m -
    before.m -
    tCpu -
    (target.pids.includes(upstreamPid) ? 0 : uCpu) -
    (after.me - before.me);
  return {
    target: target.name,
    scenario,
    ok,
    failed,
    seconds,
    rps: ok / seconds,
    p50: pct(latencies, 50),
    p99: pct(latencies, 99),
    cpuUsPerReq: ((tCpu / 100) * 1e6) / Math.max(1, ok),
    upstreamCpuUsPerReq: ((uCpu / 100) * 1e6) / Math.max(1, ok),
    otherCpuPct: Math.max(0, (other / 100 / seconds) * 100),
  };
}

/** Closed loop: each of `c` connections sends its next request when the last is answered. */
function closed(target: Target, c: number, durationS: number) {
  return measure(
    target,
    `closed c=${c}`,
    async (pool, record) => {
      const payload = body(target.model);
      const start = performance.now();
      const end = start + durationS * 1000;
      await Promise.all(
        Array.from({ length: c }, async () => {
          while (performance.now() < end) {
            const t = performance.now();
            const status = await one(pool, target, payload).catch(() => 0);
            record(performance.now() - t, status);
          }
        }),
      );
      return (performance.now() - start) / 1000;
    },
    c,
  );
}

/**
 * Open loop: Poisson arrivals at `rate` req/s, each request timed from its
 * scheduled arrival (queueing included, no coordinated omission).
 */
function open(target: Target, rate: number, label: string, durationS: number) {
  return measure(
    target,
    label,
    async (pool, record) => {
      const payload = body(target.model);
      const start = performance.now();
      const arrivals: number[] = [];
      let t = 0;
      while (t < durationS * 1000) {
        t += (-Math.log(1 - Math.random()) / rate) * 1000;
        arrivals.push(start + t);
      }
      const inflight: Promise<void>[] = [];
      let i = 0;
      await new Promise<void>(resolve => {
        const tick = () => {
          const now = performance.now();
          while (i < arrivals.length && arrivals[i] <= now) {
            const due = arrivals[i++];
            inflight.push(
              one(pool, target, payload)
                .catch(() => 0)
                .then(status => record(performance.now() - due, status)),
            );
          }
          if (i >= arrivals.length) {
            resolve();
          } else {
            setTimeout(
              tick,
              Math.max(0, Math.min(5, arrivals[i] - performance.now())),
            );
          }
        };
        tick();
      });
      await Promise.all(inflight);
      return durationS;
    },
    256,
  );
}

/** Streaming: time to the first event with content, one request at a time. */
async function ttft(target: Target, n: number) {
  const pool = new Pool(new URL(target.url).origin, { connections: 1 });
  const u = new URL(target.url);
  const payload = body(target.model, true);
  const times: number[] = [];
  let failed = 0;
  for (let i = 0; i < n; i++) {
    const t = performance.now();
    const res = await pool.request({
      path: u.pathname,
      method: 'POST',
      headers: { 'content-type': 'application/json', ...target.headers },
      body: payload,
    });
    let first: number | undefined;
    for await (const chunk of res.body) {
      if (first === undefined && /"content":\s*"[^"]/.test(String(chunk))) {
        first = performance.now() - t;
      }
    }
    if (res.statusCode !== 200 || first === undefined) {
      failed++;
    } else {
      times.push(first);
      if (target.metered) {
        okIds.get(target.name)!.push(String(res.headers['x-request-id']));
      }
    }
  }
  await pool.close();
  times.sort((a, b) => a - b);
  return {
    target: target.name,
    failed,
    n: times.length,
    p50: pct(times, 50),
    p99: pct(times, 99),
  };
}

// --- main --------------------------------------------------------------------------

async function main() {
  const started = Date.now();
  console.log(
    `side-by-side: node ${process.version}, ${
      os.cpus().length
    } CPU(s), ${DURATION_S}s per scenario, ${PG ? 'PostgreSQL' : 'SQLite'}`,
  );
  const upstream = await forkChild<Extract<ServerMessage, { type: 'ready' }>>(
    'server.ts',
    {
      BENCH_SERVER: JSON.stringify({ role: 'upstream' }),
    },
  );
  upstreamPid = upstream.pid;
  const portal = await forkChild<Extract<ServerMessage, { type: 'ready' }>>(
    'server.ts',
    {
      BENCH_SERVER: JSON.stringify({
        role: 'all',
        upstreamUrl: upstream.upstreamUrl,
        ...(PG ? { pg: PG } : {}),
      }),
    },
  );
  const upstreamBase = upstream.upstreamUrl.replace(/\/+$/, '');
  const bare = await forkChild<{ url: string; pid: number }>('bare-proxy.ts', {
    BARE_PROXY: JSON.stringify({ targets: [upstreamBase] }),
  });
  const standalone = await forkChild<{ url: string; pid: number }>(
    'standalone.ts',
    {
      BENCH_STANDALONE: JSON.stringify({
        databaseConfig: portal.databaseConfig,
        instanceId: 'bench-standalone',
        upstreamKey: portal.upstreamKey,
      }),
    },
  );
  // Only when measured: a checkout from before the standalone gateway has none.
  const baseline =
    BASELINE && (!TARGETS || TARGETS.includes('baseline'))
      ? await forkChild<{ url: string; pid: number }>(
          'standalone.ts',
          {
            BENCH_STANDALONE: JSON.stringify({
              databaseConfig: portal.databaseConfig,
              instanceId: 'bench-baseline',
              upstreamKey: portal.upstreamKey,
            }),
          },
          BASELINE,
        )
      : undefined;
  // The other checkout's portal backend too (SQLite only: a database of its
  // own; its ledger is not checked here).
  const baselinePortal =
    BASELINE && !PG && (!TARGETS || TARGETS.includes('baseline-embedded'))
      ? await forkChild<Extract<ServerMessage, { type: 'ready' }>>(
          'server.ts',
          {
            BENCH_SERVER: JSON.stringify({
              role: 'all',
              upstreamUrl: upstream.upstreamUrl,
            }),
          },
          BASELINE,
        )
      : undefined;
  const portkeyPort = await freePort();
  const portkey = spawn(
    process.execPath,
    [
      require.resolve('@portkey-ai/gateway/build/start-server.js'),
      `--port=${portkeyPort}`,
      '--headless',
    ],
    { stdio: 'ignore', env: { ...process.env, NODE_ENV: 'production' } },
  );
  children.push(portkey);
  await waitForPort(portkeyPort);

  const gatewayHeaders = { authorization: `Bearer ${portal.apiKey}` };
  const allTargets: Target[] = [
    {
      name: 'direct',
      url: `${upstreamBase}/chat/completions`,
      headers: { authorization: `Bearer ${portal.upstreamKey}` },
      model: portal.model,
      pids: [],
      metered: false,
    },
    {
      name: 'bare',
      url: `${bare.url}/v1/chat/completions`,
      headers: { authorization: `Bearer ${portal.upstreamKey}` },
      model: portal.model,
      pids: [bare.pid],
      metered: false,
    },
    {
      name: 'embedded',
      url: `${portal.gatewayUrl}/chat/completions`,
      headers: gatewayHeaders,
      model: portal.model,
      pids: [portal.pid],
      metered: true,
    },
    {
      name: 'standalone',
      url: `${standalone.url}/api/marketplace/gateway/v1/chat/completions`,
      headers: gatewayHeaders,
      model: portal.model,
      pids: [standalone.pid],
      metered: true,
    },
    ...(baseline
      ? [
          {
            name: 'baseline' as const,
            url: `${baseline.url}/api/marketplace/gateway/v1/chat/completions`,
            headers: gatewayHeaders,
            model: portal.model,
            pids: [baseline.pid],
            metered: true,
          },
        ]
      : []),
    ...(baselinePortal
      ? [
          {
            name: 'baseline-embedded' as const,
            url: `${baselinePortal.gatewayUrl}/chat/completions`,
            headers: { authorization: `Bearer ${baselinePortal.apiKey}` },
            model: baselinePortal.model,
            pids: [baselinePortal.pid],
            metered: false,
          },
        ]
      : []),
    {
      name: 'portkey',
      url: `http://127.0.0.1:${portkeyPort}/v1/chat/completions`,
      headers: {
        authorization: `Bearer ${portal.upstreamKey}`,
        'x-portkey-provider': 'openai',
        'x-portkey-custom-host': upstreamBase,
      },
      model: portal.model,
      pids: [portkey.pid!],
      metered: false,
    },
  ];
  const targets = allTargets.filter(
    t =>
      !TARGETS ||
      TARGETS.includes(t.name) ||
      // The ratios need these.
      ['direct', 'bare', 'standalone'].includes(t.name),
  );
  for (const t of targets) {
    okIds.set(t.name, []);
    const pool = new Pool(new URL(t.url).origin);
    const status = await one(pool, t, body(t.model));
    await pool.close();
    if (status !== 200) {
      throw new Error(`${t.name}: HTTP ${status} on the first request`);
    }
  }
  console.log('  every target answers 200; warming up...');
  for (const t of targets) {
    await closed(t, 16, 1.5);
  }

  const runs: Run[] = [];
  const show = (r: Run) => {
    runs.push(r);
    console.log(
      `  ${r.target.padEnd(17)} ${r.scenario.padEnd(16)} ${r.rps
        .toFixed(0)
        .padStart(6)} req/s  p50 ${r.p50.toFixed(2).padStart(7)} ms  p99 ${r.p99
        .toFixed(2)
        .padStart(7)} ms  cpu ${r.cpuUsPerReq
        .toFixed(0)
        .padStart(5)} µs/req (upstream ${r.upstreamCpuUsPerReq.toFixed(
        0,
      )})  failed ${r.failed}  other ${r.otherCpuPct.toFixed(0)}%`,
    );
  };
  for (const c of SCENARIOS.includes('closed') ? [1, 16] : [16]) {
    for (const t of targets) {
      show(await closed(t, c, DURATION_S));
    }
  }
  const bareCapacity = runs.find(
    r => r.target === 'bare' && r.scenario === 'closed c=16',
  )!.rps;
  for (const share of SCENARIOS.includes('open') ? [25, 50, 75] : []) {
    const rate = (bareCapacity * share) / 100;
    for (const t of targets) {
      show(
        await open(t, rate, `open ${share}% ${rate.toFixed(0)}/s`, DURATION_S),
      );
    }
  }
  const streams: Array<Awaited<ReturnType<typeof ttft>>> = [];
  for (const t of SCENARIOS.includes('stream') ? targets : []) {
    const s = await ttft(t, STREAM_REQUESTS);
    streams.push(s);
    console.log(
      `  ${t.name.padEnd(17)} stream TTFT      n=${s.n} p50 ${s.p50.toFixed(
        2,
      )} ms  p99 ${s.p99.toFixed(2)} ms  failed ${s.failed}`,
    );
  }

  // Two standalone instances behind one port, on the same database and Redis.
  let two: Run | undefined;
  if (PG && REDIS) {
    const instances = [];
    for (const i of [1, 2]) {
      instances.push(
        await forkChild<{ url: string; pid: number }>('standalone.ts', {
          BENCH_STANDALONE: JSON.stringify({
            databaseConfig: portal.databaseConfig,
            instanceId: `bench-two-${i}`,
            upstreamKey: portal.upstreamKey,
            redisUrl: REDIS,
          }),
        }),
      );
    }
    const rr = await forkChild<{ url: string; pid: number }>('bare-proxy.ts', {
      BARE_PROXY: JSON.stringify({ targets: instances.map(x => x.url) }),
    });
    const target: Target = {
      name: 'two-instances',
      url: `${rr.url}/api/marketplace/gateway/v1/chat/completions`,
      headers: gatewayHeaders,
      model: portal.model,
      pids: instances.map(x => x.pid),
      metered: true,
    };
    okIds.set(target.name, []);
    two = await closed(target, 16, DURATION_S);
    show(two);
  }

  // --- the ledger check ------------------------------------------------------------
  const cfg = portal.databaseConfig as any;
  const db =
    cfg.client === 'pg'
      ? knexFactory({
          client: 'pg',
          // The run's own database on that server.
          connection: Object.assign(new URL(cfg.connection), {
            pathname: `/${cfg.prefix}marketplace`,
          }).toString(),
        })
      : knexFactory({
          client: 'better-sqlite3',
          connection: {
            filename: path.join(cfg.connection.directory, 'marketplace.sqlite'),
          },
          useNullAsDefault: true,
        });
  const ids = [...okIds.entries()]
    .filter(([n]) => n !== 'direct')
    .flatMap(([, v]) => v);
  let reservations = 1;
  for (let i = 0; i < 60 && reservations > 0; i++) {
    await new Promise(r => setTimeout(r, 500));
    reservations = Number(
      (await db('usage_reservations').count({ n: '*' }))[0].n,
    );
  }
  const rows: Array<{ request_id: string; status: string }> = await db(
    'usage_ledger',
  ).select('request_id', 'status');
  const byId = new Map<string, number>();
  for (const r of rows) {
    byId.set(r.request_id, (byId.get(r.request_id) ?? 0) + 1);
  }
  const okRows = new Set(
    rows.filter(r => r.status === 'ok').map(r => r.request_id),
  );
  const missing = ids.filter(id => !okRows.has(id)).length;
  const duplicates = [...byId.values()].filter(n => n > 1).length;
  const extraOk = [...okRows].filter(id => !ids.includes(id)).length;
  await db.destroy();
  const ledger = {
    answered200: ids.length,
    rows: rows.length,
    missing,
    duplicates,
    extraOk,
    reservationsLeft: reservations,
  };
  const ledgerOk = missing === 0 && duplicates === 0 && reservations === 0;
  console.log(
    `\nLedger: ${ledgerOk ? 'PASS' : 'FAIL'} ${JSON.stringify(ledger)}`,
  );

  // --- ratios ------------------------------------------------------------------------
  // NaN where a target or scenario was left out of the run.
  const get = (t: TargetName, s: string): Run =>
    runs.find(r => r.target === t && r.scenario.startsWith(s)) ??
    ({ rps: NaN, p50: NaN, p99: NaN, cpuUsPerReq: NaN } as Run);
  const streamP50 = (t: TargetName) =>
    streams.find(s => s.target === t)?.p50 ?? NaN;
  const ratios = {
    standaloneCpuVsBare:
      get('standalone', 'closed c=16').cpuUsPerReq /
      get('bare', 'closed c=16').cpuUsPerReq,
    standaloneRpsVsBareC16:
      get('standalone', 'closed c=16').rps / get('bare', 'closed c=16').rps,
    standaloneRpsVsPortkeyC16:
      get('standalone', 'closed c=16').rps / get('portkey', 'closed c=16').rps,
    embeddedRpsVsBareC16:
      get('embedded', 'closed c=16').rps / get('bare', 'closed c=16').rps,
    open50AddedP50Ms:
      get('standalone', 'open 50%').p50 - get('direct', 'open 50%').p50,
    open50AddedP99Ms:
      get('standalone', 'open 50%').p99 - get('direct', 'open 50%').p99,
    ttftAddedP50Ms: streamP50('standalone') - streamP50('direct'),
    // --baseline: this checkout's standalone against the other one's.
    standaloneRpsVsBaselineC16:
      get('standalone', 'closed c=16').rps / get('baseline', 'closed c=16').rps,
    standaloneCpuVsBaselineC16:
      get('standalone', 'closed c=16').cpuUsPerReq /
      get('baseline', 'closed c=16').cpuUsPerReq,
    baselineCpuVsBare:
      get('baseline', 'closed c=16').cpuUsPerReq /
      get('bare', 'closed c=16').cpuUsPerReq,
    baselineRpsVsBareC16:
      get('baseline', 'closed c=16').rps / get('bare', 'closed c=16').rps,
    baselineTtftAddedP50Ms: streamP50('baseline') - streamP50('direct'),
    embeddedRpsVsBaselineEmbeddedC16:
      get('embedded', 'closed c=16').rps /
      get('baseline-embedded', 'closed c=16').rps,
    embeddedCpuVsBaselineEmbeddedC16:
      get('embedded', 'closed c=16').cpuUsPerReq /
      get('baseline-embedded', 'closed c=16').cpuUsPerReq,
  };
  console.log('Ratios (standalone unless named):');
  for (const [k, v] of Object.entries(ratios)) {
    console.log(`  ${k.padEnd(28)} ${v.toFixed(3)}`);
  }
  if (JSON_OUT) {
    fs.writeFileSync(
      JSON_OUT,
      JSON.stringify({ runs, streams, ledger, ratios, two }, null, 2),
    );
  }
  await stopAll();
  console.log(`(${Math.round((Date.now() - started) / 1000)} s)`);
  process.exit(ledgerOk ? 0 : 1);
}

main().catch(async error => {
  console.error(`side-by-side failed: ${error?.stack ?? error}`);
  await stopAll().catch(() => undefined);
  process.exit(1);
});
