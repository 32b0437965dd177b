// The inputs of the seeded fuzzer (fuzz.mjs): every operation of the OpenAPI
// document, and a generator of path parameters, queries, bodies and headers from
// their schemas, hostile values included. The same seed gives the same inputs.
import fs from 'node:fs';
import path from 'node:path';
import { parse } from 'yaml';
import { ROOT, rng } from './lib.mjs';

const OPENAPI = path.join(
  ROOT,
  'plugins/marketplace-backend/src/schema/openapi.yaml',
);

/** Every operation of the OpenAPI document, with its parameters and body schema. */
export function operations() {
  const doc = parse(fs.readFileSync(OPENAPI, 'utf8'));
  const resolve = obj => {
    let o = obj;
    for (let i = 0; o && o.$ref && i < 10; i++) {
      o = o.$ref
        .replace(/^#\//, '')
        .split('/')
        .reduce((x, k) => x?.[k], doc);
    }
    return o;
  };
  const ops = [];
  for (const [route, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'delete', 'patch'].includes(method)) continue;
      const params = [...(item.parameters ?? []), ...(op.parameters ?? [])].map(
        resolve,
      );
      const bodySchema = resolve(
        resolve(op.requestBody)?.content?.['application/json']?.schema,
      );
      ops.push({
        method: method.toUpperCase(),
        route,
        query: params.filter(p => p?.in === 'query'),
        headers: params.filter(p => p?.in === 'header'),
        bodySchema: bodySchema && expand(bodySchema, resolve),
        hasBody: Boolean(op.requestBody),
      });
    }
  }
  return ops;
}

function expand(schema, resolve, depth = 0) {
  const s = resolve(schema);
  if (!s || depth > 4) return s;
  const out = { ...s };
  if (s.properties) {
    out.properties = Object.fromEntries(
      Object.entries(s.properties).map(([k, v]) => [
        k,
        expand(v, resolve, depth + 1),
      ]),
    );
  }
  if (s.items) out.items = expand(s.items, resolve, depth + 1);
  for (const k of ['oneOf', 'anyOf', 'allOf']) {
    if (s[k]) out[k] = s[k].map(x => expand(x, resolve, depth + 1));
  }
  return out;
}

const NASTY_STRINGS = [
  '',
  ' ',
  'a'.repeat(10_000),
  'x\u0000y',
  '\u0000',
  '../../etc/passwd',
  '..%2f..%2fapp-config.yaml',
  '%00',
  "' OR 1=1 --",
  '<script>alert(1)</script>',
  '__proto__',
  'constructor',
  '😀'.repeat(50),
  '\uD800',
  '{{7*7}}',
  '${jndi:ldap://x}',
  'user:default/lena.fischer',
  'group:default/checkout-team',
  'modelservice:default/northwind-gpt-4o-mini',
  'NaN',
  '-1',
  '1e309',
  '2026-13-45',
  '2026-12',
  'null',
  'true',
];
const NASTY_NUMBERS = [
  0,
  -1,
  1.5,
  1e308,
  -1e308,
  2 ** 53 + 1,
  Number.MAX_SAFE_INTEGER,
  0.0001,
  100,
  999999999999,
];

