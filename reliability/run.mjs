#!/usr/bin/env node
// The reliability and security suite (`yarn test:reliability`): the real backend
// (packages/backend, NODE_ENV=production) and the demo upstream in a process of
// its own, on ports of their own, first on SQLite, then on PostgreSQL (when
// BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING names a server, as
// scripts/test.sh and scripts/pg-test-server.sh provide). See reliability/README.md.
//
//   node reliability/run.mjs [--seed N] [--fuzz N] [--fuzz-pg N] [--only sqlite|postgres]
//
// Over ~400 lines on purpose: runOn() is the suite's script for one database, its
// phases in the order they run and sharing one portal, keys and checker; the
// checks themselves are faults.mjs, hostileInputs.mjs, consistency.mjs,
// security.mjs and fuzz.mjs.
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { createRequire } from 'node:module';
import { Checker, ROOT, freePort, say, sleep } from './lib.mjs';
import {
  FAULTS,
  startBackend,
  startUpstream,
  stopBackend,
  writeCatalog,
} from './portal.mjs';
import { rest, subscribe } from './gateway.mjs';
import { fuzz } from './fuzz.mjs';
import { operations } from './fuzzInputs.mjs';
import { upstreamFaults } from './faults.mjs';
import { oversizedAndSlow } from './hostileInputs.mjs';
import {
  budgets,
  crashCheck,
  crashLoad,
  ledgerInvariants,
} from './consistency.mjs';
import { anonymousMatrix, keyTiming, secretsInLogs } from './security.mjs';

const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const arg = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : dflt;
};
const SEED = Number(arg('seed', process.env.RELIABILITY_SEED ?? 20261202));
const FUZZ_SQLITE = Number(arg('fuzz', 10_000));
const FUZZ_PG = Number(arg('fuzz-pg', 2_000));
const ONLY = arg('only', undefined);
const PG = process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING;
const PG_BIN = process.env.PG_BIN ?? '/usr/lib/postgresql/15/bin';

const started = Date.now();
const elapsed = () => `${Math.round((Date.now() - started) / 1000)} s`;
const report = { seed: SEED, runs: {} };
const children = [];

function databaseHelper(kind, { dir, pgDatabase }) {
  if (kind === 'sqlite') {
    const Database = require(require.resolve('better-sqlite3', {
      paths: [ROOT],
    }));
    const file = path.join(dir, 'sqlite', 'marketplace.sqlite');
    return {
      file,
      async query(sql) {
        const db = new Database(file, { readonly: true, fileMustExist: true });
        try {
          return db.prepare(sql).all();
        } finally {
          db.close();
        }
      },
    };
  }
  const { Client } = require(require.resolve('pg', { paths: [ROOT] }));
  return {
    database: pgDatabase,
    async query(sql, database = pgDatabase) {
      const client = new Client({ connectionString: `${PG}/${database}` });
      await client.connect();
      try {
        return (await client.query(sql)).rows;
      } finally {
        await client.end();
      }
    },
  };
}

/** Round-robin TCP port in front of several backend instances. */
function roundRobin(port, targets) {
  let i = 0;
  const server = net.createServer(client => {
    const target = targets[i++ % targets.length];
    const upstream = net.connect(target, '127.0.0.1');
    client.pipe(upstream).pipe(client);
    const end = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on('error', end);
    upstream.on('error', end);
    client.on('close', end);
    upstream.on('close', end);
  });
  return new Promise(resolve =>
    server.listen(port, '127.0.0.1', () => resolve(server)),
  );
}

