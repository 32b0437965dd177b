// Gateway and REST calls the phases share.
import { call, json } from './lib.mjs';

export function rest(portal, checker) {
  return async (role, method, route, body, opts = {}) => {
    const headers = {};
    if (role && portal.tokens[role])
      headers.authorization = `Bearer ${portal.tokens[role]}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const r = await call(`${portal.base}/api/marketplace${route}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    checker.check(`${role} ${method} ${route}`, r.status, r.text, opts);
    return { ...r, body: json(r.text) };
  };
}

export async function subscribe(api, checker, role, service, body = {}) {
  const r = await api(role, 'POST', `/v1/services/${service}/subscribe`, body, {
    reveal: true,
  });
  if (r.status !== 201) {
    throw new Error(
      `${role} could not subscribe to ${service}: ${r.status} ${r.text.slice(
        0,
        300,
      )}`,
    );
  }
  checker.addSecret(r.body.apiKey.secret);
  return { subscription: r.body.subscription, key: r.body.apiKey.secret };
}

/** One chat completion through the gateway; reads a stream to its end. */
export async function chat(
  base,
  key,
  model,
  {
    stream = false,
    maxTokens = 32,
    content = 'Say hello',
    signal,
    timeoutMs = 60_000,
  } = {},
) {
  const res = await fetch(
    `${base}/api/marketplace/gateway/v1/chat/completions`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model,
        stream,
        max_tokens: maxTokens,
        messages: [{ role: 'user', content }],
      }),
      signal: signal ?? AbortSignal.timeout(timeoutMs),
    },
  );
  const text = await res.text();
  return {
    status: res.status,
    text,
    requestId: res.headers.get('x-request-id'),
    body: json(text),
  };
}

/** The gateway's Chat Completions route. */
export const GW = '/api/marketplace/gateway/v1/chat/completions';

/** OpenAI's error shape with the code the gateway documents. */
export function openAiError(res, code) {
  const e = res.body?.error;
  return (
    e &&
    typeof e.message === 'string' &&
    e.message.length > 0 &&
    e.type &&
    (!code || e.code === code)
  );
}
