import { expect, test } from '@playwright/test';
import {
  apiTokenFor,
  BACKEND_URL,
  brokenWordsInTables,
  screenshot,
  sidebarLink,
  sidewaysOverflow,
  signInAs,
} from './helpers';

/**
 * Tables at the widths people use: no cell breaks inside a word, and nothing
 * sticks out of the page (a wide table scrolls inside its own container).
 */
const WIDTHS = [1280, 1440, 1920];

/**
 * A service of samira.haddad's team no other journey calls: lena's requests to
 * it give the provider dashboard its Top customers tables.
 */
const TRAFFIC_SERVICE = 'acme-claude-opus-4';

/** Lena subscribes to TRAFFIC_SERVICE (personally) and calls it twice. */
async function customerTraffic() {
  const token = await apiTokenFor('lena.fischer');
  const res = await fetch(
    `${BACKEND_URL}/api/marketplace/v1/services/${TRAFFIC_SERVICE}/subscribe`,
    {
      method: 'POST',
      headers: {
        authorization: `Bearer ${token}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({}),
    },
  );
  expect(res.status).toBe(201);
  const sub = await res.json();
  for (let i = 0; i < 2; i++) {
    const call = await fetch(`${sub.endpoint.baseUrl}/chat/completions`, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${sub.apiKey.secret}`,
        'content-type': 'application/json',
      },
      body: JSON.stringify({
        model: TRAFFIC_SERVICE,
        messages: [{ role: 'user', content: 'Hello' }],
        max_tokens: 20,
      }),
    });
    // Answered or failed upstream: either way a request of lena's.
    expect([200, 502]).toContain(call.status);
    await call.text();
  }
}

const PAGES: {
  user: string;
  path: string;
  name: string;
  table?: string;
  /** A table that must fit its place, without scrolling sideways in it. */
  fits?: string;
  before?: () => Promise<void>;
}[] = [
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
    // Its widest table, with a customer's display name and e-mail.
    table: 'Top customers (users)',
    fits: 'Top customers (users)',
    before: customerTraffic,
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

for (const { user, path, name, table, fits, before } of PAGES) {
  test(`${name}: no word broken inside a table cell at ${WIDTHS.join(
    ', ',
  )} px`, async ({ page }) => {
    await before?.();
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
      if (fits) {
        const scroll = await page
          .getByRole('table', { name: fits })
          .evaluate(
            t => t.parentElement!.scrollWidth - t.parentElement!.clientWidth,
          );
        expect(scroll, `${fits} at ${width} px`).toBeLessThanOrEqual(0);
      }
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

test('a service page highlights Marketplace in the sidebar, not Catalog', async ({
  page,
}) => {
  await signInAs(page, 'lena.fischer');
  for (const path of [
    '/catalog/default/modelservice/acme-claude-sonnet-4',
    '/catalog/default/modelservice/acme-claude-sonnet-4/api',
    '/catalog/default/provider/acme-ai-platform',
  ]) {
    await page.goto(path);
    await expect(sidebarLink(page, 'Marketplace')).toHaveAttribute(
      'aria-current',
      'page',
    );
    await expect(sidebarLink(page, 'Catalog')).not.toHaveAttribute(
      'aria-current',
      'page',
    );
  }
  await screenshot(page, 'sidebar-on-provider-page');
  // The catalog's own pages stay Catalog's.
  await page.goto('/catalog');
  await expect(sidebarLink(page, 'Catalog')).toHaveAttribute(
    'aria-current',
    'page',
  );
  await expect(sidebarLink(page, 'Marketplace')).not.toHaveAttribute(
    'aria-current',
    'page',
  );
});
