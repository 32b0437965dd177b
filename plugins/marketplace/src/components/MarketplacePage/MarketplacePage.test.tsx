import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { catalogApiRef, entityRouteRef } from '@backstage/plugin-catalog-react';
import { catalogApiMock } from '@backstage/plugin-catalog-react/testUtils';
import {
  fullModelService,
  minimalModelService,
} from '../../__fixtures__/entities';
import { MarketplacePage } from './MarketplacePage';
import { MarketplaceApi, marketplaceApiRef } from '../../api';
import {
  browseResponse,
  measuredCard,
  mockMarketplaceApi,
  unmeasuredCard,
  subscriptionWithKeys,
} from '../../__fixtures__/marketplaceApi';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

/** Shows the current query string, to assert on the URL state. */
function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location-search">{location.search}</div>;
}

function currentSearch(): URLSearchParams {
  return new URLSearchParams(
    screen.getByTestId('location-search').textContent ?? '',
  );
}

async function renderPage(
  api: jest.Mocked<MarketplaceApi> = mockMarketplaceApi(),
  initialRoute = '/marketplace',
) {
  renderInTestApp(
    <>
      <MarketplacePage />
      <LocationProbe />
    </>,
    {
      mountedRoutes,
      initialRouteEntries: [initialRoute],
      apis: [
        [marketplaceApiRef, api],
        [
          catalogApiRef,
          catalogApiMock({ entities: [fullModelService, minimalModelService] }),
        ],
      ],
    },
  );
  await settled();
  return api;
}

/** Waits for the results and the catalog entities behind Start Using. */
async function settled() {
  await screen.findByText('2 services found');
  await screen.findByRole('button', { name: 'Start Using Acme GPT-4o' });
}

function filterSection(title: string) {
  return within(screen.getByRole('region', { name: title }));
}

