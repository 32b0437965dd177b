import { expect, test } from '@playwright/test';
import { screenshot, signInAs } from './helpers';

/**
 * The search page's Lifecycle filter offers the lifecycles the catalog's
 * entities have (of the kind picked in the Kind filter), not Backstage's
 * hard-coded "experimental" and "production", which no model service has.
 */
test('search offers the lifecycles services have', async ({ page }) => {
  await signInAs(page, 'lena.fischer');

  await page.goto('/search?filters%5Bkind%5D=ModelService');
  // The sample services are active, in maintenance or deprecated.
  for (const lifecycle of ['active', 'maintenance', 'deprecated']) {
    await expect(
      page.getByRole('checkbox', { name: lifecycle, exact: true }),
    ).toBeVisible({ timeout: 30_000 });
  }
  for (const lifecycle of ['experimental', 'production']) {
    await expect(
      page.getByRole('checkbox', { name: lifecycle, exact: true }),
    ).toHaveCount(0);
  }
  await screenshot(page, 'search-model-services');

  // Without a kind: every lifecycle in the catalog (the sample components
  // are in production or experimental).
  await page.goto('/search');
  for (const lifecycle of ['active', 'production', 'experimental']) {
    await expect(
      page.getByRole('checkbox', { name: lifecycle, exact: true }),
    ).toBeVisible({ timeout: 30_000 });
  }
});
