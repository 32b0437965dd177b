/*
 * Long on purpose (over ~400 lines): one script run by hand and read top to
 * bottom (arguments, measuring, the report, the ledger check); its server is
 * server.ts, the child process serverProcess.ts.
 *
 * Gateway overhead benchmark (run by hand, never in CI): `yarn bench:gateway`.
 *
 * Starts the demo upstream with zero latency and the marketplace gateway
 * (bench/gateway/server.ts, in a child process), then measures with autocannon,
 * in one run: direct upstream vs through the gateway, at each concurrency
 * (default 1 and 16): req/s, p50 and p99 latency. Prints the latency the
 * gateway adds and the throughput ratio, PASS/FAIL against the targets, and
 * checks that the ledger has exactly one row per 200 response of the gateway.
 *
 * See bench/README.md for the options.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { LedgerCheck, PhaseStats, ServerMessage } from './server';
import { summarizeProfile } from './profile-summary';
import { ServerProcess } from './serverProcess';

const TARGETS = {
  addedP50Ms: 0.5,
  addedP99Ms: 2,
  gatewayRps: 1500,
  /** Server CPU per request of a translated protocol over Chat passed through. */
  translationCpuRatio: 1.15,
  /** The concurrency the targets are judged at. */
  connections: 16,
};

interface Args {
  /** Offered load in requests per second (open loop); closed loop when absent. */
  rate?: number;
  duration: number;
  warmup: number;
  connections: number[];
  rounds: number;
  pg?: string;
  split: boolean;
  timing: boolean;
  stmtCache: boolean;
  profile?: string;
  json?: string;
  keepDb: boolean;
}

function usage(): never {
  console.log(`Usage: yarn bench:gateway [options]

  --duration <s>       seconds measured per scenario (default 10)
  --warmup <s>         warm-up seconds per target before measuring (default 3)
  --connections <list> concurrencies, comma-separated (default 1,16)
  --rounds <n>         measure every scenario n times, interleaved, and report
                       the round with the median gateway p50 (default 1)
  --pg <conn>          use PostgreSQL (a throwaway database on that server)
                       instead of a temp SQLite file
  --split              run the demo upstream in a process of its own
  --timing             time ledger/store operations and knex queries in the server
  --what-if-stmt-cache experiment, changes no project code: on SQLite, reuse
                       prepared statements (knex prepares every query anew)
  --profile [dir]      after measuring, CPU-profile the server during one more
                       gateway run at the highest concurrency; writes a
                       .cpuprofile to dir (default a temp dir) and prints a summary
  --rate <req/s>       offered load (autocannon overallRate) instead of a closed loop,
                       to measure the added latency below saturation
  --json <file>        also write all results as JSON
  --keep-db            keep the SQLite dir / PostgreSQL database
`);
  process.exit(0);
}

function parseArgs(argv: string[]): Args {
  const args: Args = {
    duration: 10,
    warmup: 3,
    connections: [1, 16],
    rounds: 1,
    split: false,
    timing: false,
    stmtCache: false,
    keepDb: false,
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const v = argv[++i];
      if (v === undefined) {
        throw new Error(`${arg} needs a value`);
      }
      return v;
    };
    switch (arg) {
      case '--duration':
        args.duration = Number(value());
        break;
      case '--warmup':
        args.warmup = Number(value());
        break;
      case '--connections':
        args.connections = value().split(',').map(Number);
        break;
      case '--rounds':
        args.rounds = Math.max(1, Math.floor(Number(value())));
        break;
      case '--pg':
        args.pg = value();
        break;
      case '--rate':
        args.rate = Number(value());
        offeredRate = args.rate;
        break;
      case '--split':
        args.split = true;
        break;
      case '--timing':
        args.timing = true;
        break;
      case '--what-if-stmt-cache':
        args.stmtCache = true;
        break;
      case '--profile':
        args.profile =
          argv[i + 1] && !argv[i + 1].startsWith('--')
            ? argv[++i]
            : fs.mkdtempSync(path.join(os.tmpdir(), 'bench-gateway-prof-'));
        break;
      case '--json':
        args.json = value();
        break;
      case '--keep-db':
        args.keepDb = true;
        break;
      case '--help':
      case '-h':
        return usage();
      default:
        throw new Error(`Unknown option ${arg} (see --help)`);
    }
  }
  if (
    !(args.duration > 0) ||
    !(args.warmup >= 0) ||
    args.connections.some(c => !(c >= 1))
  ) {
    throw new Error('Invalid --duration, --warmup or --connections');
  }
  return args;
}

