import { expect, Page, test } from '@playwright/test';
import { screenshot, serviceCard, sidebarLink, signInAs } from './helpers';

/**
 * A service of examples/services.yaml with a free trial, lifecycle active and a
 * 24/7 schedule, served by the dev demo upstream.
 */
const SERVICE = {
  name: 'northwind-gpt-4o',
  title: 'GPT-4o (Northwind Cloud AI)',
};

/**
 * Splits a POSIX shell command into words: single and double quotes, backslash
 * escapes and line continuations. Enough for the curl command the dialog shows.
 */
function shellWords(command: string): string[] {
  const s = command.replace(/\\\r?\n/g, ' ');
  const words: string[] = [];
  let current = '';
  let inWord = false;
  let i = 0;
  while (i < s.length) {
    const ch = s[i];
    if (ch === "'") {
      const end = s.indexOf("'", i + 1);
      if (end < 0) {
        throw new Error(`Unterminated ' in: ${command}`);
      }
      current += s.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (ch === '"') {
      i++;
      while (i < s.length && s[i] !== '"') {
        if (s[i] === '\\' && i + 1 < s.length && '"\\$`'.includes(s[i + 1])) {
          current += s[i + 1];
          i += 2;
        } else {
          current += s[i];
          i++;
        }
      }
      if (i >= s.length) {
        throw new Error(`Unterminated " in: ${command}`);
      }
      i++;
      inWord = true;
    } else if (ch === '\\' && i + 1 < s.length) {
      current += s[i + 1];
      i += 2;
      inWord = true;
    } else if (/\s/.test(ch)) {
      if (inWord) {
        words.push(current);
        current = '';
        inWord = false;
      }
      i++;
    } else {
      current += ch;
      inWord = true;
      i++;
    }
  }
  if (inWord) {
    words.push(current);
  }
  return words;
}

type CurlRequest = {
  method: string;
  url: string;
  headers: Record<string, string>;
  body?: string;
};

/** The request a curl command makes (the options the dialog's snippet uses). */
function parseCurl(command: string): CurlRequest {
  const words = shellWords(command.trim());
  if (words[0] !== 'curl') {
    throw new Error(`Not a curl command: ${command}`);
  }
  let url: string | undefined;
  let method: string | undefined;
  let body: string | undefined;
  const headers: Record<string, string> = {};
  for (let i = 1; i < words.length; i++) {
    const word = words[i];
    if (word === '-H' || word === '--header') {
      const header = words[++i] ?? '';
      const colon = header.indexOf(':');
      if (colon <= 0) {
        throw new Error(`Bad header in curl command: ${header}`);
      }
      headers[header.slice(0, colon).trim()] = header.slice(colon + 1).trim();
    } else if (['-d', '--data', '--data-raw', '--data-binary'].includes(word)) {
      body = words[++i];
    } else if (word === '-X' || word === '--request') {
      method = words[++i];
    } else if (word.startsWith('-')) {
      throw new Error(`Unexpected curl option ${word} in: ${command}`);
    } else if (url === undefined) {
      url = word;
    } else {
      throw new Error(`Two URLs in curl command: ${command}`);
    }
  }
  if (!url) {
    throw new Error(`No URL in curl command: ${command}`);
  }
  return { method: method ?? (body ? 'POST' : 'GET'), url, headers, body };
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Opens the service's entity page through its marketplace card. */
async function openService(page: Page) {
  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);
  // Catalog ingestion may still be running right after start.
  const title = new RegExp(escapeRegExp(SERVICE.title));
  const card = await serviceCard(page, title);
  await card.getByRole('link', { name: title }).first().click();
  await expect(page).toHaveURL(
    new RegExp(`/catalog/default/modelservice/${SERVICE.name}`),
  );
}

test('a consumer starts using a service with a trial and sees the request metered', async ({
  page,
  context,
  request,
}) => {
  await context.grantPermissions(['clipboard-read', 'clipboard-write']);
  await signInAs(page, 'lena.fischer');
  await openService(page);

  const panel = page.getByRole('region', { name: 'Subscription' });
  const startUsing = panel.getByRole('button', { name: /^Start Using/ });
  const unsubscribe = panel.getByRole('button', { name: 'Unsubscribe' });
  await expect(startUsing.or(unsubscribe)).toBeVisible();
  if (await unsubscribe.isVisible()) {
    // Left over from an earlier run against the same database: start afresh.
    await unsubscribe.click();
    await page
      .getByRole('dialog', { name: /^Unsubscribe from/ })
      .getByRole('button', { name: 'Unsubscribe' })
      .click();
    await expect(startUsing).toBeVisible();
  }
  await screenshot(page, 'start-using-service');

  // Phase 1: the offer. Keep every default.
  await startUsing.click();
  const dialog = page.getByRole('dialog', {
    name: `Start using ${SERVICE.title}`,
  });
  await expect(dialog).toBeVisible();
  await expect(dialog.getByText('Free trial', { exact: true })).toBeVisible();
  // The trial is granted once per person: subscribing again continues it.
  await expect(
    dialog.getByText(/granted once per person: subscribing again continues it/),
  ).toBeVisible();
  await expect(dialog.getByTestId('estimate-cost')).toHaveText(/^\$/);
  const subscribe = dialog.getByRole('button', { name: 'Subscribe' });
  await expect(subscribe).toBeEnabled();
  await screenshot(page, 'start-using-offer');
  await subscribe.click();

  // Phase 2: the credentials.
  const credentials = page.getByRole('dialog', {
    name: `You are subscribed to ${SERVICE.title}`,
  });
  await expect(
    credentials.getByText(
      'This is the only time the key is shown. Store it now; you can rotate it later.',
    ),
  ).toBeVisible();
  const key = (
    (await credentials.getByTestId('api-key-secret').textContent()) ?? ''
  ).trim();
  expect(key).toMatch(/^\S{16,}$/);

  await credentials.getByRole('button', { name: 'Copy API key' }).click();
  const clipboard = await page.evaluate(() => navigator.clipboard.readText());
  expect(clipboard).toBe(key);

  const curl = (await page.getByTestId('curl-snippet').textContent()) ?? '';
  expect(curl).toContain(key);
  await screenshot(page, 'start-using-credentials');

  // Run the request the snippet describes.
  const call = parseCurl(curl);
  expect(call.headers.Authorization).toBe(`Bearer ${key}`);
  const body = JSON.parse(call.body ?? 'null');
  expect(body.model).toBe(SERVICE.name);
  // The demo upstream fails a small share of requests on purpose (a 502 that
  // is not charged); send again then, as a client would.
  let response = await request.fetch(call.url, {
    method: call.method,
    headers: call.headers,
    data: call.body,
  });
  for (let retry = 0; retry < 2 && response.status() === 502; retry++) {
    response = await request.fetch(call.url, {
      method: call.method,
      headers: call.headers,
      data: call.body,
    });
  }
  const responseText = await response.text();
  expect(response.status(), responseText).toBe(200);
  const completion = JSON.parse(responseText);
  expect(completion.object).toBe('chat.completion');
  expect(completion.choices?.[0]?.message?.role).toBe('assistant');
  expect(typeof completion.choices?.[0]?.message?.content).toBe('string');
  expect(completion.usage?.total_tokens).toBeGreaterThan(0);
  const requestId = response.headers()['x-request-id'];
  expect(requestId).toBeTruthy();

  await credentials.getByRole('button', { name: 'Done' }).click();
  await expect(credentials).toBeHidden();
  await expect(panel.getByText('Subscribed', { exact: true })).toBeVisible();

  // My subscriptions: the request is in Recent requests; the key only by prefix.
  await sidebarLink(page, 'My subscriptions').click();
  await expect(page).toHaveURL(/\/marketplace\/subscriptions/);
  const card = page
    .locator('[data-subscription-id]')
    .filter({ has: page.getByRole('heading', { name: SERVICE.title }) })
    .first();
  await expect(card).toBeVisible();
  await expect(async () => {
    await page.reload();
    await expect(
      card
        .getByRole('table', { name: 'Recent requests' })
        .getByText(requestId, { exact: true }),
    ).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 30_000 });
  await expect(page.getByText(key)).toHaveCount(0);
  await screenshot(page, 'my-subscriptions');

  // Revoking the only key is not a dead end: a new key is issued for the same
  // subscription, shown once, and works.
  await card
    .getByRole('button', {
      name: new RegExp(`^Revoke key ${escapeRegExp(key.slice(0, 11))}`),
    })
    .click();
  await page
    .getByRole('dialog', { name: /^Revoke key/ })
    .getByRole('button', { name: 'Revoke' })
    .click();
  await expect(
    card.getByText(/Every key of this subscription is revoked/),
  ).toBeVisible();
  await screenshot(page, 'my-subscriptions-all-keys-revoked');
  await card.getByRole('button', { name: 'Create new key' }).click();
  const issued = page.getByRole('dialog', { name: 'Your new API key' });
  await expect(
    issued.getByText(
      'This is the only time the key is shown. Store it now; you can rotate it later.',
    ),
  ).toBeVisible();
  const newKey = (
    (await issued.getByTestId('api-key-secret').textContent()) ?? ''
  ).trim();
  expect(newKey).toMatch(/^\S{16,}$/);
  expect(newKey).not.toBe(key);
  await issued.getByRole('button', { name: 'Done' }).click();
  await expect(issued).toBeHidden();
  await expect(page.getByText(newKey)).toHaveCount(0);
  await expect(
    card.getByText(/Every key of this subscription is revoked/),
  ).toBeHidden();

  const send = (apiKey: string) =>
    request.fetch(call.url, {
      method: call.method,
      headers: { ...call.headers, Authorization: `Bearer ${apiKey}` },
      data: call.body,
    });
  expect((await send(key)).status()).toBe(403);
  let fresh = await send(newKey);
  for (let retry = 0; retry < 2 && fresh.status() === 502; retry++) {
    fresh = await send(newKey);
  }
  expect(fresh.status(), await fresh.text()).toBe(200);
});
