// The seeded fuzzer: every route of the OpenAPI document and the gateway's,
// called by each kind of caller with generated path parameters, queries, bodies
// and headers. The same seed gives the same inputs (`--seed`).
import { CHAT_SCHEMA, generator, operations, text } from './fuzzInputs.mjs';

/** A path segment, also for strings that are not well-formed UTF-16. */
const encode = v => encodeURIComponent(v.toWellFormed());

/**
 * Runs `count` generated requests over every route (round robin over the
 * operations, so each gets its share) and hands each answer to the checker.
 */
export async function fuzz({
  portal,
  checker,
  seed,
  count,
  known,
  gatewayKeys,
  concurrency = 6,
}) {
  const ops = operations();
  const gen = generator(seed, known);
  const { r } = gen;
  const callers = ['anonymous', 'consumer', 'provider', 'admin', 'garbage'];
  const perRoute = new Map();
  let next = 0;
  const build = i => {
    const op = ops[i % ops.length];
    const caller = r.pick(callers);
    const headers = {};
    const gatewayRoute = op.route.startsWith('/gateway/');
    if (gatewayRoute) {
      const k = r.int(0, 9);
      if (k < 7) headers.authorization = `Bearer ${r.pick(gatewayKeys)}`;
      else if (k === 7)
        headers.authorization = `Bearer mk_${gen
          .nastyString()
          .replace(/[^\x20-\x7e]/g, '')}`;
      else if (k === 8) headers.authorization = 'Basic Zm9vOmJhcg==';
    } else if (caller === 'garbage') {
      headers.authorization = r.pick([
        'Bearer x.y.z',
        'Bearer ',
        'Bearer ' + 'a'.repeat(5000),
        'Token abc',
      ]);
    } else if (caller !== 'anonymous') {
      headers.authorization = `Bearer ${portal.tokens[caller]}`;
    }
    let url = op.route.replace(/\{(\w+)\}/g, (_, name) =>
      encode(text(gen.pathParam(name))),
    );
    const query = new URLSearchParams();
    for (const q of op.query) {
      if (r.chance(0.5))
        query.append(q.name, text(gen.fromSchema(q.schema)).toWellFormed());
    }
    if (r.chance(0.1))
      query.append(
        gen.nastyString().toWellFormed(),
        gen.nastyString().toWellFormed(),
      );
    for (const h of op.headers) {
      if (r.chance(0.5))
        headers[h.name.toLowerCase()] = text(gen.fromSchema(h.schema))
          .replace(/[^\x20-\x7e]/g, '?')
          .slice(0, 300);
    }
    if (r.chance(0.1)) headers['x-request-id'] = 'a'.repeat(r.int(1, 500));
    if (r.chance(0.05)) headers.accept = 'text/event-stream';
    let body;
    if (op.hasBody || r.chance(0.05)) {
      const schema = gatewayRoute ? CHAT_SCHEMA : op.bodySchema;
      const b = gen.body(schema);
      body = b.raw;
      headers['content-type'] = r.chance(0.05)
        ? gen.r.pick([
            'text/plain',
            'application/x-www-form-urlencoded',
            'application/json; charset=utf-16',
          ])
        : b.type;
      if (gatewayRoute && r.chance(0.7)) {
        // Mostly well-formed chats that reach the upstream, with small answers.
        let chat = gen.fromSchema(CHAT_SCHEMA);
        if (!chat || typeof chat !== 'object' || Array.isArray(chat)) chat = {};
        if (r.chance(0.6)) chat.model = r.pick(known.path.name);
        if (r.chance(0.6))
          chat.messages = [
            { role: 'user', content: gen.nastyString() || 'hi' },
          ];
        if (typeof chat.max_tokens !== 'number' || chat.max_tokens > 64)
          chat.max_tokens = 16;
        body = JSON.stringify(chat);
      }
    }
    const qs = query.toString();
    return {
      op,
      url: `${portal.base}/api/marketplace${url}${qs ? `?${qs}` : ''}`,
      method: op.method,
      headers,
      body,
    };
  };
  const worker = async () => {
    for (;;) {
      const i = next++;
      if (i >= count) return;
      let req;
      try {
        req = build(i);
      } catch (e) {
        checker.fail('fuzzer could not build an input', {
          input: i,
          error: String(e),
        });
        continue;
      }
      const label = `#${i} ${req.method} ${req.url
        .replace(portal.base, '')
        .slice(0, 200)}`;
      let status;
      let text;
      try {
        const res = await fetch(req.url, {
          method: req.method,
          headers: req.headers,
          body:
            req.method === 'GET' || (req.method === 'DELETE' && !req.body)
              ? undefined
              : req.body,
          signal: AbortSignal.timeout(30_000),
        });
        status = res.status;
        text = await res.text();
      } catch (e) {
        checker.fail('no answer', { req: label, error: String(e) });
        continue;
      }
      checker.check(label, status, text);
      const key = `${req.method} ${req.op.route}`;
      const s = perRoute.get(key) ?? {};
      s[status] = (s[status] ?? 0) + 1;
      perRoute.set(key, s);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return { operations: ops.length, perRoute };
}
