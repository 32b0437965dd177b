import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs, sendTestRequest } from './helpers';

test('a consumer filters, sorts, opens a service and tests it in the browser', async ({
  page,
}) => {
  await signInAs(page, 'wei.chen');

  await sidebarLink(page, 'Marketplace').click();
  await expect(page).toHaveURL(/\/marketplace/);

  const filters = page.getByRole('navigation', { name: 'Filters' });
  const checkbox = (section: string, label: string) =>
    filters
      .getByRole('region', { name: section })
      .getByRole('checkbox', { name: new RegExp(`^${label} \\(\\d+\\)$`) });
  const claude = checkbox('Model family', 'Claude');
  const functionCalling = checkbox('Features', 'Function calling');
  const PRICE = 'Price (blended 3:1 prompt:completion, per 1K tokens)';
  const freeTrial = checkbox(PRICE, 'Free trial or free');
  const count = page.getByTestId('result-count');
  const cards = page.getByTestId('service-card');
  const label = async (box: typeof claude) =>
    (await box.getAttribute('aria-label')) ?? '';

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
  const functionCallingBefore = await label(functionCalling);
  // The thresholds and the price mix are stated where they are used.
  const performance = filters.getByRole('region', { name: 'Performance' });
  await expect(
    performance.getByRole('checkbox', {
      name: /^Low latency \(first token p95 < 100 ms\) \(\d+\)$/,
    }),
  ).toBeVisible();
  await expect(
    performance.getByRole('checkbox', {
      name: /^High throughput \(≥ 100 output tokens\/s, median\) \(\d+\)$/,
    }),
  ).toBeVisible();
  // Every card: a blended price, uptime with its days of data (or none yet),
  // usage from the ledger and the date it was listed.
  const firstCard = cards.first();
  await expect(firstCard).toContainText(
    /Blended \/ 1K \(3:1 prompt:completion\)\$[\d.]+/,
  );
  await expect(firstCard).toContainText(
    /Uptime(no data yet|\d+(\.\d+)?% \((under an hour|\d+ hours?|[\d.]+ days?)\))/,
  );
  await expect(firstCard).toContainText(/Active users \(30d\)\d+/);
  await expect(firstCard).toContainText(/Listed since\w{3} \d+, \d{4}/);
  await screenshot(page, 'browse');

  // Family: the result count and the other filters' facet counts change.
  await claude.check();
  await expect(page).toHaveURL(/[?&]family=claude(&|$)/);
  await expect(count).not.toHaveText(allCount);
  await expect(functionCalling).not.toHaveAttribute(
    'aria-label',
    functionCallingBefore,
  );
  const claudeCount = (await count.textContent()) ?? '';

  // + feature + price.
  await functionCalling.check();
  await expect(page).toHaveURL(/[?&]feature=functionCalling(&|$)/);
  await freeTrial.check();
  await expect(page).toHaveURL(/[?&]price=free(&|$)/);
  await expect(count).toHaveText(/^\d+ services? found$/);
  await expect(count).not.toHaveText(claudeCount);
  const filteredCount = (await count.textContent()) ?? '';
  const freeTrialLabel = await label(freeTrial);
  // Every card shown matches: a Claude model with a free trial.
  for (const card of await cards.all()) {
    await expect(card).toContainText('Claude');
    await expect(card).toContainText(/Free trial: \d+K tokens/);
  }

  // Every bit of the state lives in the URL: a reload keeps it.
  await page.reload();
  await expect(claude).toBeChecked({ timeout: 60_000 });
  await expect(functionCalling).toBeChecked();
  await expect(freeTrial).toBeChecked();
  await expect(count).toHaveText(filteredCount);
  expect(await label(freeTrial)).toBe(freeTrialLabel);

  await page.getByRole('combobox', { name: /Sort by/ }).click();
  // Prompt-only and completion-only orders are there too.
  await expect(
    page.getByRole('option', { name: 'Prompt price: low to high' }),
  ).toBeVisible();
  await expect(
    page.getByRole('option', { name: 'Completion price: low to high' }),
  ).toBeVisible();
  await page
    .getByRole('option', {
      name: 'Price (blended 3:1 prompt:completion): high to low',
    })
    .click();
  await expect(page).toHaveURL(/[?&]sort=price-desc(&|$)/);
  await expect(page).toHaveURL(/[?&]family=claude(&|$)/);
  await expect(count).toHaveText(filteredCount);
  await screenshot(page, 'browse-claude-tools-trial-price');

  // The dearest first, by the blended price.
  const prices = await cards.evaluateAll(els =>
    els.map(el => {
      const m = /Blended \/ 1K \(3:1 prompt:completion\)\$([\d.]+)/.exec(
        el.textContent ?? '',
      );
      return m ? Number(m[1]) : NaN;
    }),
  );
  expect(prices.length).toBeGreaterThan(1);
  expect([...prices].sort((a, b) => b - a)).toEqual(prices);
  const first = cards.first();
  const title = ((await first.getByRole('heading').textContent()) ?? '').trim();
  await first.getByRole('link', { name: `Details of ${title}` }).click();
  await expect(page).toHaveURL(/\/catalog\/default\/modelservice\//);
  await expect(page.getByText('Context window').first()).toBeVisible();
  await screenshot(page, 'service-overview');

  // Quality tab: committed SLA and "No data yet" until monitoring measures it.
  await page.getByRole('link', { name: 'Quality', exact: true }).click();
  const sla = page.getByRole('table', {
    name: 'Committed and measured service level',
  });
  await expect(sla).toBeVisible();
  await expect(sla.getByText('No data yet').first()).toBeVisible();
  await screenshot(page, 'service-quality');

  // Overview -> Test API: start the trial and get a streamed answer.
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  await page
    .getByRole('navigation', { name: 'Service actions' })
    .getByRole('link', { name: 'Test API' })
    .click();
  await expect(page).toHaveURL(/\/api$/);
  await expect(page.getByTestId('endpoint-model')).toBeVisible();
  await page
    .getByRole('main')
    .getByRole('button', { name: /^Start Using/ })
    .first()
    .click();
  await page
    .getByRole('dialog', { name: `Start using ${title}` })
    .getByRole('button', { name: 'Subscribe' })
    .click();
  await page
    .getByRole('dialog', { name: `You are subscribed to ${title}` })
    .getByRole('button', { name: 'Done' })
    .click();

  await page.getByLabel('Message').fill('Name three uses of embeddings.');
  await page.getByLabel('Max tokens').fill('24');
  await expect(page.getByLabel('Stream the answer')).toBeChecked();
  await sendTestRequest(page);
  const answer = page.getByRole('log', { name: 'Answer' });
  await expect(answer).not.toHaveText(/The answer appears here/, {
    timeout: 30_000,
  });
  // Token counts come from the ledger row of this request.
  await expect(
    page.getByRole('definition').filter({ hasText: /prompt \+ 24 completion/ }),
  ).toBeVisible({ timeout: 30_000 });
  await screenshot(page, 'service-api-test');
});
