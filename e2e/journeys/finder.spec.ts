import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

/** "$1,234.56" -> 1234.56 */
function dollars(text: string | null): number {
  const value = Number((text ?? '').replace(/[$,\s]/g, ''));
  if (!Number.isFinite(value)) {
    throw new Error(`Not an amount: ${text}`);
  }
  return value;
}

test('a consumer finds the cheapest service meeting their needs, shares the link, compares and makes a first call', async ({
  page,
  request,
}) => {
  await signInAs(page, 'kenji.nakamura');
  await sidebarLink(page, 'Model finder').click();
  await expect(page).toHaveURL(/\/marketplace\/finder/);
  await expect(
    page.getByRole('heading', { level: 1, name: 'Model finder' }),
  ).toBeVisible();

  // The needs: function calling, run in Europe, 20,000 requests a month.
  const needs = page.getByRole('form', { name: 'Needs' });
  await needs.getByRole('checkbox', { name: 'Function calling' }).check();
  await needs.getByRole('checkbox', { name: 'Europe' }).check();
  await needs
    .getByRole('textbox', { name: 'Requests per month' })
    .fill('20000');
  await expect(page).toHaveURL(/requestsPerMonth=20000/);
  await expect(page).toHaveURL(/feature=functionCalling/);
  await expect(page).toHaveURL(/region=europe/);

  const count = page.getByTestId('finder-count');
  // Catalog ingestion may still be running right after the portal starts.
  await expect(async () => {
    await page.reload();
    await expect(count).toContainText(
      /^[2-9]\d* of \d+ services meet every need/,
      {
        timeout: 5_000,
      },
    );
  }).toPass({ timeout: 90_000 });
  await expect(count).toContainText('20,000 requests');

  // Cheapest first at this volume.
  const matches = page.getByTestId('finder-match');
  const costs = (
    await matches.getByTestId('expected-cost').allTextContents()
  ).map(dollars);
  expect(costs.length).toBeGreaterThan(1);
  expect(costs).toEqual([...costs].sort((a, b) => a - b));
  // Measures come from probes and calls only: until the prober or an earlier
  // journey's calls have measured the top match the page says so instead of a
  // number (which one this run sees depends on the prober's timing).
  await expect(matches.first()).toContainText(/no data yet|TTFT p95 [\d,]+ ms/);

  // Every other service says why it is excluded.
  const excluded = page.getByTestId('finder-excluded');
  expect(await excluded.count()).toBeGreaterThan(0);
  await expect(
    excluded.filter({ hasText: /runs in north-america, not europe/ }).first(),
  ).toBeVisible();
  await expect(
    excluded.filter({ hasText: /no functionCalling/ }).first(),
  ).toBeVisible();
  for (const row of await excluded.all()) {
    await expect(row.locator('li').first()).toBeVisible();
  }
  await screenshot(page, 'finder-results');

  // The link is shareable: opened afresh, it states the same needs and answer.
  const link = page.url();
  const shared = await page.context().newPage();
  await shared.goto(link);
  await expect(
    shared.getByRole('checkbox', { name: 'Function calling' }),
  ).toBeChecked();
  await expect(shared.getByRole('checkbox', { name: 'Europe' })).toBeChecked();
  await expect(
    shared.getByRole('textbox', { name: 'Requests per month' }),
  ).toHaveValue('20000');
  await expect(shared.getByTestId('finder-count')).toHaveText(
    (await count.textContent()) ?? '',
  );
  await shared.close();

  // Compare the two cheapest side by side.
  const first = matches.nth(0);
  const second = matches.nth(1);
  const firstTitle =
    (await first.getByRole('link').first().textContent()) ?? '';
  const secondTitle =
    (await second.getByRole('link').first().textContent()) ?? '';
  await first.getByRole('checkbox', { name: `Compare ${firstTitle}` }).check();
  await second
    .getByRole('checkbox', { name: `Compare ${secondTitle}` })
    .check();
  const comparison = page.getByRole('table', { name: 'Comparison' });
  await expect(comparison).toBeVisible();
  await expect(comparison.getByRole('columnheader')).toContainText([
    firstTitle,
    secondTitle,
  ]);
  await expect(
    comparison.getByRole('row', { name: /Expected monthly cost/ }),
  ).toBeVisible();
  await expect(page).toHaveURL(/compare=/);
  // Fits the common desktop widths without scrolling sideways.
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await expect
      .poll(() =>
        page.evaluate(
          () => document.documentElement.scrollWidth <= window.innerWidth,
        ),
      )
      .toBe(true);
    await screenshot(page, `finder-compare-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  // Choose the cheapest: Start Using right there, then call it.
  await first.getByRole('button', { name: `Choose ${firstTitle}` }).click();
  const chosen = page.getByRole('region', { name: `Use ${firstTitle}` });
  await expect(chosen).toBeVisible();
  await expect(chosen.getByTestId('curl-snippet')).toContainText(
    '$OPENAI_API_KEY',
  );
  await chosen
    .getByRole('button', { name: `Start Using ${firstTitle}` })
    .click();
  const dialog = page.getByRole('dialog', {
    name: `Start using ${firstTitle}`,
  });
  await dialog.getByRole('button', { name: 'Subscribe' }).click();
  const credentials = page.getByRole('dialog', {
    name: `You are subscribed to ${firstTitle}`,
  });
  const key = (
    (await credentials.getByTestId('api-key-secret').textContent()) ?? ''
  ).trim();
  expect(key).toMatch(/^\S{16,}$/);
  const curl =
    (await credentials.getByTestId('curl-snippet').textContent()) ?? '';
  const url = /curl (\S+)/.exec(curl)?.[1];
  const body = /-d '([^']+)'/.exec(curl)?.[1];
  expect(url).toMatch(/\/chat\/completions$/);
  const model = JSON.parse(body ?? '{}').model;
  expect(model).toBeTruthy();
  await screenshot(page, 'finder-subscribed');

  let response = await request.post(url!, {
    headers: {
      Authorization: `Bearer ${key}`,
      'Content-Type': 'application/json',
    },
    data: body,
  });
  // The demo upstream fails a small share of requests on purpose (not charged).
  for (let retry = 0; retry < 2 && response.status() === 502; retry++) {
    response = await request.post(url!, {
      headers: {
        Authorization: `Bearer ${key}`,
        'Content-Type': 'application/json',
      },
      data: body,
    });
  }
  const text = await response.text();
  expect(response.status(), text).toBe(200);
  expect(JSON.parse(text).choices?.[0]?.message?.role).toBe('assistant');

  await credentials.getByRole('button', { name: 'Done' }).click();
  await expect(
    chosen.getByText(/You are subscribed: use one of your keys/),
  ).toBeVisible();
});
