/*
 * What translation costs per whole request (run by hand, never in CI):
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/gateway/translation.ts [--rounds 11] [--slice 2] [--connections 1] [--profile <dir>]
 *
 * The same request through three routes of one gateway: Chat Completions
 * passed through to the chat upstream, and OpenAI Responses and Anthropic
 * Messages translated to it. The upstream (the demo upstream) runs in its own
 * process, so the gateway process does gateway work only; its CPU time comes
 * from its own process.cpuUsage(). On a shared machine the scenarios are
 * interleaved: each round measures the three one after the other (in a
 * rotating order), and a round's ratios compare slices seconds apart. The
 * report is the median over the rounds, with the spread (min-max and the
 * interquartile range). Target (issue 20): translated <= 1.15x pass-through.
 *
 * One connection by default: each request is handled alone, so its CPU time
 * does not depend on how many requests share a ledger batch (at saturation,
 * a slower scenario gets larger batches and looks cheaper per request).
 *
 * With --profile, three more interleaved slices of each scenario run under
 * the inspector's CPU profiler, and the report breaks down where the
 * translated requests spend more per request than the passed-through ones.
 */
import autocannon from 'autocannon';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { profileBreakdown } from './profile-summary';
import type { ServerMessage } from './server';
import { ServerProcess } from './serverProcess';

const TARGET_RATIO = 1.15;
const SCENARIOS = ['chat', 'responses', 'messages'] as const;
type Scenario = (typeof SCENARIOS)[number];

interface Args {
  rounds: number;
  slice: number;
  warmup: number;
  connections: number;
  pg?: string;
  profile?: string;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { rounds: 11, slice: 2, warmup: 2, connections: 1 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => argv[++i];
    switch (argv[i]) {
      case '--rounds':
        args.rounds = Math.max(1, Math.floor(Number(value())));
        break;
      case '--slice':
        args.slice = Number(value());
        break;
      case '--warmup':
        args.warmup = Number(value());
        break;
      case '--connections':
        args.connections = Math.max(1, Math.floor(Number(value())));
        break;
      case '--pg':
        args.pg = value();
        break;
      case '--profile':
        args.profile =
          argv[i + 1] && !argv[i + 1].startsWith('--')
            ? argv[++i]
            : fs.mkdtempSync(path.join(os.tmpdir(), 'bench-translation-'));
        break;
      default:
        throw new Error(
          `Unknown option ${argv[i]}: --rounds, --slice, --warmup, --connections, --pg, --profile`,
        );
    }
  }
  if (!(args.slice > 0) || !(args.warmup >= 0)) {
    throw new Error('Invalid --slice or --warmup');
  }
  return args;
}

/** The same small request in each route's protocol. */
function bodyOf(scenario: Scenario, model: string): string {
  if (scenario === 'responses') {
    return JSON.stringify({ model, input: 'Hello', max_output_tokens: 16 });
  }
  return JSON.stringify({
    model,
    messages: [{ role: 'user', content: 'Hello' }],
    max_tokens: 16,
  });
}

const ROUTES: Record<Scenario, string> = {
  chat: 'chat/completions',
  responses: 'responses',
  messages: 'messages',
};

/** Closed-loop load on one route; resolves to the number of 200 answers. */
async function load(
  url: string,
  key: string,
  body: string,
  connections: number,
  seconds: number,
): Promise<{ ok: number; other: number }> {
  let ok = 0;
  let other = 0;
  await new Promise<void>((resolve, reject) => {
    const instance = autocannon(
      {
        url,
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          authorization: `Bearer ${key}`,
        },
        body,
        connections,
        pipelining: 1,
        duration: seconds,
        timeout: 10,
      },
      error => (error ? reject(error) : resolve()),
    );
    instance.on('response', (_client: unknown, status: number) => {
      if (status === 200) {
        ok++;
      } else {
        other++;
      }
    });
  });
  return { ok, other };
}

function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (sorted.length - 1) * q;
  const lo = Math.floor(at);
  const hi = Math.ceil(at);
  return sorted[lo] + (sorted[hi] - sorted[lo]) * (at - lo);
}

