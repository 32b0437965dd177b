/*
 * Summarizes a V8 CPU profile (.cpuprofile) of the bench server: where the CPU
 * time goes, by package / source file, by function (self time), and the
 * inclusive time of the project's own functions. Also runnable on its own:
 *
 *   node --require @backstage/cli-node/config/nodeTransform.cjs \
 *     bench/gateway/profile-summary.ts <file.cpuprofile> [requests]
 */
import fs from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

/** Groups a source URL: the project's packages by file, node_modules by package. */
function category(frame: CallFrame): string {
  const { url, functionName } = frame;
  if (!url) {
    if (functionName.startsWith('(')) {
      return functionName; // (idle), (program), (garbage collector)
    }
    return '(native V8 / C++)';
  }
  if (url.startsWith('node:')) {
    return url;
  }
  const plugin = /\/plugins\/([^/]+)\/(.*)$/.exec(url);
  if (plugin && !plugin[2].includes('node_modules/')) {
    return `${plugin[1]}/${plugin[2]}`;
  }
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    const rest = url.slice(nm + 'node_modules/'.length).split('/');
    return rest[0].startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0];
  }
  const bench = /\/bench\/(.*)$/.exec(url);
  if (bench) {
    return `bench/${bench[1]}`;
  }
  return url;
}

function shortUrl(url: string): string {
  const nm = url.lastIndexOf('node_modules/');
  if (nm >= 0) {
    return url.slice(nm + 'node_modules/'.length);
  }
  const plugin = /\/plugins\/(.*)$/.exec(url);
  if (plugin) {
    return plugin[1];
  }
  return url.replace(/^file:\/\//, '');
}

function label(frame: CallFrame): string {
  const name = frame.functionName || '(anonymous)';
  return frame.url
    ? `${name}  ${shortUrl(frame.url)}:${frame.lineNumber + 1}`
    : name;
}

const OWN_CODE =
  /\/plugins\/marketplace-(backend|gateway-node|demo-upstream-backend|common)\/src\//;

/** Where a profile's time went, in µs: by package or file, by function (self), and the project's own functions (inclusive). */
export interface ProfileBreakdown {
  totalUs: number;
  busyUs: number;
  selfByCategory: Map<string, number>;
  selfByFunction: Map<string, number>;
  inclusiveOwn: Map<string, number>;
}

export function profileBreakdown(profile: CpuProfile): ProfileBreakdown {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) {
      parent.set(child, node.id);
    }
  }

  // Each sample stands for the time until the next one.
  const weights: number[] = [];
  for (let i = 0; i < profile.samples.length; i++) {
    const next = profile.timeDeltas[i + 1];
    weights.push(next !== undefined && next >= 0 ? next : 0);
  }
  const totalUs = weights.reduce((a, b) => a + b, 0);

  const selfByCategory = new Map<string, number>();
  const selfByFunction = new Map<string, number>();
  const inclusiveOwn = new Map<string, number>();
  let idleUs = 0;

  for (let i = 0; i < profile.samples.length; i++) {
    const w = weights[i];
    const node = byId.get(profile.samples[i]);
    if (!node) {
      continue;
    }
    const frame = node.callFrame;
    if (frame.functionName === '(idle)') {
      idleUs += w;
    }
    const cat = category(frame);
    selfByCategory.set(cat, (selfByCategory.get(cat) ?? 0) + w);
    const fn = label(frame);
    selfByFunction.set(fn, (selfByFunction.get(fn) ?? 0) + w);

    // Inclusive time of the project's own functions (once per sample).
    const seen = new Set<string>();
    let id: number | undefined = node.id;
    while (id !== undefined) {
      const n = byId.get(id)!;
      if (OWN_CODE.test(n.callFrame.url)) {
        const key = label(n.callFrame);
        if (!seen.has(key)) {
          seen.add(key);
          inclusiveOwn.set(key, (inclusiveOwn.get(key) ?? 0) + w);
        }
      }
      id = parent.get(id);
    }
  }

  return {
    totalUs,
    busyUs: totalUs - idleUs,
    selfByCategory,
    selfByFunction,
    inclusiveOwn,
  };
}

export function summarizeProfile(
  profile: CpuProfile,
  options: { requests?: number; top?: number } = {},
): string {
  const top = options.top ?? 25;
  const { totalUs, busyUs, selfByCategory, selfByFunction, inclusiveOwn } =
    profileBreakdown(profile);
  const perReq = (us: number) =>
    options.requests ? `${(us / options.requests).toFixed(1)} µs/req` : '';
  const pct = (us: number) => `${((us / busyUs) * 100).toFixed(1)}%`;
  const lines: string[] = [];
  lines.push(
    `  ${(totalUs / 1e6).toFixed(1)} s profiled, ${(busyUs / 1e6).toFixed(
      1,
    )} s busy (not idle)${
      options.requests
        ? `, ${options.requests} gateway requests: ${(
            busyUs / options.requests
          ).toFixed(
            1,
          )} µs of server CPU per request (upstream included when in-process)`
        : ''
    }; % below are of busy time`,
  );
  const sorted = (m: Map<string, number>) =>
    [...m.entries()]
      .filter(
        ([k]) =>
          k !== '(idle)' &&
          k !==
            label({
              functionName: '(idle)',
              url: '',
              lineNumber: 0,
              columnNumber: 0,
            }),
      )
      .sort((a, b) => b[1] - a[1]);

  lines.push('', '  Self time by package / source file:');
  for (const [k, us] of sorted(selfByCategory).slice(0, top)) {
    lines.push(`    ${pct(us).padStart(6)}  ${perReq(us).padStart(14)}  ${k}`);
  }
  lines.push('', '  Self time by function:');
  for (const [k, us] of sorted(selfByFunction).slice(0, top)) {
    lines.push(`    ${pct(us).padStart(6)}  ${perReq(us).padStart(14)}  ${k}`);
  }
  lines.push(
    '',
    "  Inclusive time of the project's own functions (synchronous stacks only: work resumed after an await is not under its caller):",
  );
  for (const [k, us] of sorted(inclusiveOwn).slice(0, top)) {
    lines.push(`    ${pct(us).padStart(6)}  ${perReq(us).padStart(14)}  ${k}`);
  }
  return lines.join('\n');
}

if (require.main === module) {
  const [file, requests] = process.argv.slice(2);
  if (!file) {
    console.error('Usage: profile-summary.ts <file.cpuprofile> [requests]');
    process.exit(1);
  }
  console.log(
    summarizeProfile(JSON.parse(fs.readFileSync(file, 'utf8')), {
      requests: requests ? Number(requests) : undefined,
      top: 40,
    }),
  );
}
