import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { SidebarItem } from '@backstage/core-components';
import {
  isMarketplaceEntityPage,
  MarketplaceSidebarItem,
} from './MarketplaceSidebarItem';

const Icon = () => null;

function Items() {
  return (
    <nav>
      {['/marketplace', '/marketplace/subscriptions', '/catalog'].map(href => (
        <MarketplaceSidebarItem key={href} href={href}>
          <SidebarItem
            icon={Icon}
            to={href}
            text={href}
            end={href === '/marketplace'}
          />
        </MarketplaceSidebarItem>
      ))}
    </nav>
  );
}

async function current(path: string) {
  await renderInTestApp(<Items />, { initialRouteEntries: [path] });
  await screen.findByRole('link', { name: '/catalog' });
  return screen
    .getAllByRole('link')
    .filter(link => link.getAttribute('aria-current') === 'page')
    .map(link => link.getAttribute('aria-label'));
}

describe('MarketplaceSidebarItem', () => {
  it('highlights Marketplace, not Catalog, on a service page', async () => {
    expect(
      await current('/catalog/default/modelservice/acme-claude-sonnet-4/api'),
    ).toEqual(['/marketplace']);
  });

  it('highlights Marketplace on a provider page', async () => {
    expect(await current('/catalog/default/provider/acme-ai-platform')).toEqual(
      ['/marketplace'],
    );
  });

  it('leaves the catalog’s other pages to Catalog', async () => {
    expect(await current('/catalog/default/component/portal')).toEqual([
      '/catalog',
    ]);
  });

  it('highlights one item on a page under /marketplace', async () => {
    expect(await current('/marketplace/subscriptions')).toEqual([
      '/marketplace/subscriptions',
    ]);
  });

  it('knows the entity pages of the marketplace', () => {
    expect(isMarketplaceEntityPage('/catalog/default/modelservice/x')).toBe(
      true,
    );
    expect(isMarketplaceEntityPage('/catalog/default/ModelService/x/')).toBe(
      true,
    );
    expect(isMarketplaceEntityPage('/catalog')).toBe(false);
    expect(isMarketplaceEntityPage('/catalog/default/group/acme')).toBe(false);
  });
});
