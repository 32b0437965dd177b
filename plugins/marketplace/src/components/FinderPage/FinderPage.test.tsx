import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { useLocation } from 'react-router-dom';
import { renderInTestApp } from '@backstage/frontend-test-utils';
import { entityRouteRef } from '@backstage/plugin-catalog-react';
import {
  FinderCard,
  marketplaceApiRef,
  RecommendationsResponse,
} from '../../api';
import {
  measuredCard,
  mockMarketplaceApi,
  unmeasuredCard,
} from '../../__fixtures__/marketplaceApi';
import { FinderPage } from './FinderPage';

const mountedRoutes = { '/catalog/:namespace/:kind/:name': entityRouteRef };

function LocationProbe() {
  const location = useLocation();
  return <div data-testid="location-search">{location.search}</div>;
}

const measured: FinderCard = {
  ...measuredCard,
  metrics: {
    ...measuredCard.metrics,
    timeToFirstTokenP95Ms: 310,
    tokensPerSecond: 85.5,
  },
};
const unmeasured: FinderCard = {
  ...unmeasuredCard,
  metrics: {
    ...unmeasuredCard.metrics,
    timeToFirstTokenP95Ms: null,
    tokensPerSecond: null,
  },
};
const third: FinderCard = {
  ...unmeasured,
  name: 'far-away',
  ref: 'modelservice:default/far-away',
  title: 'Far Away',
};

const response: RecommendationsResponse = {
  needs: {
    requestsPerMonth: 20000,
    avgPromptTokens: 500,
    avgCompletionTokens: 200,
  },
  matches: [
    {
      service: unmeasured,
      blendedPer1kMicros: 125,
      expectedMonthlyCostMicros: 1_800_000,
    },
    {
      service: measured,
      blendedPer1kMicros: 4375,
      expectedMonthlyCostMicros: 65_000_000,
    },
  ],
  excluded: [
    {
      service: third,
      blendedPer1kMicros: 125,
      reasons: [
        { need: 'region', message: 'runs in asia-pacific, not europe' },
        { need: 'ttft', message: 'no measured time to first token yet' },
      ],
    },
  ],
};

async function renderFinder(route: string) {
  const api = mockMarketplaceApi({
    getRecommendations: jest.fn().mockResolvedValue(response),
  });
  renderInTestApp(
    <>
      <FinderPage />
      <LocationProbe />
    </>,
    {
      mountedRoutes,
      initialRouteEntries: [route],
      apis: [[marketplaceApiRef, api]],
    },
  );
  await screen.findByText(/2 of 3 services meet every need/);
  return api;
}

function search(): URLSearchParams {
  return new URLSearchParams(
    screen.getByTestId('location-search').textContent ?? '',
  );
}

describe('FinderPage', () => {
  it('asks for the needs in a shared link and shows the ranking and the exclusions', async () => {
    const api = await renderFinder(
      '/marketplace/finder?feature=vision&region=europe&requestsPerMonth=20000&maxTtftMs=500',
    );
    expect(api.getRecommendations).toHaveBeenCalledWith({
      feature: ['vision'],
      region: ['europe'],
      compliance: undefined,
      requestsPerMonth: 20000,
      maxTtftMs: 500,
    });
    const rows = screen.getAllByTestId('finder-match');
    expect(
      rows.map(r => within(r).getAllByRole('link')[0].textContent),
    ).toEqual(['internal-llama', 'Acme GPT-4o']);
    expect(within(rows[0]).getByTestId('expected-cost')).toHaveTextContent(
      '$1.80',
    );
    // Unmeasured values say so; measured ones are shown.
    expect(within(rows[0]).getAllByText('no data yet').length).toBeGreaterThan(
      0,
    );
    expect(within(rows[1]).getByText('TTFT p95 310 ms')).toBeInTheDocument();
    expect(within(rows[1]).getByText('uptime 99.95%')).toBeInTheDocument();
    const excluded = screen.getByTestId('finder-excluded');
    expect(excluded).toHaveTextContent('Far Away');
    expect(excluded).toHaveTextContent('runs in asia-pacific, not europe');
    expect(excluded).toHaveTextContent('no measured time to first token yet');
    expect(screen.getByRole('checkbox', { name: 'Vision' })).toBeChecked();
    expect(screen.getByRole('checkbox', { name: 'Europe' })).toBeChecked();
  });

  it('writes the needs to the URL', async () => {
    const api = await renderFinder('/marketplace/finder');
    await userEvent.click(screen.getByRole('checkbox', { name: 'Vision' }));
    await waitFor(() => expect(search().getAll('feature')).toEqual(['vision']));
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Requests per month' }),
      '5000',
    );
    await waitFor(() => expect(search().get('requestsPerMonth')).toBe('5000'));
    await userEvent.type(
      screen.getByRole('textbox', { name: 'Max price / 1K' }),
      '0.01',
    );
    await waitFor(() =>
      expect(search().get('maxBlendedPer1kMicros')).toBe('10000'),
    );
    await waitFor(() =>
      expect(api.getRecommendations).toHaveBeenLastCalledWith(
        expect.objectContaining({
          feature: ['vision'],
          requestsPerMonth: 5000,
          maxBlendedPer1kMicros: 10000,
        }),
      ),
    );
  });

  it('compares services side by side and offers a snippet for the chosen one', async () => {
    await renderFinder('/marketplace/finder');
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Compare internal-llama' }),
    );
    expect(screen.queryByRole('table', { name: 'Comparison' })).toBeNull();
    await userEvent.click(
      screen.getByRole('checkbox', { name: 'Compare Acme GPT-4o' }),
    );
    const table = await screen.findByRole('table', { name: 'Comparison' });
    expect(search().getAll('compare')).toEqual([
      'internal-llama',
      'acme-gpt-4o',
    ]);
    const ttft = within(table)
      .getByRole('rowheader', { name: 'Time to first token p95 (measured)' })
      .closest('tr')!;
    expect(ttft).toHaveTextContent('no data yet');
    expect(ttft).toHaveTextContent('310 ms');

    await userEvent.click(
      screen.getByRole('button', { name: 'Choose Acme GPT-4o' }),
    );
    expect(search().get('choose')).toBe('acme-gpt-4o');
    const chosen = await screen.findByRole('region', {
      name: 'Use Acme GPT-4o',
    });
    expect(
      within(chosen).getByRole('button', { name: /Start Using/ }),
    ).toBeInTheDocument();
    expect(within(chosen).getByTestId('curl-snippet')).toHaveTextContent(
      '"model":"acme-gpt-4o"',
    );
  });
});
