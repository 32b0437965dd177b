import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

test('a consumer signs in, opens the marketplace and reads a service spec', async ({
  page,
}) => {
  await signInAs(page, 'guest');

  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);

  // The sample services from examples/services.yaml are listed (catalog ingestion may
  // still be running right after start, so wait for them).
  const row = page.getByRole('row', { name: /Claude Sonnet 4/ }).first();
  await expect(row).toBeVisible({ timeout: 90_000 });
  await expect(
    page.getByRole('row', { name: /Llama 3\.3 70B/ }).first(),
  ).toBeVisible();
  await screenshot(page, 'marketplace');

  await row.getByRole('link').first().click();
  await expect(page).toHaveURL(/\/catalog\/default\/modelservice\//);

  // The overview card holds the spec.
  await expect(page.getByText('Context window').first()).toBeVisible();
  await expect(
    page.getByText(/Committed by the provider/i).first(),
  ).toBeVisible();
  await expect(page.getByText('Max output tokens').first()).toBeVisible();
  await screenshot(page, 'service-overview');
});