/** median [q1-q3] (min-max) */
function spread(values: number[], digits: number, unit = ''): string {
  const f = (v: number) => `${v.toFixed(digits)}${unit}`;
  return `${f(quantile(values, 0.5))}  IQR ${f(quantile(values, 0.25))}-${f(
    quantile(values, 0.75),
  )}  range ${f(Math.min(...values))}-${f(Math.max(...values))}`;
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
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
      `bench translation: node ${process.version}, ${
        os.cpus().length
      } CPU(s), load average ${os
        .loadavg()
        .map(l => l.toFixed(2))
        .join(' ')}`,
    );
    const upstream = await ServerProcess.start(
      { role: 'upstream' },
      'upstream server',
    );
    servers.push(upstream);
    const gateway = await ServerProcess.start(
      { role: 'all', pg: args.pg, upstreamUrl: upstream.ready.upstreamUrl },
      'gateway server',
    );
    servers.push(gateway);
    const { ready } = gateway;
    const url = (s: Scenario) => `${ready.gatewayUrl}/${ROUTES[s]}`;
    const run = (s: Scenario, seconds: number) =>
      load(
        url(s),
        ready.apiKey!,
        bodyOf(s, ready.model),
        args.connections,
        seconds,
      );
    console.log(
      `  gateway ${ready.gatewayUrl} (pid ${ready.pid}), upstream in its own process, ${ready.database}`,
    );
    console.log(
      `  ${args.rounds} rounds x ${SCENARIOS.length} scenarios x ${args.slice}s at c=${args.connections}, interleaved`,
    );
    for (const s of SCENARIOS) {
      const check = await run(s, 0.5);
      if (check.ok === 0 || check.other > 0) {
        throw new Error(`${s}: ${check.ok} answers 200, ${check.other} not`);
      }
    }
    for (const s of SCENARIOS) {
      await run(s, args.warmup);
    }

    // --- interleaved rounds: CPU µs of the gateway process per 200 answer ----
    const perReq: Record<Scenario, number[]> = {
      chat: [],
      responses: [],
      messages: [],
    };
    const rows: string[] = [];
    for (let round = 0; round < args.rounds; round++) {
      const order = SCENARIOS.map(
        (_, i) => SCENARIOS[(i + round) % SCENARIOS.length],
      );
      const cells: Partial<Record<Scenario, number>> = {};
      for (const s of order) {
        await gateway.request({ type: 'phase-start' });
        const { ok, other } = await run(s, args.slice);
        const { stats } = await gateway.request<
          Extract<ServerMessage, { type: 'stats' }>
        >({ type: 'phase-end' });
        if (other > 0) {
          throw new Error(`${s}: ${other} answers not 200`);
        }
        cells[s] = stats.cpuMicros / Math.max(1, ok);
        perReq[s].push(cells[s]!);
      }
      rows.push(
        `  round ${String(round + 1).padStart(2)} (${order.join(
          ' → ',
        )}): chat ${cells.chat!.toFixed(
          0,
        )} µs, responses ${cells.responses!.toFixed(0)} µs (${(
          cells.responses! / cells.chat!
        ).toFixed(2)}x), messages ${cells.messages!.toFixed(0)} µs (${(
          cells.messages! / cells.chat!
        ).toFixed(2)}x)`,
      );
      console.log(rows[rows.length - 1]);
    }

    console.log('');
    console.log(
      'Gateway process CPU per request (µs; median, interquartile range, range over the rounds):',
    );
    for (const s of SCENARIOS) {
      console.log(`  ${s.padEnd(10)} ${spread(perReq[s], 0)}`);
    }
    console.log('');
    console.log(
      `Translated over passed through, ratio within each round (target <= ${TARGET_RATIO}x):`,
    );
    for (const s of ['responses', 'messages'] as const) {
      const ratios = perReq[s].map((v, i) => v / perReq.chat[i]);
      const median = quantile(ratios, 0.5);
      console.log(
        `  ${s.padEnd(10)} ${spread(ratios, 2, 'x')}  ${
          median <= TARGET_RATIO ? 'PASS' : 'FAIL'
        }`,
      );
    }

    if (args.profile) {
      await profileScenarios(gateway, run, args);
    }
  } finally {
    await stopAll();
  }
}

