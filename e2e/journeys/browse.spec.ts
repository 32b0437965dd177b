import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

test('a consumer filters, sorts and opens a service on the browse page', async ({
  page,
}) => {
  await signInAs(page, 'guest');

  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);

  const filters = page.getByRole('navigation', { name: 'Filters' });
  const claude = filters
    .getByRole('region', { name: 'Model family' })
    .getByRole('checkbox', { name: /^Claude \(\d+\)$/ });
  const count = page.getByTestId('result-count');
  const cards = page.getByTestId('service-card');

  // Catalog ingestion may still be running right after start: wait for the
  // sample services of examples/services.yaml, Claude ones among them.
  // The page does not poll: reload until the browse index has them.
  await expect(async () => {
    await page.reload();
    await expect(claude).toBeEnabled({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  await expect(cards.first()).toBeVisible();
  await expect(count).toHaveText(/^\d+ services? found$/);
  const allCount = (await count.textContent()) ?? '';
  await screenshot(page, 'browse');

  await claude.check();
  await expect(page).toHaveURL(/[?&]family=claude(&|$)/);
  await expect(count).not.toHaveText(allCount);
  await expect(count).toHaveText(/^\d+ services? found$/);
  const claudeCount = (await count.textContent()) ?? '';
  await expect(claude).toBeChecked();

  // The filter lives in the URL: a reload keeps it.
  await page.reload();
  await expect(claude).toBeChecked({ timeout: 60_000 });
  await expect(count).toHaveText(claudeCount);

  await page.getByRole('combobox', { name: /Sort by/ }).click();
  await page.getByRole('option', { name: 'Price: high to low' }).click();
  await expect(page).toHaveURL(/[?&]sort=price-desc(&|$)/);
  await expect(page).toHaveURL(/[?&]family=claude(&|$)/);
  await expect(count).toHaveText(claudeCount);
  await screenshot(page, 'browse-claude-price-desc');

  const first = cards.first();
  const title = ((await first.getByRole('heading').textContent()) ?? '').trim();
  await first.getByRole('link', { name: `Details of ${title}` }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/modelservice\//);
  await expect(page.getByText('Context window').first()).toBeVisible();
});
