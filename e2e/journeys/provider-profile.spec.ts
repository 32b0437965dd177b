import { expect, test } from '@playwright/test';
import { screenshot, serviceCard, sidebarLink, signInAs } from './helpers';

const PROVIDER = 'helvetia-models';
const DISPLAY_NAME = 'Helvetia Models AG';

test('a provider profile shows its services and measured quality; verification is an audited admin decision', async ({
  page,
}) => {
  test.setTimeout(180_000);
  await signInAs(page, 'ada');
  await sidebarLink(page, 'Marketplace').click();

  // From a service card to its provider's profile.
  const card = await serviceCard(page, /Helvetia Models AG/);
  await card.getByRole('link', { name: `Provider ${DISPLAY_NAME}` }).click();
  await expect(page).toHaveURL(
    new RegExp(`/marketplace/providers/${PROVIDER}$`),
  );
  await expect(
    page.getByRole('heading', { name: DISPLAY_NAME, level: 1 }),
  ).toBeVisible();

  // The Provider YAML says "verified": shown only as its claim.
  await expect(page.getByText('Not verified by the marketplace')).toBeVisible();
  await expect(page.getByText(/^Claims verified/)).toBeVisible();

  // Measured quality across its live services, and the services themselves.
  for (const label of [
    'Uptime',
    'First token p95',
    'Output tokens/s p50',
    'Requests (30d)',
    'Active users (30d)',
    'Tokens served',
    'Rating',
  ]) {
    await expect(page.getByLabel(label, { exact: true })).toBeVisible();
  }
  const services = page.getByRole('region', { name: 'Live services' });
  await expect(services.getByTestId('service-card').first()).toBeVisible();
  const serviceCount = await services.getByTestId('service-card').count();
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `provider-profile-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // The admin verifies it, with a note.
  await page.getByRole('button', { name: 'Verify provider' }).click();
  const dialog = page.getByRole('dialog', { name: `Verify ${DISPLAY_NAME}` });
  await dialog
    .getByLabel('Note (optional)')
    .fill('Contract and security review done');
  await dialog.getByRole('button', { name: 'Verify', exact: true }).click();
  await expect(
    page.getByText(/^Verified by the marketplace admins on /),
  ).toBeVisible();
  await expect(
    page.getByText('“Contract and security review done”'),
  ).toBeVisible();
  await screenshot(page, 'provider-profile-verified');

  // The filter uses the decision: exactly its live services.
  await page.goto('/marketplace?verified=true');
  const count = page.getByTestId('result-count');
  await expect(count).toHaveText(
    `${serviceCount} service${serviceCount === 1 ? '' : 's'} found`,
  );
  for (const c of await page.getByTestId('service-card').all()) {
    await expect(c).toContainText(DISPLAY_NAME);
    await expect(
      c.getByRole('img', { name: 'Verified by the marketplace admins' }),
    ).toBeVisible();
  }

  // Audited, the provider named by its display name as a link to it (issue
  // 17 item 11).
  await page.goto('/admin/audit');
  await expect(
    page
      .getByRole('row')
      .filter({ hasText: 'Provider verified' })
      .first()
      .getByRole('link', { name: DISPLAY_NAME, exact: true }),
  ).toHaveAttribute('href', `/catalog/default/provider/${PROVIDER}`);

  // Withdrawn again: out of the filter at once.
  await page.goto(`/marketplace/providers/${PROVIDER}`);
  await page.getByRole('button', { name: 'Withdraw verification' }).click();
  await page
    .getByRole('dialog', {
      name: `Withdraw the verification of ${DISPLAY_NAME}`,
    })
    .getByRole('button', { name: 'Withdraw verification' })
    .click();
  await expect(page.getByText('Not verified by the marketplace')).toBeVisible();
  await page.goto('/marketplace?verified=true');
  await expect(page.getByTestId('result-count')).toHaveText(
    /^0 services found$/,
  );
});
