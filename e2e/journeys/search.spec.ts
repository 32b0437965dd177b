import { expect, Page, test } from '@playwright/test';
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

/**
 * The search page's results for a query, reloading until the search index has
 * the sample services (the journeys' portal indexes the catalog every 30 s).
 */
async function searchResults(page: Page, query: string, expected: string) {
  const result = page.getByRole('link', { name: expected }).first();
  for (let attempt = 0; attempt < 30; attempt++) {
    await page.goto(`/search?query=${encodeURIComponent(query)}`);
    await page.waitForLoadState('networkidle');
    if (await result.isVisible().catch(() => false)) {
      return result;
    }
    await page.waitForTimeout(3_000);
  }
  throw new Error(`"${query}" never found ${expected}`);
}

test('search finds services by feature and by names without punctuation', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  // "vision" is only a feature of GPT-4o: not in its name, title or description.
  await expect(
    await searchResults(page, 'vision', 'GPT-4o (Northwind Cloud AI)'),
  ).toBeVisible();
  await screenshot(page, 'search-vision');
  // "gpt4o" as people type it, for "GPT-4o".
  await expect(
    await searchResults(page, 'gpt4o', 'GPT-4o (Northwind Cloud AI)'),
  ).toBeVisible();
});