/** Backup and restore drill: dump, restore into an empty database, same ledger sums. */
async function restoreDrill({ kind, db, dir }) {
  const SUMS = `SELECT COUNT(*) AS n, COALESCE(SUM(cost_micros),0) AS cost, COALESCE(SUM(platform_fee_micros),0) AS fee,
                       COALESCE(SUM(prompt_tokens),0) AS prompt, COALESCE(SUM(completion_tokens),0) AS completion,
                       COALESCE(SUM(trial_tokens),0) AS trial FROM usage_ledger`;
  const live = (await db.query(SUMS))[0];
  let restored;
  if (kind === 'sqlite') {
    // The online backup API (sqlite3 .backup), restored as the file of an empty data folder.
    const Database = require(require.resolve('better-sqlite3', {
      paths: [ROOT],
    }));
    const source = new Database(db.file, { readonly: true });
    const backup = path.join(dir, 'backup', 'marketplace.sqlite');
    fs.mkdirSync(path.dirname(backup), { recursive: true });
    await source.backup(backup);
    source.close();
    const restoredDir = path.join(dir, 'restored', 'sqlite');
    fs.mkdirSync(restoredDir, { recursive: true });
    fs.copyFileSync(backup, path.join(restoredDir, 'marketplace.sqlite'));
    const copy = new Database(path.join(restoredDir, 'marketplace.sqlite'), {
      readonly: true,
    });
    restored = copy.prepare(SUMS).get();
    copy.close();
  } else {
    const dump = path.join(dir, 'marketplace.dump');
    const url = new URL(PG);
    const env = {
      ...process.env,
      PGPASSWORD: decodeURIComponent(url.password),
    };
    const conn = [
      '-h',
      url.hostname,
      '-p',
      url.port,
      '-U',
      decodeURIComponent(url.username),
    ];
    execFileSync(
      path.join(PG_BIN, 'pg_dump'),
      [...conn, '-Fc', '-f', dump, db.database],
      { env },
    );
    const target = `${db.database}_restored`;
    await db.query(`CREATE DATABASE ${target}`, 'postgres');
    execFileSync(
      path.join(PG_BIN, 'pg_restore'),
      [...conn, '--no-owner', '-d', target, dump],
      { env },
    );
    restored = (await db.query(SUMS, target))[0];
  }
  const norm = o =>
    JSON.stringify(
      Object.fromEntries(Object.entries(o).map(([k, v]) => [k, String(v)])),
    );
  return { live, restored, identical: norm(live) === norm(restored) };
}

