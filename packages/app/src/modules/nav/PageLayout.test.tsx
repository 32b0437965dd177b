import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { currentTab, MarketplacePageLayout } from './PageLayout';

const TABS = [
  { id: 'templates', label: 'Templates', href: '/create/templates' },
  { id: 'tasks', label: 'Tasks', href: '/create/tasks' },
];

describe('MarketplacePageLayout', () => {
  it('shows sub-pages as links, the current one selected, without aria-controls', async () => {
    await renderInTestApp(
      <MarketplacePageLayout title="Create" tabs={TABS}>
        <div>the templates</div>
      </MarketplacePageLayout>,
      { initialRouteEntries: ['/create/templates/default/publish'] },
    );
    expect(await screen.findByText('the templates')).toBeInTheDocument();
    const bar = screen.getByRole('tablist', { name: 'Create pages' });
    const templates = screen.getByRole('tab', { name: 'Templates' });
    expect(bar).toContainElement(templates);
    expect(templates).toHaveAttribute('href', '/create/templates');
    expect(templates).toHaveAttribute('aria-selected', 'true');
    expect(screen.getByRole('tab', { name: 'Tasks' })).toHaveAttribute(
      'aria-selected',
      'false',
    );
    // Backstage UI's routed tabs name a panel that is never rendered.
    for (const tab of screen.getAllByRole('tab')) {
      const controls = tab.getAttribute('aria-controls');
      expect(controls === null || document.getElementById(controls)).toBe(true);
    }
  });

  it('renders no tab bar for a page without sub-pages', async () => {
    await renderInTestApp(
      <MarketplacePageLayout title="Marketplace">
        <div>the page</div>
      </MarketplacePageLayout>,
    );
    expect(await screen.findByText('the page')).toBeInTheDocument();
    expect(screen.queryByRole('tablist')).toBeNull();
  });

  it('picks the tab of the longest matching path', () => {
    const tabs = [
      { id: 'all', href: '/create' },
      { id: 'tasks', href: '/create/tasks/' },
    ];
    expect(currentTab(tabs, '/create/tasks/123')).toBe('tasks');
    expect(currentTab(tabs, '/create/templates')).toBe('all');
    expect(currentTab(tabs, '/catalog')).toBe(false);
    expect(currentTab(tabs, '/create-other')).toBe(false);
  });
});
