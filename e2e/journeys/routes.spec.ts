import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

/** The route derived from the two Llama 3.3 70B services of examples/services.yaml. */
const ROUTE = 'llama-3.3-70b-instruct';
const MEMBERS = ['research-llama-3-3-70b', 'helvetia-llama-3-3-70b'];

test('a consumer subscribes to a route, calls it with one key and sees which service answered', async ({
  page,
  request,
}) => {
  await signInAs(page, 'diego.alvarez');
  await sidebarLink(page, 'Marketplace').click();

  // Browse lists the routes with their members (catalog ingestion may lag).
  const summary = page.getByText(/^Routes \(\d+\): one model name/);
  await expect(async () => {
    await page.reload();
    await expect(summary).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await summary.click();
  const route = page
    .getByTestId('route')
    .filter({ has: page.getByRole('heading', { name: ROUTE }) });
  await expect(route).toBeVisible();
  const members = route.getByTestId('route-member');
  await expect(members).toHaveCount(2);
  // The price policy: the cheaper member first; nothing measured yet says so.
  await expect(members.nth(0)).toContainText('Acme Research');
  await expect(members.nth(1)).toContainText('Helvetia');
  await expect(members.nth(0)).toContainText('no data yet');
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `routes-browse-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Start Using: one key for the route.
  await route
    .getByRole('button', { name: `Start Using route ${ROUTE}` })
    .click();
  const offer = page.getByRole('dialog', {
    name: `Start using the route ${ROUTE}`,
  });
  await expect(offer).toContainText('cheapest healthy member');
  await offer.getByRole('button', { name: 'Subscribe' }).click();
  const done = page.getByRole('dialog', {
    name: `You are subscribed to the route ${ROUTE}`,
  });
  const key = (
    (await done.getByTestId('api-key-secret').textContent()) ?? ''
  ).trim();
  expect(key).toMatch(/^\S{16,}$/);
  const curl = (await done.getByTestId('curl-snippet').textContent()) ?? '';
  const url = /curl (\S+)/.exec(curl)?.[1];
  const body = /-d '([^']+)'/.exec(curl)?.[1];
  expect(JSON.parse(body ?? '{}').model).toBe(ROUTE);
  await screenshot(page, 'routes-subscribed');

  const send = () =>
    request.post(url!, {
      headers: {
        Authorization: `Bearer ${key}`,
        'Content-Type': 'application/json',
      },
      data: body,
    });
  const response = await send();
  const text = await response.text();
  expect(response.status(), text).toBe(200);
  const served = response.headers()['x-marketplace-service'];
  expect(MEMBERS).toContain(served);
  expect(JSON.parse(text).model).toBe(served);
  expect(response.headers()['x-marketplace-route']).toBe(ROUTE);
  const requestId = response.headers()['x-request-id'];

  await done.getByRole('button', { name: 'Done' }).click();
  await expect(route.getByText('Subscribed', { exact: true })).toBeVisible();

  // My subscriptions: the route subscription, and which member served it.
  await sidebarLink(page, 'My subscriptions').click();
  const card = page
    .locator('[data-subscription-id]')
    .filter({ has: page.getByRole('heading', { name: ROUTE }) })
    .first();
  await expect(card).toBeVisible();
  await expect(card).toContainText('Route: each request goes to one');
  await expect(async () => {
    await page.reload();
    const row = card
      .getByRole('table', { name: 'Recent requests' })
      .getByRole('row')
      .filter({ hasText: requestId });
    await expect(row.getByTestId('route-attempt')).toContainText(served, {
      timeout: 5_000,
    });
  }).toPass({ timeout: 30_000 });
  await screenshot(page, 'routes-my-subscriptions');
});
