/*
 * Gateway overhead benchmark (run by hand, never in CI): `yarn bench:gateway`.
 *
 * Starts the demo upstream with zero latency and the marketplace gateway
 * (bench/gateway/server.ts, in a child process), then measures with autocannon,
 * in one run: direct upstream vs through the gateway, at each concurrency
 * (default 1 and 16): req/s, p50 and p99 latency. Prints the latency the
 * gateway adds and the throughput ratio, PASS/FAIL against the targets, and
 * checks that the ledger has exactly one row per 200 response of the gateway.
 *
 * See bench/README.md for the options. The parts: the options and targets
 * (options.ts), measuring one scenario (measure.ts), the report (report.ts),
 * the ledger check (ledgerCheck.ts); the server is server.ts, in a child
 * process (serverProcess.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { checkLedger, printLedgerReport } from './ledgerCheck';
import {
  cannon,
  measure,
  Measurement,
  requestBody,
  sanityCheck,
  Target,
  translatedBody,
  TRANSLATED,
} from './measure';
import { parseArgs, TARGETS } from './options';
import { summarizeProfile } from './profile-summary';
import {
  ms,
  printOverhead,
  printResults,
  printServerTiming,
  printTranslation,
  printVerdicts,
} from './report';
import type { ServerMessage } from './server';
import { ServerProcess } from './serverProcess';

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
        await cannon(target, maxC, args.warmup, args.rate);
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
            args.rate,
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
      const profiled = await cannon(gateway, maxC, args.duration, args.rate);
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
    printResults(args, targets, pick);
    const verdicts = printOverhead(args, measurements, pick);
    printTranslation(args, pick, verdicts);

    const ledgerChecks = printLedgerReport(
      ledger,
      measurements,
      args.profile ? ledgerAfterProfile : undefined,
    );

    printVerdicts(verdicts);

    printServerTiming(args, measurements);
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