async function runOn(kind) {
  const checker = new Checker();
  const dir = fs.mkdtempSync(
    path.join(process.env.TMPDIR ?? os.tmpdir(), `reliability-${kind}-`),
  );
  const run = { dir, phases: {} };
  report.runs[kind] = run;
  const phase = async (name, fn) => {
    const t = Date.now();
    const before = checker.failures.count ?? 0;
    say(`${kind}: ${name} ...`);
    try {
      run.phases[name] = { result: await fn() };
    } catch (e) {
      checker.fail(`${name} crashed`, {
        error: String(e?.stack ?? e).slice(0, 1500),
      });
      run.phases[name] = { error: String(e) };
    }
    run.phases[name].seconds = Math.round((Date.now() - t) / 1000);
    const failed = (checker.failures.count ?? 0) - before;
    say(
      `${kind}: ${name} ${failed ? `FAILED (${failed} findings)` : 'ok'} in ${
        run.phases[name].seconds
      } s (total ${elapsed()})`,
    );
  };

  const apiKey = `rel-${randomBytes(16).toString('hex')}`;
  const credentialsKey = randomBytes(32).toString('base64');
  checker.addSecret(apiKey);
  checker.addSecret(credentialsKey);
  const env = {
    DEMO_UPSTREAM_API_KEY: apiKey,
    MARKETPLACE_CREDENTIALS_KEY: credentialsKey,
  };

  const upstream = await startUpstream({ dir, port: await freePort(), apiKey });
  children.push(upstream.child);
  const { file: catalogFile, serviceCount } = writeCatalog({
    dir,
    upstreamUrl: upstream.url,
    refusedPort: await freePort(),
  });

  const prefix = `rel${randomBytes(3).toString('hex')}_`;
  const db =
    kind === 'sqlite'
      ? {
          client: 'better-sqlite3',
          connection: { directory: path.join(dir, 'sqlite') },
        }
      : { client: 'pg', connection: PG, prefix };
  const dbh = databaseHelper(kind, { dir, pgDatabase: `${prefix}marketplace` });
  const port = await freePort();
  const start = name =>
    startBackend({
      name,
      dir,
      port,
      db,
      catalogFile,
      serviceCount,
      instanceId: `reliability-${kind}-1`,
      env,
    });
  let portal;
  await phase('start', async () => {
    portal = await start('backend');
    children.push(portal.child);
    return { port, services: serviceCount };
  });
  if (!portal) return checker;
  const api = rest(portal, checker);

  // Subscriptions the phases use.
  const keys = {};
  await phase('subscribe', async () => {
    for (const service of [
      'northwind-gpt-4o-mini',
      'research-llama-3-1-8b',
      ...FAULTS.map(f => `fault-${f}`),
    ]) {
      keys[service] = (await subscribe(api, checker, 'consumer', service)).key;
    }
    return { subscriptions: Object.keys(keys).length };
  });

  await phase('upstream faults', () =>
    upstreamFaults({ portal, checker, keys, db: dbh }),
  );
  // Body limits and slow clients are the HTTP layer's: checked once, on SQLite.
  if (kind === 'sqlite') {
    await phase('oversized and slow inputs', () =>
      oversizedAndSlow({ portal, checker, keys, pid: portal.child.pid }),
    );
  }
  await phase('budgets (one instance)', () =>
    budgets({
      bases: [portal.base],
      checker,
      api,
      db: dbh,
      label: 'one instance',
    }),
  );

  await phase('crash consistency (kill -9 during mixed load)', async () => {
    const { before, calls } = await crashLoad({ portal, keys, upstream });
    await sleep(1_500);
    process.kill(portal.child.pid, 'SIGKILL');
    await portal.child.exited;
    const answered = await Promise.all(calls);
    const clientStatuses = {};
    for (const r of answered)
      clientStatuses[r.status] = (clientStatuses[r.status] ?? 0) + 1;
    const t = Date.now();
    portal = await start('backend-restarted');
    children.push(portal.child);
    const restartSeconds = Math.round((Date.now() - t) / 1000);
    const crash = await crashCheck({
      db: dbh,
      checker,
      upstream,
      before,
      label: 'after kill -9',
    });
    const invariants = await ledgerInvariants({
      db: dbh,
      checker,
      label: 'after kill -9 and restart',
    });
    return {
      calls: calls.length,
      clientStatuses,
      restartSeconds,
      ...crash,
      invariants,
    };
  });
  const api2 = rest(portal, checker);

  if (kind === 'postgres') {
    await phase(
      'budgets (two instances behind one round-robin port)',
      async () => {
        const port2 = await freePort();
        const second = await startBackend({
          name: 'backend-2',
          dir,
          port: port2,
          db,
          catalogFile,
          serviceCount,
          instanceId: `reliability-${kind}-2`,
          env,
        });
        children.push(second.child);
        const lbPort = await freePort();
        const lb = await roundRobin(lbPort, [portal.port, port2]);
        try {
          const result = await budgets({
            bases: [`http://localhost:${lbPort}`],
            checker,
            api: api2,
            db: dbh,
            role: 'provider',
            label: 'two instances',
          });
          return { instances: 2, ...result };
        } finally {
          lb.close();
          await stopBackend(second);
        }
      },
    );
  }

  await phase('ledger invariants', () =>
    ledgerInvariants({ db: dbh, checker, label: 'after the load' }),
  );
  await phase('backup and restore drill', () =>
    restoreDrill({ kind, db: dbh, dir }),
  );
  await phase('key comparison timing', () =>
    keyTiming({ portal, checker, key: keys['northwind-gpt-4o-mini'] }),
  );
  await phase('anonymous callers on every route', () =>
    anonymousMatrix({ portal, checker, operations: operations() }),
  );

  await phase(
    `fuzz (${kind === 'sqlite' ? FUZZ_SQLITE : FUZZ_PG} inputs, seed ${SEED})`,
    async () => {
      const subs = await api2('consumer', 'GET', '/v1/subscriptions');
      const keyList = await api2('consumer', 'GET', '/v1/keys');
      const services = await api2('consumer', 'GET', '/v1/services?scope=all');
      const known = {
        path: {
          name: services.body.services.map(s => s.name),
          serviceName: services.body.services.map(s => s.name),
          id: [
            ...subs.body.subscriptions.map(s => s.id),
            'provider:default/acme-ai-platform',
            'acme-ai-platform',
          ],
          keyId: (keyList.body.keys ?? []).map(k => k.id),
          requestId: ['req_x'],
          userRef: ['user:default/kenji.nakamura', 'user:default/nobody'],
          month: ['2026-12', '2026-11'],
          reviewId: ['1', '00000000-0000-0000-0000-000000000000'],
          file: ['model-service.json', 'provider.json', 'catalog-info.json'],
        },
        values: [
          'northwind-gpt-4o-mini',
          'checkout-team',
          'group:default/checkout-team',
          'hello',
          '2026-12-01',
          'day',
          'month',
          'all',
          'subscribed',
          'owned',
          'active',
        ],
      };
      const result = await fuzz({
        portal,
        checker,
        seed: SEED,
        count: kind === 'sqlite' ? FUZZ_SQLITE : FUZZ_PG,
        known,
        gatewayKeys: [
          keys['northwind-gpt-4o-mini'],
          keys['research-llama-3-1-8b'],
          'mk_unknown',
        ],
      });
      const statuses = {};
      for (const s of result.perRoute.values())
        for (const [k, v] of Object.entries(s))
          statuses[k] = (statuses[k] ?? 0) + v;
      return {
        inputs: kind === 'sqlite' ? FUZZ_SQLITE : FUZZ_PG,
        operations: result.operations,
        routesCalled: result.perRoute.size,
        statuses,
      };
    },
  );

  await stopBackend(portal);
  await phase('secrets in logs', () =>
    secretsInLogs({
      checker,
      files: fs
        .readdirSync(dir)
        .filter(f => f.endsWith('.log') || f.endsWith('.jsonl'))
        .map(f => path.join(dir, f)),
    }),
  );
  await stopBackend(upstream);
  run.answersChecked = checker.answers;
  run.findings = checker.failures.count ?? 0;
  run.failures = checker.failures;
  if (kind === 'postgres') {
    for (const row of await dbh.query(
      `SELECT datname FROM pg_database WHERE datname LIKE '${prefix}%'`,
      'postgres',
    )) {
      await dbh
        .query(
          `DROP DATABASE IF EXISTS "${row.datname}" WITH (FORCE)`,
          'postgres',
        )
        .catch(() => {});
    }
  }
  return checker;
}

