/*
 * The bundler of scripts/generate-openapi.mjs: the marketplace's OpenAPI document
 * is written in parts, one per API area
 * (plugins/marketplace-backend/src/schema/openapi/parts/*.yaml); bundle() returns
 * the text of openapi.yaml made of them, checked (see generate-openapi.mjs).
 */
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { isDeepStrictEqual } from 'node:util';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(path.join(root, 'package.json'));
const { parse } = require('yaml');

export const specPath = path.join(
  root,
  'plugins/marketplace-backend/src/schema/openapi.yaml',
);
const partsDir = path.join(
  root,
  'plugins/marketplace-backend/src/schema/openapi/parts',
);
/**
 * The parts, in the order the bundle lists them: the root (head and components
 * every part uses), the schemas several parts use, then the areas.
 */
const PARTS = [
  'root',
  'shared',
  'services',
  'reviews',
  'monitoring',
  'routes',
  'subscriptions',
  'budgets',
  'analytics',
  'billing',
  'publishing',
  'approvals',
  'internal',
  'admin',
  'gateway-openai',
  'gateway-anthropic',
];
const NOTICE = `# THIS IS A GENERATED FILE. DO NOT EDIT IT DIRECTLY.
# It bundles the parts of the document in src/schema/openapi/parts/ (one per API
# area): edit them, then run \`yarn generate:openapi\` (scripts/generate-openapi.mjs).
`;

/** The number of spaces a line starts with. */
const indentOf = line => line.length - line.trimStart().length;

/**
 * The entries (keys) of one indentation level of YAML lines: each entry is its
 * key line with the comment lines just above it and the lines below it.
 */
function entriesOf(lines, indent, where) {
  const entries = [];
  let comments = [];
  for (const line of lines) {
    const blank = line.trim() === '';
    if (!blank && indentOf(line) === indent) {
      if (line.trimStart().startsWith('#')) {
        comments.push(line);
        continue;
      }
      const key = /^\s*([^\s#:'"][^:]*|'[^']*'|"[^"]*"):(?: |$)/.exec(
        line,
      )?.[1];
      if (!key) {
        throw new Error(`${where}: expected a key at "${line.trim()}"`);
      }
      entries.push({ key, lines: [...comments, line] });
      comments = [];
    } else if (entries.length > 0 && (blank || indentOf(line) > indent)) {
      entries[entries.length - 1].lines.push(...comments, line);
      comments = [];
    } else if (!blank) {
      throw new Error(`${where}: "${line.trim()}" is outside any key`);
    }
  }
  if (comments.length > 0) {
    throw new Error(`${where}: the comment "${comments[0].trim()}" is last`);
  }
  for (const entry of entries) {
    while (entry.lines[entry.lines.length - 1].trim() === '') {
      entry.lines.pop();
    }
  }
  return entries;
}

/** The lines below an entry's key (a `key:` line with nothing after the colon). */
function bodyOf(entry, where) {
  const at = entry.lines.findIndex(l => !l.trimStart().startsWith('#'));
  if (entry.lines[at].trim() !== `${entry.key}:`) {
    throw new Error(
      `${where}: write ${entry.key}'s entries on the lines below it`,
    );
  }
  return {
    comments: entry.lines.slice(0, at),
    body: entry.lines.slice(at + 1),
  };
}

/** Adds `from`'s entries to `into`, refusing one that is already there. */
function mergeInto(into, from, where, owners, part) {
  for (const [key, value] of Object.entries(from ?? {})) {
    const id = `${where}.${key}`;
    if (owners.has(id)) {
      throw new Error(`${id} is in both ${owners.get(id)} and ${part}`);
    }
    owners.set(id, part);
    into[key] = value;
  }
}

/** The bundle of the parts: the text of openapi.yaml. */
export function bundle() {
  const files = fs.readdirSync(partsDir).filter(f => f.endsWith('.yaml'));
  for (const file of files) {
    if (!PARTS.includes(file.replace(/\.yaml$/, ''))) {
      throw new Error(
        `parts/${file} is not in PARTS (scripts/generate-openapi.mjs)`,
      );
    }
  }
  const head = [];
  const paths = [];
  const components = new Map();
  const expected = {};
  const owners = new Map();
  const add = (section, indent, name, comments, body) => {
    if (section.length > 0) {
      section.push('');
    }
    section.push(
      ...comments,
      `${' '.repeat(indent)}# parts/${name}.yaml`,
      ...body,
    );
  };
  for (const name of PARTS) {
    const where = `parts/${name}.yaml`;
    const text = fs.readFileSync(path.join(partsDir, `${name}.yaml`), 'utf8');
    // Each part is valid YAML on its own.
    let doc;
    try {
      doc = parse(text) ?? {};
    } catch (error) {
      throw new Error(`${where}: ${error.message}`);
    }
    const lines = text.replace(/\n+$/, '').split('\n');
    if (!lines[0].startsWith('#')) {
      throw new Error(
        `${where}: start with a comment saying what the part holds`,
      );
    }
    // The top comment describes the part; the bundle names the part instead.
    const start = lines.findIndex(l => l.trim() !== '' && !l.startsWith('#'));
    for (const entry of entriesOf(lines.slice(start), 0, where)) {
      if (entry.key === 'paths') {
        const { comments, body } = bodyOf(entry, where);
        add(paths, 2, name, comments, body);
        mergeInto((expected.paths ??= {}), doc.paths, 'paths', owners, where);
      } else if (entry.key === 'components') {
        const { body: kinds } = bodyOf(entry, where);
        for (const kind of entriesOf(kinds, 2, where)) {
          const { comments, body } = bodyOf(kind, where);
          if (!components.has(kind.key)) {
            components.set(kind.key, []);
          }
          add(components.get(kind.key), 4, name, comments, body);
          expected.components ??= {};
          mergeInto(
            (expected.components[kind.key] ??= {}),
            doc.components[kind.key],
            `components.${kind.key}`,
            owners,
            where,
          );
        }
      } else if (name === 'root') {
        head.push(...entry.lines);
        expected[entry.key] = doc[entry.key];
      } else {
        throw new Error(
          `${where}: ${entry.key} belongs in root.yaml (a part holds paths and components)`,
        );
      }
    }
  }
  const out = [...NOTICE.split('\n'), ...head, 'paths:', ...paths];
  out.push('', 'components:');
  [...components].forEach(([kind, lines], i) => {
    out.push(...(i > 0 ? [''] : []), `  ${kind}:`, ...lines);
  });
  const text = formatted(specPath, `${out.join('\n')}\n`);
  if (!isDeepStrictEqual(parse(text), expected)) {
    throw new Error(
      'openapi.yaml would not parse to the parts merged (a bug here)',
    );
  }
  return text;
}

/** `source` as prettier formats it for `file`. */
export function formatted(file, source) {
  return execFileSync(
    path.join(root, 'node_modules/.bin/prettier'),
    ['--stdin-filepath', file],
    { input: source, cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
}
