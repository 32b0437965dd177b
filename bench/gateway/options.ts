/*
 * The options of `yarn bench:gateway` (run.ts) and the targets it judges.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

export const TARGETS = {
  addedP50Ms: 0.5,
  addedP99Ms: 2,
  gatewayRps: 1500,
  /** Server CPU per request of a translated protocol over Chat passed through. */
  translationCpuRatio: 1.15,
  /** The concurrency the targets are judged at. */
  connections: 16,
};

export interface Args {
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

export function parseArgs(argv: string[]): Args {
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
