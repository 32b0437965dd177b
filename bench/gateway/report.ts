/*
 * The report of `yarn bench:gateway` (run.ts): the measurements, the gateway's
 * overhead over the direct upstream, the translated routes against Chat passed
 * through, and the verdicts against the targets.
 */
import { Args, TARGETS } from './options';
import { Measurement, Target, TRANSLATED } from './measure';

/** The measurement of a scenario at a concurrency (the median round). */
export type Pick = (target: Target['name'], c: number) => Measurement;

/** A target judged: PASS or FAIL. */
export interface Verdict {
  what: string;
  value: string;
  target: string;
  pass: boolean;
}

export function table(rows: string[][]): string {
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

export const ms = (v: number) => (Number.isFinite(v) ? v.toFixed(3) : '-');
export const signedMs = (v: number) =>
  Number.isFinite(v) ? `${v >= 0 ? '+' : ''}${v.toFixed(3)}` : '-';

/** The table of every scenario at every concurrency. */
export function printResults(args: Args, targets: Target[], pick: Pick) {
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
}

/** The latency and throughput the gateway adds; its verdicts. */
export function printOverhead(
  args: Args,
  measurements: Measurement[],
  pick: Pick,
): Verdict[] {
  const verdicts: Verdict[] = [];
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

  return verdicts;
}

/** The translated routes against Chat passed through; adds their verdicts. */
export function printTranslation(args: Args, pick: Pick, verdicts: Verdict[]) {
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
}

export function printVerdicts(verdicts: Verdict[]) {
  console.log(`Targets (judged at c=${TARGETS.connections}):`);
  for (const v of verdicts) {
    console.log(
      `  ${v.pass ? 'PASS' : 'FAIL'}  ${v.what}: ${v.value} (target ${
        v.target
      })`,
    );
  }
}

/** With --timing: the server's own timing of ledger/store operations and queries. */
export function printServerTiming(args: Args, measurements: Measurement[]) {
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
}
