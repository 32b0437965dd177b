import { expect, Page, test } from '@playwright/test';
import AxeBuilder from '@axe-core/playwright';
import { screenshot, sidebarLink, signInAs } from './helpers';

/**
 * axe-core on the portal's main pages, as each of their users sees them: no
 * serious or critical violation, and exactly one `<main>` landmark (what
 * assistive technology jumps to).
 */
type Check = {
  path: string;
  /** What shows once the page has loaded (else: no progress bar left). */
  ready?: (page: Page) => ReturnType<Page['getByRole']>;
};

const SERVICE = '/catalog/default/modelservice/acme-claude-sonnet-4';

const PAGES: { user: string; checks: Check[] }[] = [
  {
    user: 'lena.fischer',
    checks: [
      { path: '/' },
      {
        path: '/marketplace',
        ready: p => p.getByTestId('service-card').first(),
      },
      {
        path: '/marketplace?view=table',
        ready: p => p.getByRole('table', { name: 'Model services' }),
      },
      {
        path: SERVICE,
        ready: p => p.getByRole('button', { name: /Start Using/ }).first(),
      },
      {
        path: `${SERVICE}/api`,
        ready: p => p.getByRole('tab', { name: 'Python' }),
      },
      { path: `${SERVICE}/quality` },
      { path: `${SERVICE}/reviews` },
      { path: `${SERVICE}/usage` },
      { path: '/marketplace/subscriptions' },
      {
        path: '/search?filters%5Bkind%5D=ModelService',
        ready: p => p.getByRole('checkbox', { name: 'active', exact: true }),
      },
    ],
  },
  {
    user: 'samira.haddad',
    checks: [
      {
        path: '/marketplace/provider',
        ready: p => p.getByRole('table').first(),
      },
      {
        path: '/create/templates/default/publish-llm-service',
        ready: p => p.getByRole('textbox', { name: 'Service name' }),
      },
    ],
  },
  {
    user: 'ada',
    checks: [
      {
        path: '/admin/users',
        ready: p => p.getByRole('table', { name: 'Users' }),
      },
      { path: '/admin/approvals' },
      { path: '/admin/audit' },
    ],
  },
];

/** The serious and critical violations on the page, one line each. */
async function seriousViolations(page: Page): Promise<string[]> {
  const results = await new AxeBuilder({ page }).analyze();
  return results.violations
    .filter(v => v.impact === 'serious' || v.impact === 'critical')
    .flatMap(v =>
      v.nodes.map(
        n =>
          `${v.id} (${v.impact}): ${n.target.join(' ')} - ${
            n.failureSummary?.split('\n').slice(1, 2).join('').trim() ?? ''
          }`,
      ),
    );
}

for (const { user, checks } of PAGES) {
  test(`no serious accessibility violation on the pages of ${user}`, async ({
    page,
  }) => {
    test.setTimeout(240_000);
    await signInAs(page, user);
    const found: Record<string, string[]> = {};
    for (const { path, ready } of checks) {
      await page.goto(path);
      await expect(sidebarLink(page, 'Marketplace')).toBeVisible({
        timeout: 30_000,
      });
      if (ready) {
        await expect(ready(page)).toBeVisible({ timeout: 30_000 });
      }
      await page.waitForLoadState('networkidle');
      await expect(page.getByRole('progressbar')).toHaveCount(0, {
        timeout: 30_000,
      });
      const problems = await seriousViolations(page);
      // Exactly one <main> landmark: what assistive technology jumps to.
      const mains = await page.getByRole('main').count();
      if (mains !== 1) {
        problems.push(`${mains} <main> landmarks`);
      }
      if (problems.length) {
        found[path] = problems;
        await screenshot(
          page,
          `a11y-${user}-${path.replace(/[^a-z0-9]+/gi, '-')}`,
        );
      }
    }
    expect(found).toEqual({});
  });
}
