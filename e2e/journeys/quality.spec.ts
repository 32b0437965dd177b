import { expect, test } from '@playwright/test';
import { screenshot, signInAs } from './helpers';

// A 24/7 sample service without maintenance windows: every check counts.
const SERVICE = 'northwind-gpt-4o-mini';

test('the Quality tab shows uptime measured by the prober beside the committed SLA', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await page.goto(`/catalog/default/modelservice/${SERVICE}/quality`);

  // The e2e portal checks every live service every few seconds (see
  // e2e/app-config.e2e.yaml); the tab does not poll: reload until measured.
  const uptimeCard = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Uptime', { exact: true }) });
  await expect(async () => {
    await page.reload();
    await expect(uptimeCard.getByLabel('Last 30 days')).toHaveText(
      /^\d+(\.\d+)?%$/,
      { timeout: 5_000 },
    );
  }).toPass({ timeout: 90_000 });
  await expect(uptimeCard.getByLabel('Last 7 days')).toHaveText(
    /^\d+(\.\d+)?%$/,
  );
  await expect(
    uptimeCard.getByText(/^Last check .* UTC: up, \d+ ms$/),
  ).toBeVisible();
  // Today's bar has real checks behind it.
  const bars = uptimeCard
    .getByRole('list', { name: 'Uptime per day' })
    .getByRole('listitem');
  await expect(bars).toHaveCount(30);
  await expect(bars.last()).toHaveAccessibleName(/% up \(\d+ up, \d+ down/);

  // Measured beside committed: the SLA table's uptime row.
  const sla = page.getByRole('table', {
    name: 'Committed and measured service level',
  });
  const uptimeRow = sla.getByRole('row').filter({
    has: page.getByRole('rowheader', { name: 'Uptime (30 days)' }),
  });
  await expect(uptimeRow).toContainText('99.9%'); // committed
  await expect(uptimeRow).toContainText(
    /\d+(\.\d+)?%.*(Met|At risk|Breached|Not enough data)/,
  );
  await expect(
    page.getByText('No incidents in the last 30 days.'),
  ).toBeVisible();
  await screenshot(page, 'quality');
});
