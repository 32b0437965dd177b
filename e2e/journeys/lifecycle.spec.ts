import { expect, test } from '@playwright/test';
import { apiTokenFor, BACKEND_URL, screenshot, signInAs } from './helpers';

/**
 * A provider retires a service and names its successor: the subscriber is
 * notified, the gateway's answers carry Deprecation, Sunset and the
 * successor's Link, and on the service page the subscriber sees the countdown
 * and switches to the successor in one click, billed the same way and with the
 * same spending limit.
 */

const API = `${BACKEND_URL}/api/marketplace`;
const RETIRING = `e2e-retiring-${Date.now().toString(36)}`;
const SUCCESSOR = 'acme-gpt-4-1'; // ai-platform-team, like the retiring one
const CAP = 3_000_000;

async function call(
  token: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: any; headers: Headers }> {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: any = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON
  }
  return { status: res.status, body: parsed, headers: res.headers };
}

test('a subscriber of a retiring service sees the countdown, gets the lifecycle headers and switches to its successor', async ({
  page,
}) => {
  test.setTimeout(240_000);
  const samira = await apiTokenFor('samira.haddad');
  const ada = await apiTokenFor('ada');
  const kenji = await apiTokenFor('kenji.nakamura');

  // The provider publishes a service (a copy of the successor's description).
  const template = await call(samira, 'GET', `/v1/services/${SUCCESSOR}`);
  expect(template.status).toBe(200);
  const { metadata, spec } = template.body.service.entity;
  const published = await call(samira, 'POST', '/v1/provider/services', {
    entity: {
      apiVersion: 'marketplace.acme.io/v1alpha1',
      kind: 'ModelService',
      metadata: {
        name: RETIRING,
        title: 'Retiring model (e2e)',
        description: metadata.description,
      },
      spec: { ...spec, successor: undefined },
    },
  });
  expect(published.status).toBe(201);
  const approved = await call(
    ada,
    'POST',
    `/v1/admin/approvals/${RETIRING}/approve`,
    {},
  );
  expect([200, 409]).toContain(approved.status);

  // Kenji subscribes, billed to his team, with a spending limit.
  const subscribed = await call(
    kenji,
    'POST',
    `/v1/services/${RETIRING}/subscribe`,
    {
      teamRef: 'group:default/checkout-team',
      spendCapMicros: CAP,
    },
  );
  expect(subscribed.status).toBe(201);
  const key: string = subscribed.body.apiKey.secret;

  // The provider unpublishes it: sunset in 20 days, the successor named.
  const sunset = new Date(Date.now() + 20 * 86_400_000);
  const unpublished = await call(
    samira,
    'DELETE',
    `/v1/provider/services/${published.body.id}`,
    { sunsetAt: sunset.toISOString().slice(0, 10), successor: SUCCESSOR },
  );
  expect(unpublished.status).toBe(200);
  expect(unpublished.body.notifiedSubscribers).toBe(1);

  // The gateway still serves it, and says it is deprecated, until when, and what next.
  const answer = await fetch(`${API}/gateway/v1/chat/completions`, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${key}`,
      'content-type': 'application/json',
    },
    body: JSON.stringify({
      model: RETIRING,
      messages: [{ role: 'user', content: 'hello' }],
      max_tokens: 5,
    }),
  });
  expect(answer.headers.get('deprecation')).toMatch(/^@\d+$/);
  expect(answer.headers.get('sunset')).toBe(
    new Date(`${sunset.toISOString().slice(0, 10)}T00:00:00Z`).toUTCString(),
  );
  expect(answer.headers.get('link')).toContain(
    `/catalog/default/modelservice/${SUCCESSOR}>; rel="successor-version"`,
  );

  // On the service page: the countdown and the way out.
  await signInAs(page, 'kenji.nakamura');
  const notice = page.getByTestId('retirement-notice');
  for (let attempt = 0; attempt < 30; attempt++) {
    await page.goto(`/catalog/default/modelservice/${RETIRING}`);
    if (await notice.isVisible({ timeout: 4_000 }).catch(() => false)) {
      break;
    }
  }
  await expect(notice).toContainText(/Retiring in 1\d days/);
  await expect(notice).toContainText('Its successor is');
  await screenshot(page, 'retirement-notice');
  await notice.getByRole('button', { name: `Switch to ${SUCCESSOR}` }).click();
  const dialog = page.getByRole('dialog');
  await expect(dialog).toContainText('You are subscribed to');
  await expect(dialog).toContainText(/mk_[A-Za-z0-9_-]{10,}/);
  await dialog.getByRole('button', { name: 'Done' }).click();

  // The new subscription is billed the same way, with the same limit.
  const subscriptions = await call(
    kenji,
    'GET',
    '/v1/subscriptions?status=active',
  );
  const next = subscriptions.body.subscriptions.find(
    (s: any) => s.serviceRef === `modelservice:default/${SUCCESSOR}`,
  );
  expect(next).toMatchObject({
    teamRef: 'group:default/checkout-team',
    spendCapMicros: CAP,
  });

  // And the unpublish notice is in his notifications.
  await page.goto('/notifications');
  await expect(
    page.getByText('Retiring model (e2e) is being retired').first(),
  ).toBeVisible();
});
