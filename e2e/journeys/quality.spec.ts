import { expect, test } from '@playwright/test';
import { apiTokenFor, BACKEND_URL, screenshot, signInAs } from './helpers';

// A 24/7 sample service without maintenance windows: every check counts.
const SERVICE = 'northwind-gpt-4o-mini';
// Another 24/7 one with a trial that no other journey calls: real traffic here.
const TRAFFIC_SERVICE = 'helvetia-codestral';

test('the Quality tab shows uptime measured by the prober beside the committed SLA', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  await page.goto(`/catalog/default/modelservice/${SERVICE}/quality`);

  // The e2e portal checks every live service every few seconds (see
  // e2e/app-config.e2e.yaml); the tab does not poll: reload until measured.
  // Uptime is always said with the data behind it, never "30 days" from an hour.
  const uptimeCard = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Uptime', { exact: true }) });
  const withCoverage =
    /^\d+(\.\d+)?% (over (\d+ hours?|[\d.]+ days?)|from under an hour) of data$/;
  await expect(async () => {
    await page.reload();
    await expect(uptimeCard.getByLabel('Last 30 days')).toHaveText(
      withCoverage,
      { timeout: 5_000 },
    );
  }).toPass({ timeout: 90_000 });
  await expect(uptimeCard.getByLabel('Last 7 days')).toHaveText(withCoverage);
  await expect(uptimeCard.getByLabel('Last 30 days')).not.toContainText(
    '30 days of data',
  );
  await expect(uptimeCard.getByText(/^probes: \d/).first()).toBeVisible();
  // The last probe was up and the service runs 24/7 without maintenance.
  await expect(uptimeCard.getByLabel('Available now')).toHaveText('Yes');
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
    /\d+(\.\d+)?% (over|from) .* of data.*(Met|At risk|Breached|Not enough data)/,
  );
  // Latency targets are about the time to first token.
  await expect(
    sla.getByRole('rowheader', { name: 'Time to first token p95' }),
  ).toBeVisible();
  await expect(
    page.getByText('No incidents in the last 30 days.'),
  ).toBeVisible();
  await screenshot(page, 'quality');
});

test('real requests show time to first token, total duration, output speed, capacity and usage', async ({
  page,
}) => {
  test.setTimeout(180_000);
  // A consumer subscribes through the API and calls the gateway, streamed
  // and not streamed.
  const token = await apiTokenFor('wei.chen');
  const api = (method: string, path: string, body?: object) =>
    fetch(`${BACKEND_URL}/api/marketplace${path}`, {
      method,
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: body ? JSON.stringify(body) : undefined,
    });
  await api('DELETE', `/v1/services/${TRAFFIC_SERVICE}/subscribe`);
  const subscribed = await api(
    'POST',
    `/v1/services/${TRAFFIC_SERVICE}/subscribe`,
    {},
  );
  expect(subscribed.status).toBe(201);
  const sub = await subscribed.json();
  let ok = 0;
  for (let i = 0; i < 8 || ok < 3; i++) {
    expect(i).toBeLessThan(20);
    const res = await fetch(`${sub.endpoint.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sub.apiKey.secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: TRAFFIC_SERVICE,
        messages: [{ role: 'user', content: `Write a haiku about #${i}.` }],
        max_tokens: 40,
        stream: i % 2 === 0,
      }),
    });
    // The demo upstream fails a small share on purpose, like a real one.
    expect([200, 502, 504]).toContain(res.status);
    await res.text();
    ok += res.status === 200 ? 1 : 0;
  }

  await signInAs(page, 'wei.chen');
  await page.goto(`/catalog/default/modelservice/${TRAFFIC_SERVICE}/quality`);
  const traffic = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Gateway traffic', { exact: true }) });
  const ms = /^[\d,]+ ms$/;
  await expect(traffic.getByLabel('Time to first token p50')).toHaveText(ms);
  await expect(traffic.getByLabel('Total duration p50')).toHaveText(ms);
  await expect(traffic.getByLabel('Output tokens/s p50')).toHaveText(
    /^[\d,]+$/,
  );
  // The first token comes before the end of the answer.
  const number = async (label: string) =>
    Number(
      ((await traffic.getByLabel(label).textContent()) ?? '').replace(
        /[^\d]/g,
        '',
      ),
    );
  expect(await number('Time to first token p95')).toBeLessThanOrEqual(
    await number('Total duration p95'),
  );
  await expect(
    traffic.getByRole('figure', {
      name: 'Time to first token percentiles over time',
    }),
  ).toBeVisible();
  // Every figure of the card, and the chart's three percentile lines.
  for (const label of [
    'Requests',
    'Error rate',
    'Time to first token p99',
    'Output tokens/s p95',
    'Requests/s',
  ]) {
    await expect(traffic.getByLabel(label, { exact: true })).not.toBeEmpty();
  }
  await expect(traffic.locator('.recharts-legend-item-text')).toHaveText([
    'p50',
    'p95',
    'p99',
  ]);
  for (const width of [1280, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await traffic.scrollIntoViewIfNeeded();
    await screenshot(page, `quality-traffic-card-${width}`);
  }
  await page.setViewportSize({ width: 1440, height: 900 });

  const capacity = page
    .locator('.MuiCard-root')
    .filter({ has: page.getByText('Capacity and queueing', { exact: true }) });
  await expect(capacity.getByLabel('In flight now')).toHaveText('0');
  await expect(capacity.getByLabel('Wait p50')).toHaveText(ms);
  await expect(capacity.getByLabel('Highest rate served')).toHaveText(
    /^[\d,]+ req\/min$/,
  );
  await expect(capacity.getByLabel('Committed capacity')).toHaveText(
    /^[\d,]+ req\/min$/,
  );
  await screenshot(page, 'quality-traffic');

  // The Overview shows what the service served, from the ledger.
  await page.getByRole('link', { name: 'Overview', exact: true }).click();
  const usage = page.getByRole('region', { name: 'Usage' });
  await expect(usage).toContainText(/Requests \(30 days\)\s*[1-9]/);
  await expect(usage).toContainText(/Active users \(30 days\)\s*[1-9]/);
  await expect(usage).toContainText(/Listed since\s*\w{3} \d+, \d{4}/);
  await screenshot(page, 'service-overview-usage');
});
