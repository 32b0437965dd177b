import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs, sidewaysOverflow } from './helpers';

const EMBEDDING = 'Text Embedding 3 Small (Acme AI Platform)';

test('embedding services show no output price in browse, and the finder offers the snippets of the APIs each service serves', async ({
  page,
}) => {
  await signInAs(page, 'kenji.nakamura');
  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);

  // Browse, embedding family: priced by input alone, never "$0.00" of output.
  await page.goto('/marketplace?family=embedding');
  const cards = page.getByTestId('service-card');
  // Catalog ingestion may still be running right after the portal starts.
  await expect(async () => {
    await page.reload();
    await expect(cards.filter({ hasText: EMBEDDING })).toBeVisible({
      timeout: 5_000,
    });
  }).toPass({ timeout: 90_000 });
  expect(await cards.count()).toBeGreaterThan(0);
  for (const card of await cards.all()) {
    await expect(card).toContainText(/Completion \/ 1K\s*input only/);
    await expect(card).not.toContainText(/Completion \/ 1K\s*\$0\.00/);
  }
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysOverflow(page)).toBe(0);
    await screenshot(page, `protocols-browse-embedding-cards-${width}`);
  }

  // The table: the prompt price, then "input only".
  await page.getByRole('button', { name: 'Table view' }).click();
  const table = page.getByRole('table', { name: 'Model services' });
  const row = table.getByRole('row').filter({ hasText: EMBEDDING });
  await expect(row).toContainText(/\$[\d.]+ · input only/);
  await expect(row).not.toContainText('· $0.00');
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `protocols-browse-embedding-table-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // The finder, for embeddings: the comparison says input only, and the chosen
  // service's snippets call POST /embeddings (no chat API tabs).
  await page.goto('/marketplace/finder?feature=embeddings');
  const matches = page.getByTestId('finder-match');
  await expect(async () => {
    await page.reload();
    await expect(matches.first()).toBeVisible({ timeout: 5_000 });
  }).toPass({ timeout: 90_000 });
  const titles: string[] = [];
  for (const match of (await matches.all()).slice(0, 2)) {
    titles.push((await match.getByRole('link').first().textContent()) ?? '');
  }
  for (const [i, title] of titles.entries()) {
    await matches
      .nth(i)
      .getByRole('checkbox', { name: `Compare ${title}` })
      .check();
  }
  const comparison = page.getByRole('table', { name: 'Comparison' });
  const completionRow = comparison.getByRole('row', {
    name: /Completion \/ 1K tokens/,
  });
  await expect(completionRow).toContainText('input only');
  await expect(completionRow).not.toContainText('$0.00');

  await matches
    .first()
    .getByRole('button', { name: `Choose ${titles[0]}` })
    .click();
  const chosen = page.getByRole('region', { name: `Use ${titles[0]}` });
  await expect(chosen.getByTestId('curl-snippet')).toContainText('/embeddings');
  await expect(chosen.getByTestId('curl-snippet')).not.toContainText(
    '/chat/completions',
  );
  await expect(chosen.getByRole('tablist', { name: 'API' })).toHaveCount(0);
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysOverflow(page)).toBe(0);
    await screenshot(page, `protocols-finder-embedding-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // The finder, for a chat service: Chat Completions, Responses and Anthropic
  // Messages, as Start Using shows them.
  await page.goto('/marketplace/finder?feature=functionCalling');
  await expect(matches.first()).toBeVisible();
  const chatTitle =
    (await matches.first().getByRole('link').first().textContent()) ?? '';
  await matches
    .first()
    .getByRole('button', { name: `Choose ${chatTitle}` })
    .click();
  const chosenChat = page.getByRole('region', { name: `Use ${chatTitle}` });
  const apis = chosenChat.getByRole('tablist', { name: 'API' });
  await expect(apis.getByRole('tab')).toHaveText([
    'Chat Completions',
    'Responses',
    'Anthropic Messages',
    'Coding agents',
  ]);
  await expect(chosenChat.getByTestId('curl-snippet')).toContainText(
    '/chat/completions',
  );
  // The code shown is the chosen API's (the hidden curl text is the first API's).
  const shownCode = chosenChat.locator('[role="tabpanel"]:not([hidden])');
  await apis.getByRole('tab', { name: 'Responses' }).click();
  await expect(shownCode).toContainText('/v1/responses');
  await apis.getByRole('tab', { name: 'Anthropic Messages' }).click();
  await expect(shownCode).toContainText('/v1/messages');
  await expect(shownCode).toContainText('x-api-key');
  await expect(chosenChat).toContainText('ANTHROPIC_API_KEY');
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    expect(await sidewaysOverflow(page)).toBe(0);
    await screenshot(page, `protocols-finder-chat-${width}`);
  }
});
