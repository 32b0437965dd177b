import { expect, test } from '@playwright/test';
import {
  brokenWordsInTables,
  screenshot,
  sidewaysOverflow,
  signInAs,
} from './helpers';

/**
 * Tables at the widths people use: no cell breaks inside a word, and nothing
 * sticks out of the page (a wide table scrolls inside its own container).
 */
const WIDTHS = [1280, 1440, 1920];

const PAGES: { user: string; path: string; name: string; table?: string }[] = [
  {
    user: 'lena.fischer',
    path: '/marketplace?view=table',
    name: 'marketplace-table',
    table: 'Model services',
  },
  {
    user: 'samira.haddad',
    path: '/marketplace/provider',
    name: 'provider-dashboard',
  },
  {
    user: 'samira.haddad',
    path: '/marketplace/provider?tab=services',
    name: 'provider-services',
  },
  { user: 'ada', path: '/admin/users', name: 'admin-users', table: 'Users' },
  {
    user: 'lena.fischer',
    path: '/marketplace/finder?feature=functionCalling&region=europe&requestsPerMonth=20000',
    name: 'finder',
    table: 'Services that meet your needs',
  },
];

for (const { user, path, name, table } of PAGES) {
  test(`${name}: no word broken inside a table cell at ${WIDTHS.join(
    ', ',
  )} px`, async ({ page }) => {
    await signInAs(page, user);
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      await page.goto(path);
      await expect(
        (table
          ? page.getByRole('table', { name: table })
          : page.getByRole('table')
        ).first(),
      ).toBeVisible({ timeout: 30_000 });
      // Let charts and late rows settle.
      await page.waitForLoadState('networkidle');
      expect(await brokenWordsInTables(page), `at ${width} px`).toEqual([]);
      expect(
        await sidewaysOverflow(page),
        `at ${width} px`,
      ).toBeLessThanOrEqual(0);
      await screenshot(page, `${name}-${width}`);
    }
  });
}

test('the API tab does not scroll sideways', async ({ page }) => {
  await signInAs(page, 'lena.fischer');
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/catalog/default/modelservice/acme-claude-sonnet-4/api');
    await expect(page.getByRole('tab', { name: 'Python' })).toBeVisible({
      timeout: 30_000,
    });
    expect(await sidewaysOverflow(page), `at ${width} px`).toBeLessThanOrEqual(
      0,
    );
  }
  await screenshot(page, 'api-tab');
});

test('sidebar labels are shown whole', async ({ page }) => {
  await signInAs(page, 'samira.haddad');
  const nav = page.getByRole('navigation', { name: 'sidebar nav' });
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto('/marketplace/provider');
    await expect(nav.getByText('Provider dashboard')).toBeVisible();
    // A label cut with an ellipsis is wider than its box.
    const cut = await nav.evaluate(el =>
      Array.from(el.querySelectorAll('a span'))
        .filter(s => s.children.length === 0 && s.textContent)
        .filter(s => s.scrollWidth > s.clientWidth)
        .map(s => s.textContent),
    );
    expect(cut, `at ${width} px`).toEqual([]);
  }
  await screenshot(page, 'sidebar');
});