/** One profiled slice per scenario; prints where translation spends more per request. */
async function profileScenarios(
  gateway: ServerProcess,
  run: (s: Scenario, seconds: number) => Promise<{ ok: number }>,
  args: Args,
) {
  const breakdowns = new Map<
    Scenario,
    { requests: number; b: ReturnType<typeof profileBreakdown> }
  >();
  const add = (into: Map<string, number>, from: Map<string, number>) => {
    for (const [k, v] of from) {
      into.set(k, (into.get(k) ?? 0) + v);
    }
  };
  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < SCENARIOS.length; i++) {
      const s = SCENARIOS[(i + round) % SCENARIOS.length];
      const file = path.join(args.profile!, `${s}-${round + 1}.cpuprofile`);
      await gateway.request({ type: 'profile-start' });
      const { ok } = await run(s, args.slice);
      await gateway.request({ type: 'profile-stop', file });
      const b = profileBreakdown(JSON.parse(fs.readFileSync(file, 'utf8')));
      const sum = breakdowns.get(s);
      if (!sum) {
        breakdowns.set(s, { requests: ok, b });
        continue;
      }
      sum.requests += ok;
      sum.b.totalUs += b.totalUs;
      sum.b.busyUs += b.busyUs;
      add(sum.b.selfByCategory, b.selfByCategory);
      add(sum.b.selfByFunction, b.selfByFunction);
      add(sum.b.inclusiveOwn, b.inclusiveOwn);
    }
  }
  const chat = breakdowns.get('chat')!;
  console.log('');
  console.log(
    `CPU profiles (inspector, 200 µs sampling, 3 interleaved slices per scenario; ${args.profile}/<scenario>-<n>.cpuprofile):`,
  );
  for (const s of SCENARIOS) {
    const { requests, b } = breakdowns.get(s)!;
    console.log(
      `  ${s.padEnd(10)} ${(b.busyUs / requests).toFixed(
        0,
      )} µs busy per request (${requests} requests)`,
    );
  }
  const perRequest = (m: Map<string, number>, requests: number, k: string) =>
    (m.get(k) ?? 0) / requests;
  const diff = (
    pick: (b: ReturnType<typeof profileBreakdown>) => Map<string, number>,
    s: Scenario,
    top: number,
  ) => {
    const t = breakdowns.get(s)!;
    const keys = new Set([...pick(t.b).keys(), ...pick(chat.b).keys()]);
    return [...keys]
      .filter(k => !k.startsWith('(idle)'))
      .map(k => ({
        k,
        translated: perRequest(pick(t.b), t.requests, k),
        passed: perRequest(pick(chat.b), chat.requests, k),
      }))
      .sort(
        (a, b) =>
          Math.abs(b.translated - b.passed) - Math.abs(a.translated - a.passed),
      )
      .slice(0, top)
      .map(
        r =>
          `    ${(r.translated - r.passed)
            .toFixed(1)
            .padStart(7)} µs  (${r.passed.toFixed(1)} → ${r.translated.toFixed(
            1,
          )})  ${r.k}`,
      );
  };
  for (const s of ['responses', 'messages'] as const) {
    console.log('');
    console.log(
      `  ${s} minus chat, per request, self time by package / file (largest differences):`,
    );
    console.log(diff(b => b.selfByCategory, s, 12).join('\n'));
    console.log(`  ${s} minus chat, per request, self time by function:`);
    console.log(diff(b => b.selfByFunction, s, 12).join('\n'));
    console.log(
      `  ${s} minus chat, per request, inclusive time of the project's own functions:`,
    );
    console.log(diff(b => b.inclusiveOwn, s, 12).join('\n'));
  }
}

main().catch(error => {
  console.error(error);
  process.exitCode = 1;
});
