import { expect, Page, test } from '@playwright/test';
import { randomBytes } from 'node:crypto';
import { apiTokenFor, BACKEND_URL, screenshot, signInAs } from './helpers';

/**
 * Upstream credentials belong to a provider: its owners add, rotate and delete
 * them on the Provider page (write-only), other teams do not see them and
 * cannot name them, and the approval queue shows which host and credential a
 * service uses.
 */

const NAME = `E2E_KEY_${Date.now().toString(36).toUpperCase()}`;
const FIRST = `sk-e2e-${randomBytes(12).toString('hex')}`;
const SECOND = `sk-e2e-${randomBytes(12).toString('hex')}`;
const PROVIDER_PAGE = '/catalog/default/provider/acme-ai-platform';

async function screenshots(page: Page, name: string) {
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `${name}-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });
}

/** The credentials card of the page, once it has loaded. */
function card(page: Page) {
  return page
    .locator('article, .MuiCard-root')
    .filter({ has: page.getByText('Upstream credentials', { exact: true }) })
    .last();
}

test('provider owners manage their upstream credentials write-only; other teams can neither see nor use them', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(240_000);
  await signInAs(page, 'samira.haddad');
  await page.goto(PROVIDER_PAGE);
  const credentials = card(page);
  await expect(
    credentials.getByText(/Only services of this provider can use/),
  ).toBeVisible({ timeout: 60_000 });
  // The demo key is bound to this provider by the platform team.
  await expect(
    credentials.getByText(/Managed by the platform team/),
  ).toContainText(/DEMO_UPSTREAM_API_KEY \(sha256:[0-9a-f]{12}\)/);

  // Add one: the value goes into a password field and is never shown again.
  await credentials.getByRole('button', { name: 'Add credential' }).click();
  const add = page.getByRole('dialog', { name: 'Add an upstream credential' });
  await add.getByLabel(/Name/).fill(NAME);
  await expect(add.getByLabel(/Value/)).toHaveAttribute('type', 'password');
  await add.getByLabel(/Value/).fill(FIRST);
  await add.getByRole('button', { name: 'Add' }).click();
  const row = credentials
    .getByTestId('credential-row')
    .filter({ hasText: NAME });
  await expect(row).toBeVisible();
  await expect(row).toContainText(/sha256:[0-9a-f]{12}/);
  await expect(row).toContainText('Last used: never');
  const firstFingerprint = await row.locator('code').nth(1).textContent();
  expect(firstFingerprint).toMatch(/^sha256:[0-9a-f]{12}$/);
  expect(await page.content()).not.toContain(FIRST);
  await screenshots(page, 'credentials-card');

  // Rotate: a new fingerprint, version 2.
  await row.getByRole('button', { name: `Rotate ${NAME}` }).click();
  const rotate = page.getByRole('dialog', { name: `Rotate ${NAME}` });
  await rotate.getByLabel(/Value/).fill(SECOND);
  await rotate.getByRole('button', { name: 'Rotate' }).click();
  await expect(row).toContainText('Rotated (v2)');
  await expect(row.locator('code').nth(1)).not.toHaveText(
    firstFingerprint ?? '',
  );
  expect(await page.content()).not.toContain(SECOND);

  // Another team's member: no card, and naming the credential is refused.
  const context = await browser.newContext({ ...testInfo.project.use });
  const other = await context.newPage();
  await signInAs(other, 'wei.chen');
  await other.goto(PROVIDER_PAGE);
  await expect(
    other.getByText('Provider', { exact: true }).first(),
  ).toBeVisible({ timeout: 60_000 });
  await expect(
    other.getByText(/Only services of this provider can use/),
  ).toHaveCount(0);
  const token = await apiTokenFor('wei.chen');
  const services = await fetch(
    `${BACKEND_URL}/api/marketplace/v1/provider/services`,
    { headers: { authorization: `Bearer ${token}` } },
  ).then(r => r.json());
  const template = services.services.find((s: any) =>
    s.entity.spec.providedBy.endsWith('acme-research-llm'),
  )?.entity;
  expect(template).toBeDefined();
  // Only what a publisher sends: the catalog's own fields (relations) stay out.
  const steal = {
    apiVersion: template.apiVersion,
    kind: template.kind,
    metadata: {
      name: `steal-${Date.now().toString(36)}`,
      title: 'Steals a key',
      description: 'Names another provider’s credential',
    },
    spec: {
      ...template.spec,
      endpoint: {
        baseUrl: 'https://attacker.example/v1',
        auth: { type: 'bearer', secretRef: NAME },
      },
    },
  };
  const refused = await fetch(
    `${BACKEND_URL}/api/marketplace/v1/provider/services`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({ entity: steal }),
    },
  );
  expect(refused.status).toBe(400);
  const refusal = await refused.json();
  expect(refusal.error.message).toContain(
    "Invalid body field 'entity': ModelService spec.endpoint.auth.secretRef cannot be used: the credential",
  );
  expect(JSON.stringify(refusal)).not.toContain(SECOND);
  await context.close();

  // Delete it.
  await row.getByRole('button', { name: `Delete ${NAME}` }).click();
  await page
    .getByRole('dialog', { name: `Delete ${NAME}?` })
    .getByRole('button', { name: 'Delete' })
    .click();
  await expect(row).toHaveCount(0);
});

test('the approval queue shows the endpoint host and whose credential each service uses', async ({
  page,
}) => {
  await signInAs(page, 'ada');
  await page.goto('/admin/approvals?status=approved');
  const row = page
    .getByTestId('approval-row')
    .filter({ hasText: 'northwind-gpt-4o' })
    .first();
  await expect(row).toBeVisible({ timeout: 60_000 });
  const cell = row.getByTestId('endpoint-credential');
  await expect(cell).toContainText('localhost:7007');
  await expect(cell).toContainText('Same host as at the last approval');
  await expect(cell).toContainText('DEMO_UPSTREAM_API_KEY');
  await expect(cell).toContainText(
    /sha256:[0-9a-f]{12} · portal config · this provider's/,
  );
  await screenshots(page, 'approvals-credentials');
});
