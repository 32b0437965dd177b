// The pages bench/portal measures, and what "open" means for each.

export interface PageSpec {
  name: string;
  user: string;
  path: string;
  /** Browser-side predicate: the first meaningful element is visible. */
  ready: string;
  targets?: { coldMs?: number; warmMs?: number };
}

export const visible = (selector: string) =>
  `(() => { for (const el of document.querySelectorAll(${JSON.stringify(
    selector,
  )})) { const r = el.getBoundingClientRect(); if (r.width > 0 && r.height > 0) return true; } return false; })()`;

export const PAGES: PageSpec[] = [
  {
    name: 'Marketplace browse (first card)',
    user: 'lena.fischer',
    path: '/marketplace',
    ready: visible('[data-testid="service-card"]'),
    targets: { coldMs: 1500, warmMs: 800 },
  },
  {
    name: 'Service page (entity title)',
    user: 'lena.fischer',
    path: '/catalog/default/modelservice/acme-claude-sonnet-4',
    ready: `[...document.querySelectorAll('h1, h2')].some(h => h.textContent.includes('Claude Sonnet 4') && h.getBoundingClientRect().height > 0)`,
    targets: { warmMs: 1000 },
  },
  {
    name: 'My subscriptions (keys table)',
    user: 'lena.fischer',
    path: '/marketplace/subscriptions',
    ready: visible('table[aria-label="API keys"]'),
  },
  {
    name: 'Provider dashboard (KPI value)',
    user: 'samira.haddad',
    path: '/marketplace/provider',
    ready: visible('[data-testid="kpi-value"]'),
  },
  {
    // Backstage's own page (plugin-user-settings), none of the marketplace's
    // code: the floor of any page of this app shell, on the same machine.
    name: 'Settings, the floor (profile card)',
    user: 'lena.fischer',
    path: '/settings',
    // The Profile card's title (core components' InfoCard: a MUI CardHeader).
    ready: `[...document.querySelectorAll('.MuiCardHeader-title')].some(h => h.textContent.trim() === 'Profile' && h.getBoundingClientRect().height > 0)`,
  },
];
