import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink } from './helpers';

/**
 * A newcomer's first screen: every sample user, grouped by what they are for, served
 * by the production build of the frontend (hashed scripts, long-lived cache headers,
 * compressed) from the backend's own port.
 */
test('the sign-in page offers every sample user by role, from the production build', async ({
  page,
}) => {
  const scripts: { url: string; cacheControl: string; encoding: string }[] = [];
  page.on('response', response => {
    if (response.request().resourceType() === 'script') {
      const headers = response.headers();
      scripts.push({
        url: response.url(),
        cacheControl: headers['cache-control'] ?? '',
        encoding: headers['content-encoding'] ?? '',
      });
    }
  });
  await page.goto('/');
  const list = page.getByRole('list', { name: 'Sample users' });
  await expect(list.getByText('Consumers', { exact: true })).toBeVisible();

  // Headings and users in order: the role decides the group.
  const order = [
    'Consumers',
    'lena.fischer',
    'kenji.nakamura',
    'guest',
    'Provider teams',
    'samira.haddad',
    'diego.alvarez',
    'wei.chen',
    'priya.raman',
    'Platform admin',
    'ada',
  ];
  for (const name of order) {
    await expect(
      list.getByText(name, { exact: true }),
      `${name} on the sign-in page`,
    ).toBeVisible();
  }
  const text = await list.innerText();
  const positions = order.map(name =>
    text.search(new RegExp(`^${name}$`, 'm')),
  );
  expect(positions, `the order on the page:\n${text}`).toEqual(
    [...positions].sort((a, b) => a - b),
  );
  expect(positions).not.toContain(-1);
  for (const width of [1280, 1440, 1920]) {
    await page.setViewportSize({ width, height: 900 });
    await screenshot(page, `sign-in-${width}`);
  }

  // The production build: content-hashed file names, cached for long, compressed.
  expect(scripts.length).toBeGreaterThan(0);
  for (const script of scripts) {
    expect(script.url).toMatch(/\/static\/[^/]+\.[0-9a-f]{8,}\.(chunk\.)?js$/);
    expect(script.cacheControl).toMatch(/max-age=\d{6,}/);
    expect(script.encoding).toMatch(/br|gzip/);
  }

  // One of the users the page used to leave out signs in.
  await list.getByText('priya.raman', { exact: true }).click();
  await expect(sidebarLink(page, 'Marketplace')).toBeVisible();
});
