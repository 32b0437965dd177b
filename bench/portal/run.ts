/*
 * bench/portal: how fast the portal's pages open in a real browser, for the production
 * build the README's start command serves (the backend on :7007) against the
 * frontend development server (`yarn dev`, :3000) measured in the same run as the
 * baseline. Run by hand, never in CI:
 *
 *   source scripts/env.sh && yarn bench:portal [--runs 5] [--data-dir DIR] [--skip-dev] [--pages browse,settings]
 *
 * It starts the portal with scripts/start.sh (install, production build, backend, demo
 * data recorded through the gateway) in a data folder of its own (or --data-dir, e.g. an
 * already seeded data/), then the development server against the same backend. For each
 * page it opens Debian's Chromium headless with a fresh profile (cold: empty HTTP cache)
 * and then opens the same page again in that profile (warm) and a third time (3rd: by
 * then the service worker of the production build serves the entry scripts from Cache
 * Storage, with their V8 code cache), and records:
 *   - the time from navigation start to the page's first meaningful element being visible
 *     (a service card on browse, the title on a service page, the keys table on My
 *     subscriptions, a KPI value on the Provider dashboard), from the page's own clock;
 *   - the bytes of JavaScript transferred over the network (encoded, as on the wire);
 *   - of the warm visit, when the entry scripts had run (DOMContentLoaded, "entry w") and
 *     when the app shell's sidebar was first visible ("shell w"): the app's first
 *     signed-in render, before which no page of ours runs. The Settings page
 *     (Backstage's own, none of our code) is measured as the floor of any page.
 * Medians over --runs; the production build is also measured with service workers
 * blocked ("prod-nosw", what it was before it had one), and the dev-server figures and
 * the ratio prod/dev are printed beside them, with PASS/FAIL against the targets of
 * issue 13 (for the warm target, the better of warm and 3rd).
 */
import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium } from 'playwright-core';
import { measure, newContext, run, Target } from './measure';
import { PAGES } from './pages';

const root = path.resolve(__dirname, '../..');
const args = process.argv.slice(2);
const arg = (name: string) =>
  args.includes(name) ? args[args.indexOf(name) + 1] : undefined;
const RUNS = Number(arg('--runs') ?? 5);
const SKIP_DEV = args.includes('--skip-dev');
/** `--pages browse,settings`: only the pages whose name contains one of these words. */
const ONLY = arg('--pages')?.toLowerCase().split(',').filter(Boolean);
const SELECTED = PAGES.filter(
  p => !ONLY || ONLY.some(word => p.name.toLowerCase().includes(word)),
);
const PROD = 'http://localhost:7007';
const DEV = 'http://localhost:3000';

function startProcess(
  name: string,
  command: string,
  commandArgs: string[],
  logFile: string,
  env: NodeJS.ProcessEnv,
): ChildProcess {
  const out = fs.openSync(logFile, 'a');
  const child = spawn(command, commandArgs, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', out, out],
    detached: true,
  });
  child.on('exit', code => {
    if (!stopping) {
      console.error(`[bench] ${name} exited (${code}); see ${logFile}`);
      process.exit(1);
    }
  });
  return child;
}

let stopping = false;
const children: ChildProcess[] = [];
function stopAll() {
  stopping = true;
  for (const child of children) {
    try {
      process.kill(-child.pid!, 'SIGTERM');
    } catch {
      // already gone
    }
  }
}

async function waitFor(
  what: string,
  check: () => Promise<boolean>,
  timeoutMs: number,
) {
  const deadline = Date.now() + timeoutMs;
  while (!(await check().catch(() => false))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, 1000));
  }
}

const kb = (bytes: number) => `${(bytes / 1024).toFixed(0)} KB`;
const ms = (value: number) => `${Math.round(value)} ms`;
const pad = (s: string, n: number) => s.padEnd(n);

