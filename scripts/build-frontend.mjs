#!/usr/bin/env node
// Builds the frontend (packages/app/dist) for the backend to serve with
// @backstage/plugin-app-backend, the way Backstage is deployed: minified, hashed file
// names (served with long-lived cache headers), compressed by the backend.
//
// The build is reused while its inputs are unchanged: a SHA-256 over the sources of
// every package the frontend bundles (packages/app and the frontend and common
// plugins), their package.json files, the root package.json and yarn.lock. The key
// of the last build is kept in node_modules/.cache/marketplace/frontend-build.json.
// Configuration is not an input (the app-backend injects app-config at serve time),
// except `app.packages` in app-config.yaml: the build reads it to decide which
// installed plugins the bundle discovers.
//
// Usage: node scripts/build-frontend.mjs [--force] [--check]
//   --check  exit 0 when the build is current, 1 when it would rebuild (builds nothing)
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const appDir = join(root, 'packages', 'app');
const distIndex = join(appDir, 'dist', 'index.html');
const cacheFile = join(
  root,
  'node_modules',
  '.cache',
  'marketplace',
  'frontend-build.json',
);

/** Package roles whose sources end up in the browser bundle. */
const BUNDLED_ROLES = new Set([
  'frontend',
  'frontend-plugin',
  'frontend-plugin-module',
  'web-library',
  'common-library',
  'isomorphic-library',
]);
const SKIPPED_DIRS = new Set([
  'node_modules',
  'dist',
  'dist-types',
  '.cache',
  'e2e-test-report',
]);

function bundledPackageDirs() {
  const dirs = [];
  for (const parent of ['packages', 'plugins']) {
    for (const name of readdirSync(join(root, parent))) {
      const manifest = join(root, parent, name, 'package.json');
      if (!existsSync(manifest)) continue;
      const role = JSON.parse(readFileSync(manifest, 'utf8')).backstage?.role;
      if (BUNDLED_ROLES.has(role)) dirs.push(join(root, parent, name));
    }
  }
  return dirs.sort();
}

function* filesUnder(dir) {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.isDirectory()) {
      if (!SKIPPED_DIRS.has(entry.name))
        yield* filesUnder(join(dir, entry.name));
    } else if (entry.isFile() && !/\.test\.tsx?$/.test(entry.name)) {
      yield join(dir, entry.name);
    }
  }
}

/** `app.packages` of app-config.yaml: which plugins the build discovers. */
function discoveredPackagesConfig() {
  const { parse } = createRequire(join(appDir, 'package.json'))('yaml');
  const config = parse(readFileSync(join(root, 'app-config.yaml'), 'utf8'));
  return JSON.stringify(config?.app?.packages ?? null);
}

/** The content hash of everything the frontend build reads. */
export function frontendInputsHash() {
  const files = [join(root, 'package.json'), join(root, 'yarn.lock')];
  for (const dir of bundledPackageDirs()) files.push(...filesUnder(dir));
  const hash = createHash('sha256');
  hash.update(`app.packages\0${discoveredPackagesConfig()}\0`);
  for (const file of files.sort()) {
    hash.update(relative(root, file));
    hash.update('\0');
    hash.update(createHash('sha256').update(readFileSync(file)).digest());
  }
  return hash.digest('hex');
}

function lastBuild() {
  try {
    return JSON.parse(readFileSync(cacheFile, 'utf8'));
  } catch {
    return undefined;
  }
}

function main() {
  const args = process.argv.slice(2);
  const key = frontendInputsHash();
  const previous = lastBuild();
  const current = previous?.key === key && existsSync(distIndex);
  if (args.includes('--check')) {
    console.log(current ? 'current' : 'stale');
    process.exit(current ? 0 : 1);
  }
  if (current && !args.includes('--force')) {
    console.log(
      `[frontend] reusing the production build of ${
        previous.builtAt
      } (inputs unchanged, key ${key.slice(0, 12)})`,
    );
    return;
  }
  console.log(
    `[frontend] building the production bundle (${
      previous ? 'inputs changed' : 'no previous build'
    }; takes about 1-3 minutes)`,
  );
  const started = Date.now();
  const result = spawnSync('yarn', ['build'], {
    cwd: appDir,
    stdio: ['ignore', 'pipe', 'pipe'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0) {
    process.stderr.write(result.stdout ?? '');
    process.stderr.write(result.stderr ?? '');
    console.error('[frontend] the production build failed (output above)');
    process.exit(1);
  }
  mkdirSync(dirname(cacheFile), { recursive: true });
  writeFileSync(
    cacheFile,
    `${JSON.stringify({ key, builtAt: new Date().toISOString() }, null, 2)}\n`,
  );
  console.log(
    `[frontend] built in ${Math.round(
      (Date.now() - started) / 1000,
    )} s (key ${key.slice(0, 12)})`,
  );
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main();
}
