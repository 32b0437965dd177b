import { screen } from '@testing-library/react';
import { coreExtensionData } from '@backstage/frontend-plugin-api';
import {
  createExtensionTester,
  renderTestApp,
} from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  catalogApiMock,
  createTestEntityPage,
} from '@backstage/plugin-catalog-react/testUtils';
import { Entity } from '@backstage/catalog-model';
import discoveredDefault, { marketplacePlugin } from './index';
import { finderRouteRef, rootRouteRef, subscriptionsRouteRef } from './routes';
import { marketplaceApiRef } from './api';
import { mockMarketplaceApi } from './__fixtures__/marketplaceApi';
import {
  acmeProvider,
  fullModelService,
  withRelations,
} from './__fixtures__/entities';

const CARD_IDS = [
  'entity-card:marketplace/model-service-overview',
  'entity-card:marketplace/provider-details',
  'entity-card:marketplace/provider-services',
];

function entityPageWithCards(entity: Entity) {
  return renderTestApp({
    extensions: [
      createTestEntityPage({ entity }),
      ...CARD_IDS.map(id => marketplacePlugin.getExtension(id)),
    ],
    apis: [
      [marketplaceApiRef, mockMarketplaceApi()],
      [
        catalogApiRef,
        catalogApiMock({
          entities: [
            acmeProvider,
            withRelations(fullModelService, [
              { type: 'providedBy', targetRef: 'provider:default/acme-ai' },
            ]),
          ],
        }),
      ],
    ],
  });
}