async function main() {
  const dataDir =
    arg('--data-dir') ??
    fs.mkdtempSync(path.join(os.tmpdir(), 'marketplace-bench-portal-'));
  const logDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bench-portal-logs-'));
  // The development server on :3000 calls the same backend: let it.
  const corsConfig = path.join(logDir, 'app-config.bench.yaml');
  fs.writeFileSync(
    corsConfig,
    `backend:\n  cors:\n    origin: ['${PROD}', '${DEV}']\n`,
  );
  process.on('exit', stopAll);
  process.on('SIGINT', () => process.exit(130));

  console.log(
    `[bench] starting the portal with scripts/start.sh (data: ${dataDir}, logs: ${logDir})`,
  );
  const start = startProcess(
    'scripts/start.sh',
    'bash',
    ['scripts/start.sh', '--config', corsConfig],
    path.join(logDir, 'start.log'),
    { MARKETPLACE_DATA_DIR: dataDir, MARKETPLACE_DEMO_TRAFFIC: 'off' },
  );
  children.push(start);
  await waitFor(
    'the portal (scripts/start.sh)',
    async () =>
      fs
        .readFileSync(path.join(logDir, 'start.log'), 'utf8')
        .includes('the portal is ready'),
    30 * 60_000,
  );
  if (!fs.existsSync(path.join(dataDir, '.seeded'))) {
    throw new Error(`the demo data was not recorded; see ${logDir}/start.log`);
  }
  if (!SKIP_DEV) {
    console.log('[bench] starting the frontend development server on :3000');
    children.push(
      startProcess(
        'the development server',
        'yarn',
        [
          'workspace',
          'app',
          'start',
          '--config',
          '../../app-config.yaml',
          '--config',
          '../../app-config.dev-server.yaml',
        ],
        path.join(logDir, 'dev-server.log'),
        {},
      ),
    );
    await waitFor(
      'the development server',
      async () => (await fetch(`${DEV}/`)).ok,
      10 * 60_000,
    );
  }

  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  const targets: Target[] = [
    { label: 'prod', base: PROD, serviceWorkers: 'allow' },
    { label: 'prod-nosw', base: PROD, serviceWorkers: 'block' },
    ...(SKIP_DEV
      ? []
      : [{ label: 'dev', base: DEV, serviceWorkers: 'allow' } as Target]),
  ];
  // One unmeasured load per server first: the dev server compiles on first request.
  for (const base of SKIP_DEV ? [PROD] : [PROD, DEV]) {
    const context = await newContext(browser, base, PAGES[0].user);
    await measure(context, PAGES[0]);
    await context.close();
  }

  console.log(
    `\n[bench] ${RUNS} runs per page, medians; Chromium ${browser.version()}, 1440x900, ${
      os.cpus().length
    } cores; load average ${os
      .loadavg()
      .map(l => l.toFixed(1))
      .join(' ')}\n`,
  );
  console.log(
    `${pad('page', 34)} ${pad('build', 10)} ${pad('cold', 9)} ${pad(
      'warm',
      9,
    )} ${pad('3rd', 9)} ${pad('JS cold', 10)} ${pad('JS warm', 10)} ${pad(
      'entry w',
      9,
    )} ${pad('shell w', 9)} target`,
  );
  let failed = false;
  for (const spec of SELECTED) {
    const results = new Map<string, Awaited<ReturnType<typeof run>>>();
    for (const target of targets) {
      results.set(target.label, await run(browser, target, spec, RUNS));
    }
    for (const target of targets) {
      const r = results.get(target.label)!;
      const verdicts: string[] = [];
      if (target.label === 'prod' && spec.targets?.coldMs) {
        const pass = r.coldMs <= spec.targets.coldMs;
        failed ||= !pass;
        verdicts.push(
          `cold <= ${spec.targets.coldMs} ms ${pass ? 'PASS' : 'FAIL'}`,
        );
      }
      if (target.label === 'prod' && spec.targets?.warmMs) {
        const pass = Math.min(r.warmMs, r.thirdMs) <= spec.targets.warmMs;
        failed ||= !pass;
        verdicts.push(
          `warm <= ${spec.targets.warmMs} ms ${pass ? 'PASS' : 'FAIL'}`,
        );
      }
      console.log(
        `${pad(target.label === 'prod' ? spec.name : '', 34)} ${pad(
          target.label,
          10,
        )} ${pad(ms(r.coldMs), 9)} ${pad(ms(r.warmMs), 9)} ${pad(
          ms(r.thirdMs),
          9,
        )} ${pad(kb(r.coldJs), 10)} ${pad(kb(r.warmJs), 10)} ${pad(
          ms(r.warmEntryMs),
          9,
        )} ${pad(ms(r.warmShellMs), 9)} ${verdicts.join(', ')}`,
      );
    }
    const ratio = (label: string, other: string) => {
      const p = results.get(label)!;
      const d = results.get(other)!;
      console.log(
        `${pad('', 34)} ${pad('ratio', 10)} ${pad(
          `${(p.coldMs / d.coldMs).toFixed(2)}x`,
          9,
        )} ${pad(`${(p.warmMs / d.warmMs).toFixed(2)}x`, 9)} ${pad(
          `${(p.thirdMs / d.thirdMs).toFixed(2)}x`,
          9,
        )} ${pad(`${(p.coldJs / d.coldJs).toFixed(2)}x`, 10)} ${pad(
          '',
          30,
        )} ${label} / ${other}, same run`,
      );
    };
    ratio('prod', 'prod-nosw');
    if (!SKIP_DEV) {
      ratio('prod', 'dev');
    }
  }
  await browser.close();
  console.log(failed ? '\n[bench] FAIL' : '\n[bench] PASS');
  stopAll();
  process.exit(failed ? 1 : 0);
}

main().catch(error => {
  console.error(`[bench] ${error.stack ?? error}`);
  stopAll();
  process.exit(1);
});