function audit() {
  // The registry the project installs from, read at run time.
  const r = spawnSync(
    'yarn',
    [
      'npm',
      'audit',
      '--environment',
      'production',
      '--severity',
      'high',
      '--recursive',
      '--json',
    ],
    {
      cwd: ROOT,
      encoding: 'utf8',
      timeout: 120_000,
    },
  );
  const out = `${r.stdout ?? ''}${r.stderr ?? ''}`;
  if (
    /405|Method Not Allowed|ENOTFOUND|ECONNREFUSED|timed out|Not Found \(404\)/i.test(
      out,
    ) &&
    r.status !== 0
  ) {
    return {
      ran: false,
      note: 'the registry does not answer audit requests here: skipped (see docs/operations.md, Dependency advisories)',
      output: out.slice(0, 300),
    };
  }
  const advisories = out
    .split('\n')
    .filter(Boolean)
    .map(l => {
      try {
        return JSON.parse(l);
      } catch {
        return undefined;
      }
    })
    .filter(Boolean);
  const EXPLAINED = JSON.parse(
    fs.readFileSync(
      path.join(ROOT, 'reliability/audit-explained.json'),
      'utf8',
    ),
  );
  const unexplained = advisories.filter(
    a => !EXPLAINED.some(e => JSON.stringify(a).includes(e.id)),
  );
  return { ran: true, advisories: advisories.length, unexplained };
}

async function main() {
  say(
    `seed ${SEED}; fuzz inputs: ${FUZZ_SQLITE} on SQLite, ${FUZZ_PG} on PostgreSQL`,
  );
  const checkers = [];
  const auditResult = audit();
  report.audit = auditResult;
  say(
    `dependency audit: ${
      auditResult.ran
        ? `${auditResult.advisories} high/critical runtime advisories, ${auditResult.unexplained.length} unexplained`
        : auditResult.note
    }`,
  );
  if (ONLY !== 'postgres') checkers.push(await runOn('sqlite'));
  if (ONLY !== 'sqlite') {
    if (PG) checkers.push(await runOn('postgres'));
    else
      say(
        'no PostgreSQL server (BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING): the PostgreSQL run is skipped',
      );
  }
  report.seconds = Math.round((Date.now() - started) / 1000);
  const reportFile = path.join(
    process.env.TMPDIR ?? os.tmpdir(),
    'reliability-report.json',
  );
  fs.writeFileSync(reportFile, JSON.stringify(report, null, 2));
  let findings = 0;
  for (const [kind, run] of Object.entries(report.runs)) {
    say(
      `${kind}: ${run.answersChecked} answers checked, ${run.findings} findings`,
    );
    for (const f of run.failures ?? [])
      console.log('  -', JSON.stringify(f).slice(0, 600));
    findings += run.findings ?? 0;
  }
  if (auditResult.ran && auditResult.unexplained.length > 0) {
    findings += auditResult.unexplained.length;
    console.log(
      '  - unexplained advisories:',
      JSON.stringify(auditResult.unexplained).slice(0, 2000),
    );
  }
  say(`report: ${reportFile}; wall time ${elapsed()}`);
  if (findings > 0) {
    say(`FAILED: ${findings} findings`);
    process.exitCode = 1;
  } else {
    say('passed');
  }
}

const stopAll = async () => {
  for (const c of children.reverse())
    await stopBackend({ child: c }).catch(() => {});
};
process.on('SIGINT', () => stopAll().then(() => process.exit(130)));
main()
  .catch(e => {
    console.error(e);
    process.exitCode = 1;
  })
  .finally(stopAll);
