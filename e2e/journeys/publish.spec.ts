import { expect, Page, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

/** A name no earlier run used (the dev portal keeps its database). */
const NAME = `team-llama-${Date.now().toString(36)}`;
const TITLE = `Team Llama 8B (${NAME})`;

async function next(page: Page) {
  await page.getByRole('button', { name: 'Next' }).click();
}

/** From step 5 to the last step (the wizard's button names it). */
async function toReview(page: Page) {
  await page.getByRole('button', { name: 'Review & publish' }).click();
}

test('a provider publishes a service in six steps; an admin approves it; it is in browse', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(300_000);
  await signInAs(page, 'samira.haddad');
  await sidebarLink(page, 'Provider dashboard').click();
  await page
    .getByRole('link', { name: /Publish a service/ })
    .first()
    .click();
  await expect(
    page.getByRole('heading', { name: 'Publish LLM service' }),
  ).toBeVisible({ timeout: 60_000 });

  // 1. Basic info. A taken name is refused when moving on.
  const name = page.getByRole('textbox', { name: 'Service name' });
  await name.fill('acme-claude-sonnet-4');
  await page.getByLabel('Display title').fill(TITLE);
  await page
    .getByRole('textbox', { name: 'Description' })
    .fill('Llama 3.1 8B for internal summarisation and triage of tickets.');
  await page.getByRole('button', { name: 'Model family' }).click();
  await page.getByRole('option', { name: 'Llama' }).click();
  await page.getByLabel('Base model').fill('llama-3.1-8b-instruct');
  await page.getByRole('textbox', { name: 'Provider' }).click();
  await page
    .getByRole('option', { name: /acme-ai-platform|Acme AI Platform/ })
    .click();
  await next(page);
  await expect(
    page.getByText(/already exists: choose another name/).first(),
  ).toBeVisible();
  await name.fill(NAME);
  await next(page);

  // 2. Pricing: a malformed price is refused.
  const prompt = page.getByLabel('Prompt price per 1K tokens (USD)');
  await prompt.fill('0.0000001');
  await page.getByLabel('Completion price per 1K tokens (USD)').fill('0.0004');
  await next(page);
  await expect(
    page
      .getByText(
        "'Prompt price per 1K tokens (USD)' must be a USD amount such as 0.0025, with at most 6 decimals",
      )
      .first(),
  ).toBeVisible();
  await expect(page.getByText(/must match pattern|\^\[0-9\]/)).toHaveCount(0);
  await prompt.fill('0.0002');
  await next(page);

  // 3. Technical details: the demo upstream, by the name of its secret.
  await page
    .getByLabel('Upstream endpoint URL')
    .fill('http://localhost:7007/api/demo-upstream/v1');
  await page.getByLabel('Upstream model id (optional)').fill('llama-3.1-8b');
  await page.getByLabel('Secret name').fill('DEMO_UPSTREAM_API_KEY');
  await page.getByRole('checkbox', { name: 'Function calling' }).check();
  await next(page);

  // 4. Infrastructure.
  await page.getByLabel('Country (ISO 3166-1 alpha-2)').fill('DE');
  await page.getByRole('button', { name: 'Region' }).click();
  await page.getByRole('option', { name: 'Europe' }).click();
  // One data center row is there already (at least one is required).
  await page
    .getByRole('textbox', { name: /^Data center/ })
    .first()
    .fill('fra-1');
  await page.getByRole('checkbox', { name: 'GDPR' }).check();
  await next(page);

  // 5. Performance commitments: impossible values are refused in plain words,
  // all at once; then the defaults.
  await expect(page.getByLabel('Time to first token p95 (ms)')).toHaveValue(
    '1500',
  );
  const p50 = page.getByLabel('Time to first token p50 (ms)');
  await p50.fill('5000');
  const rps = page.getByLabel('Throughput (requests/s)');
  await rps.fill('2.5');
  await toReview(page);
  // A whole-number field refuses a decimal at once (the kind wants an integer).
  expect(
    await rps.evaluate(el => (el as HTMLInputElement).validity.valid),
  ).toBe(false);
  await expect(p50).toBeVisible();
  await rps.fill('10');
  await toReview(page);
  await expect(
    page
      .getByText(/p95 \(1,500 ms\) must be at least p50 \(5,000 ms\)/)
      .first(),
  ).toBeVisible();
  await screenshot(page, 'publish-validation');
  await p50.fill('500');
  await toReview(page);

  // 6. Review & publish, the sixth and last step (no seventh "Review"): the
  // card as browse will show it, whether it goes live at once, the terms.
  const stepLabels = page.locator('.MuiStep-root');
  await expect(stepLabels).toHaveCount(6);
  await expect(stepLabels.last()).toHaveText(/^6?Review & publish$/);
  const preview = page.getByTestId('service-preview');
  const previewCard = preview.getByTestId('service-card');
  await expect(previewCard).toContainText(TITLE);
  await expect(previewCard).toContainText('$0.0002');
  await expect(previewCard).toContainText('Free trial: 100K tokens');
  await expect(previewCard).toContainText('Function calling');
  await expect(previewCard).toContainText('no data yet');
  await expect(preview.getByTestId('goes-live')).toContainText(
    'waits for a platform admin',
  );
  // Publish needs the terms.
  const publish = page.getByRole('button', { name: 'Publish' });
  await publish.click();
  await expect(
    page.getByText('Accept the provider terms to publish').first(),
  ).toBeVisible();
  await page
    .getByRole('checkbox', { name: 'I accept the provider terms' })
    .check();
  await screenshot(page, 'publish-review-and-publish');
  await publish.click();

  // The task publishes it, pending approval.
  await expect(
    page.getByText(/waiting for approval by a platform admin/),
  ).toBeVisible({ timeout: 60_000 });
  await screenshot(page, 'publish-done');
  // The same service as a catalog-info.yaml, its first line for editors.
  await page.getByRole('button', { name: 'As catalog-info.yaml' }).click();
  await expect(
    page
      .getByText(
        /# yaml-language-server: \$schema=http:\/\/localhost:7007\/api\/marketplace\/schemas\/model-service\.json/,
      )
      .first(),
  ).toBeVisible();
  await expect(page.getByText(`name: ${NAME}`).first()).toBeVisible();
  await screenshot(page, 'publish-done-yaml');
  await page.getByRole('link', { name: 'Open the service' }).click();
  // The catalog ingests it within seconds (the marketplace's entity provider):
  // reload until the page has it.
  await expect(async () => {
    await page.reload();
    await expect(page.getByText('Pending approval').first()).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });
  await expect(
    page.getByText(/A platform admin reviews it before it goes live/),
  ).toBeVisible();
  await screenshot(page, 'publish-pending');

  // Not in browse yet.
  await sidebarLink(page, 'Marketplace').click();
  await page.getByLabel('Search services').fill(NAME);
  await expect(page.getByTestId('result-count')).toHaveText('0 services found');

  /** Another user, in a browser context of their own. */
  const as = async (user: string) => {
    const context = await browser.newContext({
      ...testInfo.project.use,
    });
    const other = await context.newPage();
    await signInAs(other, user);
    return other;
  };

  // The admin approves it.
  page = await as('ada');
  await page.goto('/admin/approvals');
  const row = page.getByTestId('approval-row').filter({ hasText: NAME });
  await expect(row).toBeVisible({ timeout: 30_000 });
  await screenshot(page, 'approvals');
  await row.getByRole('button', { name: `Approve ${NAME}` }).click();
  await page
    .getByRole('dialog', { name: `Approve ${TITLE}?` })
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(row).not.toBeVisible();

  // Now any consumer finds it in browse.
  page = await as('lena.fischer');
  await sidebarLink(page, 'Marketplace').click();
  await page.getByLabel('Search services').fill(NAME);
  const card = page.getByTestId('service-card').filter({ hasText: TITLE });
  await expect(card).toBeVisible();
  await expect(card).toContainText('$0.0002');
  await expect(card).toContainText('Free trial: 100K tokens');
  await screenshot(page, 'publish-in-browse');

  // The provider edits it: the same six steps, filled in, with a list of what
  // changes. A price change is reviewed again (issue 16): subscribers keep
  // the approved price until an admin approves the new one.
  page = await as('samira.haddad');
  await page.goto('/marketplace/provider?tab=services');
  await page
    .getByTestId('managed-service-row')
    .filter({ hasText: NAME })
    .getByRole('link', { name: `Edit ${NAME}` })
    .click();
  const nameField = page.getByRole('textbox', { name: 'Service name' });
  await expect(nameField).toHaveValue(NAME, { timeout: 60_000 });
  await expect(nameField).toBeDisabled();
  await expect(page.getByLabel('Display title')).toHaveValue(TITLE);
  await next(page);
  const editedPrompt = page.getByLabel('Prompt price per 1K tokens (USD)');
  await expect(editedPrompt).toHaveValue('0.0002');
  await editedPrompt.fill('0.0003');
  for (let step = 2; step <= 4; step++) {
    await next(page);
  }
  await toReview(page);
  const summary = page.getByTestId('edit-summary');
  await expect(summary).toContainText('Prompt price per 1K tokens (USD)');
  await expect(summary).toContainText('0.0002 → 0.0003');
  await expect(summary).not.toContainText('Upstream endpoint URL');
  await expect(page.getByTestId('edit-outcome')).toContainText(
    'goes back to review',
  );
  await page
    .getByRole('checkbox', { name: 'I accept the provider terms' })
    .check();
  await screenshot(page, 'edit-service-review');
  await page.getByRole('button', { name: 'Publish' }).click();
  await expect(page.getByText(/Your changes are saved/)).toBeVisible({
    timeout: 60_000,
  });
  await expect(page.getByText(/the approved version stays live/)).toBeVisible();

  // Browse keeps the approved price while the change waits.
  page = await as('lena.fischer');
  await sidebarLink(page, 'Marketplace').click();
  await page.getByLabel('Search services').fill(NAME);
  await expect(
    page.getByTestId('service-card').filter({ hasText: TITLE }),
  ).toContainText('$0.0002');

  // The admin approves the change; then browse shows the new price.
  page = await as('ada');
  await page.goto('/admin/approvals');
  const changed = page.getByTestId('approval-row').filter({ hasText: NAME });
  await expect(changed).toBeVisible({ timeout: 30_000 });
  await changed.getByRole('button', { name: `Approve ${NAME}` }).click();
  await page
    .getByRole('dialog', { name: `Approve ${TITLE}?` })
    .getByRole('button', { name: 'Approve' })
    .click();
  await expect(changed).not.toBeVisible();

  page = await as('lena.fischer');
  await sidebarLink(page, 'Marketplace').click();
  await page.getByLabel('Search services').fill(NAME);
  await expect(
    page.getByTestId('service-card').filter({ hasText: TITLE }),
  ).toContainText('$0.0003', { timeout: 30_000 });
});
