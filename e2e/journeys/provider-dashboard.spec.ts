import { expect, test } from '@playwright/test';
import fs from 'node:fs';
import { screenshot, sidebarLink, signInAs } from './helpers';

/** Owned by ai-platform-team (samira.haddad's team); no other journey calls it. */
const SERVICE = {
  name: 'northwind-gpt-4o-mini',
  title: 'GPT-4o mini (Northwind Cloud AI)',
};
const BACKEND = process.env.PLAYWRIGHT_BACKEND_URL ?? 'http://localhost:7007';
const REQUESTS = 5;

async function tokenFor(user: string): Promise<string> {
  const res = await fetch(`${BACKEND}/api/auth/sampleUsers/refresh`, {
    method: 'POST',
    headers: {
      'x-marketplace-sample-user': user,
      'x-requested-with': 'XMLHttpRequest',
    },
  });
  expect(res.status).toBe(200);
  return (await res.json()).backstageIdentity.token;
}

async function api(token: string, method: string, path: string, body?: object) {
  const res = await fetch(`${BACKEND}/api/marketplace${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      'content-type': 'application/json',
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: res.status, json: await res.json().catch(() => ({})) };
}

test('a provider sees real traffic of a consumer team on the dashboard and downloads the payout statement', async ({
  page,
  browser,
}, testInfo) => {
  test.setTimeout(240_000);

  // Real traffic: lena subscribes, billing her team, and calls the gateway.
  const lena = await tokenFor('lena.fischer');
  const sub = await api(
    lena,
    'POST',
    `/v1/services/${SERVICE.name}/subscribe`,
    {
      teamRef: 'checkout-team',
    },
  );
  expect(sub.status).toBe(201);
  for (let i = 0; i < REQUESTS; i++) {
    const res = await fetch(`${sub.json.endpoint.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sub.json.apiKey.secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: SERVICE.name,
        messages: [{ role: 'user', content: `Summarise ticket #${i}.` }],
        max_tokens: 30,
      }),
    });
    // Every forwarded request has a ledger row, answered or failed upstream.
    expect([200, 502]).toContain(res.status);
    await res.text();
  }

  // The provider's dashboard, filtered to the service: exactly those requests.
  await signInAs(page, 'samira.haddad');
  await sidebarLink(page, 'Provider dashboard').click();
  await expect(
    page.getByRole('heading', { name: 'Provider dashboard' }),
  ).toBeVisible();
  await expect(page.getByRole('combobox', { name: /^Team/ })).toContainText(
    'ai-platform-team',
  );
  await page.getByRole('combobox', { name: /^Service/ }).click();
  await page.getByRole('option', { name: SERVICE.title }).click();
  const requests = page.getByTestId('kpi-requests').getByTestId('kpi-value');
  await expect(requests).toHaveText(String(REQUESTS));
  await expect(page.getByTestId('kpi-gross')).toContainText('$');
  // The demo upstream reports honest usage: nothing was billed at a bound.
  await expect(
    page.getByTestId('kpi-usage-discrepancies').getByTestId('kpi-value'),
  ).toHaveText('0');
  await expect(page.getByText('Requests per service')).toBeVisible();
  // Every chart has a text alternative: a summary as its name, and its data as a table.
  await expect(
    page.getByRole('img', { name: /^Requests per service, .*: from / }),
  ).toBeVisible();
  await page
    .getByRole('button', { name: 'Show Requests per service as a table' })
    .click();
  const requestsTable = page.getByRole('table', {
    name: 'Requests per service',
  });
  await expect(requestsTable.getByRole('columnheader').nth(1)).toHaveText(
    SERVICE.title,
  );
  await expect(requestsTable).toContainText(String(REQUESTS));
  const users = page.getByRole('table', { name: 'Top customers (users)' });
  await expect(users).toContainText('Lena Fischer');
  await expect(users.getByRole('row').nth(1)).toContainText(String(REQUESTS));
  await expect(
    page.getByRole('table', { name: 'Top customers (teams)' }),
  ).toContainText(/Checkout/);
  await expect(page.getByTestId('retention-row').first()).toBeVisible();
  await screenshot(page, 'provider-dashboard');

  // Payouts: this month is open; its statement downloads as CSV with the service.
  await page.getByRole('tab', { name: 'Payouts' }).click();
  const current = page.getByTestId('statement-row').first();
  await expect(current).toContainText('Open');
  await expect(page.getByRole('button', { name: /^Mark/ })).toHaveCount(0);
  const [download] = await Promise.all([
    page.waitForEvent('download'),
    current.getByRole('button', { name: /Download CSV/ }).click(),
  ]);
  expect(download.suggestedFilename()).toMatch(
    /^payout-default-ai-platform-team-\d{4}-\d{2}\.csv$/,
  );
  const csv = fs.readFileSync((await download.path())!, 'utf8');
  const lines = csv.trim().split('\r\n');
  expect(lines[0]).toContain('gross_micros,gross_usd');
  expect(
    lines.find(l => l.includes(`modelservice:default/${SERVICE.name}`)),
  ).toContain(`,${REQUESTS},`);

  // The usage export of this month so far: per day and service, and its total
  // gross equal to the open statement's, to the micro-USD.
  const column = (rows: string[], name: string, line: string) =>
    line.split(',')[rows[0].split(',').indexOf(name)];
  const exportForm = page.getByRole('form', { name: 'Export usage' });
  await expect(exportForm.getByLabel('From')).toHaveValue(/-01$/);
  const [exported] = await Promise.all([
    page.waitForEvent('download'),
    exportForm.getByRole('button', { name: 'Export CSV' }).click(),
  ]);
  expect(exported.suggestedFilename()).toMatch(
    /^usage-default-ai-platform-team-\d{4}-\d{2}-01-\d{4}-\d{2}-\d{2}\.csv$/,
  );
  const rows = fs
    .readFileSync((await exported.path())!, 'utf8')
    .trim()
    .split('\r\n');
  expect(rows[0]).toMatch(/^day,service,service_title,requests,/);
  expect(
    rows.some(
      r =>
        r.includes(`modelservice:default/${SERVICE.name}`) &&
        Number(column(rows, 'requests', r)) > 0,
    ),
  ).toBe(true);
  const exportTotal = rows[rows.length - 1];
  expect(exportTotal).toContain(',TOTAL,');
  expect(column(rows, 'gross_micros', exportTotal)).toBe(
    column(lines, 'gross_micros', lines[lines.length - 1]),
  );
  await current.getByRole('button', { name: /^Details/ }).click();
  await expect(
    page.getByTestId('statement-line').filter({ hasText: SERVICE.name }),
  ).toBeVisible();
  await screenshot(page, 'provider-payouts');

  // The consumer sees the same requests on the service's Usage tab.
  const context = await browser.newContext({ ...testInfo.project.use });
  const consumer = await context.newPage();
  await signInAs(consumer, 'lena.fischer');
  await consumer.goto(`/catalog/default/modelservice/${SERVICE.name}/usage`);
  await expect(
    consumer.getByTestId('usage-requests').getByTestId('kpi-value'),
  ).toHaveText(String(REQUESTS));
  await expect(consumer.getByTestId('usage-key-row')).toContainText(/Checkout/);
  await screenshot(consumer, 'service-usage');
  await context.close();
});
