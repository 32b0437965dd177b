import { screen } from '@testing-library/react';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import { searchApiRef } from '@backstage/plugin-search-react';
import { searchPlugin } from '@backstage/plugin-search';
import { SearchPage } from './SearchPage';

function entity(kind: string, name: string, lifecycle: string) {
  return {
    apiVersion: 'backstage.io/v1alpha1',
    kind,
    metadata: { name, namespace: 'default' },
    spec: { lifecycle },
  };
}

const ENTITIES = [
  entity('ModelService', 'gpt', 'active'),
  entity('ModelService', 'llama', 'deprecated'),
  entity('Component', 'portal', 'production'),
];

async function lifecycles(path: string) {
  await renderInTestApp(
    <SearchPage noTrack items={[]} resultTypes={[]} searchFilters={[]} />,
    {
      initialRouteEntries: [path],
      // plugin-search's SearchPage (the search context) is its routable page.
      mountedRoutes: { '/': searchPlugin.routes.root },
      apis: [
        [catalogApiRef, catalogApiMock({ entities: ENTITIES })],
        [searchApiRef, { query: async () => ({ results: [] }) }],
      ],
    },
  );
  await screen.findByRole('checkbox', { name: 'active' }, { timeout: 10_000 });
  return screen
    .getAllByRole('checkbox')
    .map(box => box.closest('label')?.textContent);
}

describe('SearchPage', () => {
  it('offers the lifecycles of the picked kind', async () => {
    expect(await lifecycles('/?filters%5Bkind%5D=ModelService')).toEqual([
      'active',
      'deprecated',
    ]);
  }, 30_000);

  it('offers every lifecycle in the catalog without a kind', async () => {
    expect(await lifecycles('/')).toEqual([
      'active',
      'deprecated',
      'production',
    ]);
  }, 30_000);
});
