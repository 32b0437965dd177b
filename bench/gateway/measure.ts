/*
 * How `yarn bench:gateway` (run.ts) measures one scenario: autocannon against
 * a target, with the server's and the machine's CPU from /proc.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import type { PhaseStats, ServerMessage } from './server';
import { ServerProcess } from './serverProcess';

export interface Target {
  /**
   * `gateway`: Chat Completions passed through; `responses`, `messages`: the
   * OpenAI Responses and Anthropic Messages routes, translated to the same
   * (chat) upstream.
   */
  name: 'direct' | 'gateway' | 'responses' | 'messages';
  url: string;
  key: string;
  body: string;
}

/** The gateway's routes of the translated scenarios. */
export const TRANSLATED = ['responses', 'messages'] as const;

export interface Measurement {
  target: Target['name'];
  connections: number;
  round: number;
  durationS: number;
  ok: number;
  non2xx: number;
  errors: number;
  timeouts: number;
  rps: number;
  p50: number;
  p90: number;
  p99: number;
  mean: number;
  max: number;
  /** CPU of the server process(es) (upstream included), % of one core. */
  serverCpuPct: number;
  /** ... per 200 response, microseconds. */
  serverCpuMicrosPerReq: number;
  serverElu: number;
  clientCpuPct: number;
  /** CPU used by other processes on the machine meanwhile, % of one core. */
  otherCpuPct?: number;
  server: PhaseStats;
}

// --- CPU accounting from /proc (Linux): our processes and everything else ----

const CLOCK_TICKS_PER_S = 100;

function machineBusyTicks(): number | undefined {
  try {
    const line = fs.readFileSync('/proc/stat', 'utf8').split('\n')[0];
    const v = line.trim().split(/\s+/).slice(1).map(Number);
    // user nice system idle iowait irq softirq steal
    return v[0] + v[1] + v[2] + v[5] + v[6];
  } catch {
    return undefined;
  }
}

function processTicks(pid: number): number | undefined {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state); utime and stime are fields 14 and 15.
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return undefined;
  }
}

function cpuSnapshot(serverPids: number[]) {
  const machine = machineBusyTicks();
  const ours = [process.pid, ...serverPids].map(processTicks);
  const servers = serverPids.map(processTicks);
  if (machine === undefined || ours.some(t => t === undefined)) {
    return undefined;
  }
  return {
    machine,
    ours: ours.reduce((a, b) => a! + b!, 0)!,
    servers: servers.reduce((a, b) => a! + b!, 0)!,
  };
}

function percentile(sorted: Float64Array, p: number): number {
  if (sorted.length === 0) {
    return NaN;
  }
  const i = Math.min(
    sorted.length - 1,
    Math.max(0, Math.ceil((p / 100) * sorted.length) - 1),
  );
  return sorted[i];
}

export function requestBody(model: string) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Hello' }],
    max_tokens: 16,
  });
}

/** The same request in the protocol of a translated scenario. */
export function translatedBody(
  route: (typeof TRANSLATED)[number],
  model: string,
) {
  return JSON.stringify(
    route === 'responses'
      ? { model, input: 'Hello', max_output_tokens: 16 }
      : {
          model,
          messages: [{ role: 'user', content: 'Hello' }],
          max_tokens: 16,
        },
  );
}

/**
 * One autocannon run. Latencies come from autocannon's per-response event
 * (nanosecond timer, kept exactly), because its histogram has 1 ms resolution.
 * `offeredRate` (--rate): requests per second offered across all connections;
 * a closed loop when absent.
 */
export async function cannon(
  target: Target,
  connections: number,
  duration: number,
  offeredRate?: number,
): Promise<{
  result: autocannon.Result;
  latencies: Float64Array;
  clientCpuMicros: number;
}> {
  const latencies: number[] = [];
  const cpu = process.cpuUsage();
  const result = await new Promise<autocannon.Result>((resolve, reject) => {
    const instance = autocannon(
      {
        url: target.url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${target.key}`,
        },
        body: target.body,
        connections,
        pipelining: 1,
        duration,
        ...(offeredRate ? { overallRate: offeredRate } : {}),
        timeout: 10,
      },
      (error, r) => (error ? reject(error) : resolve(r)),
    );
    instance.on(
      'response',
      (_client: unknown, statusCode: number, _bytes: number, ms: number) => {
        if (statusCode === 200) {
          latencies.push(ms);
        }
      },
    );
  });
  const used = process.cpuUsage(cpu);
  return {
    result,
    latencies: Float64Array.from(latencies).sort(),
    clientCpuMicros: used.user + used.system,
  };
}

export async function measure(
  server: ServerProcess,
  target: Target,
  connections: number,
  duration: number,
  round: number,
  serverPids: number[] = [],
  offeredRate?: number,
): Promise<Measurement> {
  await server.request({ type: 'phase-start' });
  const before = cpuSnapshot(serverPids);
  const { result, latencies, clientCpuMicros } = await cannon(
    target,
    connections,
    duration,
    offeredRate,
  );
  const stats = (
    await server.request<Extract<ServerMessage, { type: 'stats' }>>({
      type: 'phase-end',
    })
  ).stats;
  const after = cpuSnapshot(serverPids);
  const ok = latencies.length;
  const wallS = stats.wallMs / 1000;
  // Server CPU from /proc covers every server process (--split); else the
  // server's own process.cpuUsage().
  const serverCpuMicros =
    before && after && serverPids.length > 1
      ? ((after.servers - before.servers) / CLOCK_TICKS_PER_S) * 1e6
      : stats.cpuMicros;
  const otherCpuPct =
    before && after
      ? Math.max(
          0,
          ((after.machine - before.machine - (after.ours - before.ours)) /
            CLOCK_TICKS_PER_S /
            wallS) *
            100,
        )
      : undefined;
  let sum = 0;
  for (const v of latencies) {
    sum += v;
  }
  return {
    target: target.name,
    connections,
    round,
    durationS: result.duration,
    ok,
    non2xx: result.non2xx,
    errors: result.errors,
    timeouts: result.timeouts,
    rps: ok / result.duration,
    p50: percentile(latencies, 50),
    p90: percentile(latencies, 90),
    p99: percentile(latencies, 99),
    mean: ok ? sum / ok : NaN,
    max: percentile(latencies, 100),
    serverCpuPct: (serverCpuMicros / 1e6 / wallS) * 100,
    serverCpuMicrosPerReq: serverCpuMicros / Math.max(1, ok),
    otherCpuPct,
    serverElu: stats.elu,
    clientCpuPct: (clientCpuMicros / 1000 / (result.duration * 1000)) * 100,
    server: stats,
  };
}

/** One request to a target, which must answer 200. */
export async function sanityCheck(target: Target) {
  const res = await fetch(target.url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      authorization: `Bearer ${target.key}`,
    },
    body: target.body,
  });
  const text = await res.text();
  if (res.status !== 200) {
    throw new Error(
      `${target.name}: HTTP ${res.status} from ${target.url}: ${text}`,
    );
  }
  const body = JSON.parse(text);
  return `${target.name}: 200, ${text.length} bytes, usage ${JSON.stringify(
    body.usage,
  )}`;
}