// --- measuring ---------------------------------------------------------------

interface Target {
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
const TRANSLATED = ['responses', 'messages'] as const;

interface Measurement {
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

function requestBody(model: string) {
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Hello' }],
    max_tokens: 16,
  });
}

/** The same request in the protocol of a translated scenario. */
function translatedBody(route: (typeof TRANSLATED)[number], model: string) {
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
 */
/** Set by --rate: requests per second offered across all connections. */
let offeredRate: number | undefined;

async function cannon(
  target: Target,
  connections: number,
  duration: number,
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

async function measure(
  server: ServerProcess,
  target: Target,
  connections: number,
  duration: number,
  round: number,
  serverPids: number[] = [],
): Promise<Measurement> {
  await server.request({ type: 'phase-start' });
  const before = cpuSnapshot(serverPids);
  const { result, latencies, clientCpuMicros } = await cannon(
    target,
    connections,
    duration,
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

// --- output ------------------------------------------------------------------

function table(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map(r => r[i].length)));
  return rows
    .map((r, ri) => {
      const line = r
        .map((cell, i) =>
          i === 0 ? cell.padEnd(widths[i]) : cell.padStart(widths[i]),
        )
        .join('  ');
      return ri === 0
        ? `${line}\n${widths.map(w => '-'.repeat(w)).join('  ')}`
        : line;
    })
    .join('\n');
}

const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');
const signedMs = (v: number) =>
  Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '-';

async function sanityCheck(target: Target) {
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

interface Check {
  what: string;
  value: string;
  pass: boolean;
  /** A finding that does not fail the run. */
  warn?: boolean;
}

function checkLedger(ledger: LedgerCheck): Check[] {
  return [
    {
      what: 'every request the gateway answered 200 has exactly one ledger row, status ok',
      value: `${ledger.answered200WithOkRow} of ${ledger.answered200}`,
      pass: ledger.answered200Mismatched === 0,
    },
    {
      what: 'no ok row for a request the gateway did not answer 200',
      value: `${ledger.okRowsUnexplained}`,
      pass: ledger.okRowsUnexplained === 0,
    },
    {
      what: 'no ok row (charged) for a request whose client left before the gateway answered',
      value: `${ledger.okRowsClientGoneBeforeAnswer}`,
      pass: true,
      warn: ledger.okRowsClientGoneBeforeAnswer > 0,
    },
    {
      what: 'no duplicate request ids',
      value: String(ledger.duplicateRequestIds),
      pass: ledger.duplicateRequestIds === 0,
    },
    {
      what: 'no reservation left open',
      value: `${ledger.openReservations} rows, ${ledger.subscription.reservedMicros} micro-USD held`,
      pass:
        ledger.openReservations === 0 &&
        ledger.subscription.reservedMicros === 0,
    },
    {
      what: 'subscription counters = ledger sums (tokens; micro-USD)',
      value: `${ledger.subscription.monthTokens} = ${ledger.ledgerSums.tokens}; ${ledger.subscription.totalSpendMicros} = ${ledger.ledgerSums.costMicros}`,
      pass:
        ledger.subscription.monthTokens === ledger.ledgerSums.tokens &&
        ledger.subscription.totalSpendMicros === ledger.ledgerSums.costMicros,
    },
  ];
}

function printLedgerChecks(checks: Check[]) {
  for (const check of checks) {
    let verdict = check.pass ? 'PASS' : 'FAIL';
    if (check.pass && check.warn) {
      verdict = 'WARN';
    }
    console.log(`  ${verdict}  ${check.what}: ${check.value}`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const started = Date.now();
  const servers: ServerProcess[] = [];
  const stopAll = async () => {
    for (const s of servers.reverse()) {
      await s.stop().catch(() => undefined);
    }
  };
  process.on('SIGINT', () => {
    stopAll().finally(() => process.exit(130));
  });

  try {
    console.log(
      `bench:gateway: node ${process.version}, ${os.cpus().length} CPU(s) (${
        os.cpus()[0]?.model ?? 'unknown'
      }), ${Math.round(
        os.totalmem() / 2 ** 30,
      )} GiB, ${os.platform()} ${os.release()}`,
    );

    let upstreamUrl: string | undefined;
    if (args.split) {
      const upstream = await ServerProcess.start(
        { role: 'upstream' },
        'upstream server',
      );
      servers.push(upstream);
      upstreamUrl = upstream.ready.upstreamUrl;
    }
    const server = await ServerProcess.start(
      {
        role: 'all',
        pg: args.pg,
        keepDb: args.keepDb,
        upstreamUrl,
        timing: args.timing,
        stmtCache: args.stmtCache,
      },
      'bench server',
    );
    servers.push(server);
    const { ready } = server;
    const direct: Target = {
      name: 'direct',
      url: `${ready.upstreamUrl}/chat/completions`,
      key: ready.upstreamKey,
      body: requestBody(ready.model),
    };
    const gateway: Target = {
      name: 'gateway',
      url: `${ready.gatewayUrl}/chat/completions`,
      key: ready.apiKey!,
      body: requestBody(ready.model),
    };
    const translated: Target[] = TRANSLATED.map(route => ({
      name: route,
      url: `${ready.gatewayUrl}/${route}`,
      key: ready.apiKey!,
      body: translatedBody(route, ready.model),
    }));
    const targets = [direct, gateway, ...translated];
    console.log(
      `  upstream  ${direct.url}${args.split ? ' (own process)' : ''}`,
    );
    console.log(`  gateway   ${gateway.url}`);
    console.log(
      `  database  ${ready.database}${
        args.stmtCache ? ' (what-if: SQLite statements prepared once)' : ''
      }`,
    );
    console.log(`  body      ${requestBody(ready.model)}`);
    for (const target of targets) {
      console.log(`  ${await sanityCheck(target)}`);
    }

    const maxC = Math.max(...args.connections);
    if (args.warmup > 0) {
      process.stdout.write(
        `  warming up (${args.warmup}s per target at c=${maxC})...`,
      );
      for (const target of targets) {
        await cannon(target, maxC, args.warmup);
      }
      console.log(' done');
    }

    const measurements: Measurement[] = [];
    for (let round = 1; round <= args.rounds; round++) {
      for (const c of args.connections) {
        for (const target of targets) {
          process.stdout.write(
            `  measuring ${target.name.padEnd(9)} c=${String(c).padEnd(3)} ${
              args.duration
            }s${args.rounds > 1 ? ` (round ${round}/${args.rounds})` : ''}...`,
          );
          const m = await measure(
            server,
            target,
            c,
            args.duration,
            round,
            servers.map(sp => sp.child.pid!),
          );
          measurements.push(m);
          console.log(
            ` ${m.rps.toFixed(0)} req/s, p50 ${ms(m.p50)} ms, p99 ${ms(
              m.p99,
            )} ms${
              m.non2xx || m.errors
                ? `, ${m.non2xx} non-2xx, ${m.errors} errors`
                : ''
            }${
              m.otherCpuPct !== undefined && m.otherCpuPct > 10
                ? ` (other processes used ${m.otherCpuPct.toFixed(
                    0,
                  )}% CPU meanwhile)`
                : ''
            }`,
          );
        }
      }
    }

    // One measurement per target and concurrency: the median round (by gateway p50).
    const pick = (target: Target['name'], c: number) => {
      const rounds = measurements.filter(
        m => m.target === target && m.connections === c,
      );
      if (rounds.length === 1) {
        return rounds[0];
      }
      const byP50 = [
        ...measurements.filter(
          m => m.target === 'gateway' && m.connections === c,
        ),
      ].sort((a, b) => a.p50 - b.p50);
      const median = byP50[Math.floor((byP50.length - 1) / 2)].round;
      return rounds.find(m => m.round === median)!;
    };

    // --- the ledger check ----------------------------------------------------
    const ledger = (
      await server.request<Extract<ServerMessage, { type: 'ledger' }>>({
        type: 'ledger',
      })
    ).ledger;

    // --- optional CPU profile -----------------------------------------------
    let profileFile: string | undefined;
    let profileSummary: string | undefined;
    if (args.profile) {
      fs.mkdirSync(args.profile, { recursive: true });
      profileFile = path.join(args.profile, `gateway-c${maxC}.cpuprofile`);
      process.stdout.write(
        `  profiling the server during a gateway run at c=${maxC} (${args.duration}s)...`,
      );
      await server.request({ type: 'profile-start' });
      const profiled = await cannon(gateway, maxC, args.duration);
      await server.request({ type: 'profile-stop', file: profileFile });
      const profiledOk = profiled.latencies.length;
      console.log(
        ` ${(profiledOk / profiled.result.duration).toFixed(
          0,
        )} req/s under the profiler`,
      );
      profileSummary = summarizeProfile(
        JSON.parse(fs.readFileSync(profileFile, 'utf8')),
        { requests: profiledOk },
      );
    }
    const ledgerAfterProfile = args.profile
      ? (
          await server.request<Extract<ServerMessage, { type: 'ledger' }>>({
            type: 'ledger',
          })
        ).ledger
      : ledger;

    // --- report --------------------------------------------------------------
    console.log('');
    console.log(
      `Results (${
        args.duration
      }s per scenario, closed loop (each connection sends its next request when the last one is answered)${
        args.rounds > 1 ? `, median of ${args.rounds} rounds` : ''
      }; latency in ms, measured by the client per 200 response):`,
    );
    const rows: string[][] = [
      [
        'scenario',
        'req/s',
        'p50',
        'p90',
        'p99',
        'max',
        'non-2xx',
        'server CPU',
        'server ELU',
        'client CPU',
        'other CPU',
      ],
    ];
    for (const c of args.connections) {
      for (const t of targets.map(target => target.name)) {
        const m = pick(t, c);
        rows.push([
          `${t} c=${c}`,
          m.rps.toFixed(0),
          ms(m.p50),
          ms(m.p90),
          ms(m.p99),
          ms(m.max),
          String(m.non2xx + m.errors),
          `${m.serverCpuPct.toFixed(0)}%`,
          `${(m.serverElu * 100).toFixed(0)}%`,
          `${m.clientCpuPct.toFixed(0)}%`,
          m.otherCpuPct === undefined ? '-' : `${m.otherCpuPct.toFixed(0)}%`,
        ]);
      }
    }
    console.log(table(rows));
    console.log('');

    const verdicts: Array<{
      what: string;
      value: string;
      target: string;
      pass: boolean;
    }> = [];
    const overhead: string[][] = [
      [
        'concurrency',
        'added p50',
        'added p99',
        'throughput ratio',
        'server CPU µs/req (direct → gateway)',
      ],
    ];
    for (const c of args.connections) {
      const d = pick('direct', c);
      const g = pick('gateway', c);
      const addedP50 = g.p50 - d.p50;
      const addedP99 = g.p99 - d.p99;
      overhead.push([
        `c=${c}`,
        `${signedMs(addedP50)} ms`,
        `${signedMs(addedP99)} ms`,
        `${(g.rps / d.rps).toFixed(3)} (${g.rps.toFixed(0)} / ${d.rps.toFixed(
          0,
        )})`,
        `${d.serverCpuMicrosPerReq.toFixed(
          0,
        )} → ${g.serverCpuMicrosPerReq.toFixed(0)}`,
      ]);
      if (c === TARGETS.connections) {
        verdicts.push(
          {
            what: `added p50 at c=${c}`,
            value: `${signedMs(addedP50)} ms`,
            target: `<= ${TARGETS.addedP50Ms} ms`,
            pass: addedP50 <= TARGETS.addedP50Ms,
          },
          {
            what: `added p99 at c=${c}`,
            value: `${signedMs(addedP99)} ms`,
            target: `<= ${TARGETS.addedP99Ms} ms`,
            pass: addedP99 <= TARGETS.addedP99Ms,
          },
        );
      }
    }
    const best = Math.max(
      ...measurements
        .filter(m => m.target === 'gateway')
        .map(m => pick('gateway', m.connections).rps),
    );
    verdicts.push({
      what: 'gateway throughput (best concurrency)',
      value: `${best.toFixed(0)} req/s`,
      target: `>= ${TARGETS.gatewayRps} req/s`,
      pass: best >= TARGETS.gatewayRps,
    });
    console.log('Gateway overhead (gateway - direct):');
    console.log(table(overhead));
    console.log('');

    // Translation: the same request through the Responses and Messages
    // routes, translated to the chat upstream, against Chat passed through.
    const translation: string[][] = [
      [
        'concurrency',
        'route',
        'server CPU µs/req (chat pass-through → translated)',
        'ratio',
        'added p50',
      ],
    ];
    for (const c of args.connections) {
      const g = pick('gateway', c);
      for (const route of TRANSLATED) {
        const t = pick(route, c);
        const ratio = t.serverCpuMicrosPerReq / g.serverCpuMicrosPerReq;
        translation.push([
          `c=${c}`,
          route,
          `${g.serverCpuMicrosPerReq.toFixed(
            0,
          )} → ${t.serverCpuMicrosPerReq.toFixed(0)}`,
          `${ratio.toFixed(2)}x`,
          `${signedMs(t.p50 - g.p50)} ms`,
        ]);
        if (c === TARGETS.connections) {
          verdicts.push({
            what: `server CPU per request of ${route} (translated) over chat (passed through) at c=${c}`,
            value: `${ratio.toFixed(2)}x`,
            target: `<= ${TARGETS.translationCpuRatio}x`,
            pass: ratio <= TARGETS.translationCpuRatio,
          });
        }
      }
    }
    console.log(
      'Translation (Responses and Messages routes to the same chat upstream) vs Chat passed through:',
    );
    console.log(table(translation));
    console.log('');

    // The ledger: one row per request the gateway answered 200, and nothing else.
    const client200 = measurements
      .filter(m => m.target !== 'direct')
      .reduce((a, m) => a + m.ok, 0);
    const ledgerChecks = checkLedger(ledger);
    console.log(
      `Ledger check (whole run: sanity request, warm-up and measurements; settled ${ledger.settledAfterMs} ms after the last run):`,
    );
    printLedgerChecks(ledgerChecks);
    console.log(
      `        rows by status ${JSON.stringify(
        ledger.rowsByStatus,
      )}; gateway responses by status ${JSON.stringify(
        ledger.answeredByStatus,
      )} (${
        ledger.answered200 - ledger.delivered200
      } of the 200s not taken by a client that was leaving); 200s counted by the client in the measured runs: ${client200}`,
    );
    const otherRows = ledger.rows - (ledger.rowsByStatus.ok ?? 0);
    if (otherRows > 0) {
      console.log(
        `        ${otherRows} non-ok row(s): requests cut off when a run stopped, settled as such (client_closed)`,
      );
    }
    if (args.profile) {
      console.log('Ledger check after the profiled run:');
      printLedgerChecks(checkLedger(ledgerAfterProfile));
    }
    console.log('');

    console.log(`Targets (judged at c=${TARGETS.connections}):`);
    for (const v of verdicts) {
      console.log(
        `  ${v.pass ? 'PASS' : 'FAIL'}  ${v.what}: ${v.value} (target ${
          v.target
        })`,
      );
    }

    if (args.timing) {
      console.log('');
      console.log('Server timing (--timing), per scenario:');
      for (const m of measurements) {
        if (!m.server.timing) {
          continue;
        }
        console.log(
          `  ${m.target} c=${m.connections}${
            args.rounds > 1 ? ` round ${m.round}` : ''
          }: ${m.server.knexQueries} knex queries (${(
            m.server.knexQueries! / Math.max(1, m.ok)
          ).toFixed(2)}/req)`,
        );
        for (const [name, t] of Object.entries(m.server.timing)) {
          console.log(
            `    ${name.padEnd(18)} n=${String(t.count).padStart(
              6,
            )}  mean ${t.mean.toFixed(3)}  p50 ${t.p50.toFixed(
              3,
            )}  p99 ${t.p99.toFixed(3)}`,
          );
        }
      }
    }
    if (profileSummary) {
      console.log('');
      console.log(
        `CPU profile of the server (gateway, c=${maxC}): ${profileFile}`,
      );
      console.log(profileSummary);
    }

    if (args.json) {
      fs.writeFileSync(
        args.json,
        JSON.stringify(
          {
            machine: {
              node: process.version,
              cpus: os.cpus().length,
              cpuModel: os.cpus()[0]?.model,
              memGiB: Math.round(os.totalmem() / 2 ** 30),
            },
            args,
            database: ready.database,
            targets: TARGETS,
            measurements,
            verdicts,
            ledger,
            ledgerChecks,
          },
          null,
          2,
        ),
      );
      console.log(`\nWrote ${args.json}`);
    }
    const allLedgerChecks = [
      ...ledgerChecks,
      ...(args.profile ? checkLedger(ledgerAfterProfile) : []),
    ];
    const ledgerOk = allLedgerChecks.every(c => c.pass);
    const targetsOk = verdicts.every(v => v.pass);
    const warnings = allLedgerChecks.filter(c => c.warn).length;
    console.log(
      `\nTargets: ${targetsOk ? 'PASS' : 'FAIL'}. Ledger: ${
        ledgerOk ? 'PASS' : 'FAIL'
      }${warnings ? ` (${warnings} warning(s))` : ''}. (${Math.round(
        (Date.now() - started) / 1000,
      )}s)`,
    );
    await stopAll();
    // Targets are informative: only a broken ledger makes the run fail.
    process.exit(ledgerOk ? 0 : 1);
  } catch (error) {
    console.error(
      `\nbench:gateway failed: ${(error as Error)?.stack ?? error}`,
    );
    await stopAll();
    process.exit(2);
  }
}

main();
