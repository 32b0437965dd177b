import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  acmeProvider,
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import { MarketplacePage } from './MarketplacePage';
import { marketplaceApiRef } from '../../api';
import {
  mockMarketplaceApi,
  subscription,
} from '../../__fixtures__/marketplaceApi';
import { subscriptionsRouteRef } from '../../routes';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

describe('MarketplacePage', () => {
  it('lists ModelService entities with links, prices and features', async () => {
    const catalogApi = catalogApiMock({
      entities: [fullModelService, minimalModelService, acmeProvider],
    });
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [catalogApiRef, catalogApi],
      ],
    });

    expect(await screen.findByText('All services (2)')).toBeInTheDocument();
    const rows = screen.getAllByRole('row');
    // header + 2 services
    expect(rows).toHaveLength(3);

    const acme = within(rows[1]);
    expect(acme.getByRole('link', { name: /Acme GPT-4o/ })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o',
    );
    expect(acme.getByRole('link', { name: /acme-ai/ })).toHaveAttribute(
      'href',
      '/catalog/default/provider/acme-ai',
    );
    expect(acme.getByText('GPT')).toBeInTheDocument();
    expect(acme.getByText('128K')).toBeInTheDocument();
    expect(acme.getByText('$0.0025')).toBeInTheDocument();
    expect(acme.getByText('$0.01')).toBeInTheDocument();
    expect(acme.getByText(/Function calling/)).toHaveTextContent(
      /^Function calling, Vision(, Streaming)?$/,
    );
    expect(acme.queryByText(/JSON mode/)).not.toBeInTheDocument();
    expect(acme.getByText('Europe (DE)')).toBeInTheDocument();
    expect(acme.getByText('active')).toBeInTheDocument();

    const llama = within(rows[2]);
    expect(llama.getByRole('link', { name: /internal-llama/ })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/internal-llama',
    );
    expect(llama.getByRole('link', { name: /internal-llm/ })).toHaveAttribute(
      'href',
      '/catalog/default/provider/internal-llm',
    );
    expect(llama.getByText('32K')).toBeInTheDocument();
    expect(llama.getByText('$0.0001')).toBeInTheDocument();
    expect(llama.getByText('$0.0002')).toBeInTheDocument();
    expect(llama.getByText('deprecated')).toBeInTheDocument();

    // The provider entity is not a service.
    expect(screen.queryByText('Acme AI GmbH')).not.toBeInTheDocument();
  });

  it('filters rows with the table search', async () => {
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [
          catalogApiRef,
          catalogApiMock({ entities: [fullModelService, minimalModelService] }),
        ],
      ],
    });
    await screen.findByText('All services (2)');
    await userEvent.type(screen.getByPlaceholderText('Filter'), 'llama');
    // material-table debounces the search
    await waitFor(() => expect(screen.getAllByRole('row')).toHaveLength(2));
    expect(screen.queryByText(/Acme GPT-4o/)).not.toBeInTheDocument();
    expect(screen.getByText(/internal-llama/)).toBeInTheDocument();
  });

  it('shows how to add a service when the catalog has none', async () => {
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [catalogApiRef, catalogApiMock({ entities: [acmeProvider] })],
      ],
    });
    expect(
      await screen.findByText('No model services yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(/kind: ModelService/)).toBeInTheDocument();
  });

  it('shows catalog errors', async () => {
    const catalogApi = catalogApiMock.mock({
      getEntities: jest.fn().mockRejectedValue(new Error('catalog is down')),
    });
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [catalogApiRef, catalogApi],
      ],
    });
    expect(await screen.findAllByText(/catalog is down/)).not.toHaveLength(0);
  });

  it('offers Start Using per row and marks subscribed services', async () => {
    const activeLlama = {
      ...minimalModelService,
      spec: { ...minimalModelService.spec, lifecycle: 'active' as const },
    };
    const api = mockMarketplaceApi({
      listServices: jest
        .fn()
        .mockResolvedValue([
          { entity: fullModelService, subscription, owned: false },
        ]),
    });
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes: {
        ...mountedRoutes,
        '/marketplace/subscriptions': subscriptionsRouteRef,
      },
      apis: [
        [marketplaceApiRef, api],
        [
          catalogApiRef,
          catalogApiMock({ entities: [fullModelService, activeLlama] }),
        ],
      ],
    });
    await screen.findByText('All services (2)');
    expect(api.listServices).toHaveBeenCalledWith({ scope: 'subscribed' });
    const acme = within(screen.getAllByRole('row')[1]);
    expect(await acme.findByText('Subscribed')).toBeInTheDocument();
    expect(acme.getByRole('link', { name: 'Subscribed' })).toHaveAttribute(
      'href',
      '/marketplace/subscriptions',
    );
    expect(acme.queryByRole('button', { name: /Start Using/ })).toBeNull();

    const llama = within(screen.getAllByRole('row')[2]);
    await userEvent.click(
      llama.getByRole('button', { name: 'Start Using internal-llama' }),
    );
    expect(
      await screen.findByRole('dialog', { name: 'Start using internal-llama' }),
    ).toBeInTheDocument();
  });

  it('disables Start Using for deprecated services', async () => {
    await renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, mockMarketplaceApi()],
        [catalogApiRef, catalogApiMock({ entities: [minimalModelService] })],
      ],
    });
    expect(
      await screen.findByRole('button', { name: 'Start Using internal-llama' }),
    ).toBeDisabled();
  });
});
