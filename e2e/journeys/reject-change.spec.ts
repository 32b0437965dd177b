import { test, expect, Page } from '@playwright/test';
import { apiTokenFor, BACKEND_URL, screenshot, signInAs } from './helpers';

/**
 * Issue 16: an admin who rejects a change of a live service rejects the change
 * only. The provider team publishes a service (API), an admin approves it, the
 * team raises its price; the admin rejects that change in Admin → Approvals
 * (the dialog says the approved version stays); the team sees why on its
 * services tab, and browse keeps the approved price.
 */

const API = `${BACKEND_URL}/api/marketplace`;
const TEMPLATE = 'acme-gpt-4o-mini-checkout-ft'; // ai-platform-team (Samira's)

async function call(user: string, method: string, path: string, body?: any) {
  const res = await fetch(`${API}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${await apiTokenFor(user)}`,
      'content-type': 'application/json',
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function atWidths(page: Page, name: string) {
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

test('rejecting a change keeps the approved version live, and the team sees why', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  const name = `acme-reject-${Date.now().toString(36)}`;
  const title = `Reject journey ${name.slice(-6)}`;
  const template = await call(
    'samira.haddad',
    'GET',
    `/v1/provider/services/${TEMPLATE}`,
  );
  expect(template.status).toBe(200);
  const spec = template.body.service.entity.spec;
  const entity = (promptPer1kMicros: number) => ({
    apiVersion: 'marketplace.acme.io/v1alpha1',
    kind: 'ModelService',
    metadata: {
      name,
      title,
      description: 'Published by the reject-change journey',
      tags: ['journey'],
    },
    spec: { ...spec, pricing: { ...spec.pricing, promptPer1kMicros } },
  });
  const published = await call(
    'samira.haddad',
    'POST',
    '/v1/provider/services',
    {
      entity: entity(300),
    },
  );
  expect(published.status).toBe(201);
  const id = published.body.id;
  expect(
    (await call('ada', 'POST', `/v1/admin/approvals/${name}/approve`, {}))
      .status,
  ).toBe(200);
  const raised = await call(
    'samira.haddad',
    'PUT',
    `/v1/provider/services/${id}`,
    {
      entity: entity(9_000),
    },
  );
  expect(raised.body.service.changeInReview).toBe(true);

  // The admin rejects the change in the queue.
  await signInAs(page, 'ada');
  await page.goto('/admin/approvals');
  const row = page.getByTestId('approval-row').filter({ hasText: name });
  await expect(row).toBeVisible({ timeout: 60_000 });
  await row.getByRole('button', { name: `Reject ${name}` }).click();
  const dialog = page.getByRole('dialog', { name: `Reject ${title}?` });
  await expect(dialog).toContainText(
    'This rejects the change only: the approved version stays in browse and the gateway',
  );
  await dialog
    .getByRole('textbox', { name: /Reason/ })
    .fill('A 30x price rise needs a notice to subscribers first');
  await atWidths(page, 'reject-change-dialog');
  await dialog.getByRole('button', { name: 'Reject' }).click();
  await expect(row).not.toBeVisible();
  // Among the approved services, marked as a rejected change.
  await page.goto('/admin/approvals?status=approved');
  const decided = page.getByTestId('approval-row').filter({ hasText: name });
  await expect(decided).toContainText(
    'Change rejected: the approved version stays live',
  );

  // The team sees its service live and why its change was refused.
  const context = await browser.newContext({ ...testInfo.project.use });
  page = await context.newPage();
  await signInAs(page, 'samira.haddad');
  await page.goto('/marketplace/provider?tab=services');
  const managed = page
    .getByTestId('managed-service-row')
    .filter({ hasText: name });
  await expect(managed).toContainText('Live', { timeout: 90_000 });
  await expect(managed).toContainText(
    'Your last change was rejected: A 30x price rise needs a notice to subscribers first',
  );
  await managed.scrollIntoViewIfNeeded();
  await atWidths(page, 'reject-change-provider');

  // Browse keeps the approved price.
  const detail = await call('lena.fischer', 'GET', `/v1/services/${name}`);
  expect(detail.status).toBe(200);
  expect(detail.body.service.entity.spec.pricing.promptPer1kMicros).toBe(300);
});