describe('marketplacePlugin', () => {
  it('is the default export, which app.packages discovery uses', () => {
    expect(discoveredDefault).toBe(marketplacePlugin);
    expect(marketplacePlugin.$$type).toBe('@backstage/FrontendPlugin');
    expect(marketplacePlugin.pluginId).toBe('marketplace');
    expect(marketplacePlugin.routes.root).toBe(rootRouteRef);
  });

  it('declares the page at /marketplace with the nav title and icon', () => {
    const tester = createExtensionTester(
      marketplacePlugin.getExtension('page:marketplace'),
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('/marketplace');
    expect(tester.get(coreExtensionData.routeRef)).toBe(rootRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('Marketplace');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('declares the model finder at /marketplace/finder', () => {
    expect(marketplacePlugin.routes.finder).toBe(finderRouteRef);
    const tester = createExtensionTester(
      marketplacePlugin.getExtension('page:marketplace/finder'),
    );
    expect(tester.get(coreExtensionData.routePath)).toBe('/marketplace/finder');
    expect(tester.get(coreExtensionData.routeRef)).toBe(finderRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('Model finder');
  });

  it('declares My subscriptions at /marketplace/subscriptions', () => {
    expect(marketplacePlugin.routes.subscriptions).toBe(subscriptionsRouteRef);
    const tester = createExtensionTester(
      marketplacePlugin.getExtension('page:marketplace/subscriptions'),
    );
    expect(tester.get(coreExtensionData.routePath)).toBe(
      '/marketplace/subscriptions',
    );
    expect(tester.get(coreExtensionData.routeRef)).toBe(subscriptionsRouteRef);
    expect(tester.get(coreExtensionData.title)).toBe('My subscriptions');
    expect(tester.get(coreExtensionData.icon)).toBeDefined();
  });

  it('renders My subscriptions in an app, not the marketplace page', async () => {
    const api = mockMarketplaceApi();
    renderTestApp({
      features: [marketplacePlugin],
      initialRouteEntries: ['/marketplace/subscriptions'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [marketplaceApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [fullModelService] })],
      ],
    });
    expect(
      await screen.findByText('No subscriptions yet', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    expect(screen.queryByText('Model services')).not.toBeInTheDocument();
    const links = screen.getAllByRole('link', { name: 'My subscriptions' });
    expect(links.map(l => l.getAttribute('href'))).toContain(
      '/marketplace/subscriptions',
    );
    expect(api.listSubscriptions).toHaveBeenCalledWith({ status: 'active' });
  });

  it('starts the browse request of the page URL while the browse page loads', async () => {
    const api = mockMarketplaceApi({ prefetchBrowseServices: jest.fn() });
    window.history.pushState({}, '', '/marketplace?family=gpt&sort=rating');
    try {
      renderTestApp({
        features: [marketplacePlugin],
        initialRouteEntries: ['/marketplace?family=gpt&sort=rating'],
        mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
        apis: [
          [marketplaceApiRef, api],
          [catalogApiRef, catalogApiMock({ entities: [fullModelService] })],
        ],
      });
      expect(
        await screen.findByText('Model services', undefined, {
          timeout: 10_000,
        }),
      ).toBeInTheDocument();
      // The page then asks for the same query, which the client answers with
      // the prefetched response.
      const query = { limit: 24, family: ['gpt'], sort: 'rating' };
      expect(api.prefetchBrowseServices).toHaveBeenCalledTimes(1);
      expect(api.prefetchBrowseServices).toHaveBeenCalledWith(query);
      expect(api.browseServices).toHaveBeenCalledWith(query);
    } finally {
      window.history.pushState({}, '', '/');
    }
  });

  it('declares the admin users page and the audit log, titled for the Admin group', async () => {
    for (const [id, path, title] of [
      ['page:marketplace/admin-users', '/admin/users', 'Users'],
      ['page:marketplace/admin-audit', '/admin/audit', 'Audit log'],
    ]) {
      const page = createExtensionTester(marketplacePlugin.getExtension(id));
      expect(page.get(coreExtensionData.routePath)).toBe(path);
      expect(page.get(coreExtensionData.title)).toBe(title);
    }
    // A consumer opening the page sees that it is not for them.
    renderTestApp({
      features: [marketplacePlugin],
      initialRouteEntries: ['/admin/users'],
      apis: [
        [
          marketplaceApiRef,
          mockMarketplaceApi({
            listUsers: jest.fn().mockRejectedValue(
              Object.assign(new Error('Only platform admins list users'), {
                statusCode: 403,
              }),
            ),
          }),
        ],
      ],
    });
    expect(
      await screen.findByText('Not allowed', undefined, { timeout: 10_000 }),
    ).toBeInTheDocument();
  });

  it('declares the provider dashboard at /marketplace/provider and the approvals queue at /admin/approvals', async () => {
    const provider = createExtensionTester(
      marketplacePlugin.getExtension('page:marketplace/provider'),
    );
    expect(provider.get(coreExtensionData.routePath)).toBe(
      '/marketplace/provider',
    );
    expect(provider.get(coreExtensionData.title)).toBe('Provider dashboard');
    const approvals = createExtensionTester(
      marketplacePlugin.getExtension('page:marketplace/admin-approvals'),
    );
    expect(approvals.get(coreExtensionData.routePath)).toBe('/admin/approvals');
    // Titled for the sidebar's Admin group (which the app shows only to admins).
    expect(approvals.get(coreExtensionData.title)).toBe('Approvals');

    renderTestApp({
      features: [marketplacePlugin],
      initialRouteEntries: ['/admin/approvals'],
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [[marketplaceApiRef, mockMarketplaceApi()]],
    });
    expect(
      await screen.findByText('Nothing to review', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
  });

  it('renders the marketplace page in an app', async () => {
    renderTestApp({
      features: [marketplacePlugin],
      initialRouteEntries: ['/marketplace'],
      // Mounted by the catalog plugin in the real app.
      mountedRoutes: { '/catalog/:namespace/:kind/:name': entityRouteRef },
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [catalogApiRef, catalogApiMock({ entities: [fullModelService] })],
      ],
    });
    expect(
      await screen.findByText('2 services found', undefined, {
        timeout: 10_000,
      }),
    ).toBeInTheDocument();
    // Sidebar entry derived from the page's title + icon + routeRef
    const links = screen.getAllByRole('link', { name: 'Marketplace' });
    expect(links.map(l => l.getAttribute('href'))).toContain('/marketplace');
    expect(screen.getByText('Model services')).toBeInTheDocument();
  });

  it('shows only the ModelService card on a ModelService entity', async () => {
    entityPageWithCards(fullModelService);
    expect(await screen.findByText('Model service')).toBeInTheDocument();
    expect(screen.getByText('$0.0025 / 1K tokens')).toBeInTheDocument();
    expect(
      screen.queryByText('Model services offered'),
    ).not.toBeInTheDocument();
    expect(screen.queryByText('Display name')).not.toBeInTheDocument();
  });

  it('shows only the Provider cards on a Provider entity', async () => {
    entityPageWithCards(acmeProvider);
    expect(
      await screen.findByText('Model services offered'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Acme AI GmbH')).toBeInTheDocument();
    expect(
      await screen.findByText('Claims verified on Jan 15, 2025'),
    ).toBeInTheDocument();
    expect(await screen.findByText('Acme GPT-4o')).toBeInTheDocument();
    expect(screen.queryByText('Committed SLA')).not.toBeInTheDocument();
  });

  it('shows none of its cards on other kinds', async () => {
    entityPageWithCards({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: { name: 'some-component' },
      spec: { type: 'service', owner: 'me', lifecycle: 'production' },
    });
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
  });

  it('does not match a foreign kind that happens to be called ModelService', async () => {
    entityPageWithCards({
      ...fullModelService,
      apiVersion: 'example.com/v1',
    });
    expect(await screen.findByTestId('empty-entity-page')).toBeInTheDocument();
  });
});