describe('MarketplacePage', () => {
  it('marks services the user already subscribes to instead of offering Start Using', async () => {
    const api = mockMarketplaceApi({
      listSubscriptions: jest.fn().mockResolvedValue([subscriptionWithKeys]),
    });
    renderInTestApp(
      <>
        <MarketplacePage />
        <LocationProbe />
      </>,
      {
        mountedRoutes,
        initialRouteEntries: ['/marketplace'],
        apis: [
          [marketplaceApiRef, api],
          [
            catalogApiRef,
            catalogApiMock({
              entities: [fullModelService, minimalModelService],
            }),
          ],
        ],
      },
    );
    await screen.findByText('2 services found');
    expect(await screen.findByText('Subscribed')).toBeInTheDocument();
    expect(api.listSubscriptions).toHaveBeenCalledWith({ status: 'active' });
    expect(
      screen.queryByRole('button', { name: 'Start Using Acme GPT-4o' }),
    ).not.toBeInTheDocument();
  });
  it('renders every filter value with its facet count', async () => {
    const api = await renderPage();
    expect(api.browseServices).toHaveBeenCalledWith({ limit: 24 });

    const family = filterSection('Model family');
    expect(family.getByRole('checkbox', { name: 'GPT (1)' })).toBeEnabled();
    expect(family.getByRole('checkbox', { name: 'Llama (1)' })).toBeEnabled();
    // Values no service has are listed, but disabled.
    expect(family.getByRole('checkbox', { name: 'Claude (0)' })).toBeDisabled();
    expect(
      family.getByRole('checkbox', { name: 'Embedding (0)' }),
    ).toBeDisabled();
    expect(family.getAllByRole('checkbox')).toHaveLength(7);

    expect(
      filterSection('Context window').getByRole('checkbox', {
        name: '32K – 128K (2)',
      }),
    ).toBeEnabled();
    expect(
      filterSection('Features').getByRole('checkbox', { name: 'Vision (1)' }),
    ).toBeEnabled();
    expect(
      filterSection('Compliance').getByRole('checkbox', { name: 'HIPAA (0)' }),
    ).toBeDisabled();
    expect(
      filterSection('Verified provider').getByRole('checkbox', {
        name: 'Verified providers only (1)',
      }),
    ).toBeEnabled();
  });

  it('renders cards with links, prices, features and measured metrics', async () => {
    await renderPage();
    const cards = screen.getAllByTestId('service-card');
    expect(cards).toHaveLength(2);

    const acme = within(cards[0]);
    expect(acme.getByRole('link', { name: 'Acme GPT-4o' })).toHaveAttribute(
      'href',
      '/catalog/default/modelservice/acme-gpt-4o',
    );
    expect(
      acme.getByRole('link', { name: 'Details of Acme GPT-4o' }),
    ).toHaveAttribute('href', '/catalog/default/modelservice/acme-gpt-4o');
    expect(acme.getByText('Acme AI GmbH')).toBeInTheDocument();
    expect(
      acme.getByRole('img', { name: 'Verified by the marketplace admins' }),
    ).toBeInTheDocument();
    expect(acme.getByText('GPT')).toBeInTheDocument();
    expect(acme.getByText('128K')).toBeInTheDocument();
    expect(acme.getByText('$0.0025')).toBeInTheDocument();
    expect(acme.getByText('$0.01')).toBeInTheDocument();
    // At most 4 feature chips.
    expect(acme.getByText('Function calling')).toBeInTheDocument();
    expect(acme.getByText('JSON mode')).toBeInTheDocument();
    expect(acme.queryByText('Fine-tuned')).not.toBeInTheDocument();
    expect(acme.getByText('Free trial: 100K tokens')).toBeInTheDocument();
    expect(within(cards[1]).queryByText(/Free trial/)).not.toBeInTheDocument();
    expect(acme.getByText('4.5 / 5 (12 reviews)')).toBeInTheDocument();
    // Uptime with the days of data behind it; latency = time to first token.
    expect(acme.getByText('99.95% (3 days)')).toBeInTheDocument();
    expect(acme.getByText('840 ms')).toBeInTheDocument();
    expect(acme.getByText('120 tokens/s')).toBeInTheDocument();
    expect(acme.getByText('12,345')).toBeInTheDocument();
    expect(acme.getByText('42')).toBeInTheDocument();
    expect(acme.getByText('25M')).toBeInTheDocument();
    // Blended 3:1: (3 x $0.0025 + $0.01) / 4
    expect(acme.getByText('$0.004375')).toBeInTheDocument();
    expect(acme.getByText('Nov 1, 2026')).toBeInTheDocument();
    expect(
      acme.getByRole('link', { name: 'Provider Acme AI GmbH' }),
    ).toHaveAttribute('href', '/marketplace/providers/acme-ai');
    expect(
      await acme.findByRole('button', { name: 'Start Using Acme GPT-4o' }),
    ).toBeInTheDocument();
  });

  it('shows "no data yet" for metrics that were not measured', async () => {
    await renderPage();
    const llama = within(screen.getAllByTestId('service-card')[1]);
    expect(llama.getAllByText('no data yet')).toHaveLength(4);
    expect(
      llama.queryByRole('img', { name: 'Verified by the marketplace admins' }),
    ).not.toBeInTheDocument();
    expect(llama.getByText('32K')).toBeInTheDocument();

    // The same in the table view.
    await userEvent.click(screen.getByRole('button', { name: 'Table view' }));
    const rows = await screen.findAllByRole('row');
    expect(rows).toHaveLength(3);
    expect(currentSearch().get('view')).toBe('table');
    expect(within(rows[2]).getAllByText('no data yet')).toHaveLength(4);
    expect(within(rows[1]).getByText('99.95% (3 days)')).toBeInTheDocument();
  });

  it('puts a ticked filter in the URL and asks the API with it', async () => {
    const api = await renderPage();
    await userEvent.click(
      filterSection('Model family').getByRole('checkbox', { name: 'GPT (1)' }),
    );
    await waitFor(() =>
      expect(api.browseServices).toHaveBeenLastCalledWith({
        family: ['gpt'],
        limit: 24,
      }),
    );
    await settled();
    expect(currentSearch().getAll('family')).toEqual(['gpt']);

    await userEvent.click(
      filterSection('Features').getByRole('checkbox', { name: 'Vision (1)' }),
    );
    await waitFor(() =>
      expect(api.browseServices).toHaveBeenLastCalledWith({
        family: ['gpt'],
        feature: ['vision'],
        limit: 24,
      }),
    );
    await settled();
    expect(currentSearch().toString()).toBe('family=gpt&feature=vision');
    expect(
      await screen.findByRole('checkbox', { name: 'GPT (1)' }),
    ).toBeChecked();
  });

  it('restores the filters, search and sort from the URL', async () => {
    const api = await renderPage(
      mockMarketplaceApi(),
      '/marketplace?family=gpt&family=claude&q=fast&sort=price-desc&offset=24',
    );
    expect(api.browseServices).toHaveBeenCalledWith({
      q: 'fast',
      family: ['gpt', 'claude'],
      sort: 'price-desc',
      offset: 24,
      limit: 24,
    });
    expect(screen.getByRole('checkbox', { name: 'GPT (1)' })).toBeChecked();
    // Checked values stay enabled even without services.
    expect(screen.getByRole('checkbox', { name: 'Claude (0)' })).toBeEnabled();
    expect(screen.getByLabelText('Search services')).toHaveValue('fast');
    expect(
      screen.getByText('Price (blended 3:1 prompt:completion): high to low'),
    ).toBeInTheDocument();
  });

  it('debounces the search box', async () => {
    const api = await renderPage();
    api.browseServices.mockClear();
    await userEvent.type(screen.getByLabelText('Search services'), 'llama');
    // Nothing is sent while typing.
    expect(api.browseServices).not.toHaveBeenCalled();
    await waitFor(() =>
      expect(api.browseServices).toHaveBeenCalledWith({
        q: 'llama',
        limit: 24,
      }),
    );
    await settled();
    expect(api.browseServices).toHaveBeenCalledTimes(1);
    expect(currentSearch().get('q')).toBe('llama');
  });

  it('changes the sort', async () => {
    const api = await renderPage();
    await userEvent.click(screen.getByRole('combobox', { name: /Sort by/ }));
    await userEvent.click(
      screen.getByRole('option', {
        name: 'Price (blended 3:1 prompt:completion): high to low',
      }),
    );
    await waitFor(() =>
      expect(api.browseServices).toHaveBeenLastCalledWith({
        sort: 'price-desc',
        limit: 24,
      }),
    );
    await settled();
    expect(currentSearch().get('sort')).toBe('price-desc');
  });

  it('shows an empty state whose "Clear filters" resets the URL', async () => {
    const api = mockMarketplaceApi({
      browseServices: jest.fn(async query =>
        query.family?.length
          ? { ...browseResponse, items: [], total: 0 }
          : browseResponse,
      ),
    });
    renderInTestApp(
      <>
        <MarketplacePage />
        <LocationProbe />
      </>,
      {
        mountedRoutes,
        initialRouteEntries: [
          '/marketplace?family=claude&sort=rating&view=table',
        ],
        apis: [
          [marketplaceApiRef, api],
          [catalogApiRef, catalogApiMock({ entities: [] })],
        ],
      },
    );
    expect(
      await screen.findByText('No services match your filters'),
    ).toBeInTheDocument();
    expect(screen.getByText('0 services found')).toBeInTheDocument();

    const buttons = screen.getAllByRole('button', { name: 'Clear filters' });
    await userEvent.click(buttons[buttons.length - 1]);
    expect(await screen.findByText('2 services found')).toBeInTheDocument();
    // Filters go; the sort and the view stay.
    expect(currentSearch().toString()).toBe('sort=rating&view=table');
    expect(api.browseServices).toHaveBeenLastCalledWith({
      sort: 'rating',
      limit: 24,
    });
    expect(screen.getByRole('checkbox', { name: 'Claude (0)' })).toBeDisabled();
  });

  it('explains how to add services when there are none', async () => {
    const api = mockMarketplaceApi({
      browseServices: jest
        .fn()
        .mockResolvedValue({ ...browseResponse, items: [], total: 0 }),
    });
    renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [] })],
      ],
    });
    expect(
      await screen.findByText('No model services yet'),
    ).toBeInTheDocument();
    expect(screen.getByText(/kind: ModelService/)).toBeInTheDocument();
  });

  it('shows API errors', async () => {
    const api = mockMarketplaceApi({
      browseServices: jest.fn().mockRejectedValue(new Error('backend is down')),
    });
    renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [] })],
      ],
    });
    expect(await screen.findAllByText(/backend is down/)).not.toHaveLength(0);
  });

  it('pages through the results', async () => {
    const api = mockMarketplaceApi({
      browseServices: jest.fn().mockResolvedValue({
        ...browseResponse,
        items: [measuredCard, unmeasuredCard],
        total: 50,
      }),
    });
    renderInTestApp(
      <>
        <MarketplacePage />
        <LocationProbe />
      </>,
      {
        mountedRoutes,
        apis: [
          [marketplaceApiRef, api],
          [catalogApiRef, catalogApiMock({ entities: [] })],
        ],
      },
    );
    await screen.findByText('50 services found');
    await userEvent.click(screen.getByRole('button', { name: 'Go to page 3' }));
    await waitFor(() =>
      expect(api.browseServices).toHaveBeenLastCalledWith({
        offset: 48,
        limit: 24,
      }),
    );
    await screen.findAllByTestId('service-card');
    expect(currentSearch().get('offset')).toBe('48');
  });
  it('shows the first cards in the first frame and then every card of the page', async () => {
    const items = Array.from({ length: 24 }, (_, i) => ({
      ...measuredCard,
      ref: `modelservice:default/service-${i}`,
      name: `service-${i}`,
      title: `Service ${i}`,
    }));
    const api = mockMarketplaceApi({
      browseServices: jest
        .fn()
        .mockResolvedValue({ ...browseResponse, items, total: 24 }),
    });
    renderInTestApp(<MarketplacePage />, {
      mountedRoutes,
      apis: [
        [marketplaceApiRef, api],
        [catalogApiRef, catalogApiMock({ entities: [] })],
      ],
    });
    await screen.findByText('24 services found');
    await waitFor(() =>
      expect(screen.getAllByTestId('service-card')).toHaveLength(24),
    );
    // In the order of the answer.
    expect(
      screen
        .getAllByTestId('service-card')
        .map(c => c.getAttribute('aria-label')),
    ).toEqual(items.map(i => i.title));
  });
});
