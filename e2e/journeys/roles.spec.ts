import { expect, test } from '@playwright/test';
import { screenshot, sidebarLink, signInAs } from './helpers';

test('a consumer is offered no provider features, and the provider page says what it is for', async ({
  page,
}) => {
  const forbidden: string[] = [];
  page.on('response', response => {
    if (response.status() === 403 && response.url().includes('/api/')) {
      forbidden.push(response.url());
    }
  });
  await signInAs(page, 'lena.fischer');
  await expect(sidebarLink(page, 'Marketplace')).toBeVisible();
  await expect(sidebarLink(page, 'Provider dashboard')).toHaveCount(0);
  await page.goto('/');
  await expect(
    page.getByRole('link', { name: 'My subscriptions' }).first(),
  ).toBeVisible();
  await expect(page.getByText('Publish a service')).toHaveCount(0);

  // Landing on the provider dashboard anyway: what it is for, how to get access.
  await page.goto('/marketplace/provider');
  await expect(
    page.getByText('The provider dashboard is for provider teams'),
  ).toBeVisible();
  await expect(
    page.getByText(/ask a platform admin to add your team to a provider/),
  ).toBeVisible();
  await expect(
    page.getByRole('link', { name: /Publish a service/ }),
  ).toHaveCount(0);
  await screenshot(page, 'provider-dashboard-consumer');
  expect(forbidden).toEqual([]);

  // One sidebar item is highlighted: My subscriptions, not Marketplace too.
  await page.goto('/marketplace/subscriptions');
  await expect(
    page
      .getByRole('navigation', { name: 'sidebar nav' })
      .locator('a[aria-current="page"]'),
  ).toHaveCount(1);

  // Every marketplace page has exactly one <main> landmark.
  for (const path of [
    '/marketplace',
    '/marketplace/subscriptions',
    '/marketplace/provider',
  ]) {
    await page.goto(path);
    await expect(page.getByRole('main'), path).toHaveCount(1);
  }
});

test('a provider sees the provider dashboard in the sidebar', async ({
  page,
}) => {
  await signInAs(page, 'samira.haddad');
  await expect(sidebarLink(page, 'Provider dashboard')).toBeVisible();
});