export function generator(seed, known) {
  const r = rng(seed);
  const nastyString = () => r.pick(NASTY_STRINGS);
  const randomValue = (depth = 0) => {
    switch (r.int(0, 8)) {
      case 0:
        return nastyString();
      case 1:
        return r.pick(NASTY_NUMBERS);
      case 2:
        return r.chance(0.5);
      case 3:
        return null;
      case 4:
        return depth > 3
          ? []
          : [randomValue(depth + 1), randomValue(depth + 1)];
      case 5:
        return depth > 3 ? {} : { [nastyString()]: randomValue(depth + 1) };
      case 6:
        return {
          __proto__: { polluted: true },
          constructor: { prototype: { x: 1 } },
        };
      case 7:
        return JSON.parse('{"__proto__": {"isAdmin": true}}');
      default:
        return r.pick(known.values);
    }
  };
  /** A value that fits the schema most of the time, and a nasty one otherwise. */
  const fromSchema = (s, depth = 0) => {
    if (!s || depth > 5 || r.chance(0.2)) return randomValue(depth);
    const alt = s.oneOf ?? s.anyOf;
    if (alt) return fromSchema(r.pick(alt), depth + 1);
    if (s.allOf)
      return Object.assign({}, ...s.allOf.map(x => fromSchema(x, depth + 1)));
    if (s.enum) return r.chance(0.85) ? r.pick(s.enum) : nastyString();
    const type = Array.isArray(s.type) ? r.pick(s.type) : s.type;
    switch (type) {
      case 'string':
        return r.chance(0.6)
          ? r.pick(known.values.filter(v => typeof v === 'string'))
          : nastyString();
      case 'integer':
        return r.chance(0.6)
          ? r.int(s.minimum ?? 0, Math.min(s.maximum ?? 1000, 1000))
          : r.pick(NASTY_NUMBERS);
      case 'number':
        return r.chance(0.6) ? r.next() * 100 : r.pick(NASTY_NUMBERS);
      case 'boolean':
        return r.chance(0.8) ? r.chance(0.5) : nastyString();
      case 'array':
        return Array.from({ length: r.int(0, 3) }, () =>
          fromSchema(s.items, depth + 1),
        );
      case 'object':
      default: {
        const o = {};
        for (const [k, v] of Object.entries(s.properties ?? {})) {
          if (r.chance(0.85)) o[k] = fromSchema(v, depth + 1);
        }
        if (r.chance(0.1)) o[nastyString()] = randomValue(depth + 1);
        return o;
      }
    }
  };
  const body = schema => {
    switch (r.int(0, 9)) {
      case 0:
        return { raw: '{"broken": ', type: 'application/json' };
      case 1:
        return { raw: '', type: 'application/json' };
      case 2:
        return { raw: 'not json at all', type: 'text/plain' };
      case 3:
        return { raw: JSON.stringify(randomValue()), type: 'application/json' };
      case 4:
        return {
          raw: '{"a":'.repeat(200) + '1' + '}'.repeat(200),
          type: 'application/json',
        };
      default:
        return {
          raw: JSON.stringify(fromSchema(schema)),
          type: 'application/json',
        };
    }
  };
  const pathParam = name => {
    if (r.chance(0.5) && known.path[name]?.length)
      return r.pick(known.path[name]);
    return nastyString();
  };
  return { r, body, pathParam, fromSchema, randomValue, nastyString };
}

/**
 * A generated value as text. `String()` throws for objects whose `toString` is
 * itself a generated value (a prototype-pollution key), so objects go through
 * JSON.
 */
export function text(v) {
  if (typeof v === 'string') return v;
  if (v === null || typeof v !== 'object') return String(v);
  try {
    return JSON.stringify(v) ?? Object.prototype.toString.call(v);
  } catch {
    return Object.prototype.toString.call(v);
  }
}

/** The body schema of the gateway's Chat route (the OpenAPI document does not describe it). */
export const CHAT_SCHEMA = {
  type: 'object',
  properties: {
    model: { type: 'string' },
    messages: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          role: {
            enum: ['user', 'system', 'assistant', 'tool', 'developer', 'robot'],
          },
          content: {
            oneOf: [
              { type: 'string' },
              {
                type: 'array',
                items: {
                  type: 'object',
                  properties: {
                    type: {
                      enum: [
                        'text',
                        'image_url',
                        'input_audio',
                        'file',
                        'bogus',
                      ],
                    },
                    text: { type: 'string' },
                    image_url: {
                      type: 'object',
                      properties: { url: { type: 'string' } },
                    },
                  },
                },
              },
            ],
          },
        },
      },
    },
    max_tokens: { type: 'integer', minimum: 1, maximum: 64 },
    max_completion_tokens: { type: 'integer', minimum: 1, maximum: 64 },
    stream: { type: 'boolean' },
    n: { type: 'integer', minimum: 1, maximum: 2 },
    temperature: { type: 'number' },
    stop: { type: 'string' },
    tools: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          type: { enum: ['function'] },
          function: {
            type: 'object',
            properties: { name: { type: 'string' } },
          },
        },
      },
    },
    response_format: {
      type: 'object',
      properties: { type: { enum: ['json_object', 'text', 'json_schema'] } },
    },
    stream_options: {
      type: 'object',
      properties: { include_usage: { type: 'boolean' } },
    },
  },
};
